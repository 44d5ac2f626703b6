/**
 * `npm run bench:stream`: the round trip of control-stream commands (GET /robots/{id}/stream)
 * against HTTP POST ik/velocity one request at a time, in the same run, on 127.0.0.1.
 *
 * The real server (dist/server.js, LOG_LEVEL=info as in production) is started once. Scenarios:
 * one session at 500 Hz and at 1 kHz, 16 sessions at 500 Hz, 64 sessions at 100 Hz; each session
 * sends a UR5e velocity command every period (on a fixed schedule, k * period from its start) and
 * times the round trip to its result. Beside each, HTTP ik/velocity with the same bodies, one
 * request at a time on one keep-alive connection (TCP_NODELAY). Reported: p50 and p99 of the round
 * trips, the server's computeUs p50, skipped commands and halts.
 *
 * Goals on the 2-core development machine: one session at 500 Hz p99 < 1 ms and p50 <= half of
 * HTTP's p50; 16 sessions at 500 Hz p99 < 3 ms with no skipped commands; 64 sessions at 100 Hz
 * p99 < 5 ms. Flags: --json prints the results as JSON; --quick shortens the runs.
 */
import { Agent, request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer } from '../scripts/server-process.js';
import { benchFlags } from './timing.js';

const UR5E_Q = [0, -1.2, 1.5, -1.9, -1.57, 0];

interface ServerFrame { type: string; seq: number; computeUs: number; skipped?: number[] }
interface Scenario { name: string; sessions: number; rateHz: number }
interface Side { n: number; p50Us: number; p99Us: number; maxUs: number }
interface Row extends Scenario {
  stream: Side & { computeP50Us: number; skipped: number; lost: number; late: number; halts: number; errors: number };
  http: Side;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function summary(values: number[]): Side {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50Us: percentile(sorted, 50), p99Us: percentile(sorted, 99), maxUs: sorted.at(-1)! };
}

/** The command of tick k: a small circle of the tool, so that every answer differs. */
function twistAt(k: number): { linear: number[]; angular: number[] } {
  return { linear: [0.05 * Math.cos(k / 50), 0.05 * Math.sin(k / 50), 0], angular: [0, 0, 0] };
}

const sleepUntil = (t: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - performance.now())));

/** One session sending `ticks` commands at `rateHz`; resolves with its round trips (µs) and counters. */
async function runSession(wsUrl: string, rateHz: number, ticks: number, offsetMs: number) {
  const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  const frames: ((frame: ServerFrame) => void)[] = [];
  const sentAt = new Map<number, number>();
  const roundTrips: number[] = [];
  const computeUs: number[] = [];
  let skipped = 0, halts = 0, errors = 0, late = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => { done = resolve; });
  ws.on('message', (data) => {
    const frame = JSON.parse((data as Buffer).toString('utf8')) as ServerFrame;
    if (frames.length > 0) { frames.shift()!(frame); return; }
    if (frame.type === 'result') {
      roundTrips.push((performance.now() - sentAt.get(frame.seq)!) * 1000);
      computeUs.push(frame.computeUs);
      skipped += frame.skipped?.length ?? 0;
      if (frame.seq === ticks - 1) done();
    } else if (frame.type === 'halt') {
      halts++;
    } else {
      errors++;
    }
  });
  ws.send(JSON.stringify({ type: 'configure', mode: 'velocity', commandTimeoutMs: 1000, dt: 1 / rateHz }));
  await new Promise((resolve) => frames.push(resolve));
  const periodMs = 1000 / rateHz;
  const start = performance.now() + offsetMs;
  for (let k = 0; k < ticks; k++) {
    await sleepUntil(start + k * periodMs);
    // a controller that overran sends its next command at the next period, never two at once
    while (k < ticks - 1 && performance.now() > start + (k + 1) * periodMs) { k++; late++; }
    sentAt.set(k, performance.now());
    ws.send(JSON.stringify({ type: 'command', seq: k, q: UR5E_Q, twist: twistAt(k) }));
  }
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 2000))]);
  ws.close();
  return { roundTrips, computeUs, skipped, lost: ticks - late - roundTrips.length - skipped - errors, late, halts, errors };
}

