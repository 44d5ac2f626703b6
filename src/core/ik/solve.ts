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
 * the limit-respecting step of limited-step.ts, so an attempt never stalls on a clamped joint the
 * way KDL's NR_JL does. An attempt that stops making progress (a local minimum, or a target out of
 * reach) ends early and the next one starts from a random configuration inside the limits;
 * restarts are drawn from a generator seeded by `randomSeed`, so results are reproducible.
 *
 * The error term makes the damping grow with the square of the error, which is safe for a
 * revolute arm (its errors are bounded by its reach) but not invariant to the scale of the task:
 * along a prismatic rail 50 m from the target λ² = 125 and each step would move 0.4 m. The error
 * term is a trust region for rotations, so it damps the revolute joints only; prismatic joints
 * are damped by μ alone (see undampPrismatic), and metres of travel do not matter. Restarts draw
 * a joint whose limits are far wider than the arm (a rail of ±10⁶ m, a revolute joint of
 * ±1000 rad) near where it matters rather than over its whole range (see randomRestart).
 */
import type { CompiledRobot } from '../compiled-robot.js';
import { assertLength } from '../errors.js';
import { assertEndEffectorOf, type EndEffector } from '../jacobian.js';
import type { KinematicPath } from '../kinematic-path.js';
import { JointCode, type KinematicModel } from '../model.js';
import { copyEvaluation, evaluatePoseError, setWeights, type StepProblem } from './ik-problem.js';
import { RECENT_ERRORS, assertIkWorkspaceOf, type IkWorkspace } from './ik-workspace.js';
import { clampToLimits, limitedStep } from './limited-step.js';
import type { SeededRandom } from './random.js';
import { DEFAULT_TOLERANCE, errorNorms, errorWithin, weightedHalfSquare, type Tolerance } from './tolerance.js';

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
const STALL_WINDOW = RECENT_ERRORS - 1;
const STALL_PROGRESS = 0.05;
/**
 * The clock is read at every 4th step (the steps counted, masked by this): a step takes 0.5 to
 * 2 µs on an arm, reading performance.now() about 40 ns, and in Node 20 it allocates its result.
 * Until a step has been timed, and once a step is measured to take more than SLOW_STEP_MS (a long
 * chain: about 0.3 ms at 999 joints), the clock is read at every step, and before each restart.
 * At each reading the solve stops when one more step,
 * at the measured rate, would end after the deadline: so it ends within a step of the budget on
 * fast robots (a few µs) and before it on slow ones.
 */
const CLOCK_EVERY_MASK = 3;
const SLOW_STEP_MS = 0.01;

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

/** How a solve can end: within tolerance, out of time, or out of restarts. */
export const IK_SOLVE_STATUSES = ['converged', 'timeout', 'max-restarts'] as const;
/** How a solve ended (one of IK_SOLVE_STATUSES). */
export type IkSolveStatus = (typeof IK_SOLVE_STATUSES)[number];

/** The answer of {@link solveIk}. */
export interface IkSolveResult {
  /** Whether the error is within the tolerance (status converged). */
  converged: boolean;
  status: IkSolveStatus;
  /**
   * The solution, or the best configuration found; always within the limits. It is
   * ik.results.solution, overwritten by the next solve on the workspace: copy it to keep it.
   */
  q: Float64Array;
  error: { position: number; orientation: number };
  /** Steps taken in all attempts. */
  iterations: number;
  restarts: number;
  elapsedMs: number;
}

