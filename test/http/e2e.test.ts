import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startServer, type ServerProcess } from '../../scripts/server-process.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { serverForSuite } from '../helpers/server.js';

const UR5E_Q = [0, -1.2, 1.5, -1.9, -1.57, 0];
const TWO_LINK = '<robot name="e2e_arm"><link name="a"/><link name="b"/><joint name="j" type="continuous"><parent link="a"/><child link="b"/><axis xyz="0 0 1"/></joint></robot>';

async function call(server: ServerProcess, method: string, path: string, body?: unknown, type = 'application/json'): Promise<{ status: number; json: any; headers: Headers }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': type } }),
  });
  const text = await response.text();
  return { status: response.status, json: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text, headers: response.headers };
}

describe('the service over HTTP', () => {
  const suite = serverForSuite('e2e', { SHUTDOWN_DELAY_MS: '400' });

  it('answers every route of the contract', async () => {
    expect((await call(suite.server, 'GET', '/healthz')).status).toBe(200);
    expect((await call(suite.server, 'GET', '/readyz')).json.status).toBe('ready');
    expect((await call(suite.server, 'GET', '/robots')).json.robots.length).toBe(7);
    expect((await call(suite.server, 'GET', '/robots/ur5e')).json.dof).toBe(6);
    const upload = await call(suite.server, 'POST', '/robots', TWO_LINK, 'application/xml');
    expect(upload.status).toBe(201);
    expect(upload.headers.get('location')).toBe('/robots/e2e_arm');
    expect((await call(suite.server, 'POST', '/robots/ur5e/fk', { q: UR5E_Q })).status).toBe(200);
    expect((await call(suite.server, 'POST', '/robots/ur5e/fk/batch', { qs: [UR5E_Q, UR5E_Q] })).json.results).toHaveLength(2);
    const jacobian = await call(suite.server, 'POST', '/robots/ur5e/jacobian', { q: UR5E_Q, analysis: true });
    expect(jacobian.json.jacobian).toHaveLength(6);
    expect(jacobian.headers.get('x-request-id')).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/); // made: the request sent none
    expect((await call(suite.server, 'POST', '/robots/ur5e/jacobian/batch', { qs: [UR5E_Q] })).json.jacobians).toHaveLength(1);
    expect((await call(suite.server, 'POST', '/robots/ur5e/velocity', { q: UR5E_Q, qdot: [1, 0, 0, 0, 0, 0] })).json.twist.angular).toEqual([0, 0, 1]);
    expect((await call(suite.server, 'POST', '/robots/ur5e/statics', { q: UR5E_Q, wrench: { force: [0, 0, 0], torque: [0, 0, 1] } })).json.efforts[0]).toBeCloseTo(1, 12);
    const target = { position: [0.45, 0.15, 0.35], quaternion: [0.7071068, 0.7071068, 0, 0] };
    const step = await call(suite.server, 'POST', '/robots/ur5e/ik/step', { q: UR5E_Q, target });
    expect(step.status).toBe(200);
    expect(step.json.status).toBe('progressing'); // one step of several from UR5E_Q
    const velocity = await call(suite.server, 'POST', '/robots/ur5e/ik/velocity', { q: UR5E_Q, twist: { linear: [0.01, 0, 0], angular: [0, 0, 0] } });
    expect(velocity.json).toMatchObject({ status: 'ok', scale: 1 });
    const solve = await call(suite.server, 'POST', '/robots/ur5e/ik/solve', { target, seed: UR5E_Q });
    expect(solve.json).toMatchObject({ converged: true, status: 'converged' });
    expect((await call(suite.server, 'POST', '/robots/ur5e/ik/solve/batch', { targets: [target, target], seed: UR5E_Q })).json.results).toHaveLength(2);
    const metrics = await call(suite.server, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.json).toContain('route="/robots/:id/ik/solve"');
    expect((await call(suite.server, 'DELETE', '/robots/e2e_arm')).status).toBe(204);
    expect((await call(suite.server, 'GET', '/openapi.json')).json.openapi).toBe('3.1.0');
    expect((await call(suite.server, 'GET', '/docs/')).status).toBe(200);
    const problem = await call(suite.server, 'POST', '/robots/ur5e/jacobian', { q: [1] });
    expect(problem.status).toBe(400);
    expect(problem.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers ik/step in a few milliseconds while a 10,000-target ik/solve/batch keeps the workers busy', async () => {
    const reachable = { position: [0.45, 0.15, 0.35], quaternion: [0.7071068, 0.7071068, 0, 0] };
    const unreachable = { position: [3, 0, 0], quaternion: [0, 0, 0, 1] };
    // half the targets out of reach at a 1 ms budget: about 5 s of solver time for two workers
    const targets = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? unreachable : reachable));
    let batchDone = 0;
    const batch = call(suite.server, 'POST', '/robots/ur5e/ik/solve/batch', { targets, seed: UR5E_Q, timeoutMs: 1 })
      .then((r) => { batchDone = performance.now(); return r; });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const latencies: number[] = [];
    let lastStep = 0;
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const step = await call(suite.server, 'POST', '/robots/ur5e/ik/step', { q: UR5E_Q, target: reachable });
      lastStep = performance.now();
      expect(step.status).toBe(200);
      latencies.push(lastStep - t0);
    }
    const result = await batch;
    expect(result.status).toBe(200);
    expect(result.json.results).toHaveLength(10_000);
    expect(batchDone).toBeGreaterThan(lastStep); // the steps were answered while the batch ran
    latencies.sort((a, b) => a - b);
    console.log(`ik/step during the batch: median ${latencies[10]!.toFixed(1)} ms, max ${latencies[19]!.toFixed(1)} ms`);
    expect(latencies[10]).toBeLessThan(25);
  });

  it('on SIGTERM turns /readyz 503, finishes the request in flight and exits 0', async () => {
    // a request whose body arrives in two parts is certainly in flight when the server starts closing
    const body = JSON.stringify({ qs: Array.from({ length: 2000 }, (_, i) => UR5E_Q.map((x) => x + i * 1e-5)) });
    const { port } = new URL(suite.server.url);
    const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/robots/ur5e/jacobian/batch',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      request.on('error', reject);
      request.write(body.slice(0, 1000));
      setTimeout(() => request.end(body.slice(1000)), 800); // after the shutdown delay has ended
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    suite.server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await call(suite.server, 'GET', '/readyz')).status).toBe(503);
    const batch = await inFlight;
    expect(batch.status).toBe(200);
    expect((JSON.parse(batch.text) as { jacobians: unknown[] }).jacobians).toHaveLength(2000);
    expect(await suite.server.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(suite.server.lines.some((l) => l.includes('shutting down'))).toBe(true);
  });
  it('logged one JSON line per request with its id', () => {
    // after the process has exited, so that its log buffer has been flushed
    const requests = suite.server.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
    const routes = requests.map((l) => `${String(l.method)} ${String(l.route)}`);
    for (const route of ['GET /robots', 'POST /robots', 'POST /robots/:id/jacobian', 'POST /robots/:id/jacobian/batch', 'DELETE /robots/:id', 'GET /readyz']) {
      expect(routes).toContain(route);
    }
    for (const line of requests) expect(line).toMatchObject({ reqId: expect.any(String), status: expect.any(Number), durationMs: expect.any(Number) });
  });
});

