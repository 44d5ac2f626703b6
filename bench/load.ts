/**
 * `npm run load`: the compiled service under mixed traffic from autocannon in a separate process,
 * on 127.0.0.1: fk, jacobian, jacobian/batch, ik/step, ik/solve, uploads and deletes (cycling
 * through 16 ids) and bad requests (wrong length, unknown robot, malformed JSON). A warm-up of 10 s,
 * then 60 s measured. Fails (exit 1) on any 5xx or socket error, on any log line at error level,
 * or when resident memory after the run exceeds its value after the warm-up by more than 20 %.
 * Latency is reported two ways that do not depend on the load generator's accounting: a probe
 * that times one jacobian request every 50 ms during the run (end to end, queueing included), and
 * per-route percentiles of the server's own access log.
 * Flags: --json; --quick (10 s warm-up, 20 s run).
 */
import { execFile } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer, type ServerProcess } from '../scripts/server-process.js';
import { ROOT } from './paths.js';
import { benchFlags } from './timing.js';

const run = promisify(execFile);
const MEMORY_GROWTH_LIMIT = 0.2;

interface LoadResult {
  requests: { average: number; total: number };
  statusCodeStats: Record<string, { count: number }>;
  errors: number; timeouts: number; non2xx: number;
}

async function load(url: string, seconds: number, connections: number): Promise<LoadResult> {
  const { stdout } = await run(process.execPath, [join(ROOT, 'build', 'bench', 'load-client.js'), url, String(seconds), String(connections)],
    { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as LoadResult;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** Times one small request every 50 ms until stopped, over its own keep-alive connection. */
function probeLatency(url: string): { stop(): Promise<number[]> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const { port } = new URL(url);
  const body = JSON.stringify({ q: [0, -1.2, 1.5, -1.9, -1.57, 0] });
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        const request = httpRequest({ host: '127.0.0.1', port, path: '/robots/ur5e/jacobian', method: 'POST', agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
          response.on('data', () => undefined);
          response.on('end', () => resolve());
        });
        request.on('error', reject);
        request.end(body);
      });
      samples.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return { stop: async () => { running = false; await loop; agent.destroy(); return samples; } };
}

/** p50 and p99 of the access log's durationMs by "METHOD route status". */
function routeLatencies(lines: string[]): Record<string, { n: number; p50: number; p99: number }> {
  const byRoute = new Map<string, number[]>();
  for (const line of lines) {
    try {
      const entry = JSON.parse(line) as { msg?: string; method: string; route: string; status: number; durationMs: number };
      if (entry.msg !== 'request') continue;
      const key = `${entry.method} ${entry.route} ${entry.status}`;
      byRoute.set(key, [...(byRoute.get(key) ?? []), entry.durationMs]);
    } catch { /* not JSON */ }
  }
  return Object.fromEntries([...byRoute].sort().map(([key, values]) => [key, { n: values.length, p50: percentile(values, 50), p99: percentile(values, 99) }]));
}

/**
 * Resident memory once the load has stopped: the least of samples over 3 s, so that the figure
 * does not depend on whether a garbage collection happened to run just before one instant.
 */
async function settledResidentBytes(server: ServerProcess): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < 6; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    least = Math.min(least, residentBytes(server));
  }
  return least;
}

/** Resident memory of the server process (kB from /proc, as the kernel counts it). */
function residentBytes(server: ServerProcess): number {
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

async function main(): Promise<void> {
  const flags = benchFlags();
  const [warmUpS, runS, connections] = flags.quick ? [10, 20, 16] : [10, 60, 16];
  const dataDir = mkdtempSync(join(tmpdir(), 'kinematics-load-'));
  const server = await startServer({ DATA_DIR: dataDir, LOG_LEVEL: 'info' }, { compiled: true });
  try {
    await load(server.url, warmUpS, connections);
    const rssAfterWarmUp = await settledResidentBytes(server);
    const firstMeasuredLine = server.lines.length;
    const probe = probeLatency(server.url);
    const measured = await load(server.url, runS, connections);
    const probeMs = await probe.stop();
    const rssAfterRun = await settledResidentBytes(server);
    const healthz = await fetch(`${server.url}/healthz`);
    server.child.kill('SIGTERM');
    const exitCode = await server.exited;
    const errorLines = server.lines.filter((l) => { try { return (JSON.parse(l) as { level: number }).level >= 50; } catch { return true; } });
    const statuses = Object.fromEntries(Object.entries(measured.statusCodeStats).map(([code, s]) => [code, s.count]));
    const serverErrors = Object.entries(statuses).filter(([code]) => Number(code) >= 500).reduce((n, [, c]) => n + c, 0);
    const growth = rssAfterRun / rssAfterWarmUp - 1;
    const perRoute = routeLatencies(server.lines.slice(firstMeasuredLine));
    const result = {
      seconds: runS, connections, requestsPerSecond: measured.requests.average, total: measured.requests.total,
      probeLatencyMs: { n: probeMs.length, p50: percentile(probeMs, 50), p99: percentile(probeMs, 99), max: Math.max(...probeMs) },
      serverLatencyMs: perRoute,
      statuses, serverErrors, socketErrors: measured.errors, timeouts: measured.timeouts, errorLogLines: errorLines.length,
      rss: { afterWarmUpMiB: rssAfterWarmUp / 2 ** 20, afterRunMiB: rssAfterRun / 2 ** 20, growth },
      healthzAfter: healthz.status, exitCode,
    };
    const ok = serverErrors === 0 && measured.errors === 0 && measured.timeouts === 0 && errorLines.length === 0
      && growth <= MEMORY_GROWTH_LIMIT && healthz.status === 200 && exitCode === 0;
    if (flags.json) {
      console.log(JSON.stringify({ ...result, ok }, null, 2));
    } else {
      console.log(`${runS} s of mixed traffic, ${connections} connections: ${result.requestsPerSecond.toFixed(0)} req/s, ${result.total} requests`);
      const pr = result.probeLatencyMs;
      console.log(`probe (one jacobian every 50 ms, end to end): p50 ${pr.p50.toFixed(2)} ms, p99 ${pr.p99.toFixed(2)} ms, max ${pr.max.toFixed(2)} ms (n=${pr.n})`);
      console.log('in the server (access log), by route and status:');
      for (const [route, r] of Object.entries(perRoute)) console.log(`  ${route.padEnd(42)} n ${String(r.n).padStart(6)}  p50 ${r.p50.toFixed(2).padStart(7)} ms  p99 ${r.p99.toFixed(2).padStart(7)} ms`);
      console.log(`statuses ${JSON.stringify(statuses)}; 5xx ${serverErrors}; socket errors ${measured.errors}; timeouts ${measured.timeouts}; error log lines ${errorLines.length}`);
      console.log(`resident memory: ${result.rss.afterWarmUpMiB.toFixed(1)} MiB after warm-up, ${result.rss.afterRunMiB.toFixed(1)} MiB after the run (${(100 * growth).toFixed(1)} %, limit ${100 * MEMORY_GROWTH_LIMIT} %)`);
      console.log(`/healthz after the run ${healthz.status}; exit code on SIGTERM ${exitCode}; ${ok ? 'PASS' : 'FAIL'}`);
      for (const line of errorLines.slice(0, 5)) console.log(`  error line: ${line}`);
    }
    if (!ok) process.exitCode = 1;
  } finally {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