/** HTTP ik/velocity one request at a time at the same rate: the round trips (µs). */
async function runHttp(port: number, rateHz: number, ticks: number): Promise<number[]> {
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
  for (let k = 0; k < ticks; k++) {
    await sleepUntil(start + k * periodMs);
    const body = JSON.stringify({ q: UR5E_Q, twist: twistAt(k), dt: 1 / rateHz });
    const t0 = performance.now();
    await post(body);
    roundTrips.push((performance.now() - t0) * 1000);
  }
  agent.destroy();
  return roundTrips;
}

async function runScenario(baseUrl: string, port: number, scenario: Scenario, seconds: number): Promise<Row> {
  const ticks = Math.round(seconds * scenario.rateHz);
  const wsUrl = `${baseUrl.replace(/^http/, 'ws')}/robots/ur5e/stream`;
  const periodMs = 1000 / scenario.rateHz;
  // sessions spread over the period, as independent controllers would be
  const sessions = await Promise.all(Array.from({ length: scenario.sessions },
    (_, i) => runSession(wsUrl, scenario.rateHz, ticks, 50 + (i * periodMs) / scenario.sessions)));
  const http = await runHttp(port, scenario.rateHz, ticks);
  const all = sessions.flatMap((s) => s.roundTrips);
  const compute = summary(sessions.flatMap((s) => s.computeUs));
  return {
    ...scenario,
    stream: {
      ...summary(all), computeP50Us: compute.p50Us,
      skipped: sessions.reduce((n, s) => n + s.skipped, 0), lost: sessions.reduce((n, s) => n + s.lost, 0),
      late: sessions.reduce((n, s) => n + s.late, 0), halts: sessions.reduce((n, s) => n + s.halts, 0),
      errors: sessions.reduce((n, s) => n + s.errors, 0),
    },
    http: summary(http),
  };
}

async function main(): Promise<void> {
  const flags = benchFlags();
  const seconds = flags.quick ? 1 : 5;
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-stream-'));
  const server = await startServer({ DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' }, { compiled: !flags.quick });
  const port = Number(new URL(server.url).port);
  try {
    // warm both paths (JIT, schema compilation) before anything is timed
    await runSession(`${server.url.replace(/^http/, 'ws')}/robots/ur5e/stream`, 1000, 500, 0);
    await runHttp(port, 1000, 500);
    const scenarios: Scenario[] = [
      { name: '1 session at 500 Hz', sessions: 1, rateHz: 500 },
      { name: '1 session at 1 kHz', sessions: 1, rateHz: 1000 },
      { name: '16 sessions at 500 Hz', sessions: 16, rateHz: 500 },
      { name: '64 sessions at 100 Hz', sessions: 64, rateHz: 100 },
    ];
    const results: Row[] = [];
    for (const scenario of scenarios) results.push(await runScenario(server.url, port, scenario, seconds));
    if (flags.json) {
      console.log(JSON.stringify({ seconds, results }, null, 2));
      return;
    }
    const us = (v: number): string => `${v.toFixed(0).padStart(6)} µs`;
    console.log(`UR5e ik/velocity commands, ${seconds} s per scenario, round trips on 127.0.0.1 (stream vs HTTP one request at a time)`);
    for (const r of results) {
      console.log(`${r.name.padEnd(24)} stream p50 ${us(r.stream.p50Us)} p99 ${us(r.stream.p99Us)} (compute p50 ${r.stream.computeP50Us.toFixed(1)} µs, `
        + `${r.stream.n} results, skipped ${r.stream.skipped}, client periods missed ${r.stream.late}, halts ${r.stream.halts})   HTTP p50 ${us(r.http.p50Us)} p99 ${us(r.http.p99Us)}`);
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
