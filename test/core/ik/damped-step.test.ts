/**
 * One damped-least-squares step (ik/damped-step.ts): the formula, weights, damping, limits.
 */
import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { computeIkStep } from '../../../src/core/ik/damped-step.js';
import { createIkWorkspace } from '../../../src/core/ik/ik-workspace.js';
import { computePoseError } from '../../../src/core/ik/pose-error.js';
import { MAX_ADAPTIVE_DAMPING } from '../../../src/core/ik/singularity-measures.js';
import { solveIk } from '../../../src/core/ik/solve.js';
import { computeEndEffectorPose, computeJacobian, resolveEndEffector } from '../../../src/core/jacobian.js';
import { createWorkspace } from '../../../src/core/workspace.js';
import { maxAbsDifference } from '../../helpers/finite-differences.js';
import { Random } from '../../helpers/random.js';
import { builtinRobot, poseAt, randomInLimits, withinLimits } from '../../helpers/robots.js';

const squaredError = (e: { position: number; orientation: number }): number => e.position ** 2 + e.orientation ** 2;

describe('ik step', () => {
  it('is the weighted formula dq = Wq⁻¹J̃ᵀ(J̃Wq⁻¹J̃ᵀ + λ²I)⁻¹ẽ, J̃ = √Wx J, computed independently', () => {
    const rng = new Random(17);
    for (const [name, tip] of [['ur5e', 'tool0'], ['franka_panda', 'panda_hand_tcp'], ['scara', 'tool0']] as const) {
      const robot = builtinRobot(name);
      const { model } = robot;
      const ee = resolveEndEffector(robot, { tip });
      const ik = createIkWorkspace(model);
      for (let trial = 0; trial < 10; trial++) {
        const q = randomInLimits(model, rng);
        const target = poseAt(robot, ee, q.map((x, k) => Math.min(Math.max(x + rng.uniform(-0.3, 0.3), model.qLower[k]!), model.qUpper[k]!)));
        const taskWeights = Array.from({ length: 6 }, () => (rng.next() < 0.2 ? 0 : rng.uniform(0.1, 5)));
        const jointWeights = Array.from({ length: model.dof }, () => rng.uniform(0.2, 10));
        const damping = rng.uniform(0.01, 0.5);
        const r = computeIkStep(robot, ik, ee, q, target, { damping, taskWeights, jointWeights, respectLimits: false });
        // the reference, with ml-matrix: J in LOCAL_WORLD_ALIGNED and e as the route defines it
        const J = computeJacobian(robot, createWorkspace(model), q, ee, new Float64Array(6 * model.dof), new Float64Array(12), 'LOCAL_WORLD_ALIGNED');
        const X = computeEndEffectorPose(robot, q, ee, new Float64Array(12));
        const e = new Float64Array(6);
        computePoseError(X, target, e, new Float64Array(9));
        const sqrtWx = Matrix.diag(taskWeights.map(Math.sqrt)), WqInverse = Matrix.diag(jointWeights.map((w) => 1 / w));
        const Jt = sqrtWx.mmul(new Matrix(Array.from({ length: 6 }, (_, row) => Array.from(J.slice(row * model.dof, (row + 1) * model.dof)))));
        const et = sqrtWx.mmul(Matrix.columnVector([...e]));
        const system = Jt.mmul(WqInverse).mmul(Jt.transpose()).add(Matrix.eye(6).mul(damping ** 2));
        const expected = WqInverse.mmul(Jt.transpose()).mmul(solve(system, et)).to1DArray();
        const where = `${name} trial ${trial}`;
        expect(maxAbsDifference(r.dq, expected), where).toBeLessThan(1e-10 * Math.max(1, ...expected.map(Math.abs)));
      }
    }
  });

  it('moves a heavily weighted joint less', () => {
    const robot = builtinRobot('franka_panda');
    const { model } = robot;
    const ee = resolveEndEffector(robot, { tip: 'panda_hand_tcp' });
    const ik = createIkWorkspace(model);
    const q = Float64Array.of(0.1, -0.4, 0.3, -2.0, 0.2, 1.6, 0.7, 0.02);
    const target = poseAt(robot, ee, Float64Array.of(0.4, -0.2, 0.1, -1.7, 0.5, 1.9, 0.3, 0.02));
    const light = Float64Array.from(computeIkStep(robot, ik, ee, q, target, { damping: 0.05 }).dq);
    for (let joint = 0; joint < 7; joint++) {
      const jointWeights = Array.from({ length: model.dof }, (_, k) => (k === joint ? 100 : 1));
      const heavy = computeIkStep(robot, ik, ee, q, target, { damping: 0.05, jointWeights }).dq;
      expect(Math.abs(heavy[joint]!), `joint ${joint}`).toBeLessThan(0.5 * Math.abs(light[joint]!));
    }
  });

  it('never increases the error when λ is large enough', () => {
    const rng = new Random(3);
    for (const [id, tip] of [['franka_panda', 'panda_hand_tcp'], ['ur5e', 'tool0'], ['scara', 'tool0']] as const) {
      const robot = builtinRobot(id);
      const { model } = robot;
      const ee = resolveEndEffector(robot, { tip });
      const ik = createIkWorkspace(model);
      for (let trial = 0; trial < 100; trial++) {
        const target = poseAt(robot, ee, randomInLimits(model, rng));
        const r = computeIkStep(robot, ik, ee, randomInLimits(model, rng), target, { damping: 5 });
        expect(squaredError(r.errorAfter)).toBeLessThanOrEqual(squaredError(r.error) * (1 + 1e-12));
      }
    }
  });

  it('converges by repeated steps and reports it', () => {
    const robot = builtinRobot('kuka_iiwa14');
    const { model } = robot;
    const ee = resolveEndEffector(robot, { tip: 'iiwa_link_ee' });
    const ik = createIkWorkspace(model);
    const q = new Float64Array([0.2, 0.4, -0.1, -1.2, 0.3, 0.8, 0.1]);
    const target = poseAt(robot, ee, q.map((x, k) => x + 0.05 * (k % 2 ? 1 : -1)));
    let r = computeIkStep(robot, ik, ee, q, target);
    for (let i = 0; i < 20 && r.status !== 'converged'; i++) r = computeIkStep(robot, ik, ee, r.q, target);
    expect(r.status).toBe('converged');
    expect(r.errorAfter.position).toBeLessThan(1e-5);
    expect(r.damping).toBe(0); // far from singular: the exact Gauss–Newton step
  });

  it('stays bounded at an exact singularity, with the damping at its maximum', () => {
    const robot = builtinRobot('ur5e');
    const { model } = robot;
    const ee = resolveEndEffector(robot, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    // all zeros: the arm is stretched out and shoulder, elbow and wrist 1 axes are parallel
    const q = new Float64Array(6);
    const target = poseAt(robot, ee, Float64Array.of(0.3, -0.5, 0.4, 0.2, -0.3, 0.1));
    const r = computeIkStep(robot, ik, ee, q, target, { respectLimits: false });
    expect(r.status).toBe('near-singular');
    // σ² below the rounding of the Gram matrix's eigenvalues is 0: the measures say singular
    expect(r.analysis.minSingularValue).toBe(0);
    expect(r.analysis.manipulability).toBe(0);
    expect(r.analysis.conditionNumber).toBeUndefined();
    expect(r.damping).toBe(MAX_ADAPTIVE_DAMPING);
    const e = Math.hypot(r.error.position, r.error.orientation);
    // |dq| <= |e| / (2 λ) for damped least squares
    expect(Math.hypot(...r.dq)).toBeLessThanOrEqual(e / (2 * MAX_ADAPTIVE_DAMPING) + 1e-9);
    expect(r.dq.every(Number.isFinite)).toBe(true);
  });

  it('takes a joint at its limit out of the step instead of clamping after it', () => {
    const robot = builtinRobot('franka_panda');
    const { model } = robot;
    const ee = resolveEndEffector(robot, { tip: 'panda_hand_tcp' });
    const ik = createIkWorkspace(model);
    const q = new Float64Array([0, -0.3, 0, -2.0, 0, 1.8, 0.7, 0.02]);
    const upper3 = model.qUpper[3]!;
    q[3] = upper3; // joint 4 at its upper limit (-0.0698)
    // a target that needs joint 4 beyond its upper limit
    const beyond = Float64Array.from(q);
    beyond[3] = upper3 + 0.3;
    const target = poseAt(robot, ee, beyond);
    const r = computeIkStep(robot, ik, ee, q, target);
    expect(r.status).toBe('at-limit');
    expect(r.q[3]).toBe(upper3);
    expect(withinLimits(model, r.q)).toBe(true);
    expect(Math.hypot(...r.dq)).toBeGreaterThan(1e-3); // the other joints still work on the error
    expect(squaredError(r.errorAfter)).toBeLessThan(squaredError(r.error));
  });

  it('with task weights [1,1,1,0,0,0] solves for position only on a 4-DoF SCARA', () => {
    const robot = builtinRobot('scara');
    const { model } = robot;
    const ee = resolveEndEffector(robot, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    const target = poseAt(robot, ee, Float64Array.of(0.6, 1.1, 0.1, 2.5));
    target.set([1, 0, 0, 0, 1, 0, 0, 0, 1], 0); // an orientation the SCARA cannot take
    let r = computeIkStep(robot, ik, ee, Float64Array.of(0, 0.5, 0.05, 0), target, { taskWeights: [1, 1, 1, 0, 0, 0] });
    for (let i = 0; i < 30 && r.status !== 'converged'; i++) r = computeIkStep(robot, ik, ee, r.q, target, { taskWeights: [1, 1, 1, 0, 0, 0] });
    expect(r.status).toBe('converged');
    expect(r.errorAfter.position).toBeLessThan(1e-5);
    expect(r.errorAfter.orientation).toBe(0); // the freed axes are not counted
    // and the full solver does the same
    const solved = solveIk(robot, ik, ee, target, { taskWeights: [1, 1, 1, 0, 0, 0], timeoutMs: 50 });
    expect(solved.converged).toBe(true);
  });

  it('bounds the step by maxStep, keeping its direction', () => {
    const robot = builtinRobot('ur5e');
    const { model } = robot;
    const ee = resolveEndEffector(robot, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    const q = Float64Array.of(0.1, -1.2, 1.5, -1.9, -1.57, 0);
    const target = poseAt(robot, ee, Float64Array.of(1.0, -0.6, 1.0, -1.0, -1.0, 0.8));
    // results live in the workspace until its next step: copy the first
    const free = { dq: Float64Array.from(computeIkStep(robot, ik, ee, q, target).dq) };
    const bounded = computeIkStep(robot, ik, ee, q, target, { maxStep: 0.05 });
    expect(Math.max(...bounded.dq.map(Math.abs))).toBeCloseTo(0.05, 12);
    const ratio = bounded.dq[0]! / free.dq[0]!;
    expect(maxAbsDifference(bounded.dq, free.dq.map((x) => x * ratio))).toBeLessThan(1e-12);
  });
});
