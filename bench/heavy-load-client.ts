/**
 * The client processes of `npm run load:heavy` (see bench/heavy-load.ts), each its own process so
 * that the measuring client shares no event loop with the heavy ones.
 *
 * Usage:
 *   heavy-load-client probe <base-url> <seconds>
 *     The measuring client: POST /robots/ur5e/ik/velocity every 2 ms and GET /healthz every 5 ms,
 *     each over its own keep-alive connection, both on an absolute timeline (send k is due at
 *     start + k * period). Each keeps one request in flight: a send due while the previous answer
 *     is still out waits for it; when the answer comes after one or more further periods have
 *     begun, those periods are missed and only the newest send goes (as an overrun controller
 *     does). Prints one JSON line (ProbeReport) at the end.
 *   heavy-load-client heavy <kind> <base-url> [<json>]
 *     One heavy client (kind: upload, jacobian, ik-solve, batch) keeping one request in flight
 *     until a line arrives on stdin (or stdin closes). Prints `running` once its first answer is
 *     in, then one JSON line (HeavyReport) when stopped. ik-solve takes its target as <json>.
 */
import { Agent, request as httpRequest } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chainUrdf } from '../scripts/chain-urdf.js';
import { setPriority } from 'node:os';

export const UR5E_Q = [0, -1.2, 1.5, -1.9, -1.57, 0];
/** A pose of the UR5e's tool0 reachable from UR5E_Q (the tool pointing down). */
const UR5E_TARGET = { position: [0.45, 0.15, 0.35], quaternion: [0.7071068, 0.7071068, 0, 0] };
/** Joints of the big robot: a revolute chain of BIG_DOF joints and BIG_DOF + 1 links (URDF_MAX_LINKS is 1000 by default). */
export const BIG_DOF = 999;
/** The time budget of the big robot's ik/solve, ms. */
export const BIG_IK_TIMEOUT_MS = 50;
const BATCH_TARGETS = 300;
const CONTROL_PERIOD_MS = 2;
const HEALTHZ_PERIOD_MS = 5;
/** Unrecorded requests of each probe before its timeline starts (V8 optimises the client and the route). */
const WARM_UP_REQUESTS = 200;
/** A send due this soon is sent at once: Node's timers count whole milliseconds. */
const EARLY_MS = 0.5;
/** A send going out more than this after it was due counts as late. */
export const LATE_MS = 1;
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * The big robot: links l0..l999, joint j_i from l_{i-1} to l_i, 1 cm apart along z, axes cycling
 * x, y, z (so that the chain is not planar and its Jacobian has full rank 6).
 */
export function bigChainUrdf(name: string, dof = BIG_DOF): string {
  return chainUrdf(dof, { name, xyz: '0 0 0.01', rpy: '0 0 0' });
}

/** A configuration of the big robot: small angles, so that the chain bends gently. */
export function bigQ(scale: number): number[] {
  return Array.from({ length: BIG_DOF }, (_, i) => scale * Math.sin(0.37 * i + 0.5));
}

export interface PeriodicReport {
  /** Round trips of the answered requests, ms. */
  latencyMs: number[];
  /** How long after its due time each send went out, ms. */
  sendLagMs: number[];
  sent: number;
  /** Sends more than LATE_MS after their due time: the client's timer woke late ... */
  lateTimer: number;
  /** ... or the previous answer was still out when the send was due. */
  lateWaiting: number;
  /** Periods skipped entirely because the next one had begun by the time a send could go. */
  missed: number;
  statuses: Record<string, number>;
  socketErrors: number;
}

export interface ProbeReport {
  control: PeriodicReport;
  healthz: PeriodicReport;
  /** The timeline's start and the last answer, epoch ms (the heavy requests of phase B are counted within these). */
  startEpochMs: number;
  endEpochMs: number;
  /** CPU time of the probe process while it measured (user + system) and the wall time, ms. */
  cpuMs: number;
  wallMs: number;
}

export interface HeavySample {
  /** "METHOD path", ids of the uploads as big-N. */
  label: string;
  /** 0: a socket error or a timeout. */
  status: number;
  /** When the request was sent, epoch ms. */
  startEpochMs: number;
  /** Its round trip, ms. */
  ms: number;
  /** ik-solve: the elapsedMs a 200 answer reported. */
  elapsedMs?: number;
}

