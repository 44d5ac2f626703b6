/**
 * IK over HTTP from a freshly started service (`npm run bench:ik -- --batch` and
 * `-- --first-requests`), against dist/server.js as deployed (LOG_LEVEL=info, WORKER_THREADS =
 * the cores).
 *
 * --batch: PyRoki's protocol. Panda (panda_hand_tcp), random reachable targets (FK of random
 * configurations inside the limits), no seed, batches of 1, 10, 100, 1,000 and 2,000 targets,
 * success at 5 mm / 0.05 rad and at 1e-5 m / 1e-5 rad, time per batch including the HTTP request
 * (a client on this machine), in JSON and in binary (targetsFloat64 in, float64 out). A success is re-checked here: the
 * returned q is inside the limits and its pose, by this process's reference kinematics, is within
 * the tolerance. The very first batch after start is reported apart, then 10 timed batches per
 * size; IK/s = targets / median time per batch. PyRoki's published figure: 1,000 Panda targets in
 * 14.2 ms on an NVIDIA RTX 4090 (70.6k IK/s); cuRobo 26.0 ms on the same GPU.
 *
 * --first-requests: TRAC-IK's protocol (random reachable target, random seed, 1e-5 m / 1e-5 rad,
 * timeoutMs 5) over HTTP, one request at a time, on robots uploaded a moment before (a builtin
 * robot's URDF under a new id, which the service compiles and warms as any upload): timeouts,
 * and solves whose elapsedMs exceeds timeoutMs + 0.5 ms, counted over the first requests and after.
 *
 * Flags: --json prints the results as JSON; --quick shortens the runs.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { startServer, type ServerProcess } from '../scripts/server-process.js';
import { computePoseError } from '../src/core/ik/pose-error.js';
import { SeededRandom, randomConfiguration } from '../src/core/ik/random.js';
import { computeEndEffectorPose, resolveEndEffector, type EndEffector } from '../src/core/jacobian.js';
import { createKinematicPath } from '../src/core/kinematic-path.js';
import { poseFromTransform } from '../src/core/pose.js';
import type { CompiledRobot } from '../src/core/compiled-robot.js';
import { loadRobot } from '../src/urdf/load-urdf.js';
import { ROBOTS_DIR } from './paths.js';

interface Tolerance { position: number; orientation: number }
const LOOSE: Tolerance = { position: 5e-3, orientation: 0.05 };
const TIGHT: Tolerance = { position: 1e-5, orientation: 1e-5 };
const BATCH_SIZES = [1, 10, 100, 1000, 2000];

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** A data folder of its own for each service started here, so that no upload of an earlier run is found. */
function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'bench-ik-http-'));
}

/** POSTs a body; resolves with status, headers and the raw answer. */
interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

