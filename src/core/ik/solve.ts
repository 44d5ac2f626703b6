/**
 * Full inverse kinematics: damped steps from a seed until the pose is reached, with random
 * restarts, an iteration budget per attempt, a restart budget and a time budget.
 *
 * Each attempt is Levenberg–Marquardt with the error-dependent damping of Sugihara (2011),
 *
 *   λ² = E/10 + μ,   E = ½ |√Wx e|²,
 *
 * where μ follows Marquardt's rule: divided by 10 after a step that lowers E, multiplied by 10
 * after one that does not (which is then rejected). Far from the target E dominates and the steps
 * are short and safe; near it λ² → μ and the steps become Gauss–Newton steps, which converge
 * quadratically. It needs no singular value decomposition per iteration. (Sugihara weights E by 1;
 * on the benchmark of bench/ik-bench.ts, 1/10 takes 15-25 % fewer iterations at the same success
 * rate, and the log-map correction of the orientation rows made no measurable difference.)
 * Joint limits are kept by
 * the limit-respecting step of ik-workspace.ts, so an attempt never stalls on a clamped joint the
 * way KDL's NR_JL does. An attempt that stops making progress (a local minimum, or a target out of
 * reach) ends early and the next one starts from a random configuration inside the limits;
 * restarts are drawn from a generator seeded by `randomSeed`, so results are reproducible.
 */
import type { EndEffector } from '../jacobian.js';
import {
  HISTORY_LENGTH, clampToLimits, errorNorms, errorWithin, evaluate, freeMovingJoints, limitedStep, restoreEvaluation,
  saveEvaluation, setWeights, type IkWorkspace,
} from './ik-workspace.js';
import { DEFAULT_TOLERANCE, type Tolerance } from './damped-step.js';
import type { SeededRandom } from './random.js';
import { assertLength } from '../errors.js';

export const DEFAULT_MAX_ITERATIONS = 100;
export const DEFAULT_MAX_RESTARTS = 500;
export const DEFAULT_TIMEOUT_MS = 5;
export const DEFAULT_RANDOM_SEED = 1;

/** Weight of the error in the damping: λ² = ERROR_DAMPING · E + μ. */
const ERROR_DAMPING = 0.1;
/** Marquardt's μ: its start, bounds and the factor it changes by. */
const MU_START = 1e-3;
const MU_MIN = 1e-6;
const MU_MAX = 1e3;
const MU_FACTOR = 10;
/**
 * An attempt that has lowered E by less than this fraction over the last STALL_WINDOW accepted
 * steps is stalled: it is in a local minimum (often against a joint limit) or creeping, and a
 * restart from elsewhere is cheaper than waiting (measured: windows of 3 to 8 steps find the same
 * solutions, 3 the soonest).
 */
const STALL_WINDOW = 3;
const STALL_PROGRESS = 0.05;
/**
 * The clock is read at every 4th step (the steps counted, masked by this): a step takes 0.5 to
 * 2 µs, reading performance.now() about 40 ns, and in Node 20 it allocates its result.
 */
const CLOCK_EVERY_MASK = 3;

/** Options of {@link solveIk}; every one optional. */
export interface IkSolveOptions {
  /** Start configuration; default the middle of the limits (0 for continuous joints). */
  seed?: Float64Array;
  /** Default {@link DEFAULT_TOLERANCE}. */
  tolerance?: Tolerance;
  /** Six task weights, linear first, each >= 0 (0 frees an axis); default all 1. */
  taskWeights?: ArrayLike<number>;
  /** One weight per active joint, each > 0; default all 1. */
  jointWeights?: ArrayLike<number>;
  /** Steps per attempt. */
  maxIterations?: number;
  /** Attempts after the first. */
  maxRestarts?: number;
  /** Time budget, checked inside the iteration loop (every few steps, a few µs apart). */
  timeoutMs?: number;
  /** Seed of the restarts' generator: the same seed gives the same answer. */
  randomSeed?: number;
  /** The clock, in ms (default performance.now). */
  now?: () => number;
}

/** How a solve ended: within tolerance, out of time, or out of restarts. */
export type IkSolveStatus = 'converged' | 'timeout' | 'max-restarts';

/** The answer of {@link solveIk}. */
export interface IkSolveResult {
  /** Whether the error is within the tolerance (status converged). */
  converged: boolean;
  status: IkSolveStatus;
  /**
   * The solution, or the best configuration found; always within the limits. It is ik.solution,
   * overwritten by the next solve on the workspace: copy it to keep it.
   */
  q: Float64Array;
  error: { position: number; orientation: number };
  /** Steps taken in all attempts. */
  iterations: number;
  restarts: number;
  elapsedMs: number;
}

/** The default seed: the middle of each joint's limits, 0 for continuous joints. */
export function middleOfLimits(ik: IkWorkspace, out: Float64Array): Float64Array {
  const { model } = ik;
  for (let k = 0; k < model.dof; k++) out[k] = model.continuous[k] ? 0 : 0.5 * (model.qLower[k]! + model.qUpper[k]!);
  return out;
}