export interface HeavyReport {
  kind: HeavyKind;
  samples: HeavySample[];
}

export interface Answer { status: number; body: string; ms: number }

/** Wall-clock time, ms, comparable across the processes of the bench. */
const epochMs = (): number => performance.timeOrigin + performance.now();

/** One request over `agent`; status 0 for a socket error or a timeout (the request is then not retried). */
export function send(agent: Agent, url: URL, method: string, path: string, body?: string, contentType = 'application/json'): Promise<Answer> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const headers: Record<string, string | number> = body === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(body) };
    const request = httpRequest({ host: url.hostname, port: url.port, path, method, agent, headers, timeout: REQUEST_TIMEOUT_MS }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
      response.on('error', () => resolve({ status: 0, body: '', ms: performance.now() - t0 }));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve({ status: 0, body: '', ms: performance.now() - t0 }));
    request.end(body);
  });
}

function count(statuses: Record<string, number>, status: number): void {
  statuses[status] = (statuses[status] ?? 0) + 1;
}

/** One request every `periodMs` from `startMs` for `sends` periods, one in flight at a time (see the usage above). */
function periodic(sends: number, periodMs: number, startMs: number, request: () => Promise<Answer>): Promise<PeriodicReport> {
  const report: PeriodicReport = { latencyMs: [], sendLagMs: [], sent: 0, lateTimer: 0, lateWaiting: 0, missed: 0, statuses: {}, socketErrors: 0 };
  return new Promise((resolve) => {
    let k = 0;
    // fromAnswer: the previous answer just came; a send already due then waited for it
    const tick = (fromAnswer: boolean): void => {
      if (k >= sends) { resolve(report); return; }
      let now = performance.now();
      let dueMs = startMs + k * periodMs;
      if (dueMs > now + EARLY_MS) {
        // whole milliseconds, rounded down: a fraction makes Node wait for the next whole one past it
        setTimeout(() => tick(false), Math.floor(dueMs - now));
        return;
      }
      // an overrun: later periods have begun too; they are missed and the newest one's send goes
      const newest = Math.min(sends - 1, Math.floor((now - startMs) / periodMs));
      if (newest > k) { report.missed += newest - k; k = newest; dueMs = startMs + k * periodMs; }
      now = performance.now();
      const lag = Math.max(0, now - dueMs);
      report.sendLagMs.push(lag);
      if (lag > LATE_MS) {
        if (fromAnswer) report.lateWaiting++; else report.lateTimer++;
      }
      report.sent++;
      k++;
      void request().then((answer) => {
        if (answer.status === 0) {
          report.socketErrors++;
        } else {
          count(report.statuses, answer.status);
          report.latencyMs.push(answer.ms);
        }
        tick(true);
      });
    };
    setTimeout(() => tick(false), Math.max(0, Math.floor(startMs - performance.now())));
  });
}

async function probe(url: URL, seconds: number): Promise<ProbeReport> {
  const controlAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const healthzAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const body = JSON.stringify({ q: UR5E_Q, twist: { linear: [0.05, 0, 0.02], angular: [0, 0, 0.1] }, dt: CONTROL_PERIOD_MS / 1000 });
  const control = (): Promise<Answer> => send(controlAgent, url, 'POST', '/robots/ur5e/ik/velocity', body);
  const healthz = (): Promise<Answer> => send(healthzAgent, url, 'GET', '/healthz');
  for (let i = 0; i < WARM_UP_REQUESTS; i++) await Promise.all([control(), healthz()]);
  const startMs = performance.now() + 20;
  const cpu0 = process.cpuUsage();
  const [controlReport, healthzReport] = await Promise.all([
    periodic(Math.round((seconds * 1000) / CONTROL_PERIOD_MS), CONTROL_PERIOD_MS, startMs, control),
    periodic(Math.round((seconds * 1000) / HEALTHZ_PERIOD_MS), HEALTHZ_PERIOD_MS, startMs, healthz),
  ]);
  const cpu = process.cpuUsage(cpu0);
  controlAgent.destroy();
  healthzAgent.destroy();
  return {
    control: controlReport, healthz: healthzReport, startEpochMs: performance.timeOrigin + startMs, endEpochMs: epochMs(),
    cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - startMs,
  };
}

