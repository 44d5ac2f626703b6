/**
 * `npm run bench:ik`: the protocol of TRAC-IK's published benchmark, in-process. For each builtin
 * 6- and 7-DoF arm: random joint configurations inside the limits (continuous joints in [-π, π]),
 * their FK poses as targets, seeds drawn at random inside the limits, tolerance 1e-5 m and
 * 1e-5 rad, a 5 ms budget, joint limits respected. A solve counts as a success only when the
 * returned q is inside the limits and its pose, recomputed independently by the reference
 * kinematics, is within the tolerance. Times include failures. A warm-up of 500 solves on other
 * targets precedes the timed ones (V8 compiles hot code first).
 *
 * Flags: --json prints { results: [{ robot, tip, dof, n, successRate, meanUs, medianUs, p99Us }] };
 * --quick uses 1,000 targets per arm instead of 10,000. --batch and --first-requests run the HTTP
 * benchmarks of ik-http-bench.ts instead (PyRoki's batch protocol; the first requests on robots
 * uploaded a moment before).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createIkWorkspace } from '../src/core/ik/ik-workspace.js';
import { computePoseError } from '../src/core/ik/pose-error.js';
import { SeededRandom, randomConfiguration } from '../src/core/ik/random.js';
import { solveIk } from '../src/core/ik/solve.js';
import { computeEndEffectorPose, resolveEndEffector, type EndEffector } from '../src/core/jacobian.js';
import { createKinematicPath } from '../src/core/kinematic-path.js';
import type { KinematicModel } from '../src/core/model.js';
import { loadRobot } from '../src/urdf/load-urdf.js';
import { ROBOTS_DIR } from './paths.js';
import { buildKdlIkBaseline, type IkCase, type KdlIkResult } from './kdl-baseline.js';
import { benchFlags } from './timing.js';
import { benchBatches, benchFirstRequests } from './ik-http-bench.js';
import { availableParallelism } from 'node:os';

const ARMS = [
  { robot: 'franka_panda', tip: 'panda_hand_tcp' },
  { robot: 'kuka_iiwa14', tip: 'iiwa_link_ee' },
  { robot: 'kinova_gen3', tip: 'EndEffector_Link' },
  { robot: 'ur5e', tip: 'tool0' },
  { robot: 'abb_irb2400', tip: 'tool0' },
  { robot: 'baxter', tip: 'left_gripper' },
  { robot: 'baxter', tip: 'right_gripper' },
];
const TOLERANCE = { position: 1e-5, orientation: 1e-5 };
const TIMEOUT_MS = 5;
const WARM_UP = 500;

export interface IkBenchResult {
  robot: string; tip: string; dof: number; n: number;
  successRate: number; meanUs: number; medianUs: number; p99Us: number;
  meanIterations: number; meanRestarts: number;
  /** KDL's solvers on the same cases in the same run, when KDL is installed. */
  kdl?: KdlIkResult;
}

function sampler(model: KinematicModel, ee: EndEffector, random: SeededRandom): () => Float64Array {
  return () => randomConfiguration(model, random, new Float64Array(model.dof), ee.path.movingJoints);
}

/**
 * The success test, independent of the solver: limits, and the pose by the reference (loop-based)
 * kinematics. Built once per arm, so that checking allocates nothing that GC would then charge to
 * the timed solves.
 */
function verifier(model: KinematicModel, ee: EndEffector): (q: Float64Array, X_target: Float64Array) => boolean {
  const reference = createKinematicPath(model, ee.path.base, ee.path.tip, 'reference');
  const X = new Float64Array(12), e = new Float64Array(6), R = new Float64Array(9);
  return (q, X_target) => {
    for (let k = 0; k < model.dof; k++) {
      if (!model.continuous[k] && (q[k]! < model.qLower[k]! || q[k]! > model.qUpper[k]!)) return false;
    }
    reference.pose(q, X);
    computePoseError(X, X_target, e, R);
    return Math.hypot(e[0]!, e[1]!, e[2]!) <= TOLERANCE.position && Math.hypot(e[3]!, e[4]!, e[5]!) <= TOLERANCE.orientation;
  };
}

