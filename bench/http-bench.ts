/**
 * `npm run bench:http`: the HTTP cost of the service against a bare Fastify route, measured in
 * the same run on 127.0.0.1.
 *
 * 1. The real server (dist/server.js, built first, with LOG_LEVEL=info: one JSON log line per
 *    request, as in production) and a bare Fastify route (bench/bare-echo-server.ts) are each
 *    loaded by autocannon, run as a separate process, with the same connections and duration,
 *    and the same request: POST { q, tip } for the Panda. The bare route parses it and answers
 *    the service's own response object, serialised per request (the same size, the same numbers
 *    to format): the same HTTP work minus the kinematics. The pair is run `rounds` times,
 *    alternating, with 16 connections and with one (the round trip a control loop sees), and the
 *    median of each side is reported with the ratio.
 * 2. POST /robots/franka_panda/jacobian/batch with 1,000 configurations, one request at a time,
 *    answered in JSON and in binary float64: p50 and p99 of the round trip seen by a lean client
 *    and of the time inside the server (the access log's durationMs).
 * 3. POST /robots/ur5e/ik/step latency while a 10,000-target ik/solve/batch keeps the workers busy.
 * 4. POST /robots/franka_panda/ik/solve for 300 random reachable targets against the same solves
 *    in-process, and the route's fixed overhead (a solve whose seed is already the answer).
 *
 * Flags: --json prints the results as JSON; --quick shortens the runs.
 */
import { execFile, spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer } from '../scripts/server-process.js';
import { readFileSync } from 'node:fs';
import { createIkWorkspace } from '../src/core/ik/ik-workspace.js';
import { SeededRandom, randomConfiguration } from '../src/core/ik/random.js';
import { solveIk } from '../src/core/ik/solve.js';
import { computeEndEffectorPose, resolveEndEffector } from '../src/core/jacobian.js';
import { poseFromTransform, transformFromPose } from '../src/core/pose.js';
import { loadRobot } from '../src/urdf/load-urdf.js';
import { ROBOTS_DIR, ROOT } from './paths.js';
import { benchFlags } from './timing.js';

const run = promisify(execFile);
const AUTOCANNON = join(ROOT, 'node_modules', 'autocannon', 'autocannon.js');

interface Load { requestsPerSecond: number; p50Ms: number; p99Ms: number; errors: number; non2xx: number }

async function autocannon(url: string, body: string, connections: number, seconds: number): Promise<Load> {
  const { stdout } = await run(process.execPath, [AUTOCANNON, '--json', '-c', String(connections), '-d', String(seconds),
    '-m', 'POST', '-H', 'content-type=application/json', '-b', body, url], { maxBuffer: 64 * 1024 * 1024 });
  const r = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number };
  return { requestsPerSecond: r.requests.average, p50Ms: r.latency.p50, p99Ms: r.latency.p99, errors: r.errors, non2xx: r.non2xx };
}

async function startBare(answerFile: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [join(ROOT, 'build', 'bench', 'bare-echo-server.js'), answerFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url, stop: () => child.kill('SIGTERM') };
}

/** The median of each measure over rounds, and all the errors. */
function medianLoad(rounds: Load[]): { requestsPerSecond: number; p50Ms: number; p99Ms: number; errors: number } {
  return {
    requestsPerSecond: median(rounds.map((s) => s.requestsPerSecond)), p50Ms: median(rounds.map((s) => s.p50Ms)),
    p99Ms: median(rounds.map((s) => s.p99Ms)), errors: rounds.reduce((n, s) => n + s.errors + s.non2xx, 0),
  };
}

/**
 * HTTP ik/solve against the same solves in-process (same targets, seeds and randomSeed), and the
 * route's fixed overhead: the HTTP time of a solve whose seed is already the answer.
 */