export const HEAVY_KINDS = ['upload', 'jacobian', 'ik-solve', 'batch'] as const;
export type HeavyKind = typeof HEAVY_KINDS[number];

interface HeavyRequest { method: string; path: string; body?: string; contentType?: string }

/** The requests one round of a heavy client sends, one after the other. */
function heavyRounds(kind: HeavyKind, argument: string | undefined): (round: number) => HeavyRequest[] {
  switch (kind) {
    case 'upload': {
      // fresh ids (the registry would answer 200 to a repeated upload without doing the work), each deleted after
      const urdf = bigChainUrdf('big_upload');
      return (round) => [
        { method: 'POST', path: `/robots?id=big-${round}`, body: urdf, contentType: 'application/xml' },
        { method: 'DELETE', path: `/robots/big-${round}` },
      ];
    }
    case 'jacobian': {
      const body = JSON.stringify({ q: bigQ(0.01), analysis: true });
      return () => [{ method: 'POST', path: '/robots/big/jacobian', body }];
    }
    case 'ik-solve': {
      const body = JSON.stringify({ target: JSON.parse(argument!) as unknown, seed: bigQ(0), timeoutMs: BIG_IK_TIMEOUT_MS });
      return () => [{ method: 'POST', path: '/robots/big/ik/solve', body }];
    }
    case 'batch': {
      // targets within a few centimetres of a reachable pose of tool0
      const targets = Array.from({ length: BATCH_TARGETS }, (_, i) => ({
        position: UR5E_TARGET.position.map((p, axis) => p + 0.05 * Math.sin(1.3 * i + 2.1 * axis)),
        quaternion: UR5E_TARGET.quaternion,
      }));
      const body = JSON.stringify({ targets, seed: UR5E_Q });
      return () => [{ method: 'POST', path: '/robots/ur5e/ik/solve/batch', body }];
    }
  }
}

async function heavy(kind: HeavyKind, url: URL, argument: string | undefined): Promise<HeavyReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const rounds = heavyRounds(kind, argument);
  const report: HeavyReport = { kind, samples: [] };
  let stopped = false;
  const lines = createInterface({ input: process.stdin });
  lines.once('line', () => { stopped = true; });
  lines.once('close', () => { stopped = true; });
  for (let round = 0; !stopped; round++) {
    for (const r of rounds(round)) {
      const startEpochMs = epochMs();
      const answer = await send(agent, url, r.method, r.path, r.body, r.contentType);
      const sample: HeavySample = { label: `${r.method} ${r.path.replace(/big-\d+/, 'big-N').replace(/\?.*/, '')}`, status: answer.status, startEpochMs, ms: answer.ms };
      if (kind === 'ik-solve' && answer.status === 200) sample.elapsedMs = (JSON.parse(answer.body) as { elapsedMs: number }).elapsedMs;
      report.samples.push(sample);
      // a service that is gone refuses at once: do not spin
      if (answer.status === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (round === 0) console.log('running');
  }
  lines.close();
  agent.destroy();
  return report;
}

async function main(): Promise<void> {
  const [role, ...args] = process.argv.slice(2);
  if (role === 'probe') {
    const report = await probe(new URL(args[0]!), Number(args[1]));
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else if (role === 'heavy' && (HEAVY_KINDS as readonly string[]).includes(args[0]!)) {
    // --heavy-nice (heavy-load.ts): the heavy clients stand for other machines' load
    if (process.env.HEAVY_LOAD_NICE) setPriority(Number(process.env.HEAVY_LOAD_NICE));
    const report = await heavy(args[0] as HeavyKind, new URL(args[1]!), args[2]);
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    console.error('usage: heavy-load-client probe <base-url> <seconds> | heavy <upload|jacobian|ik-solve|batch> <base-url> [<json>]');
    process.exitCode = 2;
  }
}

// run only as a process of its own: bench/heavy-load.ts imports the robot and the constants from here
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