export function benchArm(robotId: string, tip: string, n: number, kdl: ReturnType<typeof buildKdlIkBaseline>): IkBenchResult {
  const file = join(ROBOTS_DIR, `${robotId}.urdf`);
  const robot = loadRobot(readFileSync(file, 'utf8'));
  const { model } = robot;
  const ee = resolveEndEffector(robot, { tip });
  const ik = createIkWorkspace(model);
  const random = new SeededRandom(20261127);
  const sample = sampler(model, ee, random);
  const verify = verifier(model, ee);
  const X_target = new Float64Array(12);
  const cases: IkCase[] = [];
  const moving = Array.from(ee.path.movingJoints);
  const solve = (randomSeed: number, record: boolean): { ok: boolean; us: number; iterations: number; restarts: number } => {
    const target = sample();
    computeEndEffectorPose(robot, target, ee, X_target);
    const seed = sample();
    if (record) cases.push({ target: Float64Array.from(X_target), seed: Float64Array.from(moving, (k) => seed[k]!) });
    const t0 = performance.now();
    const r = solveIk(robot, ik, ee, X_target, { seed, tolerance: TOLERANCE, timeoutMs: TIMEOUT_MS, randomSeed });
    const us = (performance.now() - t0) * 1000;
    return { ok: r.converged && verify(r.q, X_target), us, iterations: r.iterations, restarts: r.restarts };
  };
  for (let i = 0; i < WARM_UP; i++) solve(1_000_000 + i, false);
  const times: number[] = [];
  let successes = 0, iterations = 0, restarts = 0;
  for (let i = 0; i < n; i++) {
    const r = solve(i, true);
    if (r.ok) successes++;
    times.push(r.us);
    iterations += r.iterations;
    restarts += r.restarts;
  }
  times.sort((a, b) => a - b);
  return {
    robot: robotId, tip, dof: ee.path.movingJoints.length, n,
    successRate: successes / n,
    meanUs: times.reduce((s, t) => s + t, 0) / n,
    medianUs: times[Math.floor(n / 2)]!,
    p99Us: times[Math.min(n - 1, Math.ceil(0.99 * n) - 1)]!,
    meanIterations: iterations / n,
    meanRestarts: restarts / n,
    ...('run' in kdl ? {
      kdl: kdl.run(file, model.linkNames[ee.path.base]!, tip, {
        lower: moving.map((k) => model.qLower[k]!), upper: moving.map((k) => model.qUpper[k]!),
        continuous: moving.map((k) => model.continuous[k] === 1),
      }, cases, TIMEOUT_MS, TOLERANCE.position),
    } : {}),
  };
}