function post(url: string, path: string, body: string | Buffer, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A robot on this side, to make targets and check answers independently of the service. */
class Checker {
  readonly robot: CompiledRobot;
  readonly ee: EndEffector;
  private readonly reference;
  private readonly X = new Float64Array(12);
  private readonly e = new Float64Array(6);
  private readonly R = new Float64Array(9);
  constructor(robotId: string, readonly tip: string, private readonly random: SeededRandom) {
    this.robot = loadRobot(readFileSync(join(ROBOTS_DIR, `${robotId}.urdf`), 'utf8'));
    this.ee = resolveEndEffector(this.robot, { tip });
    this.reference = createKinematicPath(this.robot.model, this.ee.path.base, this.ee.path.tip, 'reference');
  }
  configuration(): Float64Array {
    return randomConfiguration(this.robot.model, this.random, new Float64Array(this.robot.model.dof), this.ee.path.movingJoints);
  }
  /** A reachable target: the pose at a random configuration, as 12 doubles. */
  target(): Float64Array {
    return computeEndEffectorPose(this.robot, this.configuration(), this.ee, new Float64Array(12));
  }
  /** Whether q is inside the limits and reaches X_target within `tolerance`. */
  reaches(q: ArrayLike<number>, X_target: Float64Array, tolerance: Tolerance): boolean {
    const { model } = this.robot;
    for (let k = 0; k < model.dof; k++) {
      if (!model.continuous[k] && (q[k]! < model.qLower[k]! || q[k]! > model.qUpper[k]!)) return false;
    }
    this.reference.pose(Float64Array.from(q), this.X);
    computePoseError(this.X, X_target, this.e, this.R);
    return Math.hypot(this.e[0]!, this.e[1]!, this.e[2]!) <= tolerance.position && Math.hypot(this.e[3]!, this.e[4]!, this.e[5]!) <= tolerance.orientation;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface BatchRun { ms: number; successes: number; count: number }

/** One ik/solve/batch request in JSON or binary; the successes re-checked here. */
async function solveBatch(url: string, checker: Checker, targets: Float64Array[], tolerance: Tolerance, encoding: 'json' | 'float64'): Promise<BatchRun> {
  const dof = checker.robot.model.dof;
  const common = { tip: checker.tip, tolerance, timeoutMs: 5 };
  let body: string | Buffer, headers: Record<string, string>;
  if (encoding === 'json') {
    body = JSON.stringify({ ...common, targets: targets.map((X) => { const p = poseFromTransform(X); return { position: p.position, quaternion: p.quaternion }; }) });
    headers = { 'content-type': 'application/json' };
  } else {
    const packed = new Float64Array(12 * targets.length);
    targets.forEach((X, i) => packed.set(X, 12 * i));
    body = JSON.stringify({ ...common, targetsFloat64: Buffer.from(packed.buffer).toString('base64') });
    headers = { 'content-type': 'application/json', accept: 'application/octet-stream' };
  }
  const started = performance.now();
  const answer = await post(url, '/robots/franka_panda/ik/solve/batch', body, headers);
  const ms = performance.now() - started;
  if (answer.status !== 200) throw new Error(`ik/solve/batch answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 500)}`);
  let successes = 0;
  if (encoding === 'json') {
    const { results } = JSON.parse(answer.body.toString('utf8')) as { results: { converged: boolean; q: number[] }[] };
    results.forEach((r, i) => { if (r.converged && checker.reaches(r.q, targets[i]!, tolerance)) successes++; });
  } else {
    const stride = Number(answer.headers['x-values-per-result']);
    const values = new Float64Array(answer.body.buffer.slice(answer.body.byteOffset, answer.body.byteOffset + answer.body.byteLength));
    for (let i = 0; i < targets.length; i++) {
      const row = values.subarray(i * stride, (i + 1) * stride);
      if (row[0] === 1 && checker.reaches(row.subarray(7, 7 + dof), targets[i]!, tolerance)) successes++;
    }
  }
  return { ms, successes, count: targets.length };
}

export interface BatchBenchRow {
  encoding: 'json' | 'float64'; tolerance: 'loose' | 'tight'; batch: number;
  medianMs: number; ikPerSecond: number; successRate: number;
}

export interface BatchBenchResult {
  /** The very first batch after start (1,000 targets, loose tolerance, JSON). */
  first: { ms: number; successRate: number };
  /** The tenth batch of the same kind, for comparison. */
  tenth: { ms: number; successRate: number };
  rows: BatchBenchRow[];
}

export async function benchBatches(quick: boolean): Promise<BatchBenchResult> {
  const server = await startServer({ LOG_LEVEL: 'info', DATA_DIR: freshDataDir() }, { compiled: true, timeoutMs: 60_000 });
  try {
    const checker = new Checker('franka_panda', 'panda_hand_tcp', new SeededRandom(20261207));
    const batchOf = (n: number): Float64Array[] => Array.from({ length: n }, () => checker.target());
    const firstRuns: BatchRun[] = [];
    for (let i = 0; i < 10; i++) firstRuns.push(await solveBatch(server.url, checker, batchOf(1000), LOOSE, 'json'));
    const rate = (r: BatchRun): number => r.successes / r.count;
    const rows: BatchBenchRow[] = [];
    const repetitions = quick ? 3 : 10;
    for (const encoding of ['json', 'float64'] as const) {
      for (const [name, tolerance] of [['loose', LOOSE], ['tight', TIGHT]] as const) {
        for (const batch of BATCH_SIZES) {
          const runs: BatchRun[] = [];
          for (let r = 0; r < repetitions; r++) runs.push(await solveBatch(server.url, checker, batchOf(batch), tolerance, encoding));
          const medianMs = median(runs.map((r) => r.ms));
          const successes = runs.reduce((s, r) => s + r.successes, 0), total = runs.reduce((s, r) => s + r.count, 0);
          rows.push({ encoding, tolerance: name, batch, medianMs, ikPerSecond: batch / (medianMs / 1000), successRate: successes / total });
        }
      }
    }
    return {
      first: { ms: firstRuns[0]!.ms, successRate: rate(firstRuns[0]!) },
      tenth: { ms: firstRuns[9]!.ms, successRate: rate(firstRuns[9]!) },
      rows,
    };
  } catch (error) {
    // the service's own account of a failed request
    console.error(server.lines.filter((line) => line.includes('"level":50') || line.includes('"err"')).slice(-3).join('\n'));
    throw error;
  } finally {
    await stop(server);
  }
}

async function stop(server: ServerProcess): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
}

export interface FirstRequestsRow {
  robot: string; tip: string; uploadMs: number; solves: number;
  timeouts: number; timeoutIndices: number[]; overBudget: number; successRate: number;
  firstTimeouts: number;
}

/** The first requests on robots uploaded a moment before (see the module comment). */
export async function benchFirstRequests(quick: boolean): Promise<{ rows: FirstRequestsRow[]; startMs: number }> {
  const started = performance.now();
  const server = await startServer({ LOG_LEVEL: 'info', SHUTDOWN_DELAY_MS: '0', DATA_DIR: freshDataDir() }, { compiled: true, timeoutMs: 60_000 });
  const startMs = performance.now() - started;
  const robots = [
    { robot: 'abb_irb2400', tip: 'tool0' }, { robot: 'kinova_gen3', tip: 'EndEffector_Link' },
    { robot: 'baxter', tip: 'left_gripper' }, { robot: 'franka_panda', tip: 'panda_hand_tcp' },
  ];
  const solves = quick ? 200 : 600;
  try {
    const rows: FirstRequestsRow[] = [];
    for (const [n, { robot, tip }] of robots.entries()) {
      const id = `fresh_${robot}_${n}`;
      const urdf = readFileSync(join(ROBOTS_DIR, `${robot}.urdf`), 'utf8');
      const t0 = performance.now();
      const upload = await post(server.url, `/robots?id=${id}`, urdf, { 'content-type': 'application/xml' });
      const uploadMs = performance.now() - t0;
      if (upload.status !== 201) throw new Error(`upload of ${id} answered ${upload.status}: ${upload.body.toString('utf8')}`);
      const checker = new Checker(robot, tip, new SeededRandom(n + 1));
      const timeoutIndices: number[] = [];
      let overBudget = 0, successes = 0;
      for (let i = 0; i < solves; i++) {
        const X = checker.target(), seed = checker.configuration();
        const p = poseFromTransform(X);
        const answer = await post(server.url, `/robots/${id}/ik/solve`, JSON.stringify({
          tip, target: { position: p.position, quaternion: p.quaternion }, seed: Array.from(seed), tolerance: TIGHT, timeoutMs: 5,
        }), { 'content-type': 'application/json' });
        const r = JSON.parse(answer.body.toString('utf8')) as { status: string; converged: boolean; q: number[]; elapsedMs: number };
        if (r.status === 'timeout') timeoutIndices.push(i);
        if (r.elapsedMs > 5.5) overBudget++;
        if (r.converged && checker.reaches(r.q, X, TIGHT)) successes++;
      }
      rows.push({
        robot: id, tip, uploadMs, solves, timeouts: timeoutIndices.length, timeoutIndices, overBudget,
        successRate: successes / solves, firstTimeouts: timeoutIndices.filter((i) => i < 50).length,
      });
    }
    return { rows, startMs };
  } finally {
    await stop(server);
  }
}
