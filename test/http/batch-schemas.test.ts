/**
 * The batch routes assemble their JSON from fragments serialised where they were computed (on
 * the workers), not by the route's response schema: this holds each of those bodies to its
 * response schema, inline and on the worker pool, so that the contract is written once.
 */
import { Check, Clean, Errors } from 'typebox/value';
import type { TSchema } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IkSolveBatchResponse, IkSolveResponse } from '../../src/http/schemas/ik.js';
import { FkBatchResponse, JacobianBatchResponse } from '../../src/http/schemas/kinematics.js';
import { createTestApp, postJson, type TestApp } from '../helpers/app.js';

const Q = [0.1, -0.4, 0.2, -2.1, 0.1, 1.8, 0.7, 0.02];
const TARGET = { position: [0.4, 0.1, 0.5], quaternion: [1, 0, 0, 0] };

/** Matches the schema and carries nothing the schema does not list. */
function expectConforms(schema: TSchema, body: unknown, where: string): void {
  const errors = [...Errors(schema, body)].slice(0, 5);
  expect(Check(schema, body), `${where}: ${JSON.stringify(errors)}`).toBe(true);
  expect(Clean(schema, structuredClone(body)), `${where}: fields the schema does not list`).toEqual(body);
}

describe('batch answers against their response schemas', () => {
  let inline: TestApp;
  let pooled: TestApp;
  beforeAll(async () => {
    inline = await createTestApp({ workerThreads: 0 });
    pooled = await createTestApp({ workerThreads: 2 });
  });
  afterAll(async () => { await inline.close(); await pooled.close(); });

  const qs = Array.from({ length: 200 }, (_, i) => Q.map((x, k) => x + 1e-3 * Math.sin(i + k)));
  const cases: [string, string, object, TSchema][] = [
    ['fk/batch', '/robots/franka_panda/fk/batch', { qs, links: ['panda_hand_tcp', 'panda_link3'] }, FkBatchResponse],
    ['fk/batch of every link in a base', '/robots/franka_panda/fk/batch', { qs: qs.slice(0, 70), base: 'panda_link2' }, FkBatchResponse],
    ['jacobian/batch', '/robots/franka_panda/jacobian/batch', { qs, tip: 'panda_hand_tcp' }, JacobianBatchResponse],
    ['jacobian/batch with poses', '/robots/franka_panda/jacobian/batch', { qs, tip: 'panda_hand_tcp', includePose: true, referenceFrame: 'LOCAL' }, JacobianBatchResponse],
    ['ik/solve/batch', '/robots/franka_panda/ik/solve/batch',
      { targets: Array.from({ length: 80 }, (_, i) => ({ ...TARGET, position: [0.4, 0.1 + 0.001 * i, 0.5] })), tip: 'panda_hand_tcp', timeoutMs: 2 }, IkSolveBatchResponse],
  ];
  for (const [name, url, body, schema] of cases) {
    it(`${name}: inline and on the workers`, async () => {
      for (const t of [inline, pooled]) {
        const r = await postJson(t.app, url, body);
        expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
        expectConforms(schema, r.body, name);
      }
    });
  }

  it('the check itself fails on a wrong type, a missing field and a field the schema does not list', () => {
    const pose = { position: [0, 0, 0], quaternion: [0, 0, 0, 1], rotation: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] };
    expect(() => expectConforms(FkBatchResponse, { base: 'b', results: [{ poses: { l: pose } }] }, 'good')).not.toThrow();
    expect(() => expectConforms(FkBatchResponse, { base: 'b', results: [{ poses: { l: { ...pose, position: ['0', 0, 0] } } }] }, 'type')).toThrow();
    expect(() => expectConforms(FkBatchResponse, { results: [] }, 'missing')).toThrow();
    expect(() => expectConforms(FkBatchResponse, { base: 'b', results: [{ poses: {}, extra: 1 }] }, 'extra')).toThrow();
  });

  it('ik/solve answered by a worker (a long budget) matches its schema too', async () => {
    const r = await postJson(pooled.app, '/robots/franka_panda/ik/solve', { target: TARGET, tip: 'panda_hand_tcp', timeoutMs: 50 });
    expect(r.status).toBe(200);
    expectConforms(IkSolveResponse, r.body, 'ik/solve');
  });
});