async function httpMain(mode: 'batch' | 'first-requests', flags: { json: boolean; quick: boolean }): Promise<void> {
  if (mode === 'batch') {
    const result = await benchBatches(flags.quick);
    if (flags.json) { console.log(JSON.stringify(result, null, 2)); return; }
    console.log(`PyRoki's protocol over HTTP (dist/server.js, ${availableParallelism()} cores, node ${process.version}): Panda, random reachable targets, no seed, timeoutMs 5`);
    console.log('published: PyRoki 1,000 targets in 14.2 ms (70.6k IK/s), cuRobo 26.0 ms (38.5k IK/s), both on an NVIDIA RTX 4090');
    const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;
    console.log(`first batch after start (1,000, 5 mm / 0.05 rad, JSON): ${result.first.ms.toFixed(1)} ms, ${pct(result.first.successRate)}; tenth: ${result.tenth.ms.toFixed(1)} ms, ${pct(result.tenth.successRate)}`);
    console.log('encoding  tolerance        batch   median ms      IK/s   success');
    for (const r of result.rows) {
      console.log([r.encoding.padEnd(9), (r.tolerance === 'loose' ? '5 mm / 0.05 rad' : '1e-5 / 1e-5').padEnd(15), String(r.batch).padStart(6),
        r.medianMs.toFixed(2).padStart(11), Math.round(r.ikPerSecond).toString().padStart(9), pct(r.successRate).padStart(9)].join(' '));
    }
    return;
  }
  const result = await benchFirstRequests(flags.quick);
  if (flags.json) { console.log(JSON.stringify(result, null, 2)); return; }
  console.log(`TRAC-IK's protocol over HTTP on robots uploaded a moment before (1e-5, timeoutMs 5, one request at a time); service ready in ${result.startMs.toFixed(0)} ms`);
  console.log('robot                      upload ms  solves  success  timeouts (first 50)  elapsedMs > 5.5   timeout request indices');
  for (const r of result.rows) {
    console.log([r.robot.padEnd(26), r.uploadMs.toFixed(0).padStart(9), String(r.solves).padStart(7), `${(100 * r.successRate).toFixed(2)} %`.padStart(8),
      `${r.timeouts} (${r.firstTimeouts})`.padStart(20), String(r.overBudget).padStart(16), `  ${r.timeoutIndices.slice(0, 12).join(', ')}`].join(' '));
  }
}

function main(): void {
  const flags = benchFlags();
  const mode = process.argv.includes('--batch') ? 'batch' : process.argv.includes('--first-requests') ? 'first-requests' : undefined;
  if (mode) {
    httpMain(mode, flags).catch((error: unknown) => { console.error(error); process.exit(1); });
    return;
  }
  const n = flags.quick ? 1000 : 10_000;
  const only = process.env.IK_BENCH_ARMS?.split(',');
  const kdl = buildKdlIkBaseline();
  const results = ARMS.filter((a) => !only || only.includes(a.robot)).map((a) => benchArm(a.robot, a.tip, n, kdl));
  if (flags.json) {
    console.log(JSON.stringify({ results, kdl: 'unavailable' in kdl ? kdl.unavailable : 'Orocos KDL 1.5.1 on the same cases, same run' }, null, 2));
    return;
  }
  console.log(`TRAC-IK protocol: ${n} random reachable targets per arm, random seeds, tolerance 1e-5 m / 1e-5 rad, ${TIMEOUT_MS} ms budget, limits respected; node ${process.version}`);
  console.log(`KDL: ${'unavailable' in kdl ? kdl.unavailable : 'the same cases in the same run; NR_JL with random restarts in the same budget, LMA one call (success also needs the limits)'}`);
  console.log('robot          tip                dof   success     mean µs  median µs   p99 µs  iter  restarts | KDL NR_JL success  mean µs | KDL LMA success (outside limits)  mean µs');
  const percent = (x: number): string => `${(100 * x).toFixed(2)} %`;
  for (const r of results) {
    console.log([
      r.robot.padEnd(14), r.tip.padEnd(18), String(r.dof).padStart(3), percent(r.successRate).padStart(10),
      r.meanUs.toFixed(1).padStart(11), r.medianUs.toFixed(1).padStart(10), r.p99Us.toFixed(1).padStart(9),
      r.meanIterations.toFixed(1).padStart(5), r.meanRestarts.toFixed(2).padStart(9), '|',
      (r.kdl ? percent(r.kdl.nrjl.successRate) : '-').padStart(17), (r.kdl ? r.kdl.nrjl.meanUs.toFixed(0) : '-').padStart(8), '|',
      (r.kdl ? `${percent(r.kdl.lma.successRate)} (${percent(r.kdl.lma.outsideLimits)})` : '-').padStart(31), (r.kdl ? r.kdl.lma.meanUs.toFixed(0) : '-').padStart(8),
    ].join(' '));
  }
}

main();
