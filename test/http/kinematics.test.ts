import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { computeLinkPoses } from '../../src/core/forward-kinematics.js';
import { computeJacobian, resolveEndEffector } from '../../src/core/jacobian.js';
import { poseFromTransform } from '../../src/core/pose.js';
import { createWorkspace } from '../../src/core/workspace.js';
import { maxAbsDifference } from '../helpers/finite-differences.js';
import { createTestApp, expectProblem, postJson, type TestApp } from '../helpers/app.js';
import { builtinRobot } from '../helpers/robots.js';

const UR5E_Q = [0.1, -1.2, 1.5, -1.9, -1.57, 0.3];
const EXACT = 1e-15;

describe('kinematics routes', () => {
  let t: TestApp;
  const ur5eRobot = builtinRobot('ur5e'), pandaRobot = builtinRobot('franka_panda');
  const ur5e = ur5eRobot.model, panda = pandaRobot.model;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  it('fk returns the pose of every link in the root frame, as the core computes it', async () => {
    const r = await postJson(t.app, '/robots/ur5e/fk', { q: UR5E_Q });
    expect(r.status).toBe(200);
    expect(r.body.base).toBe('base_link');
    expect(Object.keys(r.body.poses).sort()).toEqual([...ur5e.linkNames].sort());
    const X = computeLinkPoses(ur5eRobot, Float64Array.from(UR5E_Q), new Float64Array(12 * ur5e.linkNames.length));
    const tool0 = ur5e.linkIndex.get('tool0')!;
    expect(r.body.poses.tool0).toEqual(poseFromTransform(X, 12 * tool0));
  });

  it('fk takes q by joint name, a subset of links and another base', async () => {
    const q = Object.fromEntries(ur5e.jointNames.map((name, k) => [name, UR5E_Q[k]]));
    const r = await postJson(t.app, '/robots/ur5e/fk', { q, links: ['tool0'], base: 'tool0' });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.poses)).toEqual(['tool0']);
    expect(r.body.poses.tool0.position.every((x: number) => Math.abs(x) < 1e-15)).toBe(true);
    expect(r.body.poses.tool0.quaternion[3]).toBeCloseTo(1, 15);
  });

  it('jacobian returns the core Jacobian in each frame, with pose, header and analysis', async () => {
    for (const referenceFrame of ['LOCAL_WORLD_ALIGNED', 'LOCAL', 'WORLD'] as const) {
      const body = { q: UR5E_Q, tip: 'wrist_3_link', base: 'shoulder_link', tipOffset: [0, 0, 0.1], referenceFrame, analysis: true };
      const r = await postJson(t.app, '/robots/ur5e/jacobian', body);
      expect(r.status).toBe(200);
      const ee = resolveEndEffector(ur5eRobot, body);
      const X = new Float64Array(12);
      const J = computeJacobian(ur5eRobot, createWorkspace(ur5e), Float64Array.from(UR5E_Q), ee, new Float64Array(36), X);
      expect(maxAbsDifference(r.body.jacobian.flat(), J)).toBeLessThan(EXACT);
      expect(r.body).toMatchObject({ base: 'shoulder_link', tip: 'wrist_3_link', referenceFrame, rowOrder: ['vx', 'vy', 'vz', 'wx', 'wy', 'wz'], joints: ur5e.jointNames });
      expect(r.body.pose).toEqual(poseFromTransform(X));
      expect(r.body.analysis.rank).toBe(5); // shoulder_link -> wrist_3_link: five joints move the tip
      expect(r.body.analysis.singularValues).toHaveLength(5);
    }
  });

  it('jacobian defaults to the single tip and LOCAL_WORLD_ALIGNED; trees must name the tip', async () => {
    const r = await postJson(t.app, '/robots/ur5e/jacobian', { q: UR5E_Q });
    expect(r.body).toMatchObject({ tip: 'tool0', referenceFrame: 'LOCAL_WORLD_ALIGNED' });
    expect(r.body.analysis).toBeUndefined();
    expectProblem(await postJson(t.app, '/robots/franka_panda/jacobian', { q: new Array(panda.dof).fill(0) }), 400,
      'robot "franka_panda" has 3 tip links (panda_hand_tcp, panda_leftfinger, panda_rightfinger); name the one you mean in "tip"');
  });

  it('velocity is J q̇ and statics is Jᵀ w', async () => {
    const qdot = [0.1, -0.2, 0.3, 0, 0.5, -0.1];
    const J = (await postJson(t.app, '/robots/ur5e/jacobian', { q: UR5E_Q })).body.jacobian as number[][];
    const v = await postJson(t.app, '/robots/ur5e/velocity', { q: UR5E_Q, qdot });
    expect(v.status).toBe(200);
    const expected = J.map((row) => row.reduce((s, x, k) => s + x * qdot[k]!, 0));
    expect(maxAbsDifference([...v.body.twist.linear, ...v.body.twist.angular], expected)).toBeLessThan(1e-15);
    const wrench = { force: [1, -2, 3], torque: [0.1, 0.2, -0.3] };
    const s = await postJson(t.app, '/robots/ur5e/statics', { q: UR5E_Q, wrench });
    expect(s.status).toBe(200);
    const w = [...wrench.force, ...wrench.torque];
    expect(maxAbsDifference(s.body.efforts, ur5e.jointNames.map((_, k) => J.reduce((sum, row, r) => sum + row[k]! * w[r]!, 0)))).toBeLessThan(1e-14);
    expect(s.body.joints).toEqual(ur5e.jointNames);
  });

  it('batch forms answer in the same order as the single forms', async () => {
    const qs = [UR5E_Q, [0, 0, 0, 0, 0, 0], UR5E_Q.map((x) => -x)];
    const jb = await postJson(t.app, '/robots/ur5e/jacobian/batch', { qs, includePose: true, referenceFrame: 'LOCAL' });
    expect(jb.status).toBe(200);
    expect(jb.body.jacobians).toHaveLength(3);
    for (let i = 0; i < qs.length; i++) {
      const single = await postJson(t.app, '/robots/ur5e/jacobian', { q: qs[i], referenceFrame: 'LOCAL' });
      expect(jb.body.jacobians[i]).toEqual(single.body.jacobian);
      expect(jb.body.poses[i]).toEqual(single.body.pose);
    }
    const fb = await postJson(t.app, '/robots/ur5e/fk/batch', { qs, links: ['tool0'] });
    expect(fb.status).toBe(200);
    for (let i = 0; i < qs.length; i++) {
      const single = await postJson(t.app, '/robots/ur5e/fk', { q: qs[i], links: ['tool0'] });
      expect(fb.body.results[i].poses).toEqual(single.body.poses);
    }
  });

  it('says what to change for wrong lengths, unknown joints, links and robots', async () => {
    expectProblem(await postJson(t.app, '/robots/ur5e/jacobian', { q: [1, 2] }), 400,
      'q has 2 values but robot "ur5e" has 6 active joints: shoulder_pan_joint');
    expectProblem(await postJson(t.app, '/robots/ur5e/jacobian', { q: { elbow: 1 } }), 400, 'elbow', 'its active joints are');
    expectProblem(await postJson(t.app, '/robots/ur5e/jacobian', { q: UR5E_Q, tip: 'hand' }), 400, 'tip "hand" is not a link of robot "ur5e"', 'tool0');
    expectProblem(await postJson(t.app, '/robots/ur5e/fk', { q: UR5E_Q, links: ['tool0', 'nope'] }), 400, 'link "nope"');
    expectProblem(await postJson(t.app, '/robots/ur7/fk', { q: UR5E_Q }), 404, 'no robot "ur7"', 'ur5e');
    expectProblem(await postJson(t.app, '/robots/ur5e/jacobian/batch', { qs: [UR5E_Q, [1]] }), 400, 'qs[1] has 1 values');
  });

  it('refuses non-finite numbers, strings for numbers, unknown fields and malformed JSON', async () => {
    expectProblem(await postJson(t.app, '/robots/ur5e/jacobian', '{"q":[1e999,0,0,0,0,0]}'), 400, 'q');
    expectProblem(await postJson(t.app, '/robots/ur5e/jacobian', { q: ['0', 0, 0, 0, 0, 0] }), 400, 'q');
    const extra = expectProblem(await postJson(t.app, '/robots/ur5e/jacobian', { q: UR5E_Q, tipOfset: [0, 0, 1] }), 400, 'tipOfset');
    expect(extra.errors).toEqual([{ path: 'tipOfset', message: 'is not a known field; remove it (field names are case-sensitive)' }]);
    expectProblem(await postJson(t.app, '/robots/ur5e/jacobian', { q: UR5E_Q, referenceFrame: 'BODY' }), 400, 'referenceFrame');
    expectProblem(await postJson(t.app, '/robots/ur5e/jacobian', '{"q": [0,'), 400, 'not valid JSON');
    expectProblem(await postJson(t.app, '/robots/ur5e/jacobian', '{"__proto__": {"x": 1}, "q": [0,0,0,0,0,0]}'), 400, '__proto__');
    expectProblem(await postJson(t.app, '/robots/ur5e/jacobian', '{"\\u005f\\u005fproto__": {"x": 1}, "q": [0,0,0,0,0,0]}'), 400, '__proto__');
    expectProblem(await postJson(t.app, '/robots/ur5e/jacobian', '{"q": {"constructor": {"prototype": {"x": 1}}}}'), 400, '__proto__');
    expectProblem(await postJson(t.app, '/robots/ur5e/jacobian', ''), 400, 'empty');
    expectProblem(await postJson(t.app, '/robots/ur5e/jacobian', { q: UR5E_Q, tipOffset: [0, 0] }), 400, 'tipOffset');
  });

  it('answers 413 over the body limit and 415 for other media types', async () => {
    const big = { q: UR5E_Q, links: new Array(200_000).fill('tool0') };
    expectProblem(await postJson(t.app, '/robots/ur5e/fk', big), 413, 'larger than 1048576 bytes', 'BODY_LIMIT');
    const batch = `{"qs":[${'[0,0,0,0,0,0],'.repeat(1_300_000)}[0,0,0,0,0,0]]}`; // 18 MB
    expectProblem(await postJson(t.app, '/robots/ur5e/jacobian/batch', batch), 413, `larger than ${16 * 1024 * 1024} bytes`, 'fewer configurations', 'BATCH_BODY_LIMIT');
    const r = await t.app.inject({ method: 'POST', url: '/robots/ur5e/jacobian', payload: 'q=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expectProblem({ status: r.statusCode, body: r.json(), headers: r.headers }, 415, 'application/json');
  });

  it('caps the configurations of a batch, saying the cap', async () => {
    const small = await createTestApp({ maxBatch: 5 });
    try {
      const r = await postJson(small.app, '/robots/ur5e/jacobian/batch', { qs: new Array(6).fill(UR5E_Q) });
      expectProblem(r, 400, 'qs', '5');
    } finally {
      await small.close();
    }
  });

  it('caps the size of a batch answer: a small request may not ask for a huge one', async () => {
    const t = await createTestApp({ batchMaxOutputValues: 100_000 });
    onTestFinished(() => t.close());
    // Baxter: 33 links of 16 numbers for each of 500 configurations = 264000 numbers
    const baxter = (await t.app.inject('/robots/baxter')).json<{ dof: number; links: unknown[] }>();
    expect(baxter.links).toHaveLength(33);
    const qs = new Array(500).fill(new Array(baxter.dof).fill(0));
    expectProblem(await postJson(t.app, '/robots/baxter/fk/batch', { qs }), 400,
      '500 x 528 = 264000 numbers', 'BATCH_MAX_OUTPUT_VALUES', 'name fewer links');
    const fewer = await postJson(t.app, '/robots/baxter/fk/batch', { qs, links: ['left_gripper'] });
    expect(fewer.status).toBe(200);
    expect(fewer.body.results).toHaveLength(500);
    const ur5e = new Array(2000).fill(UR5E_Q);
    expectProblem(await postJson(t.app, '/robots/ur5e/jacobian/batch', { qs: ur5e, includePose: true }), 400,
      '2000 x 52 = 104000 numbers', 'fewer configurations');
    expect((await postJson(t.app, '/robots/ur5e/jacobian/batch', { qs: ur5e })).status).toBe(200);
  });
});
