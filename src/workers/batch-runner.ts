/**
 * Runs batch computations: inline for small batches, split across a pool of worker threads
 * (piscina) for large ones, so that a large batch is computed and serialised in parallel and the
 * event loop stays free for the cheap requests that control loops send meanwhile.
 */
import { setMaxListeners } from 'node:events';
import { Piscina } from 'piscina';
import { DEFAULT_TIMEOUT_MS } from '../core/ik/solve.js';
import type { RobotContext } from '../core/robot-context.js';
import { computeBatch, sliceTask, transferablesOf, unpackResult, type BatchTask } from './batch-tasks.js';
import type { WarmTask } from './kinematics-worker.js';
import { MAX_CONTEXTS, taskRobotOf, type RobotSource } from './robot-contexts.js';
import { InlineWorkLoad } from './inline-work.js';
import { modelOf, type LoadOutcome, type LoadTask } from './load-task.js';
import type { KinematicModel } from '../core/model.js';
import { loadUrdf } from '../urdf/load-urdf.js';
import type { UrdfLimits } from '../urdf/urdf-parser.js';

/** Why the runner refused or stopped a batch. */
export type BatchRunnerErrorCode =
  /** The workers' queue is full: retry in a moment, or elsewhere. */
  | 'BUSY'
  /** The runner was stopped (the service is shutting down) before the batch finished. */
  | 'STOPPED';

/** A batch the runner could not finish, for the HTTP layer to answer 503. */
export class BatchRunnerError extends Error {
  override readonly name = 'BatchRunnerError';
  constructor(readonly code: BatchRunnerErrorCode, message: string) {
    super(message);
  }
}

/** Batches smaller than this run on the event loop: a worker round trip costs more than they do. */
export const INLINE_BATCH_LIMIT = 64;
/**
 * IK work runs on the event loop only when its worst case (targets x timeoutMs) is at most this
 * long (ms): a solve is usually tens of microseconds, but an unreachable target takes its whole
 * budget, and the event loop must stay free for the cheap requests of control loops.
 */
export const INLINE_IK_WORK_MS = 10;

/**
 * URDF documents up to this size are parsed on the event loop: a few milliseconds at most (parsing
 * and building take about 0.15 ms per KB warm), less than a worker round trip and the model's
 * clone would save. Larger ones are parsed on a worker (load-task.ts).
 */
export const INLINE_URDF_CHARS = 32 * 1024;

/** Tasks that may wait per worker thread (an IK batch is cut into 4 per thread). */
const MAX_QUEUED_TASKS_PER_THREAD = 64;

