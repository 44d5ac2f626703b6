/**
 * `npm run bench:stream`: the round trip of control-stream commands (GET /robots/{id}/stream)
 * against HTTP POST ik/velocity one request at a time, in the same run, on 127.0.0.1.
 *
 * The real server (dist/server.js, LOG_LEVEL=info as in production) is started once. Scenarios:
 * one session at 500 Hz and at 1 kHz, 16 sessions at 500 Hz, 64 sessions at 100 Hz; each session
 * sends a UR5e velocity command every period (on a fixed schedule, k * period from its start, the
 * sessions spread over the period) and times the round trip to its result. The sessions run in
 * separate client processes (bench/stream-client.ts; 2 by default, --client-processes=N), each
 * driving its share from one ticker, so that one event loop does not have to keep 64 schedules.
 * Beside each scenario, HTTP ik/velocity with the same bodies, one request at a time on one
 * keep-alive connection (TCP_NODELAY), from this process once the sessions are done. The server and
 * each client process run in a session of their own (setsid), as separate programs would: Linux's
 * sched_autogroup shares the CPU between sessions first, so otherwise the server and every client
 * would split one session's share of a busy machine (on the shared 2-core machine they together
 * got one core, while other engineers' tests took the other).
 *
 * Reported: p50 and p99 of the round trips, the server's computeUs p50, skipped commands (latest
 * wins on the server), the periods the clients missed (`late`: a client that fell behind its own
 * schedule; non-zero means the client, not the server, set the pace), the clients' p99 lag behind
 * their schedule, halts, the server's CPU per command and the cores the server and the clients kept
 * busy (from /proc and process.cpuUsage), the 1-minute load average before and after each scenario and
 * the share of time some task waited for a CPU (/proc/pressure/cpu): others' work on a shared machine shows there.
 *
 * Goals on the 2-core development machine: one session at 500 Hz p99 < 1 ms and p50 <= half of
 * HTTP's p50; 16 sessions at 500 Hz p99 < 3 ms with no skipped commands; 64 sessions at 100 Hz
 * p99 < 5 ms. Flags: --json prints the results as JSON; --quick shortens the runs;
 * --client-processes=N. Environment: STREAM_BENCH_SCENARIOS=16x500,64x100 runs only those;
 * STREAM_BENCH_CPU_PROF=<dir> starts the server with --cpu-prof into that folder;
 * STREAM_BENCH_SERVER=<path/server.js> runs another compiled server (an earlier build, to compare).
 */
import { spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startServer } from '../scripts/server-process.js';
import type { ClientReport } from './stream-client.js';
import { UR5E_Q, twistAt } from './stream-commands.js';
import { benchFlags } from './timing.js';

interface Scenario { name: string; sessions: number; rateHz: number }
interface Side { n: number; p50Us: number; p99Us: number; maxUs: number }
interface Row extends Scenario {
  stream: Side & {
    computeP50Us: number; skipped: number; lost: number; late: number; halts: number; errors: number;
    clientProcesses: number; sendLagP99Us: number;
    /** CPU of the server per command received (results + skipped), µs; cores busy: CPU time over wall time. */
    serverCpuUsPerCommand: number; serverCores: number; clientCores: number;
  };
  http: Side & { late: number };
  loadAverage: { before: number; after: number };
  /** Share of the stream phase's wall time in which some task on the machine waited for a CPU (/proc/pressure/cpu), or null. */
  cpuWaitShare: number | null;
}

const SCENARIOS: Scenario[] = [
  { name: '1 session at 500 Hz', sessions: 1, rateHz: 500 },
  { name: '1 session at 1 kHz', sessions: 1, rateHz: 1000 },
  { name: '16 sessions at 500 Hz', sessions: 16, rateHz: 500 },
  { name: '64 sessions at 100 Hz', sessions: 64, rateHz: 100 },
];

function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function summary(values: number[]): Side {
  const sorted = Float64Array.from(values).sort();
  return { n: sorted.length, p50Us: percentile(sorted, 50), p99Us: percentile(sorted, 99), maxUs: sorted.at(-1) ?? NaN };
}

const sleepUntil = (t: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - performance.now())));

