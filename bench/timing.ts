/**
 * Timing for the benchmarks: warm up, calibrate a batch to last about `batchMs`, then time
 * several batches and keep the median (robust to the noise of a shared 2-core machine) and the
 * minimum (the least disturbed run).
 */
export interface Timing {
  nsPerOp: number;
  minNsPerOp: number;
  batches: number;
  opsPerBatch: number;
}

export interface TimingOptions {
  /** Operations per warm-up step and the first batch size (default 1000; 1 for operations of milliseconds). */
  chunk?: number;
  batches?: number;
  batchMs?: number;
}

export function timeOperation(op: (i: number) => void, options: TimingOptions = {}): Timing {
  const batches = options.batches ?? 9;
  const batchNs = (options.batchMs ?? 150) * 1e6;
  // warm-up: let V8 optimise the operation before anything is timed
  const warmUntil = process.hrtime.bigint() + BigInt(Math.round(3 * batchNs));
  const chunk = options.chunk ?? 1000;
  for (let i = 0; process.hrtime.bigint() < warmUntil; i++) for (let j = 0; j < chunk; j++) op(i * chunk + j);
  let n = chunk;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) op(i);
    if (Number(process.hrtime.bigint() - t0) >= batchNs) break;
    n *= 2;
  }
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) op(i);
    samples.push(Number(process.hrtime.bigint() - t0) / n);
  }
  samples.sort((a, b) => a - b);
  return { nsPerOp: samples[Math.floor(batches / 2)]!, minNsPerOp: samples[0]!, batches, opsPerBatch: n };
}

/** Command-line flags of the bench scripts: --json, --quick, --only <substring> (rows whose name contains it). */
export function benchFlags(argv = process.argv.slice(2)): { json: boolean; quick: boolean; only?: string } {
  const at = argv.indexOf('--only'), only = at >= 0 ? argv[at + 1] : undefined;
  return { json: argv.includes('--json'), quick: argv.includes('--quick'), ...(only !== undefined ? { only } : {}) };
}
