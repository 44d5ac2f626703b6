/**
 * `npm run load:heavy` (issue 17): does heavy work delay a controller's light requests? The
 * compiled service in a child process (its own DATA_DIR, LOG_LEVEL warn, URDF_MAX_LINKS 1000) and
 * a measuring client in a process of its own (bench/heavy-load-client.ts probe): ik/velocity on
 * the UR5e every 2 ms and /healthz every 5 ms, each over one keep-alive connection on an absolute
 * timeline, every round trip recorded.
 *   Phase A: the probe alone.
 *   Phase B: the probe while four heavy clients, each a process keeping one request in flight,
 *   run: uploads of a 999-joint chain under fresh ids (each deleted after), its Jacobian with
 *   analysis, its ik/solve with timeoutMs 50, and ik/solve/batch of 300 UR5e targets.
 * Prints per phase the probe's round trips (n, p50, p99, max) and late or missed sends, the heavy
 * requests' counts, statuses and latencies, and for the big robot's ik/solve how far elapsedMs and
 * the round trip went past timeoutMs; beside them the goals (control p99 < 5 ms, healthz max ≤
 * 20 ms, elapsedMs ≤ timeoutMs + 0.5 ms), which are reported, not enforced. Exit code 1 only when
 * the service crashed or answered a 5xx. Flags: --json; --quick (phases of 5 s instead of 10 s);
 * --heavy-nice <n>: run the heavy clients at nice n (they then take the CPU left over, as clients
 * on other machines would take none of this one's; the default, 0, has them compete with the
 * service and the probe). Environment: HEAVY_ONLY=upload,jacobian,... runs only those heavy
 * clients (to attribute a delay); HEAVY_LOAD_LOG_LEVEL=info logs every request and prints the
 * server-side durations of ik/velocity (the time the service spent, against the round trip);
 * SERVER_NODE_ARGS passes node options to the service (for example --cpu-prof);
 * HEAVY_LOAD_SERVER=<server.js> runs another compiled build (an earlier commit's, for a baseline).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startServer } from '../scripts/server-process.js';
import {
  BIG_DOF, BIG_IK_TIMEOUT_MS, HEAVY_KINDS, LATE_MS, bigChainUrdf, bigQ,
  type HeavyReport, type HeavySample, type PeriodicReport, type ProbeReport,
} from './heavy-load-client.js';
import { ROOT } from './paths.js';
import { benchFlags } from './timing.js';

const CLIENT = join(ROOT, 'build', 'bench', 'heavy-load-client.js');
const GOALS = { controlP99Ms: 5, healthzMaxMs: 20, elapsedOverTimeoutMs: 0.5 };
/** How long the heavy clients may take to answer their first request, and a stopped one to finish its last. */
const CLIENT_GRACE_MS = 120_000;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

const max = (values: readonly number[]): number => values.reduce((m, v) => Math.max(m, v), -Infinity);

interface Client<T> {
  /** Resolves once the client printed `running` (heavy clients). */
  running: Promise<void>;
  /** Resolves with the client's JSON report when it exits. */
  report: Promise<T>;
  stop(): void;
  kill(): void;
}

function startClient<T>(args: string[], env: Record<string, string> = {}): Client<T> {
  const child = spawn(process.execPath, [CLIENT, ...args], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const lines = createInterface({ input: child.stdout });
  let onRunning: () => void = () => undefined;
  const running = new Promise<void>((resolve) => { onRunning = resolve; });
  let last = '';
  lines.on('line', (line) => { if (line === 'running') onRunning(); else last = line; });
  const report = new Promise<T>((resolve, reject) => child.on('exit', (code) => {
    if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as T);
    else reject(new Error(`heavy-load-client ${args.join(' ').slice(0, 80)} exited ${code} without a report`));
  }));
  return {
    running, report,
    stop: () => { child.stdin.end('stop\n'); },
    kill: () => { if (child.exitCode === null) child.kill('SIGKILL'); },
  };
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms); });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

async function runProbe(url: string, seconds: number): Promise<ProbeReport> {
  const probe = startClient<ProbeReport>(['probe', url, String(seconds)]);
  try {
    return await withDeadline(probe.report, seconds * 1000 + CLIENT_GRACE_MS, 'probe');
  } finally {
    probe.kill();
  }
}

