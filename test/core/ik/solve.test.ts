/**
 * The full solver (ik/solve.ts): limits, convergence checked by independent FK, frames,
 * determinism, the clock, continuous joints, long chains.
 */
import { describe, expect, it } from 'vitest';
import { createIkWorkspace } from '../../../src/core/ik/ik-workspace.js';
import { computeIkStep } from '../../../src/core/ik/damped-step.js';
import { nearestEquivalentAngle, solveIk } from '../../../src/core/ik/solve.js';
import { computeEndEffectorPose, resolveEndEffector } from '../../../src/core/jacobian.js';
import { maxAbsDifference } from '../../helpers/finite-differences.js';
import { Random } from '../../helpers/random.js';
import { builtinRobot, poseAt, randomInLimits, withinLimits } from '../../helpers/robots.js';
import { loadRobot } from '../../../src/urdf/load-urdf.js';

describe('ik on long chains', () => {
  it('solves with the loops beyond MAX_COMPILED_JOINTS, and compiles nothing that grows with the cube of the joints', () => {
    const joints = 40;
    let urdf = '<robot name="snake"><link name="l0"/>';
    for (let i = 1; i <= joints; i++) {
      urdf += `<link name="l${i}"/><joint name="j${i}" type="revolute"><origin xyz="0 0 0.05" rpy="0.1 0.2 0.3"/>`
        + `<parent link="l${i - 1}"/><child link="l${i}"/><axis xyz="0 ${i % 2} ${1 - (i % 2)}"/><limit lower="-1" upper="1" effort="1" velocity="1"/></joint>`;
    }
    const robot = loadRobot(`${urdf}</robot>`);
    const { model } = robot;
    const ee = resolveEndEffector(robot, { tip: `l${joints}` });
    expect(ee.path.stepKernels).toBeUndefined();
    const ik = createIkWorkspace(model);
    const rng = new Random(3);
    const target = poseAt(robot, ee, randomInLimits(model, rng));
    const r = solveIk(robot, ik, ee, target, { seed: randomInLimits(model, rng), timeoutMs: 2000 });
    expect(r.converged).toBe(true);
    expect(withinLimits(model, r.q)).toBe(true);
  });
});

