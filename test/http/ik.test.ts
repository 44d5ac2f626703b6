import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeEndEffectorPose, resolveEndEffector } from '../../src/core/jacobian.js';
import { poseFromTransform } from '../../src/core/pose.js';
import { createTestApp, expectProblem, postJson, type TestApp } from '../helpers/app.js';
import { Random } from '../helpers/random.js';
import { builtinRobot } from '../helpers/robots.js';

const Q = [0, -1.2, 1.5, -1.9, -1.57, 0];
const ur5eRobot = builtinRobot('ur5e');
const ur5e = ur5eRobot.model;
const tool0 = resolveEndEffector(ur5eRobot, { tip: 'tool0' });

/** The pose of tool0 at q, as the API takes it. */
function poseAt(q: number[]): { position: number[]; quaternion: number[] } {
  const pose = poseFromTransform(computeEndEffectorPose(ur5eRobot, Float64Array.from(q), tool0, new Float64Array(12)));
  return { position: pose.position, quaternion: pose.quaternion };
}

function randomQ(rng: Random): number[] {
  return Array.from({ length: 6 }, (_, k) => rng.uniform(Math.max(ur5e.qLower[k]!, -3), Math.min(ur5e.qUpper[k]!, 3)));
}

describe('inverse kinematics routes', () => {
  let t: TestApp;
  let pooled: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    pooled = await createTestApp({ workerThreads: 2 });
  });
  afterAll(async () => { await t.close(); await pooled.close(); });

  it('ik/step answers the step, errors before and after, damping, measures and status', async () => {
    const goal = Q.map((x, k) => x + (k % 2 ? 0.05 : -0.05));
    const r = await postJson(t.app, '/robots/ur5e/ik/step', { q: Q, target: poseAt(goal) });
    expect(r.status).toBe(200);
    expect(r.body.joints).toEqual(ur5e.jointNames);
    expect(r.body.q.map((x: number, k: number) => x - Q[k]!)).toEqual(r.body.dq);
    expect(r.body.errorAfter.position).toBeLessThan(r.body.error.position);
    expect(r.body).toMatchObject({ status: 'progressing', damping: 0 });
    expect(r.body.analysis.minSingularValue).toBeGreaterThan(0);
    // steps from the answer converge
    let body = r.body;
    for (let i = 0; i < 10 && body.status !== 'converged'; i++) body = (await postJson(t.app, '/robots/ur5e/ik/step', { q: body.q, target: poseAt(goal) })).body;
    expect(body.status).toBe('converged');
  });

  it('ik/step takes q and jointWeights by name, and refuses bad weights and targets with what to change', async () => {
    const byName = Object.fromEntries(ur5e.jointNames.map((n, k) => [n, Q[k]]));
    const weights = Object.fromEntries(ur5e.jointNames.map((n) => [n, 2]));
    expect((await postJson(t.app, '/robots/ur5e/ik/step', { q: byName, target: poseAt(Q), jointWeights: weights })).status).toBe(200);
    expectProblem(await postJson(t.app, '/robots/ur5e/ik/step', { q: Q, target: poseAt(Q), weights: [0, 0, 0, 0, 0, 0] }), 400, 'weights are all 0');
    expectProblem(await postJson(t.app, '/robots/ur5e/ik/step', { q: Q, target: poseAt(Q), jointWeights: [1, 1, 0, 1, 1, 1] }), 400, 'jointWeights[2] must be >= 1e-9');
    expectProblem(await postJson(t.app, '/robots/ur5e/ik/step', { q: Q, target: { position: [0, 0, 0], quaternion: [0, 0, 0, 2] } }), 400, 'target.quaternion has norm 2');
    expectProblem(await postJson(t.app, '/robots/ur5e/ik/step', { q: Q, target: { position: [0, 0, 0] } }), 400,
      'target needs an orientation', 'set the orientation weights to 0');
    expectProblem(await postJson(t.app, '/robots/ur5e/ik/step', { q: Q, target: poseAt(Q), weights: [1, 1, 1] }), 400, 'weights');
  });

  it('takes a target with position only when the orientation weights are 0: step, solve and batch', async () => {
    const weights = [1, 1, 1, 0, 0, 0];
    const goal = [0.3, -1.0, 1.2, -1.5, -1.2, 0.4];
    const position = { position: poseAt(goal).position };
    let q = Q;
    let step = await postJson(t.app, '/robots/ur5e/ik/step', { q, target: position, weights });
    for (let i = 0; i < 30 && step.body.status !== 'converged'; i++) {
      expect(step.status).toBe(200);
      q = step.body.q;
      step = await postJson(t.app, '/robots/ur5e/ik/step', { q, target: position, weights });
    }
    expect(step.body.status).toBe('converged');
    expect(step.body.errorAfter).toEqual({ position: expect.any(Number), orientation: 0 });
    for (const app of [t.app, pooled.app]) {
      // a generous budget: this is about position-only targets, not about time (a test app does not warm its robots)
      const solve = await postJson(app, '/robots/ur5e/ik/solve', { target: position, weights, seed: Q, timeoutMs: 500 });
      expect(solve.body).toMatchObject({ converged: true, error: { orientation: 0 } });
      const batch = await postJson(app, '/robots/ur5e/ik/solve/batch', { targets: [position, { ...position, quaternion: [1, 0, 0, 0] }], weights, seed: Q, timeoutMs: 500 });
      expect(batch.body.results.map((r: { converged: boolean }) => r.converged)).toEqual([true, true]);
    }
    // an orientation weight that is not 0 needs an orientation
    expectProblem(await postJson(t.app, '/robots/ur5e/ik/solve', { target: position, weights: [1, 1, 1, 0, 0, 1] }), 400, 'target needs an orientation');
    expectProblem(await postJson(t.app, '/robots/ur5e/ik/solve/batch', { targets: [position] }), 400, 'targets[0] needs an orientation');
  });

  it('loads a robot whose limits write effort="-1" velocity="-1" for "not set", and ik/velocity does not limit its speed', async () => {
    const limit = '<limit lower="-3" upper="3" effort="-1.0" velocity="-1.0"/>';
    const urdf = '<robot name="unset_limits"><link name="a"/><link name="b"/><link name="c"/>'
      + `<joint name="j1" type="revolute"><parent link="a"/><child link="b"/><axis xyz="0 0 1"/>${limit}</joint>`
      + `<joint name="j2" type="revolute"><origin xyz="0.5 0 0"/><parent link="b"/><child link="c"/><axis xyz="0 0 1"/>${limit}</joint></robot>`;
    const upload = await t.app.inject({ method: 'POST', url: '/robots', payload: urdf, headers: { 'content-type': 'application/xml' } });
    expect(upload.statusCode).toBe(201);
    expect(upload.json().joints[0].limits).toEqual({ lower: -3, upper: 3, velocity: -1, effort: -1 });
    // 100 rad/s of j1 would exceed any real limit: unlimited, so not scaled
    const r = await postJson(t.app, '/robots/unset_limits/ik/velocity', { q: [0, 1], twist: { linear: [0, 0, 0], angular: [0, 0, 100] }, dt: 1e-4 });
    expect(r.body).toMatchObject({ status: 'ok', scale: 1 });
  });

  it('ik/velocity answers joint velocities with scale, status and measures; thresholds must be ordered', async () => {
    const r = await postJson(t.app, '/robots/ur5e/ik/velocity', { q: Q, twist: { linear: [0.05, 0, 0], angular: [0, 0, 0] } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ scale: 1, status: 'ok', joints: ur5e.jointNames });
    expect(r.body.qdot).toHaveLength(6);
    const check = await postJson(t.app, '/robots/ur5e/velocity', { q: Q, qdot: r.body.qdot });
    expect(check.body.twist.linear[0]).toBeCloseTo(0.05, 12);
    expectProblem(await postJson(t.app, '/robots/ur5e/ik/velocity', { q: Q, twist: { linear: [0, 0, 0], angular: [0, 0, 0] }, lowerSingularityThreshold: 40 }), 400,
      'lowerSingularityThreshold (40) must be below hardStopSingularityThreshold (30)');
  });

  it('ik/solve reaches reachable poses, answers converged: false for unreachable ones, and is deterministic', async () => {
    const rng = new Random(4);
    for (let i = 0; i < 10; i++) {
      const goal = randomQ(rng);
      // a generous budget: these solves run cold (the benchmark measures the 5 ms default warm)
      const r = await postJson(t.app, '/robots/ur5e/ik/solve', { target: poseAt(goal), seed: randomQ(rng), randomSeed: i, timeoutMs: 200 });
      expect(r.status).toBe(200);
      expect(r.body.converged).toBe(true);
      const reached = poseAt(r.body.q);
      expect(Math.hypot(...reached.position.map((x, k) => x - poseAt(goal).position[k]!))).toBeLessThan(1e-5);
    }
    const far = await postJson(t.app, '/robots/ur5e/ik/solve', { target: { position: [5, 0, 0], quaternion: [0, 0, 0, 1] }, timeoutMs: 3 });
    expect(far.status).toBe(200);
    expect(far.body).toMatchObject({ converged: false, status: 'timeout' });
    expect(far.body.q.every((x: number, k: number) => x >= ur5e.qLower[k]! && x <= ur5e.qUpper[k]!)).toBe(true);
    const body = { target: poseAt(randomQ(rng)), randomSeed: 7, maxRestarts: 5, timeoutMs: 1000 };
    const [a, b] = [await postJson(t.app, '/robots/ur5e/ik/solve', body), await postJson(pooled.app, '/robots/ur5e/ik/solve', body)];
    expect(a.body.q).toEqual(b.body.q); // inline and on a worker
    expect(a.body.iterations).toBe(b.body.iterations);
  });

  it('ik/solve caps the time budget, saying the cap', async () => {
    expectProblem(await postJson(t.app, '/robots/ur5e/ik/solve', { target: poseAt(Q), timeoutMs: 5000 }), 400, 'timeoutMs', '1000');
  });

  it('ik/solve/batch answers in order, each as the single solve with randomSeed + index, inline or pooled', async () => {
    // budgets bounded by restarts rather than time, so that the answers do not depend on timing
    const rng = new Random(9);
    const goals = Array.from({ length: 40 }, () => randomQ(rng));
    const targets = goals.map(poseAt);
    targets[7] = { position: [5, 5, 5], quaternion: [0, 0, 0, 1] }; // out of reach
    const body = { targets, seed: Q, randomSeed: 100, timeoutMs: 300, maxRestarts: 20 };
    const [inline, onWorkers] = [await postJson(t.app, '/robots/ur5e/ik/solve/batch', body), await postJson(pooled.app, '/robots/ur5e/ik/solve/batch', body)];
    expect(inline.status).toBe(200);
    expect(inline.body.results).toHaveLength(40);
    expect(inline.body.results[7]).toMatchObject({ converged: false, status: 'max-restarts' });
    for (const i of [0, 13, 39]) {
      const single = await postJson(t.app, '/robots/ur5e/ik/solve', { target: targets[i], seed: Q, randomSeed: 100 + i, timeoutMs: 300, maxRestarts: 20 });
      expect(inline.body.results[i].q).toEqual(single.body.q);
      expect(onWorkers.body.results[i].q).toEqual(single.body.q);
    }
  });

  it('ik/solve/batch refuses too much work, mismatched seeds and bad targets, naming them', async () => {
    const target = poseAt(Q);
    expectProblem(await postJson(t.app, '/robots/ur5e/ik/solve/batch', { targets: new Array(300).fill(target), timeoutMs: 100 }), 400,
      '300 targets x timeoutMs 100 = 30000 ms', 'at most 20000 ms');
    expectProblem(await postJson(t.app, '/robots/ur5e/ik/solve/batch', { targets: [target, target], seeds: [Q] }), 400, 'seeds has 1 entries but targets has 2');
    expectProblem(await postJson(t.app, '/robots/ur5e/ik/solve/batch', { targets: [target], seed: Q, seeds: [Q] }), 400, 'not both');
    expectProblem(await postJson(t.app, '/robots/ur5e/ik/solve/batch', { targets: [target, { position: [0, 0, 0], quaternion: [1, 1, 0, 0] }] }), 400, 'targets[1].quaternion');
  });
});