/** The angle equivalent to `angle` (a whole number of turns away) nearest `reference`: within (-π, π] of it. */
export function nearestEquivalentAngle(angle: number, reference: number): number {
  const x = angle - reference;
  const y = x - 2 * Math.PI * Math.round(x / (2 * Math.PI));
  return reference + (y <= -Math.PI ? y + 2 * Math.PI : y);
}

/**
 * Solves for the target pose already in ik.X_target. Not converging is a result (converged:
 * false with the best configuration found), not an error. Allocates nothing but the result
 * object: the configurations live in the workspace (options.seed is copied, so a previous
 * solution may be passed back in as the seed).
 */
export function solveIk(ik: IkWorkspace, ee: EndEffector, options: IkSolveOptions = {}): IkSolveResult {
  const { model } = ik;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const deadline = started + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const maxRestarts = options.maxRestarts ?? DEFAULT_MAX_RESTARTS;
  const random = ik.random;
  random.reseed(options.randomSeed ?? DEFAULT_RANDOM_SEED);
  setWeights(ik, options.taskWeights, options.jointWeights);

  const { qSeed: seed, qCurrent: q, qTrial, qBest, dq } = ik;
  if (options.seed) {
    assertLength('seed', model.dof, options.seed.length);
    seed.set(options.seed);
  } else {
    middleOfLimits(ik, seed);
  }
  clampToLimits(model, seed);
  q.set(seed);
  let bestE = Infinity;
  let iterations = 0;
  let restarts = 0;
  let status: IkSolveStatus = 'max-restarts';
  let done = false;

  for (let attempt = 0; attempt <= maxRestarts && !done; attempt++) {
    if (attempt > 0) {
      restarts++;
      randomConfiguration(ik, ee, seed, random, q);
    }
    let E = evaluate(ik, ee, q);
    let mu = MU_START;
    let accepted = 0;
    for (let iteration = 0; ; iteration++) {
      if (E < bestE) { bestE = E; qBest.set(q); }
      if (errorWithin(ik, tolerance.position, tolerance.orientation)) { status = 'converged'; done = true; break; }
      if ((iterations & CLOCK_EVERY_MASK) === 0 && now() > deadline) { status = 'timeout'; done = true; break; }
      if (iteration >= maxIterations || mu >= MU_MAX) break;
      freeMovingJoints(ik, ee);
      limitedStep(ik, q, ERROR_DAMPING * E + mu, true);
      iterations++;
      // only the moving joints change (a step never leaves the limits; the clamp removes rounding)
      const moving = ik.moving;
      qTrial.set(q);
      for (let i = 0; i < moving.length; i++) {
        const k = moving[i]!;
        const next = q[k]! + dq[k]!;
        qTrial[k] = model.continuous[k] ? next : Math.min(Math.max(next, model.qLower[k]!), model.qUpper[k]!);
      }
      // evaluate() leaves J, X and e of the trial: kept if it is accepted, and those of q
      // brought back if not
      saveEvaluation(ik);
      const trialE = evaluate(ik, ee, qTrial);
      if (trialE < E) {
        q.set(qTrial);
        E = trialE;
        mu = Math.max(mu / MU_FACTOR, MU_MIN);
        // stalled: the last STALL_WINDOW accepted steps lowered E by less than STALL_PROGRESS
        ik.history[accepted % HISTORY_LENGTH] = E;
        accepted++;
        if (accepted > STALL_WINDOW && E > (1 - STALL_PROGRESS) * ik.history[(accepted - 1 - STALL_WINDOW) % HISTORY_LENGTH]!) break;
      } else {
        mu *= MU_FACTOR;
        restoreEvaluation(ik);
      }
    }
  }

  // the answer: the solution or the best configuration seen, within the limits, with continuous
  // joints wrapped to the value nearest the seed
  const result = ik.solution;
  result.set(status === 'converged' ? q : qBest);
  for (let k = 0; k < model.dof; k++) {
    if (model.continuous[k]) result[k] = nearestEquivalentAngle(result[k]!, seed[k]!);
  }
  clampToLimits(model, result);
  evaluate(ik, ee, result);
  return {
    converged: status === 'converged', status, q: result, error: errorNorms(ik),
    iterations, restarts, elapsedMs: now() - started,
  };
}

/** A random configuration inside the limits for the joints that move the tip; the others keep the seed. */
function randomConfiguration(ik: IkWorkspace, ee: EndEffector, seed: Float64Array, random: SeededRandom, out: Float64Array): void {
  const { model } = ik;
  out.set(seed);
  for (const k of ee.path.movingJoints) {
    out[k] = model.continuous[k]
      ? seed[k]! + random.uniform(-Math.PI, Math.PI)
      : random.uniform(model.qLower[k]!, model.qUpper[k]!);
  }
}