describe('ik solve', () => {
  it('keeps every returned q inside the limits, converged or not', () => {
    const rng = new Random(5);
    for (const [id, tip] of [['franka_panda', 'panda_hand_tcp'], ['abb_irb2400', 'tool0']] as const) {
      const robot = builtinRobot(id);
      const { model } = robot;
      const ee = resolveEndEffector(robot, { tip });
      const ik = createIkWorkspace(model);
      for (let trial = 0; trial < 60; trial++) {
        const target = poseAt(robot, ee, randomInLimits(model, rng));
        if (trial % 3 === 0) target[11] = target[11]! + 3; // out of reach
        const r = solveIk(robot, ik, ee, target, { seed: randomInLimits(model, rng), timeoutMs: 2, randomSeed: trial });
        expect(withinLimits(model, r.q)).toBe(true);
      }
    }
  });

  it('reaches reachable targets to 1e-5 m and 1e-5 rad, checked by independent FK', () => {
    const rng = new Random(6);
    const robot = builtinRobot('franka_panda');
    const { model } = robot;
    const ee = resolveEndEffector(robot, { tip: 'panda_hand_tcp' });
    const ik = createIkWorkspace(model);
    for (let trial = 0; trial < 100; trial++) {
      const goal = randomInLimits(model, rng);
      const target = poseAt(robot, ee, goal);
      const r = solveIk(robot, ik, ee, target, { seed: randomInLimits(model, rng), timeoutMs: 50, randomSeed: trial });
      expect(r.converged).toBe(true);
      const X = computeEndEffectorPose(robot, r.q, ee, new Float64Array(12));
      expect(Math.hypot(X[9]! - target[9]!, X[10]! - target[10]!, X[11]! - target[11]!)).toBeLessThan(1e-5);
    }
  });

  it('takes the same steps and solutions whatever the end effector\'s reference frame', () => {
    const rng = new Random(8);
    const robot = builtinRobot('ur5e');
    const { model } = robot;
    const ik = createIkWorkspace(model);
    const frames = (['LOCAL_WORLD_ALIGNED', 'LOCAL', 'WORLD'] as const).map((referenceFrame) =>
      resolveEndEffector(robot, { tip: 'tool0', tipOffset: [0, 0, 0.1], referenceFrame }));
    for (let trial = 0; trial < 10; trial++) {
      const target = poseAt(robot, frames[0]!, randomInLimits(model, rng));
      const seed = randomInLimits(model, rng);
      const steps = frames.map((ee) => Float64Array.from(computeIkStep(robot, ik, ee, seed, target).q));
      const solutions = frames.map((ee) => {
        const r = solveIk(robot, ik, ee, target, { seed, randomSeed: trial, timeoutMs: 1000 });
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
    const robot = builtinRobot('ur5e');
    const { model } = robot;
    const ee = resolveEndEffector(robot, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    const target = poseAt(robot, ee, new Float64Array(6));
    target[9] = 10; // 10 m away
    // (how close to the budget the wall time stays is a system test: test/system/ik-budget.test.ts)
    const r = solveIk(robot, ik, ee, target, { timeoutMs: 5, maxRestarts: 1_000_000 });
    expect(r.converged).toBe(false);
    expect(r.status).toBe('timeout');
    expect(r.elapsedMs).toBeGreaterThanOrEqual(5);
    expect(r.error.position).toBeGreaterThan(8);
    // restarts exhausted before the budget: max-restarts
    const few = solveIk(robot, ik, ee, target, { timeoutMs: 1000, maxRestarts: 2 });
    expect(few.status).toBe('max-restarts');
    expect(few.restarts).toBe(2);
  });

  it('reads the clock inside the iteration loop: the deadline stops an attempt mid-way', () => {
    // a reachable target far from the seed takes many steps; the clock passes the deadline at
    // its third reading (the start, step 0, step 1: until a step has been timed the clock is
    // read at every step): the solve must stop after one step, in its first attempt, not at the
    // end of the attempt or between restarts
    const robot = builtinRobot('ur5e');
    const { model } = robot;
    const ee = resolveEndEffector(robot, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    const target = poseAt(robot, ee, Float64Array.of(2, -2, 2, -1, 1, 2));
    const untimed = solveIk(robot, ik, ee, target, { seed: new Float64Array(6), maxRestarts: 0, maxIterations: 10_000, timeoutMs: 1e9 });
    expect(untimed.iterations).toBeGreaterThan(8); // the attempt is long enough to be cut
    let readings = 0;
    const clock = (): number => (++readings <= 2 ? 0 : 1e9);
    const r = solveIk(robot, ik, ee, target, { seed: new Float64Array(6), maxRestarts: 0, maxIterations: 10_000, timeoutMs: 1, now: clock });
    expect(r.status).toBe('timeout');
    expect(r.restarts).toBe(0);
    expect(r.iterations).toBe(1);
  });

  it('stops before the deadline when one more step would pass it: a slow robot ends within its budget', () => {
    // the UR5e's path made slow on a simulated clock: every FK costs 0.1 ms and every Jacobian
    // 0.25 ms (a chain of about 999 joints), so a step costs about 0.35 ms
    const robot = builtinRobot('ur5e');
    const ee = resolveEndEffector(robot, { tip: 'tool0' });
    let t = 0;
    const slowPath = { ...ee.path,
      pose: (q: Float64Array, X: Float64Array) => { t += 0.1; ee.path.pose(q, X); },
      jacobian: (q: Float64Array, X: Float64Array, J: Float64Array) => { t += 0.25; ee.path.jacobian(q, X, J); } };
    const slow = { ...ee, path: slowPath };
    const ik = createIkWorkspace(robot.model);
    const target = poseAt(robot, ee, new Float64Array(6));
    target[9] = 10; // out of reach: the solve runs until its budget ends
    for (const timeoutMs of [1, 5, 50]) {
      const r = solveIk(robot, ik, slow, target, { timeoutMs, maxRestarts: 1_000_000, now: () => t });
      expect(r.status).toBe('timeout');
      // the answer's own evaluation (one FK and Jacobian, 0.35 ms) comes after the last reading
      expect(r.elapsedMs, `timeoutMs ${timeoutMs}`).toBeLessThanOrEqual(timeoutMs + 0.35 + 1e-9);
      expect(r.elapsedMs).toBeGreaterThan(timeoutMs - 2 * 0.35 - 1e-9); // and uses the budget
    }
  });

  it('is deterministic for a given randomSeed', () => {
    const robot = builtinRobot('abb_irb2400');
    const { model } = robot;
    const ee = resolveEndEffector(robot, { tip: 'tool0' });
    const ik = createIkWorkspace(model);
    const rng = new Random(8);
    for (let trial = 0; trial < 20; trial++) {
      const target = poseAt(robot, ee, randomInLimits(model, rng));
      const seed = randomInLimits(model, rng);
      const a = solveIk(robot, ik, ee, target, { seed, randomSeed: 42, timeoutMs: 1000 });
      const qA = [...a.q]; // a.q is the workspace's, overwritten by the next solve
      const b = solveIk(robot, ik, ee, target, { seed, randomSeed: 42, timeoutMs: 1000 });
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
    const robot = builtinRobot('kinova_gen3');
    const { model } = robot;
    const ee = resolveEndEffector(robot, { tip: 'EndEffector_Link' });
    const ik = createIkWorkspace(model);
    const goal = Float64Array.of(2.5, 0.4, -2.8, 1.2, 3.0, -0.7, 2.9);
    const target = poseAt(robot, ee, goal);
    const seed = Float64Array.from(goal, (x, k) => x + (model.continuous[k] ? 4 * Math.PI + 0.1 : 0.1));
    const r = solveIk(robot, ik, ee, target, { seed, timeoutMs: 100 });
    expect(r.converged).toBe(true);
    for (let k = 0; k < model.dof; k++) {
      if (model.continuous[k]) expect(Math.abs(r.q[k]! - seed[k]!)).toBeLessThanOrEqual(Math.PI);
    }
    // from random seeds the solver often travels more than π on a continuous joint (about one
    // solve in ten, measured): the answer is still the equivalent nearest the seed
    const rng = new Random(31);
    for (let trial = 0; trial < 300; trial++) {
      const target = poseAt(robot, ee, randomInLimits(model, rng));
      const from = randomInLimits(model, rng);
      const solved = solveIk(robot, ik, ee, target, { seed: from, timeoutMs: 50 });
      for (let k = 0; k < model.dof; k++) {
        if (model.continuous[k]) expect(Math.abs(solved.q[k]! - from[k]!), `trial ${trial}, joint ${k}`).toBeLessThanOrEqual(Math.PI + 1e-12);
      }
    }
  });
});

describe('ik solve along long prismatic travel', () => {
  // a linear rail of ±999999 m (as files write "unlimited" travel) in front of a six-joint arm
  const limit = '<limit lower="-3" upper="3" effort="1" velocity="1"/>';
  const arm = [['0 0 0.4', '0 0 1'], ['0 0 0.1', '0 1 0'], ['0 0 0.4', '0 1 0'], ['0.3 0 0', '1 0 0'], ['0.1 0 0', '0 1 0'], ['0.1 0 0', '1 0 0']];
  const urdf = '<robot name="rail_arm"><link name="world"/><link name="l0"/>'
    + '<joint name="rail" type="prismatic"><parent link="world"/><child link="l0"/><axis xyz="1 0 0"/><limit lower="-999999" upper="999999" effort="1" velocity="1"/></joint>'
    + arm.map(([xyz, axis], i) => `<link name="l${i + 1}"/><joint name="j${i + 1}" type="revolute"><origin xyz="${xyz}"/>`
      + `<parent link="l${i}"/><child link="l${i + 1}"/><axis xyz="${axis}"/>${limit}</joint>`).join('') + '</robot>';
  const robot = loadRobot(urdf);
  const { model } = robot;
  const ee = resolveEndEffector(robot, { tip: 'l6' });
  const ik = createIkWorkspace(model);

  it('reaches targets 50 m, 1 km and 10 km along the rail as surely and as fast as targets 1 m away', () => {
    const rng = new Random(50);
    const goals = Array.from({ length: 40 }, () => Float64Array.from(randomInLimits(model, rng), (x, k) => (k === 0 ? 0 : x)));
    const outcome = (distance: number) => {
      let converged = 0, iterations = 0;
      goals.forEach((goal, i) => {
        const target = poseAt(robot, ee, Float64Array.from(goal, (x, k) => (k === 0 ? distance : x)));
        const r = solveIk(robot, ik, ee, target, { timeoutMs: 1000, randomSeed: i });
        if (r.converged) converged++;
        iterations += r.iterations;
      });
      return { converged, iterations };
    };
    const near = outcome(1);
    expect(near.converged).toBe(goals.length);
    for (const distance of [50, 1000, 10_000]) {
      const far = outcome(distance);
      expect(far.converged, `${distance} m`).toBe(goals.length);
      // the travel adds a step or two, not steps in proportion to the distance
      expect(far.iterations, `${distance} m`).toBeLessThan(near.iterations + 2 * goals.length);
    }
  });

  it('crosses 10 km in one attempt, without restarts, from the middle of the rail', () => {
    const target = poseAt(robot, ee, Float64Array.of(10_000, 0.3, 0.5, -0.8, 0.2, 0.6, -0.4));
    const r = solveIk(robot, ik, ee, target, { maxRestarts: 0, maxIterations: 100, timeoutMs: 1000 });
    expect(r.converged).toBe(true);
    expect(r.iterations).toBeLessThan(10);
  });

  it('draws restarts of the rail near where the search has taken it, not over ±999999 m', () => {
    // a target the arm cannot reach in orientation: every attempt fails and restarts
    const target = poseAt(robot, ee, Float64Array.of(500, 0.3, 0.5, -0.8, 0.2, 0.6, -0.4));
    target.set([1, 0, 0, 0, -1, 0, 0, 0, -1], 0);
    target[11] = 5; // and 5 m up: out of reach
    const r = solveIk(robot, ik, ee, target, { maxRestarts: 50, timeoutMs: 1000 });
    expect(r.restarts).toBe(50);
    // the best configuration has the rail where the target is, within the arm's reach
    expect(Math.abs(r.q[0]! - 500)).toBeLessThan(ee.path.reach + 1);
  });
});