/** The command line of a client process: compiled beside this file, or from sources through tsx. */
function clientCommand(): string[] {
  const self = fileURLToPath(import.meta.url);
  return self.endsWith('.ts') ? ['--import', 'tsx', self.replace(/stream-bench\.ts$/, 'stream-client.ts')]
    : [self.replace(/stream-bench\.js$/, 'stream-client.js')];
}

/** A client process driving sessions with these offsets (ms within the period); started by `go()`. */
function startClient(wsUrl: string, rateHz: number, ticks: number, offsetsMs: number[]) {
  const child = spawn(process.execPath, [...clientCommand(), wsUrl, String(rateHz), String(ticks), ...offsetsMs.map(String)],
    { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
  const lines = createInterface({ input: child.stdout });
  const next = (): Promise<string> => new Promise((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`stream client exited (${code})`)));
  });
  const ready = next();
  return {
    ready,
    go: async (): Promise<ClientReport> => {
      const report = next();
      child.stdin.end('go\n');
      return JSON.parse(await report) as ClientReport;
    },
  };
}

/** CPU time (user + system) of a process so far, µs, from /proc (clock ticks of 10 ms). */
function cpuUsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  // after "pid (comm) ", utime and stime are fields 12 and 13 (0-based), in USER_HZ = 100 ticks per second
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** Total µs that some task waited for a CPU (Linux pressure stall information), or undefined where not kept. */
function cpuWaitUs(): number | undefined {
  try {
    return Number(/^some .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

/** HTTP ik/velocity one request at a time at the same rate: the round trips (µs) and the periods missed. */
async function runHttp(port: number, rateHz: number, ticks: number): Promise<{ roundTrips: number[]; late: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const post = (body: string): Promise<void> => new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path: '/robots/ur5e/ik/velocity', method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
      response.on('data', () => undefined);
      response.on('end', () => resolve());
    });
    request.setNoDelay(true);
    request.on('error', reject);
    request.end(body);
  });
  const roundTrips: number[] = [];
  const periodMs = 1000 / rateHz;
  const start = performance.now();
  let late = 0;
  for (let k = 0; k < ticks; k++) {
    await sleepUntil(start + k * periodMs);
    while (k < ticks - 1 && performance.now() > start + (k + 1) * periodMs) { k++; late++; }
    const body = JSON.stringify({ q: UR5E_Q, twist: twistAt(k), dt: 1 / rateHz });
    const t0 = process.hrtime.bigint();
    await post(body);
    roundTrips.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  agent.destroy();
  return { roundTrips, late };
}

/**
 * The sessions of a scenario over `processes` client processes (session i in process i mod processes):
 * resolves once every session is open and configured, with `go` to run them.
 */
async function openSessions(wsUrl: string, scenario: Scenario, ticks: number, processes: number): Promise<() => Promise<ClientReport[]>> {
  const periodMs = 1000 / scenario.rateHz;
  const count = Math.min(processes, scenario.sessions);
  const offsets = Array.from({ length: count }, (_, p) => Array.from({ length: scenario.sessions }, (_, i) => i)
    .filter((i) => i % count === p).map((i) => (i * periodMs) / scenario.sessions));
  const clients = offsets.map((o) => startClient(wsUrl, scenario.rateHz, ticks, o));
  await Promise.all(clients.map((c) => c.ready));
  return () => Promise.all(clients.map((c) => c.go()));
}

