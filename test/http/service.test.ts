import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_FRAMES } from '../../src/core/jacobian.js';
import { ReferenceFrame } from '../../src/http/schemas/common.js';
import { OPENAPI_FILE, generateOpenApi } from '../../scripts/generate-openapi.js';
import { createTestApp, postJson, type TestApp } from '../helpers/app.js';

describe('operations', () => {
  let t: TestApp;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    t = await createTestApp({}, { logger: { level: 'info', stream } });
  });
  afterAll(async () => { await t.close(); });

  it('answers /healthz, and /readyz with 503 while draining', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject('/readyz')).json()).toEqual({ status: 'ready', robots: 7, registry: 'files' });
    t.app.serviceState.draining = true;
    const draining = await t.app.inject('/readyz');
    expect(draining.statusCode).toBe(503);
    expect(draining.headers['content-type']).toContain('application/problem+json');
    t.app.serviceState.draining = false;
  });

  it('echoes a caller request id, makes one otherwise, and logs one JSON line per request', async () => {
    lines.length = 0;
    const given = await t.app.inject({ url: '/robots/ur5e', headers: { 'x-request-id': 'controller-42.7' } });
    expect(given.headers['x-request-id']).toBe('controller-42.7');
    const made = await postJson(t.app, '/robots/ur5e/jacobian', { q: [0, 0, 0, 0, 0, 0] });
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    const unsafe = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'evil\u0000"id' } });
    expect(unsafe.headers['x-request-id']).not.toContain('evil');
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(3);
    expect(requests[0]).toMatchObject({ reqId: 'controller-42.7', method: 'GET', route: '/robots/:id', status: 200, level: 30 });
    expect(requests[1]).toMatchObject({ reqId: made.headers['x-request-id'], method: 'POST', route: '/robots/:id/jacobian', status: 200 });
    expect(typeof requests[1]!.durationMs).toBe('number');
  });

  it('logs and counts the requests the router refuses before any hook runs', async () => {
    lines.length = 0;
    const malformed = await t.app.inject('/robots/%E0%A4%A');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['content-type']).toContain('application/problem+json');
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ reqId: malformed.headers['x-request-id'], method: 'GET', status: 400 });
    const metrics = (await t.app.inject('/metrics')).body;
    expect(metrics).toMatch(/http_requests_total\{method="GET",route="unmatched",status="400"\} [1-9]/);
  });

  it('answers unknown routes with a problem that points to the docs', async () => {
    const r = await t.app.inject('/robot');
    expect(r.statusCode).toBe(404);
    expect(r.json().detail).toContain('/docs');
  });

  it('serves the OpenAPI document, identical to the committed openapi/openapi.json', async () => {
    const served = (await t.app.inject('/openapi.json')).json();
    const committed = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
    expect(served).toEqual(committed);
    expect(await generateOpenApi()).toBe(readFileSync(OPENAPI_FILE, 'utf8'));
    // every route of the contract is documented
    for (const path of ['/robots', '/robots/{id}', '/robots/{id}/fk', '/robots/{id}/fk/batch', '/robots/{id}/jacobian',
      '/robots/{id}/jacobian/batch', '/robots/{id}/velocity', '/robots/{id}/statics', '/healthz', '/readyz']) {
      expect(Object.keys(committed.paths)).toContain(path);
    }
    expect(Object.keys(committed.paths['/robots'])).toEqual(['get', 'post']);
    expect(Object.keys(committed.paths['/robots/{id}'])).toEqual(['get', 'delete']);
  });

  it('serves Swagger UI at /docs', async () => {
    const r = await t.app.inject('/docs/');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('swagger-ui');
  });

  it('names the reference frames as the core does', () => {
    expect(ReferenceFrame.enum).toEqual([...REFERENCE_FRAMES]);
  });
});
