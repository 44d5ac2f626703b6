/**
 * The cost model of heavy requests (work-cost.ts) and its refusal: estimates that grow as the work
 * does, and a 422 too-much-work beyond MAX_REQUEST_WORK_MS that names the estimate and the cap.
 */
import { describe, expect, it } from 'vitest';
import { INLINE_WORK_MS, estimateWorkMs } from '../../src/http/work-cost.js';
import { appsClosedAfterEach } from '../helpers/app.js';
import { chainUrdf } from '../helpers/chain-urdf.js';

describe('the cost model of heavy requests', () => {
  it('grows with the square of the joints, the configurations and the parameters asked for', () => {
    // a fixed part, then the square of the joints
    const hessian = (n: number) => estimateWorkMs('hessian', n, {}) - estimateWorkMs('hessian', 0, {});
    expect(hessian(200)).toBeCloseTo(4 * hessian(100), 9);
    expect(estimateWorkMs('uncertainty', 999, {})).toBeLessThan(INLINE_WORK_MS); // linear with per-joint deviations: a Jacobian
    expect(estimateWorkMs('uncertainty', 100, { jointCovariance: [] })).toBeGreaterThan(50 * estimateWorkMs('uncertainty', 100, {})); // n³ to decompose
    expect(estimateWorkMs('uncertainty', 50, { method: 'unscented' })).toBeGreaterThan(estimateWorkMs('uncertainty', 50, {}));
    expect(estimateWorkMs('sensitivity', 50, { qs: [1, 2, 3, 4] })).toBeGreaterThan(estimateWorkMs('sensitivity', 50, { qs: [1, 2] }));
    expect(estimateWorkMs('sensitivity', 50, { qs: [1], parameters: ['jointOffset'] })).toBeLessThan(estimateWorkMs('sensitivity', 50, { qs: [1] }));
    expect(estimateWorkMs('calibrate', 7, { samples: new Array(60) })).toBeGreaterThan(estimateWorkMs('sensitivity', 7, { qs: new Array(60) }));
    // the arms of everyday use stay on the event loop
    expect(estimateWorkMs('hessian', 7, {})).toBeLessThan(INLINE_WORK_MS);
    expect(estimateWorkMs('manipulability', 7, {})).toBeLessThan(INLINE_WORK_MS);
  });
});

describe('MAX_REQUEST_WORK_MS', () => {
  const app = appsClosedAfterEach();

  it('refuses a request estimated beyond it with 422 too-much-work, and answers one within it', async () => {
    const t = await app({ maxRequestWorkMs: 5 });
    expect((await t.app.inject({ method: 'POST', url: '/robots?id=chain60', headers: { 'content-type': 'application/xml' }, payload: chainUrdf(60) })).statusCode).toBe(201);
    const q = Array.from({ length: 60 }, () => 0.1);
    const refused = await t.app.inject({ method: 'POST', url: '/robots/chain60/hessian', payload: { q } });
    expect(refused.statusCode).toBe(422);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    const problem = refused.json();
    expect(problem.type).toBe('urn:kinematics-service:problem:too-much-work');
    expect(problem.detail).toMatch(/robot "chain60" \(60 joints\) is estimated at \d+ ms of computation, more than the 5 ms one request may take \(MAX_REQUEST_WORK_MS\)/);
    // within the cap: answered (here on the event loop: this app has no workers)
    expect((await t.app.inject({ method: 'POST', url: '/robots/ur5e/hessian', payload: { q: [0, -1, 1, 0, 1, 0] } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/robots/chain60/uncertainty', payload: { q, jointStdDev: q.map(() => 1e-3) } })).statusCode).toBe(200);
  });
});