async function runScenario(baseUrl: string, serverPid: number, scenario: Scenario, seconds: number, processes: number): Promise<Row> {
  const ticks = Math.round(seconds * scenario.rateHz);
  const wsUrl = `${baseUrl.replace(/^http/, 'ws')}/robots/ur5e/stream`;
  const port = Number(new URL(baseUrl).port);
  const before = loadavg()[0]!;
  const go = await openSessions(wsUrl, scenario, ticks, processes);
  const serverCpu0 = cpuUsOf(serverPid), wait0 = cpuWaitUs(), t0 = performance.now();
  const reports = await go();
  const serverCpuUs = cpuUsOf(serverPid) - serverCpu0, wallUs = (performance.now() - t0) * 1000;
  const wait1 = cpuWaitUs();
  const cpuWaitShare = wait0 === undefined || wait1 === undefined || Number.isNaN(wait0) ? null : (wait1 - wait0) / wallUs;
  const http = await runHttp(port, scenario.rateHz, ticks);
  const total = (key: 'skipped' | 'lost' | 'late' | 'halts' | 'errors'): number => reports.reduce((n, r) => n + r[key], 0);
  return {
    ...scenario,
    stream: {
      ...summary(reports.flatMap((r) => r.roundTrips)), computeP50Us: summary(reports.flatMap((r) => r.computeUs)).p50Us,
      skipped: total('skipped'), lost: total('lost'), late: total('late'), halts: total('halts'), errors: total('errors'),
      clientProcesses: reports.length, sendLagP99Us: summary(reports.flatMap((r) => r.sendLagUs)).p99Us,
      serverCpuUsPerCommand: serverCpuUs / Math.max(1, reports.reduce((n, r) => n + r.roundTrips.length + r.skipped, 0)),
      serverCores: serverCpuUs / wallUs,
      clientCores: reports.reduce((n, r) => n + r.cpuUs, 0) / Math.max(...reports.map((r) => r.wallUs)),
    },
    http: { ...summary(http.roundTrips), late: http.late },
    loadAverage: { before, after: loadavg()[0]! },
    cpuWaitShare,
  };
}

function selectedScenarios(): Scenario[] {
  const wanted = process.env.STREAM_BENCH_SCENARIOS?.split(',').filter(Boolean);
  return wanted ? SCENARIOS.filter((s) => wanted.includes(`${s.sessions}x${s.rateHz}`)) : SCENARIOS;
}

async function main(): Promise<void> {
  const flags = benchFlags();
  const seconds = flags.quick ? 1 : 5;
  const processesFlag = process.argv.find((a) => a.startsWith('--client-processes='));
  const processes = processesFlag ? Number(processesFlag.split('=')[1]) : 2;
  if (!(Number.isInteger(processes) && processes >= 1)) throw new Error('--client-processes=N takes a whole number >= 1');
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-stream-'));
  const profileDir = process.env.STREAM_BENCH_CPU_PROF;
  const server = await startServer({ DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' }, {
    compiled: !flags.quick, ownSession: true, entry: process.env.STREAM_BENCH_SERVER || undefined,
    nodeArgs: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
  });
  const port = Number(new URL(server.url).port);
  try {
    // warm both paths (JIT, schema compilation) before anything is timed
    await (await openSessions(`${server.url.replace(/^http/, 'ws')}/robots/ur5e/stream`, { name: 'warm-up', sessions: 2, rateHz: 1000 }, 500, 1))();
    await runHttp(port, 1000, 500);
    const results: Row[] = [];
    for (const scenario of selectedScenarios()) results.push(await runScenario(server.url, server.child.pid!, scenario, seconds, processes));
    if (flags.json) {
      console.log(JSON.stringify({ seconds, clientProcesses: processes, results }, null, 2));
      return;
    }
    const us = (v: number): string => `${v.toFixed(0).padStart(6)} µs`;
    console.log(`UR5e ik/velocity commands, ${seconds} s per scenario, round trips on 127.0.0.1 (stream from ${processes} client processes vs HTTP one request at a time)`);
    for (const r of results) {
      const s = r.stream;
      console.log(`${r.name.padEnd(22)} stream p50 ${us(s.p50Us)} p99 ${us(s.p99Us)}   HTTP p50 ${us(r.http.p50Us)} p99 ${us(r.http.p99Us)}   `
        + `(compute p50 ${s.computeP50Us.toFixed(1)} µs, ${s.n} results, skipped ${s.skipped}, lost ${s.lost}, halts ${s.halts}; `
        + `client periods missed ${s.late} (HTTP ${r.http.late}), client lag p99 ${s.sendLagP99Us.toFixed(0)} µs; `
        + `server CPU ${s.serverCpuUsPerCommand.toFixed(0)} µs/command, cores busy: server ${s.serverCores.toFixed(2)}, clients ${s.clientCores.toFixed(2)}; `
        + `load average ${r.loadAverage.before.toFixed(2)} -> ${r.loadAverage.after.toFixed(2)}, `
        + `some task waited for a CPU ${r.cpuWaitShare === null ? 'n/a' : `${(100 * r.cpuWaitShare).toFixed(0)} %`} of the time)`);
    }
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