interface LatencySummary { n: number; p50: number; p99: number; max: number }

function summary(values: readonly number[]): LatencySummary {
  return { n: values.length, p50: percentile(values, 50), p99: percentile(values, 99), max: values.length ? max(values) : NaN };
}

function periodicSummary(report: PeriodicReport) {
  return {
    latencyMs: summary(report.latencyMs),
    sent: report.sent, late: report.lateTimer + report.lateWaiting, lateTimer: report.lateTimer, lateWaiting: report.lateWaiting,
    missed: report.missed, sendLagP99Ms: percentile(report.sendLagMs, 99), statuses: report.statuses, socketErrors: report.socketErrors,
  };
}

function probeSummary(report: ProbeReport, loadAverage: number) {
  return {
    loadAverage, control: periodicSummary(report.control), healthz: periodicSummary(report.healthz),
    probeCpuShare: report.cpuMs / report.wallMs,
  };
}

/** The heavy requests sent while the probe measured (from its timeline's start to its last answer). */
function heavySummary(reports: HeavyReport[], probe: ProbeReport) {
  const inWindow = reports.flatMap((r) => r.samples).filter((s) => s.startEpochMs >= probe.startEpochMs && s.startEpochMs < probe.endEpochMs);
  const byLabel = new Map<string, HeavySample[]>();
  for (const sample of inWindow) byLabel.set(sample.label, [...(byLabel.get(sample.label) ?? []), sample]);
  const requests = Object.fromEntries([...byLabel].sort().map(([label, samples]) => {
    const statuses: Record<string, number> = {};
    for (const s of samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
    const latencies = samples.map((s) => s.ms);
    return [label, { n: samples.length, statuses, p50Ms: percentile(latencies, 50), maxMs: max(latencies) }];
  }));
  const solved = inWindow.filter((s) => s.elapsedMs !== undefined);
  const elapsed = solved.map((s) => s.elapsedMs!);
  const roundTrips = solved.map((s) => s.ms);
  return {
    seconds: (probe.endEpochMs - probe.startEpochMs) / 1000,
    requests,
    ikSolveBig: {
      timeoutMs: BIG_IK_TIMEOUT_MS, n: solved.length,
      elapsedP50Ms: percentile(elapsed, 50),
      maxElapsedOverTimeoutMs: solved.length ? max(elapsed) - BIG_IK_TIMEOUT_MS : NaN,
      roundTripP50OverTimeoutMs: percentile(roundTrips, 50) - BIG_IK_TIMEOUT_MS,
      maxRoundTripOverTimeoutMs: solved.length ? max(roundTrips) - BIG_IK_TIMEOUT_MS : NaN,
    },
  };
}

function serverErrorCount(statuses: Record<string, number>[]): number {
  return statuses.flatMap((s) => Object.entries(s)).filter(([code]) => Number(code) >= 500).reduce((n, [, c]) => n + c, 0);
}

async function post(url: string, body: string, contentType = 'application/json'): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, json: await response.json() };
}

const ms = (v: number): string => `${v.toFixed(2).padStart(7)} ms`;
const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');

function printPhase(name: string, phase: ReturnType<typeof probeSummary>): void {
  console.log(`${name}   (load average before: ${phase.loadAverage.toFixed(2)}; the probe process used ${(100 * phase.probeCpuShare).toFixed(0)} % of a core)`);
  console.log(`  ${''.padEnd(28)}${'n'.padStart(6)}  ${'p50'.padStart(10)}  ${'p99'.padStart(10)}  ${'max'.padStart(10)}   goal`);
  const row = (label: string, p: ReturnType<typeof periodicSummary>, goal: string): void => {
    const l = p.latencyMs;
    console.log(`  ${label.padEnd(28)}${String(l.n).padStart(6)}  ${ms(l.p50)}  ${ms(l.p99)}  ${ms(l.max)}   ${goal}`);
    console.log(`  ${''.padEnd(28)}sent ${p.sent}, late (> ${LATE_MS} ms after due) ${p.late}: timer ${p.lateTimer}, waiting for the previous answer ${p.lateWaiting}; `
      + `missed periods ${p.missed}; send lag p99 ${p.sendLagP99Ms.toFixed(2)} ms; statuses ${JSON.stringify(p.statuses)}; socket errors ${p.socketErrors}`);
  };
  row('POST ur5e/ik/velocity /2 ms', phase.control, `p99 < ${GOALS.controlP99Ms} ms: ${verdict(phase.control.latencyMs.p99 < GOALS.controlP99Ms)}`);
  row('GET /healthz /5 ms', phase.healthz, `max ≤ ${GOALS.healthzMaxMs} ms: ${verdict(phase.healthz.latencyMs.max <= GOALS.healthzMaxMs)}`);
}

