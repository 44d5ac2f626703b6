/**
 * Resolved-rate control (ik/velocity-control.ts and ik/singularity-trend.ts): exact away from
 * singularities, MoveIt Servo's band, the direction test at every distance, limits.
 */
import { describe, expect, it } from 'vitest';
import { createIkWorkspace } from '../../../src/core/ik/ik-workspace.js';
import { computeVelocityCommand } from '../../../src/core/ik/velocity-control.js';
import { computePose } from '../../../src/core/forward-kinematics.js';
import { computeEndEffectorPose, computeJacobian, resolveEndEffector, type EndEffector } from '../../../src/core/jacobian.js';
import { createWorkspace } from '../../../src/core/workspace.js';
import { maxAbsDifference } from '../../helpers/finite-differences.js';
import { builtinRobot } from '../../helpers/robots.js';

describe('resolved-rate control', () => {
  const robot = builtinRobot('ur5e');
  const { model } = robot;
  const twistOf = (q: Float64Array, qdot: Float64Array, ee: EndEffector): Float64Array => {
    const dof = ee.robot.model.dof;
    const J = computeJacobian(ee.robot, createWorkspace(ee.robot.model), q, ee, new Float64Array(6 * dof));
    return Float64Array.from({ length: 6 }, (_, r) => qdot.reduce((s, v, k) => s + J[r * dof + k]! * v, 0));
  };

  it('follows the twist exactly away from singularities', () => {
    const ee = resolveEndEffector(robot, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    const q = Float64Array.of(0.1, -1.2, 1.5, -1.9, -1.57, 0);
    const V = Float64Array.of(0.05, -0.02, 0.01, 0, 0.1, -0.05);
    const r = computeVelocityCommand(robot, ik, ee, q, V);
    expect(r.status).toBe('ok');
    expect(r.scale).toBe(1);
    expect(maxAbsDifference(twistOf(q, r.qdot, ee), V)).toBeLessThan(1e-12);
  });

  it('decelerates in the band, halts beyond it, keeps the direction, and lets the robot back out', () => {
    const ee = resolveEndEffector(robot, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    // elbow nearly straight (κ ≈ 48): moving the tool away from the shoulder stretches the arm
    const near = Float64Array.of(0, -1.2, 0.25, -1.0, 1.57, 0);
    const X = computeEndEffectorPose(robot, near, ee, new Float64Array(12));
    const radial = [X[9]!, X[10]!, X[11]! - 0.1625]; // from the shoulder (0.1625 m above the base)
    const length = Math.hypot(...radial);
    const outward = Float64Array.of(...radial.map((x) => (0.05 * x) / length), 0, 0, 0);
    const unscaled = { ...computeVelocityCommand(robot, ik, ee, near, outward, { lowerSingularityThreshold: 1e6, hardStopSingularityThreshold: 2e6 }) };
    unscaled.qdot = Float64Array.from(unscaled.qdot); // the workspace's until the next call
    const r = computeVelocityCommand(robot, ik, ee, near, outward, { lowerSingularityThreshold: 20, hardStopSingularityThreshold: 80 });
    expect(r.analysis.conditionNumber).toBeGreaterThan(20);
    expect(r.analysis.conditionNumber).toBeLessThan(80);
    expect(r.status).toBe('decelerating-singularity');
    expect(r.scale).toBeGreaterThan(0);
    expect(r.scale).toBeLessThan(1);
    expect(maxAbsDifference(r.qdot, unscaled.qdot.map((x) => x * r.scale))).toBeLessThan(1e-12);
    const halted = computeVelocityCommand(robot, ik, ee, near, outward, { lowerSingularityThreshold: 1, hardStopSingularityThreshold: 2 });
    expect(halted.status).toBe('halted-singularity');
    expect(halted.scale).toBe(0);
    expect(halted.qdot.every((x) => x === 0)).toBe(true);
    // the opposite command moves away from the singularity and is not slowed
    const back = computeVelocityCommand(robot, ik, ee, near, outward.map((x) => -x), { lowerSingularityThreshold: 1, hardStopSingularityThreshold: 2 });
    expect(back.status).toBe('ok');
  });

  it('tells toward from away by the command at every distance from a singularity, elbow and wrist', () => {
    // the command is the twist of one joint moving toward (or away from) the value where the arm
    // is singular: the UR5e's elbow straight (joint 2 = 0) or its wrist's axes aligned (joint 4
    // = 0); the iiwa's elbow straight (joint 3 = 0), a redundant arm whose Gram matrix is the
    // task-space one (its aligned wrist axes are not a singularity: the seventh joint makes up)
    const cases = [
      { robot: 'ur5e', tip: 'tool0', joint: 2, q: [0, -1.2, 0, -1, 1.57, 0] },
      { robot: 'ur5e', tip: 'tool0', joint: 4, q: [0, -1.2, 1.5, -1.9, 0, 0] },
      { robot: 'kuka_iiwa14', tip: 'iiwa_link_ee', joint: 3, q: [0.2, 0.5, 0.3, 0, 0.4, 1.0, 0.1] },
    ];
    for (const { robot: name, tip, joint, q: singular } of cases) {
      const arm = builtinRobot(name);
      const ee = resolveEndEffector(arm, { tip });
      const ik = createIkWorkspace(arm.model);
      for (const distance of [1e-2, 1e-3, 1e-4, 1e-5, 1e-6]) {
        for (const side of [1, -1]) {
          const q = Float64Array.from(singular);
          q[joint] = side * distance;
          const towardRate = new Float64Array(q.length);
          towardRate[joint] = -side * 0.05;
          const toward = twistOf(q, towardRate, ee);
          const where = `${name} joint ${joint} at ${side * distance}`;
          const r = computeVelocityCommand(arm, ik, ee, q, toward);
          expect(r.analysis.conditionNumber, where).toBeGreaterThan(30);
          expect(r.status, `${where}, toward`).toBe('halted-singularity');
          expect(computeVelocityCommand(arm, ik, ee, q, toward.map((x) => -x)).status, `${where}, away`).toBe('ok');
        }
      }
    }
  });

  it('halts a stretched arm told to reach further out, at any distance from straight, and lets it pull in', () => {
    const ee = resolveEndEffector(robot, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    const origin = (q: Float64Array, link: string): number[] => {
      const X = computePose(robot, q, 0, model.linkIndex.get(link)!, new Float64Array(12));
      return [X[9]!, X[10]!, X[11]!];
    };
    for (const elbow of [1e-2, 1e-4, 1e-6, -1e-5]) {
      const q = Float64Array.of(0, -1.2, elbow, -1, 1.57, 0);
      const shoulder = origin(q, 'upper_arm_link'), wrist = origin(q, 'wrist_1_link');
      const radial = wrist.map((x, i) => x - shoulder[i]!);
      const length = Math.hypot(...radial);
      const outward = Float64Array.of(...radial.map((x) => (0.01 * x) / length), 0, 0, 0);
      expect(computeVelocityCommand(robot, ik, ee, q, outward).status, `elbow ${elbow}, out`).toBe('halted-singularity');
      expect(computeVelocityCommand(robot, ik, ee, q, outward.map((x) => -x)).status, `elbow ${elbow}, in`).toBe('ok');
    }
  });

  it('at an exact singularity, serves what the arm can do and halts what it cannot', () => {
    const ee = resolveEndEffector(robot, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    const straight = Float64Array.of(0, -1.2, 0, -1, 1.57, 0);
    // bending the elbow (leaves the singularity) and turning the base (stays there) are motions
    // the arm can make: served
    for (const rate of [[0, 0, 0.05, 0, 0, 0], [0.05, 0, 0, 0, 0, 0]]) {
      const r = computeVelocityCommand(robot, ik, ee, straight, twistOf(straight, Float64Array.from(rate), ee));
      expect(r.analysis.conditionNumber).toBeUndefined();
      expect(r.status, `rate ${rate.join(' ')}`).toBe('ok');
      expect(r.qdot.some((x) => x !== 0)).toBe(true);
    }
    // reaching further out along the straight arm is not: halted
    const X = computePose(robot, straight, 0, model.linkIndex.get('wrist_1_link')!, new Float64Array(12));
    const S = computePose(robot, straight, 0, model.linkIndex.get('upper_arm_link')!, new Float64Array(12));
    const out = [X[9]! - S[9]!, X[10]! - S[10]!, X[11]! - S[11]!];
    const length = Math.hypot(...out);
    const reach = computeVelocityCommand(robot, ik, ee, straight, Float64Array.of(...out.map((x) => (0.01 * x) / length), 0, 0, 0));
    expect(reach.status).toBe('halted-singularity');
    expect(reach.qdot.every((x) => x === 0)).toBe(true);
    // a SCARA at its straight home pose: reaching out halts; moving along the arc, with a stray
    // roll that no SCARA can make (not a direction lost to the singularity), is served
    const scara = builtinRobot('scara'), scaraEe = resolveEndEffector(scara, { tip: 'tool0' });
    const scaraIk = createIkWorkspace(scara.model), home = Float64Array.of(0, 0, 0.1, 0);
    expect(computeVelocityCommand(scara, scaraIk, scaraEe, home, Float64Array.of(0.05, 0, 0, 0, 0, 0)).status).toBe('halted-singularity');
    const along = computeVelocityCommand(scara, scaraIk, scaraEe, home, Float64Array.of(0, 0.05, 0, 1e-3, 0, 0));
    expect(along.analysis.conditionNumber).toBeUndefined();
    expect(along.status).toBe('ok');
  });

  it('never drives a joint past a position limit within dt or above its velocity limit', () => {
    const ee = resolveEndEffector(robot, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    const q = Float64Array.of(0.1, -1.2, 1.5, -1.9, -1.57, 0);
    const fast = { ...computeVelocityCommand(robot, ik, ee, q, Float64Array.of(0, 0, 0, 0, 0, 50)) };
    fast.qdot = Float64Array.from(fast.qdot); // the workspace's until the next call
    expect(fast.status).toBe('joint-limit');
    expect(Math.max(...fast.qdot.map((v, k) => Math.abs(v) / model.velocityLimit[k]!))).toBeCloseTo(1, 12);
    // the base close to its upper limit (not the elbow: at its limit of π it folds, a singularity)
    const atLimit = Float64Array.from(q);
    atLimit[0] = model.qUpper[0]! - 1e-4;
    const V = twistOf(atLimit, Float64Array.of(1, 0, 0, 0, 0, 0), ee);
    const r = computeVelocityCommand(robot, ik, ee, atLimit, V, { dt: 0.01 });
    expect(r.status).toBe('joint-limit');
    expect(r.scale).toBeGreaterThan(0);
    expect(atLimit[0] + r.qdot[0]! * 0.01).toBeLessThanOrEqual(model.qUpper[0]! + 1e-15);
    expect(atLimit[0] + r.qdot[0]! * 0.01).toBeCloseTo(model.qUpper[0]!, 12); // scaled to reach it, not less
    // the direction is kept when a limit scales the command (velocity limit here)
    expect(maxAbsDifference(twistOf(q, fast.qdot, ee).map((x) => x / fast.scale), Float64Array.of(0, 0, 0, 0, 0, 50))).toBeLessThan(1e-9);
  });
});