describe('node options', () => {
  it('starts with V8 options (which worker threads may not be given) and computes on its workers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kinematics-v8-options-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await startServer({ DATA_DIR: dataDir, WORKER_THREADS: '1' }, { nodeArgs: ['--max-old-space-size=1024', '--max-semi-space-size=32'] });
    onTestFinished(async () => { server.child.kill('SIGKILL'); await server.exited; });
    expect((await call(server, 'GET', '/readyz')).status).toBe(200);
    // a batch large enough for the worker
    const qs = Array.from({ length: 200 }, () => UR5E_Q);
    expect((await call(server, 'POST', '/robots/ur5e/jacobian/batch', { qs })).json.jacobians).toHaveLength(200);
  });
});

describe('stopping the service', () => {
  it('exits 0 on SIGTERM during start-up', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kinematics-startup-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src', 'server.ts')], {
      cwd: REPO_ROOT, env: { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
    // 'robots loaded' is logged in the middle of start-up, before the server listens
    await new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => { if (chunk.toString().includes('robots loaded')) resolve(); }));
    const started = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('on SIGINT stops a batch that outlasts the drain: 503 with Retry-After, then exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kinematics-abort-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await startServer({ DATA_DIR: dataDir, WORKER_THREADS: '2', SHUTDOWN_DELAY_MS: '0', SHUTDOWN_TIMEOUT_MS: '500' });
    // every target out of reach at a 1 ms budget: about 5 s of solver time for two workers
    const targets = Array.from({ length: 10_000 }, () => ({ position: [3, 0, 0], quaternion: [0, 0, 0, 1] }));
    const batch = call(server, 'POST', '/robots/ur5e/ik/solve/batch', { targets, seed: UR5E_Q, timeoutMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = Date.now();
    server.child.kill('SIGINT');
    const answer = await batch;
    expect(answer.status).toBe(503);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(answer.json.detail).toContain('shutting down');
    expect(await server.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
