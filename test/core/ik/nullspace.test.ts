/**
 * Null-space motion in resolved-rate control (ik/nullspace.ts): it leaves the commanded twist as
 * it is, raises its objective, respects the limits, and does nothing on an arm without redundancy.
 */
import { describe, expect, it } from 'vitest';
import { analyzeJacobian } from '../../../src/core/analysis.js';
import type { CompiledRobot } from '../../../src/core/compiled-robot.js';
import { createIkWorkspace } from '../../../src/core/ik/ik-workspace.js';
import { NULLSPACE_OBJECTIVES, type NullspaceOptions } from '../../../src/core/ik/nullspace.js';
import { computeVelocityCommand } from '../../../src/core/ik/velocity-control.js';
import { REFERENCE_FRAMES, computeJacobian, resolveEndEffector, type EndEffector } from '../../../src/core/jacobian.js';
import { createWorkspace } from '../../../src/core/workspace.js';
import { Random } from '../../helpers/random.js';
import { builtinRobot, randomInLimits } from '../../helpers/robots.js';

/** J q̇ of a command, in the end effector's frame. */
function twistOf(robot: CompiledRobot, ee: EndEffector, q: Float64Array, qdot: Float64Array): Float64Array {
  const dof = robot.model.dof;
  const J = computeJacobian(robot, createWorkspace(robot.model), q, ee, new Float64Array(6 * dof));
  return Float64Array.from({ length: 6 }, (_, r) => qdot.reduce((s, v, k) => s + J[r * dof + k]! * v, 0));
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('null-space motion', () => {
  const rng = new Random(73);

  it('leaves the commanded twist unchanged and raises its objective, in every frame', () => {
    for (const [id, tip] of [['franka_panda', 'panda_hand_tcp'], ['kuka_iiwa14', 'iiwa_link_ee'], ['baxter', 'left_gripper']] as const) {
      const robot = builtinRobot(id);
      const ik = createIkWorkspace(robot.model);
      for (const referenceFrame of REFERENCE_FRAMES) {
        const ee = resolveEndEffector(robot, { tip, referenceFrame });
        for (let trial = 0; trial < 5; trial++) {
          const q = randomInLimits(robot.model, rng);
          const V = Float64Array.of(0.02, -0.01, 0.03, 0.05, 0, -0.04);
          const plain = Float64Array.from(computeVelocityCommand(robot, ik, ee, q, V, { dt: 0.002 }).qdot);
          for (const objective of NULLSPACE_OBJECTIVES) {
            const nullspace: NullspaceOptions = { objective, gain: 5 };
            const r = computeVelocityCommand(robot, ik, ee, q, V, { dt: 0.002, nullspace });
            const where = `${id} ${referenceFrame} ${objective} trial ${trial}`;
            // the twist of the command is the twist of the command without it, to rounding
            expect(maxAbs(twistOf(robot, ee, q, r.qdot), twistOf(robot, ee, q, plain)), where).toBeLessThan(1e-12);
            expect(r.nullspace!.applied, where).toBeGreaterThanOrEqual(0);
            expect(r.nullspace!.objectiveRate, where).toBeGreaterThanOrEqual(-1e-15);
          }
        }
      }
    }
  });

  it('keeps a higher manipulability along a 0.4 m line at 500 Hz than the plain command, with the same task twist', () => {
    // configurations away from symmetric poses (there the self-motion is a stationary point of m)
    const cases = [
      { id: 'franka_panda', tip: 'panda_hand_tcp', q: [0.3, -0.3, 0.5, -2.2, 0.3, 1.9, 0.8, 0.02], linear: [0, 0, -0.1] },
      { id: 'kuka_iiwa14', tip: 'iiwa_link_ee', q: [0.2, 0.5, 0.4, -1.3, 0.4, 1.0, 0.1], linear: [0, -0.1, 0] },
    ];
    for (const { id, tip, q: q0, linear } of cases) {
      const robot = builtinRobot(id);
      const ee = resolveEndEffector(robot, { tip });
      const dof = robot.model.dof, dt = 0.002;
      const V = Float64Array.of(...linear, 0, 0, 0);
      const run = (nullspace: NullspaceOptions | undefined) => {
        const ik = createIkWorkspace(robot.model);
        const q = Float64Array.from(q0);
        let smallest = Infinity, twistError = 0;
        for (let i = 0; i < 2000; i++) { // 4 s at 0.1 m/s
          const r = computeVelocityCommand(robot, ik, ee, q, V, { dt, ...(nullspace ? { nullspace } : {}) });
          expect(r.status, `${id} step ${i}`).toBe('ok');
          twistError = Math.max(twistError, maxAbs(twistOf(robot, ee, q, r.qdot), V));
          const J = computeJacobian(robot, createWorkspace(robot.model), q, ee, new Float64Array(6 * dof));
          smallest = Math.min(smallest, analyzeJacobian(J, dof, ee.path.movingJoints).manipulability);
          for (let k = 0; k < dof; k++) q[k] = q[k]! + r.qdot[k]! * dt;
        }
        return { smallest, twistError };
      };
      const plain = run(undefined), steered = run({ objective: 'manipulability', gain: 60 });
      console.log(`${id}: smallest manipulability along the line ${plain.smallest.toFixed(5)} plain, ${steered.smallest.toFixed(5)} with the objective; `
        + `task twist error ${plain.twistError.toExponential(1)} and ${steered.twistError.toExponential(1)}`);
      expect(plain.twistError).toBeLessThan(1e-9);
      expect(steered.twistError).toBeLessThan(1e-9);
      expect(steered.smallest, id).toBeGreaterThan(plain.smallest);
    }
  });

  it('is cut by the joint limits, never the task: velocity limits, and position limits within dt', () => {
    const robot = builtinRobot('kuka_iiwa14');
    const { model } = robot;
    const ik = createIkWorkspace(model);
    const ee = resolveEndEffector(robot, { tip: 'iiwa_link_ee' });
    const q = Float64Array.of(0.2, 0.5, 2.9, -1.3, 0.4, 1.0, 0.1); // joint 3 near its limit of 2.967
    const V = Float64Array.of(0.01, 0, 0, 0, 0, 0);
    const dt = 0.01;
    const r = computeVelocityCommand(robot, ik, ee, q, V, { dt, nullspace: { objective: 'jointCentering', gain: 1e4 } });
    expect(r.nullspace!.applied).toBeGreaterThan(0);
    expect(r.nullspace!.applied).toBeLessThan(1);
    for (let k = 0; k < model.dof; k++) {
      expect(Math.abs(r.qdot[k]!)).toBeLessThanOrEqual(model.velocityLimit[k]! * (1 + 1e-12));
      expect(q[k]! + r.qdot[k]! * dt).toBeLessThanOrEqual(model.qUpper[k]! + 1e-12);
      expect(q[k]! + r.qdot[k]! * dt).toBeGreaterThanOrEqual(model.qLower[k]! - 1e-12);
    }
    expect(maxAbs(twistOf(robot, ee, q, r.qdot), V)).toBeLessThan(1e-12);
  });

  it('does nothing on an arm with no redundancy', () => {
    const robot = builtinRobot('ur5e');
    const ik = createIkWorkspace(robot.model);
    const ee = resolveEndEffector(robot, { tip: 'tool0' });
    const q = Float64Array.of(0.1, -1.2, 1.5, -1.9, -1.57, 0.3), V = Float64Array.of(0.02, 0, 0.01, 0, 0.1, 0);
    const plain = Float64Array.from(computeVelocityCommand(robot, ik, ee, q, V).qdot);
    const r = computeVelocityCommand(robot, ik, ee, q, V, { nullspace: { objective: 'manipulability', gain: 10 } });
    expect(maxAbs(r.qdot, plain)).toBeLessThan(1e-12);
    expect(Math.abs(r.nullspace!.objectiveRate)).toBeLessThan(1e-12);
  });
});