const fromSource = import.meta.url.endsWith('.ts');
const WORKER_FILE = new URL(`./kinematics-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url).href;

const COMMA = Uint8Array.of(0x2c);

/**
 * A controller whose signal every task on the pool listens to (piscina adds one listener per
 * task): without a cap on listeners Node warns (MaxListenersExceededWarning) past 10 at once.
 */
function abortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/** Fragments of array elements, to be joined by commas (empty fragments skipped). */
function commaSeparated(fragments: Uint8Array[]): Uint8Array[] {
  return fragments.filter((f) => f.length > 0).flatMap((f, i) => (i === 0 ? [f] : [COMMA, f]));
}

/** The JSON of a batch's elements, as byte pieces to be written in order, and the workers' stats. */
export interface BatchPieces {
  items: Uint8Array[];
  poses?: Uint8Array[];
  stats: Float64Array[];
}

export class BatchRunner {
  private readonly pool: Piscina | undefined;
  /** Event-loop time of recent inline IK (see inline-work.ts). */
  private readonly inlineIk = new InlineWorkLoad();
  /** Aborts every batch running on the pool (see abortAll). */
  private aborter = abortController();

  constructor(readonly threads: number) {
    this.pool = threads > 0
      ? new Piscina({
        filename: WORKER_FILE,
        minThreads: threads,
        maxThreads: threads,
        idleTimeout: 60_000,
        // a bounded queue: past it, batches are refused with 503 instead of piling up in memory
        maxQueue: threads * MAX_QUEUED_TASKS_PER_THREAD,
        // when the service runs from TypeScript sources (tests, tsx), the workers need tsx too;
        // otherwise they inherit the process's options (given explicitly, V8 options such as
        // --max-old-space-size or --trace-gc would make the workers refuse to start)
        ...(fromSource ? { execArgv: ['--import', 'tsx'] } : {}),
      })
      : undefined;
  }

  /**
   * Whether IK work of this worst case (targets x timeoutMs, ms) runs on the event loop: when it
   * is short and inline IK has not taken much of the loop lately, or when there is no pool.
   */
  ikRunsInline(worstCaseMs: number): boolean {
    return !this.pool || (worstCaseMs <= INLINE_IK_WORK_MS && this.inlineIk.hasRoom());
  }

  /** Runs IK work on the event loop and counts its time (see ikRunsInline). */
  runIkInline<T>(solve: () => T): T {
    const started = performance.now();
    try {
      return solve();
    } finally {
      this.inlineIk.add(performance.now() - started);
    }
  }

  /**
   * Computes `task` for `count` joint vectors, in chunks across the pool when it is large, and
   * returns the JSON fragments in order, as pieces to be written one after another.
   */
  async run(context: RobotContext, task: BatchTask): Promise<BatchPieces> {
    const inline = (): BatchPieces => {
      const result = computeBatch(task, context);
      return { items: [result.items], ...(result.poses ? { poses: [result.poses] } : {}), stats: result.stats ? [result.stats] : [] };
    };
    if (task.kind === 'ik-solve' && this.ikRunsInline(task.count * (task.options.timeoutMs ?? DEFAULT_TIMEOUT_MS))) {
      return this.runIkInline(inline);
    }
    // IK solves vary in time, so they are cut finer for the threads to share the work evenly
    const chunks = !this.pool ? 0
      : task.kind === 'ik-solve' ? Math.min(this.threads * 4, task.count)
        : Math.min(this.threads, Math.floor(task.count / INLINE_BATCH_LIMIT));
    if (chunks < 1 || !this.pool) return inline();
    const dof = context.robot.model.dof;
    const size = Math.ceil(task.count / chunks);
    // the parts actually made: 10 targets in 8 chunks of 2 are 5 parts (no empty or negative ones)
    const parts = Math.ceil(task.count / size);
    const pool = this.pool;
    const withPoses = task.kind === 'jacobian' && task.includePose && task.encoding === 'json';
    const results = await Promise.all(Array.from({ length: parts }, async (_, c) => {
      const start = c * size, end = Math.min(task.count, start + size);
      const part = sliceTask(task, start, end, dof);
      const signal = this.aborter.signal;
      const packed = await (pool.run(part, { transferList: transferablesOf(part), signal }) as Promise<Uint8Array>).catch((error: unknown) => {
        if (signal.aborted) throw new BatchRunnerError('STOPPED', 'the batch was stopped before it finished');
        if (pool.queueSize >= pool.options.maxQueue) throw new BatchRunnerError('BUSY', 'the batch workers are saturated');
        throw error;
      });
      return unpackResult(packed);
    }));
    const binary = task.kind === 'jacobian' && task.encoding === 'float64';
    return {
      items: binary ? results.map((p) => p.items) : commaSeparated(results.map((p) => p.items)),
      ...(withPoses ? { poses: commaSeparated(results.map((p) => p.poses ?? new Uint8Array(0))) } : {}),
      stats: results.flatMap((p) => (p.stats ? [p.stats] : [])),
    };
  }

  /** Whether there are worker threads to run work on. */
  get hasWorkers(): boolean {
    return this.pool !== undefined;
  }

  /**
   * Runs `task` on a worker with the default export of another worker file (`filename`, a URL or
   * path; piscina loads it in the same threads), for work defined above this layer.
   * @throws BatchRunnerError BUSY or STOPPED; whatever the task throws.
   */
  async runFile<T>(filename: string, task: object): Promise<T> {
    const pool = this.pool;
    if (!pool) throw new Error('runFile needs worker threads (WORKER_THREADS > 0)');
    return this.runOnPool<T>(pool, task, 'the workers are saturated', filename);
  }

  /** Runs a task on the pool, its failures as BatchRunnerErrors when the pool is stopped or full. */
  private async runOnPool<T>(pool: Piscina, task: object, busy: string, filename?: string): Promise<T> {
    const signal = this.aborter.signal;
    return (pool.run(task, { signal, ...(filename !== undefined ? { filename } : {}) }) as Promise<T>).catch((error: unknown) => {
      if (signal.aborted) throw new BatchRunnerError('STOPPED', 'the work was stopped before it finished: the service is shutting down');
      if (pool.queueSize >= pool.options.maxQueue) throw new BatchRunnerError('BUSY', busy);
      throw error;
    });
  }

  /**
   * Parses a URDF document and builds its model: on a worker when it is large (INLINE_URDF_CHARS),
   * so that an upload at the caps does not hold the event loop.
   * @throws UrdfError for a document that does not load; BatchRunnerError BUSY or STOPPED.
   */
  async loadModel(urdf: string, limits: UrdfLimits): Promise<KinematicModel> {
    const pool = this.pool;
    if (!pool || urdf.length <= INLINE_URDF_CHARS) return loadUrdf(urdf, { limits });
    const task: LoadTask = { kind: 'load', urdf, limits };
    return modelOf(await this.runOnPool<LoadOutcome>(pool, task, 'the workers that parse large robots are saturated'));
  }

  /**
   * Compiles and warms robots on every worker thread (see robot-contexts.ts), so that their first
   * batch runs at full speed. One task per thread, sent at once: the pool gives each idle thread
   * one. A thread that was busy may get two, and another none: that one warms a robot on its
   * first batch instead. At most MAX_CONTEXTS robots are sent (a thread keeps no more).
   */
  async warm(robots: readonly RobotSource[]): Promise<void> {
    const pool = this.pool;
    if (!pool || robots.length === 0) return;
    const task: WarmTask = { kind: 'warm', robots: robots.slice(-MAX_CONTEXTS).map(taskRobotOf) };
    await Promise.all(Array.from({ length: this.threads }, () => pool.run(task, { signal: this.aborter.signal })));
  }

  /**
   * Stops the batches running on the pool: their runs reject at once with BatchRunnerError
   * STOPPED. For the end of a shutdown, so that a long batch does not hold the process past its
   * drain timeout.
   */
  abortAll(): void {
    this.aborter.abort();
    this.aborter = abortController();
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}
