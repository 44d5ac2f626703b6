import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { computeEndEffectorPose, computeJacobian, resolveEndEffector, type EndEffector } from '../../src/core/jacobian.js';
import { computePose } from '../../src/core/forward-kinematics.js';
import type { KinematicModel } from '../../src/core/model.js';
import { createDlsScratch, loadProblem, solveStep } from '../../src/core/ik/damped-least-squares.js';
import { computeIkStep, MAX_ADAPTIVE_DAMPING } from '../../src/core/ik/damped-step.js';
import { MAX_COMPILED_JOINTS, compileDlsKernels } from '../../src/core/ik/dls-kernel.js';
import { createIkWorkspace, type IkWorkspace } from '../../src/core/ik/ik-workspace.js';
import { computePoseError } from '../../src/core/ik/pose-error.js';
import { nearestEquivalentAngle, solveIk } from '../../src/core/ik/solve.js';
import { computeVelocityCommand } from '../../src/core/ik/velocity-control.js';
import { createWorkspace } from '../../src/core/workspace.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { maxAbsDifference } from '../helpers/finite-differences.js';
import { readBuiltinUrdf } from '../helpers/paths.js';
import { Random } from '../helpers/random.js';

const robots = new Map<string, KinematicModel>();
function robot(id: string): KinematicModel {
  let model = robots.get(id);
  if (!model) { model = loadUrdf(readBuiltinUrdf(id)); robots.set(id, model); }
  return model;
}

function randomInLimits(model: KinematicModel, rng: Random): Float64Array {
  return Float64Array.from({ length: model.dof }, (_, k) => (model.continuous[k]
    ? rng.uniform(-Math.PI, Math.PI) : rng.uniform(model.qLower[k]!, model.qUpper[k]!)));
}

function setTarget(ik: IkWorkspace, ee: EndEffector, q: Float64Array): void {
  computeEndEffectorPose(ik.model, q, ee, ik.X_target);
}

function withinLimits(model: KinematicModel, q: Float64Array): boolean {
  return Array.from(q).every((x, k) => model.continuous[k] === 1 || (x >= model.qLower[k]! && x <= model.qUpper[k]!));
}

const squaredError = (e: { position: number; orientation: number }): number => e.position ** 2 + e.orientation ** 2;

describe('damped least squares', () => {
  it('the compiled kernels solve the same systems as the loops, with pinned joints and zero weights', () => {
    const rng = new Random(11);
    for (const dof of [4, 6, 7, 9]) {
      const columns = Array.from({ length: dof }, (_, k) => k).filter(() => rng.next() < 0.9);
      const kernels = compileDlsKernels(dof, columns)!;
      const scratch = createDlsScratch(dof);
      for (let trial = 0; trial < 50; trial++) {
        const J = rng.vector(6 * dof), e = rng.vector(6);
        const sqrtW = Float64Array.from({ length: 6 }, () => (rng.next() < 0.2 ? 0 : rng.uniform(0.3, 2)));
        const free = new Uint8Array(dof);
        const active = new Float64Array(dof);
        for (const k of columns) if (rng.next() < 0.85) { free[k] = 1; active[k] = scratch.jointScale[k] = rng.uniform(0.5, 2); }
        const lambda2 = rng.next() < 0.3 ? 0 : rng.uniform(1e-4, 0.5);
        loadProblem(scratch, J, e, sqrtW, free);
        const expected = new Float64Array(dof), actual = new Float64Array(dof);
        const loopOk = solveStep(scratch, lambda2 + 1e-9, expected);
        const n = free.reduce((s, f) => s + f, 0), m = sqrtW.filter((w) => w > 0).length;
        const kernelOk = (n <= m ? kernels.primal : kernels.dual)(J, e, sqrtW, active, lambda2 + 1e-9, actual);
        expect(kernelOk).toBe(loopOk);
        if (loopOk) expect(maxAbsDifference(actual, expected)).toBeLessThan(1e-8 * Math.max(1, ...expected.map(Math.abs)));
      }
    }
  });
});

