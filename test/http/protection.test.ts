import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { appsClosedAfterEach, expectProblem, postJson } from '../helpers/app.js';

const UR5E_Q = [0, -1.2, 1.5, -1.9, -1.57, 0];

/**
 * Every line of a Prometheus text exposition: comments, or `name{labels} value`, where special
 * values are matched without regard to case as Prometheus does (prom-client writes "Nan").
 */
const EXPOSITION_LINE = /^(#( (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*)?|[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? ([-+]?[0-9.]+([eE][-+]?[0-9]+)?|(?:nan|[+-]?inf)))$/i;

function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n').filter(Boolean)) {
    if (!EXPOSITION_LINE.test(line)) throw new Error(`not Prometheus text format: ${line}`);
    if (line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

describe('protection and observability', () => {
  const app = appsClosedAfterEach();

  it('sends security headers, and CORS headers only for configured origins', async () => {
    const closed = await app();
    const r = await closed.app.inject({ url: '/robots', headers: { origin: 'https://elsewhere.example' } });
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(r.headers['cross-origin-resource-policy']).toBe('same-origin');
    const docs = await closed.app.inject({ url: '/docs/' });
    expect(docs.headers['content-security-policy']).toContain("default-src 'self'");
    expect(docs.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN', 'referrer-policy': 'no-referrer' });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    const open = await app({ corsOrigins: ['https://controller.example'] });
    const allowed = await open.app.inject({ url: '/robots', headers: { origin: 'https://controller.example' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://controller.example');
    const other = await open.app.inject({ url: '/robots', headers: { origin: 'https://elsewhere.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await open.app.inject({ method: 'OPTIONS', url: '/robots/ur5e/jacobian', headers: { origin: 'https://controller.example', 'access-control-request-method': 'POST' } });
    expect(preflight.statusCode).toBe(204);
  });

  it('rate limits when configured: 429 problem with Retry-After; health and metrics stay open', async () => {
    const t = await app({ rateLimitMax: 3, rateLimitWindowMs: 60_000 });
    for (let i = 0; i < 3; i++) expect((await t.app.inject('/robots')).statusCode).toBe(200);
    const limited = await t.app.inject('/robots/ur5e');
    expectProblem({ status: limited.statusCode, body: limited.json(), headers: limited.headers }, 429, 'more than 3 requests', 'Retry-After');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) {
      expect((await t.app.inject('/healthz')).statusCode).toBe(200);
      expect((await t.app.inject('/metrics')).statusCode).toBe(200);
    }
  });

  it('sheds load with 503 and Retry-After when the event loop lags, and still answers /healthz', async () => {
    const t = await app({ maxEventLoopDelayMs: 20 });
    // hold the event loop for 300 ms, then let the monitor sample it
    const until = Date.now() + 300;
    while (Date.now() < until) { /* busy */ }
    await new Promise((resolve) => setTimeout(resolve, 1200));
    let shed = await t.app.inject('/robots');
    for (let i = 0; i < 20 && shed.statusCode !== 503; i++) {
      const hold = Date.now() + 300;
      while (Date.now() < hold) { /* busy */ }
      await new Promise((resolve) => setTimeout(resolve, 100));
      shed = await t.app.inject('/robots');
    }
    expectProblem({ status: shed.statusCode, body: shed.json(), headers: shed.headers }, 503, 'overloaded', 'retry');
    expect(shed.headers['retry-after']).toBe('1');
    expect((await t.app.inject('/healthz')).statusCode).toBe(200);
  });

  it('cuts off a client that does not finish sending its request in time', async () => {
    const t = await app({ requestTimeoutMs: 1000 });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('POST /robots/ur5e/jacobian HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"q": [');
      });
      let text = '';
      socket.on('data', (d) => { text += d.toString(); });
      socket.on('close', () => resolve(text));
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('exposes Prometheus metrics that parse and move with requests and IK outcomes', async () => {
    const t = await app();
    const before = parseExposition((await t.app.inject('/metrics')).body);
    expect(before.get('robots_loaded')).toBe(7);
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'process_cpu_user_seconds_total']) {
      expect([...before.keys()].some((k) => k.startsWith(name))).toBe(true);
    }
    const key = 'http_requests_total{method="POST",route="/robots/:id/jacobian",status="200"}';
    for (let i = 0; i < 3; i++) await postJson(t.app, '/robots/ur5e/jacobian', { q: UR5E_Q });
    await postJson(t.app, '/robots/ur5e/jacobian', { q: [1] });
    const target = { position: [0.45, 0.15, 0.35], quaternion: [0.7071068, 0.7071068, 0, 0] };
    await postJson(t.app, '/robots/ur5e/ik/solve', { target, seed: UR5E_Q, timeoutMs: 50 });
    // a budget long enough that the unreachable target ends by its restart count, not by time
    await postJson(t.app, '/robots/ur5e/ik/solve/batch', { targets: [target, { position: [4, 0, 0], quaternion: [0, 0, 0, 1] }], seed: UR5E_Q, timeoutMs: 500, maxRestarts: 3 });
    const after = parseExposition((await t.app.inject('/metrics')).body);
    expect((after.get(key) ?? 0) - (before.get(key) ?? 0)).toBe(3);
    expect(after.get('http_requests_total{method="POST",route="/robots/:id/jacobian",status="400"}')).toBe(1);
    expect(after.get('http_request_duration_seconds_count{method="POST",route="/robots/:id/jacobian",status="200"}')).toBe(3);
    expect(after.get('ik_solves_total{outcome="converged"}')).toBe(2);
    expect(after.get('ik_solves_total{outcome="max-restarts"}')).toBe(1);
    expect(after.get('ik_solve_iterations_count')).toBe(3);
  });
});
