import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, postJson, type TestApp } from '../helpers/app.js';

const Q = [0.1, -0.4, 0.2, -2.1, 0.1, 1.8, 0.7, 0.02];

describe('batches on worker threads', () => {
  let pooled: TestApp;
  let inline: TestApp;
  beforeAll(async () => {
    pooled = await createTestApp({ workerThreads: 2 });
    inline = await createTestApp({ workerThreads: 0 });
  });
  afterAll(async () => { await pooled.close(); await inline.close(); });

  it('answer byte for byte what the event loop answers, in order, for jacobian and fk batches', async () => {
    const qs = Array.from({ length: 1001 }, (_, i) => Q.map((x, k) => x + 1e-3 * Math.sin(i * 7 + k)));
    for (const [url, body] of [
      ['/robots/franka_panda/jacobian/batch', { qs, tip: 'panda_hand_tcp', includePose: true, tipOffset: [0, 0, 0.05], referenceFrame: 'LOCAL' }],
      ['/robots/franka_panda/fk/batch', { qs, links: ['panda_hand_tcp', 'panda_link4'], base: 'panda_link2' }],
    ] as const) {
      const [a, b] = await Promise.all([postJson(pooled.app, url, body), postJson(inline.app, url, body)]);
      expect(a.status).toBe(200);
      expect(a.body).toEqual(b.body);
      expect((a.body.jacobians ?? a.body.results).length).toBe(1001);
    }
  });

  it('answer in exact little-endian float64 with Accept: application/octet-stream, inline and pooled', async () => {
    const qs = Array.from({ length: 300 }, (_, i) => Q.map((x, k) => x + 1e-3 * Math.cos(i * 3 + k)));
    const body = { qs, tip: 'panda_hand_tcp', includePose: true, referenceFrame: 'WORLD' };
    const json = (await postJson(inline.app, '/robots/franka_panda/jacobian/batch', body)).body;
    for (const t of [pooled, inline]) {
      const r = await t.app.inject({ method: 'POST', url: '/robots/franka_panda/jacobian/batch', payload: body,
        headers: { accept: 'application/octet-stream' } });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('application/octet-stream');
      expect(r.headers).toMatchObject({ 'x-configurations': '300', 'x-jacobian-rows': '6', 'x-jacobian-columns': '8',
        'x-values-per-configuration': String(6 * 8 + 12), 'x-reference-frame': 'WORLD', 'x-row-order': 'vx,vy,vz,wx,wy,wz' });
      expect(String(r.headers['x-joints']).split(',').map(decodeURIComponent)).toEqual(json.joints);
      const bytes = r.rawPayload;
      const values = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      expect(values.length).toBe(300 * 60);
      for (let i = 0; i < 300; i++) {
        const J = Array.from(values.subarray(i * 60, i * 60 + 48));
        expect(J).toEqual(json.jacobians[i].flat());
        const X = values.subarray(i * 60 + 48, i * 60 + 60);
        expect(Array.from(X.subarray(0, 9))).toEqual(json.poses[i].rotation.flat());
        expect(Array.from(X.subarray(9))).toEqual(json.poses[i].position);
      }
    }
  });

  it('still refuses a bad configuration before any work is sent out, naming it', async () => {
    const qs = Array.from({ length: 500 }, () => Q);
    qs[321] = Q.slice(0, 3);
    const r = await postJson(pooled.app, '/robots/franka_panda/jacobian/batch', { qs, tip: 'panda_hand_tcp' });
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain('qs[321] has 3 values');
  });

  it('solve IK targets given in binary and answer in binary the numbers the JSON route gives, inline and pooled', async () => {
    // 300 reachable targets: the poses at configurations near Q, from the fk route itself
    const qs = Array.from({ length: 300 }, (_, i) => Q.map((x, k) => x + 0.2 * Math.sin(i * 5 + k)));
    const fk = (await postJson(inline.app, '/robots/franka_panda/fk/batch', { qs, links: ['panda_hand_tcp'] })).body;
    const poses = fk.results.map((r: { poses: Record<string, { position: number[]; rotation: number[][] }> }) => r.poses.panda_hand_tcp!);
    const packed = new Float64Array(12 * poses.length);
    poses.forEach((p: { position: number[]; rotation: number[][] }, i: number) => packed.set([...p.rotation.flat(), ...p.position], 12 * i));
    // 60 ms each, far beyond what a solve takes even on a loaded machine, so that no solve is cut
    // short and both answers are the same deterministic ones (300 x 60 ms is within IK_BATCH_MAX_WORK_MS)
    const common = { tip: 'panda_hand_tcp', seed: Q, timeoutMs: 60, randomSeed: 7 };
    const json = (await postJson(inline.app, '/robots/franka_panda/ik/solve/batch',
      { ...common, targets: poses.map((p: { position: number[]; rotation: number[][] }) => ({ position: p.position, rotation: p.rotation })) })).body;
    expect(json.results.filter((r: { converged: boolean }) => r.converged).length).toBe(300);
    for (const t of [pooled, inline]) {
      const r = await t.app.inject({ method: 'POST', url: '/robots/franka_panda/ik/solve/batch',
        payload: { ...common, targetsFloat64: Buffer.from(packed.buffer).toString('base64') }, headers: { accept: 'application/octet-stream' } });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['content-type']).toBe('application/octet-stream');
      const stride = 7 + 8;
      expect(r.headers).toMatchObject({ 'x-values-per-result': String(stride), 'x-ik-statuses': 'converged,timeout,max-restarts',
        'x-result-fields': 'converged,status,iterations,restarts,elapsedMs,positionError,orientationError,q' });
      const bytes = r.rawPayload;
      const values = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      expect(values.length).toBe(300 * stride);
      json.results.forEach((expected: { converged: boolean; iterations: number; restarts: number; q: number[]; error: { position: number; orientation: number } }, i: number) => {
        const row = values.subarray(i * stride, (i + 1) * stride);
        // deterministic solves (the budget is far from reached): the same iterations, the same q
        expect([row[0], row[1], row[2], row[3], row[5], row[6]]).toEqual([1, 0, expected.iterations, expected.restarts, expected.error.position, expected.error.orientation]);
        expect(Array.from(row.subarray(7))).toEqual(expected.q);
      });
    }
  });

  it('refuse binary targets that are not whole, not finite or not poses, and targets given twice or not at all', async () => {
    const url = '/robots/franka_panda/ik/solve/batch';
    const identity = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0.3, 0, 0.5];
    const b64 = (values: number[]): string => Buffer.from(Float64Array.from(values).buffer).toString('base64');
    const cases: [object, string][] = [
      [{ targetsFloat64: b64(identity.slice(0, 11)) }, 'whole number of targets of 12 little-endian float64 values'],
      [{ targetsFloat64: b64([...identity.slice(0, 9), NaN, 0, 0.5]) }, 'value 9 (target 0) is NaN'],
      [{ targetsFloat64: b64([...identity, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]) }, 'targetsFloat64 target 1 is not a rotation matrix'],
      [{ targetsFloat64: b64(identity), targets: [{ position: [0.3, 0, 0.5], quaternion: [0, 0, 0, 1] }] }, 'exactly one of them'],
      [{}, 'exactly one of them'],
    ];
    for (const [body, fragment] of cases) {
      const r = await postJson(inline.app, url, { tip: 'panda_hand_tcp', ...body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.detail).toContain(fragment);
    }
  });

  it('split IK batches of every size into parts without empty ones (10 targets over 2 threads: 5 parts of 2)', async () => {
    for (const count of [2, 9, 10, 11, 17]) {
      const targets = Array.from({ length: count }, (_, i) => ({ position: [0.4, 0.05 * Math.sin(i), 0.5], quaternion: [1, 0, 0, 0] }));
      // count x 5 ms exceeds the inline budget: the pool solves them
      const r = await postJson(pooled.app, '/robots/franka_panda/ik/solve/batch', { targets, tip: 'panda_hand_tcp', timeoutMs: 5 });
      expect(r.status, `${count}: ${JSON.stringify(r.body).slice(0, 300)}`).toBe(200);
      expect(r.body.results).toHaveLength(count);
    }
  });
});