/** The default seed: the middle of each joint's limits, 0 for continuous joints. */
export function middleOfLimits(model: KinematicModel, out: Float64Array): Float64Array {
  assertLength('seed output', model.dof, out.length);
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
 * Solves for the target pose X_BT (12 doubles: the tip pose relative to the end effector's base).
 * Not converging is a result (converged: false with the best configuration found), not an error.
 * Allocates nothing but the result object: the configurations live in the workspace (the target
 * and options.seed are copied, so a previous solution may be passed back in as the seed).
 */
export function solveIk(
  robot: CompiledRobot, ik: IkWorkspace, ee: EndEffector, X_BT: Float64Array, options: IkSolveOptions = {},
): IkSolveResult {
  const { model } = robot;
  assertEndEffectorOf(robot, ee);
  assertIkWorkspaceOf(model, ik);
  assertLength('target pose', 12, X_BT.length);
  const now = options.now ?? (() => performance.now());
  const started = now();
  const deadline = started + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const maxRestarts = options.maxRestarts ?? DEFAULT_MAX_RESTARTS;
  const { current, saved, weights, solver } = ik;
  const { random, recentErrors } = solver;
  random.reseed(options.randomSeed ?? DEFAULT_RANDOM_SEED);
  setWeights(weights, options.taskWeights, options.jointWeights);
  const target = solver.X_BT;
  target.set(X_BT);

  const { qSeed: seed, q, qTrial, qBest } = solver;
  const dq = ik.step.dq;
  if (options.seed) {
    assertLength('seed', model.dof, options.seed.length);
    seed.set(options.seed);
  } else {
    middleOfLimits(model, seed);
  }
  clampToLimits(model, seed);
  q.set(seed);
  // prismatic joints get their own joint scales (see undampPrismatic); others those of the call
  const prismatic = ee.path.prismaticJoints;
  solver.jointScale.set(weights.jointScale);
  const stepWeights = prismatic.length > 0 ? { sqrtTask: weights.sqrtTask, jointScale: solver.jointScale } : weights;
  const problem: StepProblem = { J_BE: current.J_BE, e: current.e, weights: stepWeights, path: ee.path };
  const moving = ee.path.movingJoints;
  const sqrtTask = weights.sqrtTask;
  let bestE = Infinity;
  let iterations = 0;
  let restarts = 0;
  let status: IkSolveStatus = 'max-restarts';
  let done = false;
  // the clock (see CLOCK_EVERY_MASK): read at every step until a step has been timed, then at
  // every step or every 4th; true when one more step at the fastest rate measured would end too late
  let clockMask = 0, clockAt = started, clockIterations = 0, stepMs = 0;
  const outOfTime = (): boolean => {
    const t = now();
    if (iterations > clockIterations) {
      // the fastest rate seen: a slower interval is the scheduler or a garbage collection, not the steps
      const rate = (t - clockAt) / (iterations - clockIterations);
      stepMs = stepMs === 0 ? rate : Math.min(stepMs, rate);
      clockMask = stepMs > SLOW_STEP_MS ? 0 : CLOCK_EVERY_MASK;
    }
    clockAt = t; clockIterations = iterations;
    return t + stepMs > deadline;
  };

  for (let attempt = 0; attempt <= maxRestarts && !done; attempt++) {
    if (attempt > 0) {
      // a restart costs about a step too
      if (outOfTime()) { status = 'timeout'; break; }
      restarts++;
      q.set(seed);
      randomRestart(model, ee.path, random, seed, qBest, q);
    }
    evaluatePoseError(robot, ik.kinematics, ee, q, target, current, ik.R_delta);
    let E = weightedHalfSquare(current.e, sqrtTask);
    let mu = MU_START;
    let accepted = 0;
    for (let iteration = 0; ; iteration++) {
      if (E < bestE) { bestE = E; qBest.set(q); }
      if (errorWithin(current.e, sqrtTask, tolerance)) { status = 'converged'; done = true; break; }
      if ((iterations & clockMask) === 0 && outOfTime()) { status = 'timeout'; done = true; break; }
      if (iteration >= maxIterations || mu >= MU_MAX) break;
      const lambda2 = ERROR_DAMPING * E + mu;
      if (prismatic.length > 0) undampPrismatic(weights.jointScale, prismatic, lambda2 / mu, solver.jointScale);
      limitedStep(ik.step, model, problem, q, lambda2, true);
      iterations++;
      // only the moving joints change (a step never leaves the limits; the clamp removes rounding)
      qTrial.set(q);
      for (let i = 0; i < moving.length; i++) {
        const k = moving[i]!;
        const next = q[k]! + dq[k]!;
        qTrial[k] = model.continuous[k] ? next : Math.min(Math.max(next, model.qLower[k]!), model.qUpper[k]!);
      }
      // the trial's evaluation replaces the current one: kept if it is accepted, and the current
      // one brought back if not
      copyEvaluation(saved, current);
      evaluatePoseError(robot, ik.kinematics, ee, qTrial, target, current, ik.R_delta);
      const trialE = weightedHalfSquare(current.e, sqrtTask);
      if (trialE < E) {
        q.set(qTrial);
        E = trialE;
        mu = Math.max(mu / MU_FACTOR, MU_MIN);
        // stalled: the last STALL_WINDOW accepted steps lowered E by less than STALL_PROGRESS
        recentErrors[accepted % RECENT_ERRORS] = E;
        accepted++;
        if (accepted > STALL_WINDOW && E > (1 - STALL_PROGRESS) * recentErrors[(accepted - 1 - STALL_WINDOW) % RECENT_ERRORS]!) break;
      } else {
        mu *= MU_FACTOR;
        copyEvaluation(current, saved);
      }
    }
  }

  // the answer: the solution or the best configuration seen, within the limits, with continuous
  // joints wrapped to the value nearest the seed
  const result = ik.results.solution;
  result.set(status === 'converged' ? q : qBest);
  for (let k = 0; k < model.dof; k++) {
    if (model.continuous[k]) result[k] = nearestEquivalentAngle(result[k]!, seed[k]!);
  }
  clampToLimits(model, result);
  evaluatePoseError(robot, ik.kinematics, ee, result, target, current, ik.R_delta);
  return {
    converged: status === 'converged', status, q: result, error: errorNorms(current.e, sqrtTask),
    iterations, restarts, elapsedMs: now() - started,
  };
}

/**
 * Sets the joint scales Wq^(-1/2) of the prismatic joints to √(λ²/μ) times the caller's, so that
 * their damping is μ alone: the error term of λ² is a trust region for the linearisation of
 * rotations (a revolute joint's effect is linear only for small angles), and a prismatic joint's
 * effect is linear in q at any distance. Without it a target 50 m along a rail is approached at
 * e / (1 + E/10) per step and the attempt stalls; with it the rail is solved in a Gauss–Newton
 * step at any distance, while the revolute joints keep their damping. The weighted least squares
 * dq = Wq⁻¹J̃ᵀ(J̃Wq⁻¹J̃ᵀ + λ²I)⁻¹ẽ is the same as damping each joint j by λ²·w_j. Allocates nothing.
 */
function undampPrismatic(jointScale: Float64Array, prismatic: Int32Array, ratio: number, out: Float64Array): void {
  const boost = Math.sqrt(ratio);
  for (let i = 0; i < prismatic.length; i++) {
    const k = prismatic[i]!;
    out[k] = jointScale[k]! * boost;
  }
}

/**
 * A restart: each joint that moves the tip drawn at random, the others as in the seed. A joint
 * whose range is far wider than the arm is drawn near where it matters, not over its whole range:
 * a revolute joint of more than four turns within one turn of the seed, a prismatic one (a rail, a
 * mobile base) within ±reach of its value in the best configuration found so far, where the
 * target has drawn it. Allocates
 * nothing.
 */
function randomRestart(
  model: KinematicModel, path: KinematicPath, random: SeededRandom, seed: Float64Array, best: Float64Array, out: Float64Array,
): void {
  const moving = path.movingJoints;
  for (let i = 0; i < moving.length; i++) {
    const k = moving[i]!;
    if (model.continuous[k]) { out[k] = seed[k]! + random.uniform(-Math.PI, Math.PI); continue; }
    const lower = model.qLower[k]!, upper = model.qUpper[k]!;
    const prismatic = model.jointCode[model.jointLink[k]!] === JointCode.PRISMATIC;
    // a rail: within ±reach (at least 1 m); a revolute joint of more than four turns: within ±one turn
    const half = prismatic ? Math.max(path.reach, 1) : 2 * Math.PI;
    if (upper - lower > 4 * half) {
      const center = prismatic ? best[k]! : seed[k]!;
      out[k] = random.uniform(Math.max(lower, center - half), Math.min(upper, center + half));
    } else {
      out[k] = random.uniform(lower, upper);
    }
  }
}