async function main(): Promise<void> {
  const flags = benchFlags();
  const seconds = flags.quick ? 5 : 10;
  const niceAt = process.argv.indexOf('--heavy-nice');
  const heavyNice = niceAt >= 0 ? Number(process.argv[niceAt + 1]) : 0;
  const dataDir = mkdtempSync(join(tmpdir(), 'kinematics-heavy-load-'));
  const server = await startServer({ DATA_DIR: dataDir, LOG_LEVEL: process.env.HEAVY_LOAD_LOG_LEVEL ?? 'warn', URDF_MAX_LINKS: '1000' }, {
    compiled: true, nodeArgs: process.env.SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [],
    ...(process.env.HEAVY_LOAD_SERVER ? { entry: process.env.HEAVY_LOAD_SERVER } : {}),
  });
  const heavyClients: Client<HeavyReport>[] = [];
  try {
    // the big robot of the jacobian and ik-solve clients, and a target it reaches (its tip at a gently bent configuration)
    const t0 = performance.now();
    const upload = await post(`${server.url}/robots?id=big`, bigChainUrdf('big'), 'application/xml');
    const bigUploadMs = performance.now() - t0;
    if (upload.status !== 201) throw new Error(`upload of the ${BIG_DOF}-joint robot: ${upload.status} ${JSON.stringify(upload.json)}`);
    const fk = await post(`${server.url}/robots/big/fk`, JSON.stringify({ q: bigQ(0.02), links: [`l${BIG_DOF}`] }));
    const tip = (fk.json as { poses: Record<string, { position: number[]; quaternion: number[] }> }).poses[`l${BIG_DOF}`]!;
    const target = JSON.stringify({ position: tip.position, quaternion: tip.quaternion });

    const loadA = loadavg()[0]!;
    const probeA = await runProbe(server.url, seconds);

    for (const kind of HEAVY_KINDS.filter((k) => !process.env.HEAVY_ONLY || process.env.HEAVY_ONLY.split(',').includes(k))) heavyClients.push(startClient<HeavyReport>(['heavy', kind, server.url, ...(kind === 'ik-solve' ? [target] : [])], { HEAVY_LOAD_NICE: String(heavyNice) }));
    await withDeadline(Promise.all(heavyClients.map((c) => c.running)), CLIENT_GRACE_MS, 'heavy clients');
    const loadB = loadavg()[0]!;
    const probeB = await runProbe(server.url, seconds);
    for (const client of heavyClients) client.stop();
    const heavyReports = await withDeadline(Promise.all(heavyClients.map((c) => c.report)), CLIENT_GRACE_MS, 'heavy clients stopping');

    // ended before it was asked to: by an exit code, or by a signal (exitCode is then null)
    const crashed = server.child.exitCode !== null || server.child.signalCode !== null;
    const healthzAfter = crashed ? 0 : await fetch(`${server.url}/healthz`).then((r) => r.status, () => 0);
    if (!crashed) server.child.kill('SIGTERM');
    const exitCode = await server.exited;
    if (process.env.HEAVY_LOAD_LOG_LEVEL) {
      const durations = server.lines.flatMap((l) => { try { const e = JSON.parse(l) as { msg?: string; route?: string; durationMs?: number }; return e.msg === 'request' && e.route?.endsWith('ik/velocity') ? [e.durationMs!] : []; } catch { return []; } }).sort((a, b) => a - b);
      console.log('server-side ik/velocity durations: n', durations.length, 'p50', durations[Math.floor(durations.length / 2)], 'p99', durations[Math.floor(durations.length * 0.99)], 'max', durations[durations.length - 1]);
    }
    const errorLogLines = server.lines.filter((l) => { try { return (JSON.parse(l) as { level: number }).level >= 50; } catch { return true; } });

    const phaseA = probeSummary(probeA, loadA);
    const phaseB = { ...probeSummary(probeB, loadB), heavy: heavySummary(heavyReports, probeB) };
    // every heavy answer counts here, also those before and after the probe's window
    const heavySamples = heavyReports.flatMap((r) => r.samples);
    const serverErrors = serverErrorCount([probeA, probeB].flatMap((p) => [p.control.statuses, p.healthz.statuses]))
      + heavySamples.filter((s) => s.status >= 500).length;
    const heavySocketErrors = heavySamples.filter((s) => s.status === 0).length;
    const goals = {
      controlP99: { goalMs: GOALS.controlP99Ms, phaseA: phaseA.control.latencyMs.p99 < GOALS.controlP99Ms, phaseB: phaseB.control.latencyMs.p99 < GOALS.controlP99Ms },
      healthzMax: { goalMs: GOALS.healthzMaxMs, phaseA: phaseA.healthz.latencyMs.max <= GOALS.healthzMaxMs, phaseB: phaseB.healthz.latencyMs.max <= GOALS.healthzMaxMs },
      elapsedWithinTimeout: { goalMs: GOALS.elapsedOverTimeoutMs, phaseB: phaseB.heavy.ikSolveBig.maxElapsedOverTimeoutMs <= GOALS.elapsedOverTimeoutMs },
    };
    const ok = !crashed && serverErrors === 0;
    const result = {
      seconds, big: { dof: BIG_DOF, uploadMs: bigUploadMs }, phaseA, phaseB, goals,
      serverErrors, heavySocketErrors, crashed, healthzAfter, exitCode, errorLogLines: errorLogLines.length, ok,
    };
    if (flags.json) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      console.log(`heavy load: phases of ${seconds} s; the ${BIG_DOF}-joint robot uploaded in ${bigUploadMs.toFixed(0)} ms before phase A`);
      printPhase('phase A: control and healthz only', phaseA);
      printPhase(`phase B: the same beside four heavy clients${heavyNice !== 0 ? ` (at nice ${heavyNice})` : ''}`, phaseB);
      console.log(`  heavy requests sent during the probe's ${phaseB.heavy.seconds.toFixed(1)} s (one in flight per client):`);
      for (const [label, r] of Object.entries(phaseB.heavy.requests)) {
        console.log(`    ${label.padEnd(34)} n ${String(r.n).padStart(5)}  p50 ${ms(r.p50Ms)}  max ${ms(r.maxMs)}  statuses ${JSON.stringify(r.statuses)}`);
      }
      const s = phaseB.heavy.ikSolveBig;
      console.log(`  ik/solve on big (timeoutMs ${s.timeoutMs}, n ${s.n}): elapsedMs p50 ${s.elapsedP50Ms.toFixed(2)}, max elapsedMs - timeoutMs ${s.maxElapsedOverTimeoutMs.toFixed(2)} ms `
        + `(goal ≤ ${GOALS.elapsedOverTimeoutMs}: ${verdict(goals.elapsedWithinTimeout.phaseB)}); round trip - timeoutMs p50 ${s.roundTripP50OverTimeoutMs.toFixed(2)} ms, max ${s.maxRoundTripOverTimeoutMs.toFixed(2)} ms`);
      console.log(`5xx ${serverErrors}; heavy socket errors ${heavySocketErrors}; log lines at error level or not JSON ${errorLogLines.length}; crashed ${crashed}; `
        + `/healthz after ${healthzAfter}; server exit ${exitCode} (SIGTERM sent unless crashed); ${ok ? 'OK (the goals are reported, not enforced)' : 'FAIL'}`);
      for (const line of errorLogLines.slice(0, 5)) console.log(`  error line: ${line.slice(0, 300)}`);
    }
    if (!ok) process.exitCode = 1;
  } finally {
    for (const client of heavyClients) client.kill();
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