async function compareSolves(url: string, port: number, n: number): Promise<{ n: number; httpMeanUs: number; inProcessMeanUs: number; overheadMeanUs: number }> {
  const robot = loadRobot(readFileSync(join(ROBOTS_DIR, 'franka_panda.urdf'), 'utf8'));
  const { model } = robot;
  const ee = resolveEndEffector(robot, { tip: 'panda_hand_tcp' });
  const ik = createIkWorkspace(model);
  const random = new SeededRandom(99);
  const sample = (): Float64Array => randomConfiguration(model, random, new Float64Array(model.dof));
  const X_BT = new Float64Array(12);
  const cases = Array.from({ length: n }, () => {
    const goal = sample();
    const pose = poseFromTransform(computeEndEffectorPose(robot, goal, ee, new Float64Array(12)));
    return { goal, seed: sample(), target: { position: pose.position, quaternion: pose.quaternion } };
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const timeHttp = async (body: object): Promise<number> => {
    const t0 = performance.now();
    await post(agent, port, '/robots/franka_panda/ik/solve', JSON.stringify(body), 'application/json');
    return (performance.now() - t0) * 1000;
  };
  // warm up both sides
  for (const c of cases.slice(0, 30)) {
    await timeHttp({ target: c.target, seed: Array.from(c.seed), tip: 'panda_hand_tcp', randomSeed: 1 });
    solveIk(robot, ik, ee, transformFromPose(c.target, X_BT), { seed: c.seed, randomSeed: 1 });
  }
  let http = 0, inProcess = 0, overhead = 0;
  for (const c of cases) {
    http += await timeHttp({ target: c.target, seed: Array.from(c.seed), tip: 'panda_hand_tcp', randomSeed: 1 });
    overhead += await timeHttp({ target: c.target, seed: Array.from(c.goal), tip: 'panda_hand_tcp', randomSeed: 1 });
    transformFromPose(c.target, X_BT);
    const t0 = performance.now();
    solveIk(robot, ik, ee, X_BT, { seed: c.seed, randomSeed: 1 });
    inProcess += (performance.now() - t0) * 1000;
  }
  agent.destroy();
  void url;
  return { n, httpMeanUs: http / n, inProcessMeanUs: inProcess / n, overheadMeanUs: overhead / n };
}

/** POSTs JSON with node:http and reads the whole answer as bytes. */
function post(agent: Agent, port: number, path: string, body: string, accept: string): Promise<{ status: number; requestId: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', agent,
      headers: { 'content-type': 'application/json', accept, 'content-length': Buffer.byteLength(body) } }, (response) => {
      response.on('data', () => undefined);
      response.on('end', () => resolve({ status: response.statusCode ?? 0, requestId: String(response.headers['x-request-id']) }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const flags = benchFlags();
  const seconds = flags.quick ? 3 : 10;
  const rounds = flags.quick ? 1 : 3;
  const connections = 16;
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-http-'));
  const logLevel = process.env.LOG_LEVEL ?? 'info';
  const server = await startServer({ DATA_DIR: dataDir, LOG_LEVEL: logLevel }, { compiled: true });
  let echo: { url: string; stop: () => void } | undefined;
  try {
    const q = [0.1, -0.4, 0.2, -2.1, 0.1, 1.8, 0.7];
    const q8 = [...q, 0.02];
    const body = JSON.stringify({ q: q8, tip: 'panda_hand_tcp' });
    const jacobianUrl = `${server.url}/robots/franka_panda/jacobian`;
    const response = await fetch(jacobianUrl, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    const responseText = await response.text();
    if (response.status !== 200) throw new Error(`jacobian answered ${response.status}: ${responseText}`);
    // the bare route answers the jacobian response itself, serialised per request: the same size
    // and the same numbers to format, for the same request body
    const answerFile = join(dataDir, 'jacobian-answer.json');
    writeFileSync(answerFile, responseText);
    echo = await startBare(answerFile);
    const echoBody = body;
    const bareUrl = `${echo.url}/jacobian`;

    const service: Load[] = [];
    const bare: Load[] = [];
    // warm both up, then alternate
    await autocannon(jacobianUrl, body, connections, 2);
    await autocannon(bareUrl, echoBody, connections, 2);
    const bareSingle: Load[] = [], serviceSingle: Load[] = [];
    for (let round = 0; round < rounds; round++) {
      bare.push(await autocannon(bareUrl, echoBody, connections, seconds));
      service.push(await autocannon(jacobianUrl, body, connections, seconds));
      // one connection: the round trip a control loop sees
      bareSingle.push(await autocannon(bareUrl, echoBody, 1, seconds));
      serviceSingle.push(await autocannon(jacobianUrl, body, 1, seconds));
    }

    // batch latency, one request at a time, with a lean client (node:http, keep-alive, bytes only),
    // for the JSON answer and for the binary one (Accept: application/octet-stream)
    const qs = Array.from({ length: 1000 }, (_, i) => q8.map((x, k) => x + 1e-3 * Math.sin(i + k)));
    const batchBody = JSON.stringify({ qs, tip: 'panda_hand_tcp' });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const { port } = new URL(server.url);
    const batchLatency = async (accept: string): Promise<{ roundTrip: number[]; ids: string[] }> => {
      const roundTrip: number[] = [];
      const ids: string[] = [];
      for (let i = 0; i < (flags.quick ? 30 : 100) + 10; i++) {
        const t0 = performance.now();
        const { status, requestId } = await post(agent, Number(port), '/robots/franka_panda/jacobian/batch', batchBody, accept);
        if (status !== 200) throw new Error(`batch answered ${status}`);
        if (i >= 10) { roundTrip.push(performance.now() - t0); ids.push(requestId); } // the first 10 warm up
      }
      return { roundTrip, ids };
    };
    const jsonBatch = await batchLatency('application/json');
    const binaryBatch = await batchLatency('application/octet-stream');
    agent.destroy();
    // the server's own time for the same requests, from its access log (flushed within a second)
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const serverMs = new Map(server.lines.filter((l) => l.includes('"msg":"request"')).map((l) => JSON.parse(l) as { reqId: string; durationMs: number }).map((l) => [l.reqId, l.durationMs]));
    const summary = (b: { roundTrip: number[]; ids: string[] }) => {
      const inServer = b.ids.map((id) => serverMs.get(id)).filter((x): x is number => x !== undefined);
      return {
        n: b.roundTrip.length, p50Ms: percentile(b.roundTrip, 50), p99Ms: percentile(b.roundTrip, 99),
        serverP50Ms: percentile(inServer, 50), serverP99Ms: percentile(inServer, 99),
      };
    };
    // 3. ik/step latency while a 10,000-target batch runs (half the targets out of reach, 1 ms each)
    const reachable = { position: [0.45, 0.15, 0.35], quaternion: [0.7071068, 0.7071068, 0, 0] };
    const targets = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? { position: [3, 0, 0], quaternion: [0, 0, 0, 1] } : reachable));
    const ur5eQ = [0, -1.2, 1.5, -1.9, -1.57, 0];
    let batchRunning = true;
    const heavy = fetch(`${server.url}/robots/ur5e/ik/solve/batch`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ targets, seed: ur5eQ, timeoutMs: 1 }) }).then(async (r) => { await r.arrayBuffer(); batchRunning = false; });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stepAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const stepBody = JSON.stringify({ q: ur5eQ, target: reachable });
    const stepLatencies: number[] = [];
    while (batchRunning && stepLatencies.length < 200) {
      const t0 = performance.now();
      await post(stepAgent, Number(port), '/robots/ur5e/ik/step', stepBody, 'application/json');
      if (batchRunning) stepLatencies.push(performance.now() - t0);
    }
    await heavy;
    stepAgent.destroy();

    // 4. one ik/solve over HTTP against the same solves in-process
    const solveComparison = await compareSolves(server.url, Number(port), flags.quick ? 100 : 300);

    const result = {
      logLevel, connections, seconds, rounds,
      responseBytes: responseText.length,
      echoBytes: echoBody.length,
      service: medianLoad(service),
      bare: medianLoad(bare),
      ratio: median(service.map((s) => s.requestsPerSecond)) / median(bare.map((s) => s.requestsPerSecond)),
      // one connection, one request at a time: the mean round trip is 1 / throughput
      singleConnection: {
        serviceRoundTripUs: 1e6 / median(serviceSingle.map((s) => s.requestsPerSecond)),
        bareRoundTripUs: 1e6 / median(bareSingle.map((s) => s.requestsPerSecond)),
      },
      batch1000: { requestBytes: batchBody.length, json: summary(jsonBatch), binary: summary(binaryBatch) },
      ikStepDuringBatch: { n: stepLatencies.length, p50Ms: percentile(stepLatencies, 50), p99Ms: percentile(stepLatencies, 99), maxMs: Math.max(...stepLatencies) },
      ikSolve: solveComparison,
    };
    if (flags.json) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      console.log(`autocannon: ${connections} connections, ${seconds} s, ${rounds} alternating round(s), medians; 127.0.0.1`);
      console.log(`POST /robots/franka_panda/jacobian     ${result.service.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${result.service.p50Ms} ms  p99 ${result.service.p99Ms} ms  (response ${result.responseBytes} B, log level ${logLevel})`);
      console.log(`bare Fastify, same request, same answer ${result.bare.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${result.bare.p50Ms} ms  p99 ${result.bare.p99Ms} ms`);
      console.log(`ratio service / bare: ${(100 * result.ratio).toFixed(1)} %   errors: service ${result.service.errors}, bare ${result.bare.errors}`);
      const single = result.singleConnection;
      console.log(`one connection: mean round trip ${single.serviceRoundTripUs.toFixed(0)} µs against the bare route's ${single.bareRoundTripUs.toFixed(0)} µs (+${(100 * (single.serviceRoundTripUs / single.bareRoundTripUs - 1)).toFixed(1)} %)`);
      console.log(`POST jacobian/batch, 1,000 configurations (${(batchBody.length / 1024).toFixed(0)} KiB request), one at a time:`);
      for (const [name, b] of [['JSON', result.batch1000.json], ['binary float64', result.batch1000.binary]] as const) {
        console.log(`  ${name.padEnd(15)} round trip p50 ${b.p50Ms.toFixed(2)} ms, p99 ${b.p99Ms.toFixed(2)} ms;  in the server (access log) p50 ${b.serverP50Ms.toFixed(2)} ms, p99 ${b.serverP99Ms.toFixed(2)} ms  (n=${b.n})`);
      }
      const st = result.ikStepDuringBatch;
      console.log(`POST ik/step while a 10,000-target ik/solve/batch runs: p50 ${st.p50Ms.toFixed(2)} ms, p99 ${st.p99Ms.toFixed(2)} ms, max ${st.maxMs.toFixed(2)} ms (n=${st.n})`);
      const ik = result.ikSolve;
      console.log(`POST franka_panda/ik/solve, ${ik.n} random reachable targets: HTTP mean ${ik.httpMeanUs.toFixed(0)} µs = in-process solve mean ${ik.inProcessMeanUs.toFixed(0)} µs + ${(ik.httpMeanUs - ik.inProcessMeanUs).toFixed(0)} µs; the route's fixed overhead (seed already the answer) ${ik.overheadMeanUs.toFixed(0)} µs`);
    }
  } finally {
    echo?.stop();
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