describe('ik step', () => {
  it('is the weighted formula dq = Wq⁻¹J̃ᵀ(J̃Wq⁻¹J̃ᵀ + λ²I)⁻¹ẽ, J̃ = √Wx J, computed independently', () => {
    const rng = new Random(17);
    for (const [name, tip] of [['ur5e', 'tool0'], ['franka_panda', 'panda_hand_tcp'], ['scara', 'tool0']] as const) {
      const model = robot(name);
      const ee = resolveEndEffector(model, { tip });
      const ik = createIkWorkspace(model);
      for (let trial = 0; trial < 10; trial++) {
        const q = randomInLimits(model, rng);
        setTarget(ik, ee, q.map((x, k) => Math.min(Math.max(x + rng.uniform(-0.3, 0.3), model.qLower[k]!), model.qUpper[k]!)));
        const taskWeights = Array.from({ length: 6 }, () => (rng.next() < 0.2 ? 0 : rng.uniform(0.1, 5)));
        const jointWeights = Array.from({ length: model.dof }, () => rng.uniform(0.2, 10));
        const damping = rng.uniform(0.01, 0.5);
        const r = computeIkStep(ik, ee, q, { damping, taskWeights, jointWeights, respectLimits: false });
        // the reference, with ml-matrix: J in LOCAL_WORLD_ALIGNED and e as the route defines it
        const J = computeJacobian(model, createWorkspace(model), q, ee, new Float64Array(6 * model.dof), new Float64Array(12), 'LOCAL_WORLD_ALIGNED');
        const X = computeEndEffectorPose(model, q, ee, new Float64Array(12));
        const e = new Float64Array(6);
        computePoseError(X, ik.X_target, e, new Float64Array(9));
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
    const model = robot('franka_panda');
    const ee = resolveEndEffector(model, { tip: 'panda_hand_tcp' });
    const ik = createIkWorkspace(model);
    const q = Float64Array.of(0.1, -0.4, 0.3, -2.0, 0.2, 1.6, 0.7, 0.02);
    setTarget(ik, ee, Float64Array.of(0.4, -0.2, 0.1, -1.7, 0.5, 1.9, 0.3, 0.02));
    const light = Float64Array.from(computeIkStep(ik, ee, q, { damping: 0.05 }).dq);
    for (let joint = 0; joint < 7; joint++) {
      const jointWeights = Array.from({ length: model.dof }, (_, k) => (k === joint ? 100 : 1));
      const heavy = computeIkStep(ik, ee, q, { damping: 0.05, jointWeights }).dq;
      expect(Math.abs(heavy[joint]!), `joint ${joint}`).toBeLessThan(0.5 * Math.abs(light[joint]!));
    }
  });

  it('never increases the error when λ is large enough', () => {
    const rng = new Random(3);
    for (const [id, tip] of [['franka_panda', 'panda_hand_tcp'], ['ur5e', 'tool0'], ['scara', 'tool0']] as const) {
      const model = robot(id);
      const ee = resolveEndEffector(model, { tip });
      const ik = createIkWorkspace(model);
      for (let trial = 0; trial < 100; trial++) {
        setTarget(ik, ee, randomInLimits(model, rng));
        const r = computeIkStep(ik, ee, randomInLimits(model, rng), { damping: 5 });
        expect(squaredError(r.errorAfter)).toBeLessThanOrEqual(squaredError(r.error) * (1 + 1e-12));
      }
    }
  });

  it('converges by repeated steps and reports it', () => {
    const model = robot('kuka_iiwa14');
    const ee = resolveEndEffector(model, { tip: 'iiwa_link_ee' });
    const ik = createIkWorkspace(model);
    const q = new Float64Array([0.2, 0.4, -0.1, -1.2, 0.3, 0.8, 0.1]);
    setTarget(ik, ee, q.map((x, k) => x + 0.05 * (k % 2 ? 1 : -1)));
    let r = computeIkStep(ik, ee, q);
    for (let i = 0; i < 20 && r.status !== 'converged'; i++) r = computeIkStep(ik, ee, r.q);
    expect(r.status).toBe('converged');
    expect(r.errorAfter.position).toBeLessThan(1e-5);
    expect(r.damping).toBe(0); // far from singular: the exact Gauss–Newton step
  });

  it('stays bounded at an exact singularity, with the damping at its maximum', () => {
    const model = robot('ur5e');
    const ee = resolveEndEffector(model, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    // all zeros: the arm is stretched out and shoulder, elbow and wrist 1 axes are parallel
    const q = new Float64Array(6);
    setTarget(ik, ee, Float64Array.of(0.3, -0.5, 0.4, 0.2, -0.3, 0.1));
    const r = computeIkStep(ik, ee, q, { respectLimits: false });
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
    const model = robot('franka_panda');
    const ee = resolveEndEffector(model, { tip: 'panda_hand_tcp' });
    const ik = createIkWorkspace(model);
    const q = new Float64Array([0, -0.3, 0, -2.0, 0, 1.8, 0.7, 0.02]);
    const upper3 = model.qUpper[3]!;
    q[3] = upper3; // joint 4 at its upper limit (-0.0698)
    // a target that needs joint 4 beyond its upper limit
    const beyond = Float64Array.from(q);
    beyond[3] = upper3 + 0.3;
    setTarget(ik, ee, beyond);
    const r = computeIkStep(ik, ee, q);
    expect(r.status).toBe('at-limit');
    expect(r.q[3]).toBe(upper3);
    expect(withinLimits(model, r.q)).toBe(true);
    expect(Math.hypot(...r.dq)).toBeGreaterThan(1e-3); // the other joints still work on the error
    expect(squaredError(r.errorAfter)).toBeLessThan(squaredError(r.error));
  });

  it('with task weights [1,1,1,0,0,0] solves for position only on a 4-DoF SCARA', () => {
    const model = robot('scara');
    const ee = resolveEndEffector(model, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    const target = Float64Array.of(0.6, 1.1, 0.1, 2.5);
    setTarget(ik, ee, target);
    ik.X_target.set([1, 0, 0, 0, 1, 0, 0, 0, 1], 0); // an orientation the SCARA cannot take
    let r = computeIkStep(ik, ee, Float64Array.of(0, 0.5, 0.05, 0), { taskWeights: [1, 1, 1, 0, 0, 0] });
    for (let i = 0; i < 30 && r.status !== 'converged'; i++) r = computeIkStep(ik, ee, r.q, { taskWeights: [1, 1, 1, 0, 0, 0] });
    expect(r.status).toBe('converged');
    expect(r.errorAfter.position).toBeLessThan(1e-5);
    expect(r.errorAfter.orientation).toBe(0); // the freed axes are not counted
    // and the full solver does the same
    const solved = solveIk(ik, ee, { taskWeights: [1, 1, 1, 0, 0, 0], timeoutMs: 50 });
    expect(solved.converged).toBe(true);
  });

  it('bounds the step by maxStep, keeping its direction', () => {
    const model = robot('ur5e');
    const ee = resolveEndEffector(model, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    const q = Float64Array.of(0.1, -1.2, 1.5, -1.9, -1.57, 0);
    setTarget(ik, ee, Float64Array.of(1.0, -0.6, 1.0, -1.0, -1.0, 0.8));
    // results live in the workspace until its next step: copy the first
    const free = { dq: Float64Array.from(computeIkStep(ik, ee, q).dq) };
    const bounded = computeIkStep(ik, ee, q, { maxStep: 0.05 });
    expect(Math.max(...bounded.dq.map(Math.abs))).toBeCloseTo(0.05, 12);
    const ratio = bounded.dq[0]! / free.dq[0]!;
    expect(maxAbsDifference(bounded.dq, free.dq.map((x) => x * ratio))).toBeLessThan(1e-12);
  });
});

describe('ik on long chains', () => {
  it('solves with the loops beyond MAX_COMPILED_JOINTS, and compiles nothing that grows with the cube of the joints', () => {
    const joints = 40;
    let urdf = '<robot name="snake"><link name="l0"/>';
    for (let i = 1; i <= joints; i++) {
      urdf += `<link name="l${i}"/><joint name="j${i}" type="revolute"><origin xyz="0 0 0.05" rpy="0.1 0.2 0.3"/>`
        + `<parent link="l${i - 1}"/><child link="l${i}"/><axis xyz="0 ${i % 2} ${1 - (i % 2)}"/><limit lower="-1" upper="1" effort="1" velocity="1"/></joint>`;
    }
    const model = loadUrdf(`${urdf}</robot>`);
    expect(compileDlsKernels(model.dof, Int32Array.from({ length: MAX_COMPILED_JOINTS + 1 }, (_, k) => k))).toBeUndefined();
    const ee = resolveEndEffector(model, { tip: `l${joints}` });
    const ik = createIkWorkspace(model);
    const rng = new Random(3);
    setTarget(ik, ee, randomInLimits(model, rng));
    const r = solveIk(ik, ee, { seed: randomInLimits(model, rng), timeoutMs: 2000 });
    expect(r.converged).toBe(true);
    expect(withinLimits(model, r.q)).toBe(true);
  });
});

describe('ik solve', () => {
  it('keeps every returned q inside the limits, converged or not', () => {
    const rng = new Random(5);
    for (const [id, tip] of [['franka_panda', 'panda_hand_tcp'], ['abb_irb2400', 'tool0']] as const) {
      const model = robot(id);
      const ee = resolveEndEffector(model, { tip });
      const ik = createIkWorkspace(model);
      for (let trial = 0; trial < 60; trial++) {
        setTarget(ik, ee, randomInLimits(model, rng));
        if (trial % 3 === 0) ik.X_target[11] = ik.X_target[11]! + 3; // out of reach
        const r = solveIk(ik, ee, { seed: randomInLimits(model, rng), timeoutMs: 2, randomSeed: trial });
        expect(withinLimits(model, r.q)).toBe(true);
      }
    }
  });

  it('reaches reachable targets to 1e-5 m and 1e-5 rad, checked by independent FK', () => {
    const rng = new Random(6);
    const model = robot('franka_panda');
    const ee = resolveEndEffector(model, { tip: 'panda_hand_tcp' });
    const ik = createIkWorkspace(model);
    for (let trial = 0; trial < 100; trial++) {
      const goal = randomInLimits(model, rng);
      setTarget(ik, ee, goal);
      const target = Float64Array.from(ik.X_target);
      const r = solveIk(ik, ee, { seed: randomInLimits(model, rng), timeoutMs: 50, randomSeed: trial });
      expect(r.converged).toBe(true);
      const X = computeEndEffectorPose(model, r.q, ee, new Float64Array(12));
      expect(Math.hypot(X[9]! - target[9]!, X[10]! - target[10]!, X[11]! - target[11]!)).toBeLessThan(1e-5);
    }
  });

  it('takes the same steps and solutions whatever the end effector\'s reference frame', () => {
    const rng = new Random(8);
    const model = robot('ur5e');
    const ik = createIkWorkspace(model);
    const frames = (['LOCAL_WORLD_ALIGNED', 'LOCAL', 'WORLD'] as const).map((referenceFrame) =>
      resolveEndEffector(model, { tip: 'tool0', tipOffset: [0, 0, 0.1], referenceFrame }));
    for (let trial = 0; trial < 10; trial++) {
      setTarget(ik, frames[0]!, randomInLimits(model, rng));
      const seed = randomInLimits(model, rng);
      const steps = frames.map((ee) => Float64Array.from(computeIkStep(ik, ee, seed).q));
      const solutions = frames.map((ee) => {
        const r = solveIk(ik, ee, { seed, randomSeed: trial, timeoutMs: 1000 });
        return { ...r, q: Float64Array.from(r.q) };
      });
      for (let f = 1; f < 3; f++) {
        expect(maxAbsDifference(steps[f]!, steps[0]!)).toBe(0);
        expect(solutions[f]!.converged).toBe(solutions[0]!.converged);
        expect(maxAbsDifference(solutions[f]!.q, solutions[0]!.q)).toBe(0);
      }
    }
  });

  it('answers converged: false within the time budget for a target out of reach', () => {
    const model = robot('ur5e');
    const ee = resolveEndEffector(model, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    setTarget(ik, ee, new Float64Array(6));
    ik.X_target[9] = 10; // 10 m away
    const started = performance.now();
    const r = solveIk(ik, ee, { timeoutMs: 5, maxRestarts: 1_000_000 });
    const elapsed = performance.now() - started;
    expect(r.converged).toBe(false);
    expect(r.status).toBe('timeout');
    expect(r.elapsedMs).toBeGreaterThanOrEqual(5);
    expect(elapsed).toBeLessThan(30); // checked inside the iteration loop, not only between restarts
    expect(r.error.position).toBeGreaterThan(8);
    // restarts exhausted before the budget: max-restarts
    const few = solveIk(ik, ee, { timeoutMs: 1000, maxRestarts: 2 });
    expect(few.status).toBe('max-restarts');
    expect(few.restarts).toBe(2);
  });

  it('reads the clock inside the iteration loop: the deadline stops an attempt mid-way', () => {
    // a reachable target far from the seed takes many steps; the clock passes the deadline at
    // its third reading (the start, step 0, step 4): the solve must stop at step 4, in its
    // first attempt, not at the end of the attempt or between restarts
    const model = robot('ur5e');
    const ee = resolveEndEffector(model, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    setTarget(ik, ee, Float64Array.of(2, -2, 2, -1, 1, 2));
    const untimed = solveIk(ik, ee, { seed: new Float64Array(6), maxRestarts: 0, maxIterations: 10_000, timeoutMs: 1e9 });
    expect(untimed.iterations).toBeGreaterThan(8); // the attempt is long enough to be cut
    let readings = 0;
    const clock = (): number => (++readings <= 2 ? 0 : 1e9);
    const r = solveIk(ik, ee, { seed: new Float64Array(6), maxRestarts: 0, maxIterations: 10_000, timeoutMs: 1, now: clock });
    expect(r.status).toBe('timeout');
    expect(r.restarts).toBe(0);
    expect(r.iterations).toBe(4);
  });

  it('is deterministic for a given randomSeed', () => {
    const model = robot('abb_irb2400');
    const ee = resolveEndEffector(model, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    const rng = new Random(8);
    for (let trial = 0; trial < 20; trial++) {
      setTarget(ik, ee, randomInLimits(model, rng));
      const seed = randomInLimits(model, rng);
      const a = solveIk(ik, ee, { seed, randomSeed: 42, timeoutMs: 1000 });
      const qA = [...a.q]; // a.q is the workspace's, overwritten by the next solve
      const b = solveIk(ik, ee, { seed, randomSeed: 42, timeoutMs: 1000 });
      expect(qA).toEqual([...b.q]);
      expect([a.iterations, a.restarts]).toEqual([b.iterations, b.restarts]);
    }
  });

  it('wraps an angle to the equivalent nearest a reference, within (-π, π] of it', () => {
    const rng = new Random(21);
    for (let trial = 0; trial < 1000; trial++) {
      const reference = rng.uniform(-50, 50), angle = rng.uniform(-1e4, 1e4);
      const wrapped = nearestEquivalentAngle(angle, reference);
      expect(wrapped - reference).toBeGreaterThan(-Math.PI);
      expect(wrapped - reference).toBeLessThanOrEqual(Math.PI + 1e-12);
      const turns = (angle - wrapped) / (2 * Math.PI);
      expect(Math.abs(turns - Math.round(turns))).toBeLessThan(1e-9); // the same angle
    }
    expect(nearestEquivalentAngle(0.1 + 4 * Math.PI, 0)).toBeCloseTo(0.1, 12);
    expect(nearestEquivalentAngle(-Math.PI, 0)).toBeCloseTo(Math.PI, 12); // the boundary goes to +π
    expect(nearestEquivalentAngle(3, 3)).toBe(3);
  });

  it('wraps continuous joints to the value nearest the seed', () => {
    const model = robot('kinova_gen3');
    const ee = resolveEndEffector(model, { tip: 'EndEffector_Link' });
    const ik = createIkWorkspace(model);
    const goal = Float64Array.of(2.5, 0.4, -2.8, 1.2, 3.0, -0.7, 2.9);
    setTarget(ik, ee, goal);
    const seed = Float64Array.from(goal, (x, k) => x + (model.continuous[k] ? 4 * Math.PI + 0.1 : 0.1));
    const r = solveIk(ik, ee, { seed, timeoutMs: 100 });
    expect(r.converged).toBe(true);
    for (let k = 0; k < model.dof; k++) {
      if (model.continuous[k]) expect(Math.abs(r.q[k]! - seed[k]!)).toBeLessThanOrEqual(Math.PI);
    }
    // from random seeds the solver often travels more than π on a continuous joint (about one
    // solve in ten, measured): the answer is still the equivalent nearest the seed
    const rng = new Random(31);
    for (let trial = 0; trial < 300; trial++) {
      setTarget(ik, ee, randomInLimits(model, rng));
      const from = randomInLimits(model, rng);
      const solved = solveIk(ik, ee, { seed: from, timeoutMs: 50 });
      for (let k = 0; k < model.dof; k++) {
        if (model.continuous[k]) expect(Math.abs(solved.q[k]! - from[k]!), `trial ${trial}, joint ${k}`).toBeLessThanOrEqual(Math.PI + 1e-12);
      }
    }
  });
});

describe('resolved-rate control', () => {
  const model = robot('ur5e');
  const twistOf = (q: Float64Array, qdot: Float64Array, ee: EndEffector): Float64Array => {
    const dof = ee.model.dof;
    const J = computeJacobian(ee.model, createWorkspace(ee.model), q, ee, new Float64Array(6 * dof));
    return Float64Array.from({ length: 6 }, (_, r) => qdot.reduce((s, v, k) => s + J[r * dof + k]! * v, 0));
  };

  it('follows the twist exactly away from singularities', () => {
    const ee = resolveEndEffector(model, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    const q = Float64Array.of(0.1, -1.2, 1.5, -1.9, -1.57, 0);
    const V = Float64Array.of(0.05, -0.02, 0.01, 0, 0.1, -0.05);
    const r = computeVelocityCommand(ik, ee, q, V);
    expect(r.status).toBe('ok');
    expect(r.scale).toBe(1);
    expect(maxAbsDifference(twistOf(q, r.qdot, ee), V)).toBeLessThan(1e-12);
  });

  it('decelerates in the band, halts beyond it, keeps the direction, and lets the robot back out', () => {
    const ee = resolveEndEffector(model, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    // elbow nearly straight (κ ≈ 48): moving the tool away from the shoulder stretches the arm
    const near = Float64Array.of(0, -1.2, 0.25, -1.0, 1.57, 0);
    const X = computeEndEffectorPose(model, near, ee, new Float64Array(12));
    const radial = [X[9]!, X[10]!, X[11]! - 0.1625]; // from the shoulder (0.1625 m above the base)
    const length = Math.hypot(...radial);
    const outward = Float64Array.of(...radial.map((x) => (0.05 * x) / length), 0, 0, 0);
    const unscaled = { ...computeVelocityCommand(ik, ee, near, outward, { lowerSingularityThreshold: 1e6, hardStopSingularityThreshold: 2e6 }) };
    unscaled.qdot = Float64Array.from(unscaled.qdot); // the workspace's until the next call
    const r = computeVelocityCommand(ik, ee, near, outward, { lowerSingularityThreshold: 20, hardStopSingularityThreshold: 80 });
    expect(r.analysis.conditionNumber).toBeGreaterThan(20);
    expect(r.analysis.conditionNumber).toBeLessThan(80);
    expect(r.status).toBe('decelerating-singularity');
    expect(r.scale).toBeGreaterThan(0);
    expect(r.scale).toBeLessThan(1);
    expect(maxAbsDifference(r.qdot, unscaled.qdot.map((x) => x * r.scale))).toBeLessThan(1e-12);
    const halted = computeVelocityCommand(ik, ee, near, outward, { lowerSingularityThreshold: 1, hardStopSingularityThreshold: 2 });
    expect(halted.status).toBe('halted-singularity');
    expect(halted.scale).toBe(0);
    expect(halted.qdot.every((x) => x === 0)).toBe(true);
    // the opposite command moves away from the singularity and is not slowed
    const back = computeVelocityCommand(ik, ee, near, outward.map((x) => -x), { lowerSingularityThreshold: 1, hardStopSingularityThreshold: 2 });
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
      const ee = resolveEndEffector(robot(name), { tip });
      const ik = createIkWorkspace(robot(name));
      for (const distance of [1e-2, 1e-3, 1e-4, 1e-5, 1e-6]) {
        for (const side of [1, -1]) {
          const q = Float64Array.from(singular);
          q[joint] = side * distance;
          const towardRate = new Float64Array(q.length);
          towardRate[joint] = -side * 0.05;
          const toward = twistOf(q, towardRate, ee);
          const where = `${name} joint ${joint} at ${side * distance}`;
          const r = computeVelocityCommand(ik, ee, q, toward);
          expect(r.analysis.conditionNumber, where).toBeGreaterThan(30);
          expect(r.status, `${where}, toward`).toBe('halted-singularity');
          expect(computeVelocityCommand(ik, ee, q, toward.map((x) => -x)).status, `${where}, away`).toBe('ok');
        }
      }
    }
  });

  it('halts a stretched arm told to reach further out, at any distance from straight, and lets it pull in', () => {
    const ee = resolveEndEffector(model, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    const origin = (q: Float64Array, link: string): number[] => {
      const X = computePose(model, q, 0, model.linkIndex.get(link)!, new Float64Array(12));
      return [X[9]!, X[10]!, X[11]!];
    };
    for (const elbow of [1e-2, 1e-4, 1e-6, -1e-5]) {
      const q = Float64Array.of(0, -1.2, elbow, -1, 1.57, 0);
      const shoulder = origin(q, 'upper_arm_link'), wrist = origin(q, 'wrist_1_link');
      const radial = wrist.map((x, i) => x - shoulder[i]!);
      const length = Math.hypot(...radial);
      const outward = Float64Array.of(...radial.map((x) => (0.01 * x) / length), 0, 0, 0);
      expect(computeVelocityCommand(ik, ee, q, outward).status, `elbow ${elbow}, out`).toBe('halted-singularity');
      expect(computeVelocityCommand(ik, ee, q, outward.map((x) => -x)).status, `elbow ${elbow}, in`).toBe('ok');
    }
  });

  it('at an exact singularity, serves what the arm can do and halts what it cannot', () => {
    const ee = resolveEndEffector(model, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    const straight = Float64Array.of(0, -1.2, 0, -1, 1.57, 0);
    // bending the elbow (leaves the singularity) and turning the base (stays there) are motions
    // the arm can make: served
    for (const rate of [[0, 0, 0.05, 0, 0, 0], [0.05, 0, 0, 0, 0, 0]]) {
      const r = computeVelocityCommand(ik, ee, straight, twistOf(straight, Float64Array.from(rate), ee));
      expect(r.analysis.conditionNumber).toBeUndefined();
      expect(r.status, `rate ${rate}`).toBe('ok');
      expect(r.qdot.some((x) => x !== 0)).toBe(true);
    }
    // reaching further out along the straight arm is not: halted
    const X = computePose(model, straight, 0, model.linkIndex.get('wrist_1_link')!, new Float64Array(12));
    const S = computePose(model, straight, 0, model.linkIndex.get('upper_arm_link')!, new Float64Array(12));
    const out = [X[9]! - S[9]!, X[10]! - S[10]!, X[11]! - S[11]!];
    const length = Math.hypot(...out);
    const reach = computeVelocityCommand(ik, ee, straight, Float64Array.of(...out.map((x) => (0.01 * x) / length), 0, 0, 0));
    expect(reach.status).toBe('halted-singularity');
    expect(reach.qdot.every((x) => x === 0)).toBe(true);
    // a SCARA at its straight home pose: reaching out halts; moving along the arc, with a stray
    // roll that no SCARA can make (not a direction lost to the singularity), is served
    const scara = robot('scara'), scaraEe = resolveEndEffector(scara, { tip: 'tool0' });
    const scaraIk = createIkWorkspace(scara), home = Float64Array.of(0, 0, 0.1, 0);
    expect(computeVelocityCommand(scaraIk, scaraEe, home, Float64Array.of(0.05, 0, 0, 0, 0, 0)).status).toBe('halted-singularity');
    const along = computeVelocityCommand(scaraIk, scaraEe, home, Float64Array.of(0, 0.05, 0, 1e-3, 0, 0));
    expect(along.analysis.conditionNumber).toBeUndefined();
    expect(along.status).toBe('ok');
  });

  it('never drives a joint past a position limit within dt or above its velocity limit', () => {
    const ee = resolveEndEffector(model, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    const q = Float64Array.of(0.1, -1.2, 1.5, -1.9, -1.57, 0);
    const fast = { ...computeVelocityCommand(ik, ee, q, Float64Array.of(0, 0, 0, 0, 0, 50)) };
    fast.qdot = Float64Array.from(fast.qdot); // the workspace's until the next call
    expect(fast.status).toBe('joint-limit');
    expect(Math.max(...fast.qdot.map((v, k) => Math.abs(v) / model.velocityLimit[k]!))).toBeCloseTo(1, 12);
    // the base close to its upper limit (not the elbow: at its limit of π it folds, a singularity)
    const atLimit = Float64Array.from(q);
    atLimit[0] = model.qUpper[0]! - 1e-4;
    const V = twistOf(atLimit, Float64Array.of(1, 0, 0, 0, 0, 0), ee);
    const r = computeVelocityCommand(ik, ee, atLimit, V, { dt: 0.01 });
    expect(r.status).toBe('joint-limit');
    expect(r.scale).toBeGreaterThan(0);
    expect(atLimit[0]! + r.qdot[0]! * 0.01).toBeLessThanOrEqual(model.qUpper[0]! + 1e-15);
    expect(atLimit[0]! + r.qdot[0]! * 0.01).toBeCloseTo(model.qUpper[0]!, 12); // scaled to reach it, not less
    // the direction is kept when a limit scales the command (velocity limit here)
    expect(maxAbsDifference(twistOf(q, fast.qdot, ee).map((x) => x / fast.scale), Float64Array.of(0, 0, 0, 0, 0, 50))).toBeLessThan(1e-9);
  });
});
