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
});
