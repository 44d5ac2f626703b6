/**
 * `npm run bench:cost`: the cost model of the heavy requests (src/http/work-cost.ts) against
 * their measured computation. Each heavy request's handler (src/http/heavy-requests.ts: the code
 * the route runs, on the event loop or a worker) is timed in-process with the JSON text of its
 * answer (what a worker writes), on revolute chains of 7, 50, 200 and 999 joints, and printed
 * beside its estimate: a ratio (estimate / measured) of at least 1 means the estimate is an upper
 * bound, which the model promises. Cases estimated beyond 3 s are not run.
 * Flags: --json; --quick (fewer repetitions).
 */
import { createRobotContext } from '../src/core/robot-context.js';
import { HEAVY_REQUESTS, type HeavyRequestName } from '../src/http/heavy-requests.js';
import { estimateWorkMs } from '../src/http/work-cost.js';
import { loadUrdf } from '../src/urdf/load-urdf.js';
import { chainUrdf } from '../scripts/chain-urdf.js';
import { benchFlags } from './timing.js';

const SIZES = [7, 50, 200, 999];
const MAX_RUN_MS = 3000;
const LIMITS = { batchMaxOutputValues: Number.MAX_SAFE_INTEGER };

interface Row { name: HeavyRequestName; label: string; joints: number; estimateMs: number; measuredMs: number | null }

function bodies(n: number): [HeavyRequestName, string, Record<string, unknown>][] {
  const q = Array.from({ length: n }, (_, k) => 0.3 * Math.sin(k));
  const sd = q.map(() => 1e-3);
  const covariance = q.map((_, i) => q.map((__, j) => (i === j ? 1e-6 : i + 1 === j || j + 1 === i ? 2e-7 : 0)));
  const samples = (count: number) => Array.from({ length: count }, (_, s) => ({ q: q.map((x, k) => x + 0.01 * Math.sin(s + k)), position: [0, 0, 0.1 * n] }));
  return [
    ['fk', 'fk (every link)', { q }],
    ['jacobian', 'jacobian with analysis', { q, analysis: true }],
    ['hessian', 'hessian', { q }],
    ['manipulability', 'manipulability', { q }],
    ['uncertainty', 'uncertainty linear (jointStdDev)', { q, jointStdDev: sd }],
    ['uncertainty', 'uncertainty linear (jointCovariance)', { q, jointCovariance: covariance }],
    ['uncertainty', 'uncertainty unscented', { q, jointStdDev: sd, method: 'unscented' }],
    ['uncertainty', 'uncertainty secondOrder', { q, jointStdDev: sd, method: 'secondOrder' }],
    ['sensitivity', 'sensitivity (5 configurations)', { qs: samples(5).map((s) => s.q) }],
    // enough positions (3 values each) for one offset per joint
    ['calibrate', 'calibrate (positions, joint offsets)', { samples: samples(Math.max(30, Math.ceil(n / 3) + 10)), parameters: ['jointOffset'] }],
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const flags = benchFlags();
const quick = flags.quick;
const rows: Row[] = [];
for (const n of SIZES) {
  const handle = { id: `chain${n}`, context: createRobotContext(loadUrdf(chainUrdf(n))), urdf: chainUrdf(n) };
  for (const [name, label, body] of bodies(n)) {
    const estimateMs = estimateWorkMs(name, n, body, n + 1);
    let measuredMs: number | null = null;
    if (estimateMs <= MAX_RUN_MS) {
      const run = HEAVY_REQUESTS[name] as (h: typeof handle, b: unknown, l: typeof LIMITS) => unknown;
      const once = (): number => {
        const started = performance.now();
        JSON.stringify(run(handle, body, LIMITS));
        return performance.now() - started;
      };
      const first = once(); // warms the code (and is the cold figure)
      const repeats = quick || first > 200 ? 2 : first > 20 ? 4 : 12;
      measuredMs = median(Array.from({ length: repeats }, once));
    }
    rows.push({ name, label, joints: n, estimateMs, measuredMs });
  }
}

if (flags.json) {
  console.log(JSON.stringify({ results: rows }));
} else {
  console.log('heavy requests: estimate (src/http/work-cost.ts) against the handler timed in-process, JSON text of the answer included');
  console.log(`${'request'.padEnd(42)} ${'joints'.padStart(6)} ${'estimate'.padStart(12)} ${'measured'.padStart(12)} ${'ratio'.padStart(7)}`);
  for (const r of rows) {
    const measured = r.measuredMs === null ? 'not run' : `${r.measuredMs.toFixed(3)} ms`;
    const ratio = r.measuredMs === null ? '' : (r.estimateMs / r.measuredMs).toFixed(2);
    console.log(`${r.label.padEnd(42)} ${String(r.joints).padStart(6)} ${`${r.estimateMs.toFixed(3)} ms`.padStart(12)} ${measured.padStart(12)} ${ratio.padStart(7)}`);
  }
  console.log('ratio >= 1: the estimate bounds the computation (cases estimated beyond 3 s are not run)');
}
