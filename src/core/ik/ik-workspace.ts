/**
 * Scratch memory for inverse kinematics of one model, and the pieces every IK algorithm shares:
 * evaluating the pose error and Jacobian at a configuration, the limit-respecting damped step,
 * and keeping configurations inside the limits.
 */
import { computeEndEffectorPose, computeJacobian, type EndEffector } from '../jacobian.js';
import { assertLength } from '../errors.js';
import type { KinematicPath } from '../kinematic-path.js';
import type { KinematicModel } from '../model.js';
import { createWorkspace, type KinematicWorkspace } from '../workspace.js';
import { createDlsScratch, loadProblem, solveStep, type DlsScratch } from './damped-least-squares.js';
import { compileDlsKernels, type DlsKernels } from './dls-kernel.js';
import { computePoseError } from './pose-error.js';
import { SeededRandom } from './random.js';

/** Length of the solver's error history. */
export const HISTORY_LENGTH = 16;

/** A joint this close to a limit counts as at it (rad or m). */
export const LIMIT_TOLERANCE = 1e-9;

/** Damping added when a step's system is singular with the damping asked for (λ² = 0 at a singularity). */
const FALLBACK_DAMPING2 = 1e-12;

/**
 * The preallocated state of the IK functions for one model (see createIkWorkspace): set the
 * target pose in `X_target`, then call computeIkStep, computeVelocityCommand or solveIk. Their
 * results are views of this workspace (see stepQ and the fields after it). One workspace serves
 * one caller at a time; the fields other than X_target are the functions' scratch.
 */
export interface IkWorkspace {
  readonly model: KinematicModel;
  /** FK and Jacobian scratch. */
  readonly kinematics: KinematicWorkspace;
  /** Damped least squares scratch. */
  readonly dls: DlsScratch;
  /** Jacobian (LOCAL_WORLD_ALIGNED, 6 x dof) and pose X_BE at the last evaluated configuration. */
  readonly J: Float64Array;
  readonly X: Float64Array;
  /** The target pose X_BT. */
  readonly X_target: Float64Array;
  /** Pose error at the last evaluated configuration, and scratch for it. */
  readonly e: Float64Array;
  readonly R: Float64Array;
  /** √ of the six task weights of the current call. */
  readonly sqrtTaskWeights: Float64Array;
  /** 1 for the joints a step may move (moving and not pinned at a limit), 0 for the others. */
  readonly free: Uint8Array;
  /** The last step. */
  readonly dq: Float64Array;
  /** Solver configurations: a trial, the best seen, and a step's start. */
  readonly qTrial: Float64Array;
  readonly qBest: Float64Array;
  readonly qStart: Float64Array;
  /** Copies of a caller's configuration and seed, so that results may be passed back in. */
  readonly qGiven: Float64Array;
  readonly qSeed: Float64Array;
  /** The solver's current configuration, and the velocity controller's probe of where q̇ leads. */
  readonly qCurrent: Float64Array;
  readonly qProbe: Float64Array;
  /**
   * The velocity controller's singular vectors of the weighted Jacobian (task: 6, joints: dof)
   * and the undamped joint rates of a command (see singularity-trend.ts).
   */
  readonly thinTask: Float64Array;
  readonly thinJoints: Float64Array;
  readonly undampedRate: Float64Array;
  /** J, e and X of the current configuration, kept while a trial step is evaluated. */
  readonly JSaved: Float64Array;
  readonly eSaved: Float64Array;
  readonly XSaved: Float64Array;
  /** The restarts' generator, reseeded by each solve from its randomSeed. */
  readonly random: SeededRandom;
  /**
   * The results of computeIkStep (q, dq), computeVelocityCommand (qdot) and solveIk (q): owned by
   * the workspace, valid until the same function runs on it again. Copy what you keep.
   */
  readonly stepQ: Float64Array;
  readonly stepDq: Float64Array;
  readonly qdot: Float64Array;
  readonly solution: Float64Array;
  /** Recent weighted errors of the solver, a ring buffer (see solve.ts). */
  readonly history: Float64Array;
  /** Wq^(-1/2) of free joints, 0 for the others (the compiled kernels' input). */
  readonly activeScale: Float64Array;
  /** The compiled step kernels of the current path (set by freeMovingJoints), if any. */
  kernels: DlsKernels | undefined;
  /** The joints that move the tip on the current path (set by freeMovingJoints). */
  moving: Int32Array;
}

/** Allocates an IK workspace for `model`, once; the IK functions then allocate no arrays. */
export function createIkWorkspace(model: KinematicModel): IkWorkspace {
  const dof = model.dof;
  return {
    model,
    kinematics: createWorkspace(model),
    dls: createDlsScratch(dof),
    J: new Float64Array(6 * dof),
    X: new Float64Array(12),
    X_target: new Float64Array(12),
    e: new Float64Array(6),
    R: new Float64Array(9),
    sqrtTaskWeights: new Float64Array(6).fill(1),
    free: new Uint8Array(dof),
    dq: new Float64Array(dof),
    qTrial: new Float64Array(dof),
    qBest: new Float64Array(dof),
    qStart: new Float64Array(dof),
    qGiven: new Float64Array(dof),
    qSeed: new Float64Array(dof),
    qCurrent: new Float64Array(dof),
    qProbe: new Float64Array(dof),
    thinTask: new Float64Array(6),
    thinJoints: new Float64Array(Math.max(dof, 1)),
    undampedRate: new Float64Array(Math.max(dof, 1)),
    JSaved: new Float64Array(6 * dof),
    eSaved: new Float64Array(6),
    XSaved: new Float64Array(12),
    random: new SeededRandom(0),
    stepQ: new Float64Array(dof),
    stepDq: new Float64Array(dof),
    qdot: new Float64Array(dof),
    solution: new Float64Array(dof),
    history: new Float64Array(HISTORY_LENGTH),
    activeScale: new Float64Array(dof),
    kernels: undefined,
    moving: new Int32Array(0),
  };
}

/** Sets the task weights (6, linear first; each >= 0) and joint weights (dof, each > 0). */
export function setWeights(ik: IkWorkspace, taskWeights: ArrayLike<number> | undefined, jointWeights: ArrayLike<number> | undefined): void {
  if (taskWeights) assertLength('taskWeights', 6, taskWeights.length);
  if (jointWeights) assertLength('jointWeights', ik.model.dof, jointWeights.length);
  for (let r = 0; r < 6; r++) ik.sqrtTaskWeights[r] = Math.sqrt(taskWeights ? taskWeights[r]! : 1);
  for (let k = 0; k < ik.model.dof; k++) ik.dls.jointScale[k] = 1 / Math.sqrt(jointWeights ? jointWeights[k]! : 1);
}

/**
 * Evaluates J, X and e at q; returns ½|√Wx e|², the weighted squared error. J is in
 * LOCAL_WORLD_ALIGNED whatever the end effector's reference frame, because the pose error is: the
 * tip point's displacement and rotation vector in base axes.
 */
export function evaluate(ik: IkWorkspace, ee: EndEffector, q: Float64Array): number {
  computeJacobian(ik.model, ik.kinematics, q, ee, ik.J, ik.X, 'LOCAL_WORLD_ALIGNED');
  computePoseError(ik.X, ik.X_target, ik.e, ik.R);
  return weightedHalfSquare(ik);
}

/** Evaluates X and e at q, without the Jacobian; returns ½|√Wx e|². */
export function evaluateError(ik: IkWorkspace, ee: EndEffector, q: Float64Array): number {
  computeEndEffectorPose(ik.model, q, ee, ik.X);
  computePoseError(ik.X, ik.X_target, ik.e, ik.R);
  return weightedHalfSquare(ik);
}

/** Keeps J, e and X of the current configuration while a trial is evaluated... */
export function saveEvaluation(ik: IkWorkspace): void {
  ik.JSaved.set(ik.J);
  ik.eSaved.set(ik.e);
  ik.XSaved.set(ik.X);
}

/** ...and brings them back when the trial is rejected. */
export function restoreEvaluation(ik: IkWorkspace): void {
  ik.J.set(ik.JSaved);
  ik.e.set(ik.eSaved);
  ik.X.set(ik.XSaved);
}

function weightedHalfSquare(ik: IkWorkspace): number {
  let sum = 0;
  for (let r = 0; r < 6; r++) {
    const v = ik.sqrtTaskWeights[r]! * ik.e[r]!;
    sum += v * v;
  }
  return 0.5 * sum;
}

/** |position error|² or |orientation error|² (rows 0-2 or 3-5) over the axes that have weight. */
function maskedSquare(ik: IkWorkspace, first: number): number {
  let sum = 0;
  for (let r = first; r < first + 3; r++) if (ik.sqrtTaskWeights[r]! > 0) sum += ik.e[r]! * ik.e[r]!;
  return sum;
}

/** |position error| and |orientation error| over the axes that have weight (e in ik.e). */
export function errorNorms(ik: IkWorkspace): { position: number; orientation: number } {
  return { position: Math.sqrt(maskedSquare(ik, 0)), orientation: Math.sqrt(maskedSquare(ik, 3)) };
}

/** Whether the error in ik.e is within the tolerance (no allocation). */
export function errorWithin(ik: IkWorkspace, position: number, orientation: number): boolean {
  return maskedSquare(ik, 0) <= position * position && maskedSquare(ik, 3) <= orientation * orientation;
}

const kernelCache = new WeakMap<KinematicPath, DlsKernels | null>();

/** The compiled step kernels of a path (null where code generation is not allowed or the path is long). */
function kernelsOf(model: KinematicModel, path: KinematicPath): DlsKernels | undefined {
  let kernels = kernelCache.get(path);
  if (kernels === undefined) {
    kernels = compileDlsKernels(model.dof, path.movingJoints) ?? null;
    kernelCache.set(path, kernels);
  }
  return kernels ?? undefined;
}

/** Marks the joints that move the tip as free (the others keep their values) and picks the path's kernels. */
export function freeMovingJoints(ik: IkWorkspace, ee: EndEffector): void {
  const free = ik.free, moving = ee.path.movingJoints;
  for (let k = 0; k < free.length; k++) free[k] = 0;
  for (let i = 0; i < moving.length; i++) free[moving[i]!] = 1;
  ik.kernels = kernelsOf(ik.model, ee.path);
  ik.moving = moving;
}

/** What limited a step, as bits of limitedStep's result. */
export const STEP_PINNED = 1; // joints were at a limit and taken out of the step
export const STEP_SCALED = 2; // the step was shortened, keeping its direction, to stay inside the limits

/** Solves the damped step for the free joints into ik.dq, damping a singular system slightly. */
function solveFreeJoints(ik: IkWorkspace, lambda2: number): void {
  const kernels = ik.kernels;
  if (kernels) {
    // the compiled kernel of the smaller system: free joints against weighted axes
    const { free, activeScale, sqrtTaskWeights, moving } = ik;
    const jointScale = ik.dls.jointScale;
    let n = 0, m = 0;
    for (let i = 0; i < moving.length; i++) {
      const k = moving[i]!;
      activeScale[k] = free[k] !== 0 ? jointScale[k]! : 0;
      n += free[k]!;
    }
    for (let r = 0; r < 6; r++) if (sqrtTaskWeights[r]! > 0) m++;
    const kernel = n <= m ? kernels.primal : kernels.dual;
    if (!kernel(ik.J, ik.e, sqrtTaskWeights, activeScale, lambda2, ik.dq)) {
      kernel(ik.J, ik.e, sqrtTaskWeights, activeScale, Math.max(lambda2, FALLBACK_DAMPING2), ik.dq);
    }
    return;
  }
  loadProblem(ik.dls, ik.J, ik.e, ik.sqrtTaskWeights, ik.free);
  if (!solveStep(ik.dls, lambda2, ik.dq)) solveStep(ik.dls, Math.max(lambda2, FALLBACK_DAMPING2), ik.dq);
}

/**
 * The damped step from q for the problem in ik (J, e, weights, free joints), into ik.dq, that never
 * leaves the joint limits: a joint at a limit that the step pushes outward is taken out of the
 * problem and the step solved again (so the other joints make up for it, where clamping after the
 * step would waste the step and stall); then the whole step is shortened, keeping its direction,
 * until every joint stays within its limits. Continuous joints are never limited. `ik.free` is
 * left with the joints that stayed free.
 */
export function limitedStep(ik: IkWorkspace, q: Float64Array, lambda2: number, respectLimits: boolean): number {
  const { model, dq, free, moving } = ik;
  const dof = model.dof, lower = model.qLower, upper = model.qUpper, continuous = model.continuous;
  solveFreeJoints(ik, lambda2);
  if (!respectLimits) return 0;
  // only moving joints can be free, and dq is zero for the others
  let limited = 0;
  for (let round = 0; round < moving.length; round++) {
    let pinnedNow = false;
    for (let i = 0; i < moving.length; i++) {
      const k = moving[i]!;
      if (free[k] === 0 || continuous[k] !== 0) continue;
      if ((q[k]! <= lower[k]! + LIMIT_TOLERANCE && dq[k]! < 0) || (q[k]! >= upper[k]! - LIMIT_TOLERANCE && dq[k]! > 0)) {
        free[k] = 0;
        pinnedNow = true;
      }
    }
    if (!pinnedNow) break;
    limited |= STEP_PINNED;
    solveFreeJoints(ik, lambda2);
  }
  let alpha = 1;
  for (let i = 0; i < moving.length; i++) {
    const k = moving[i]!;
    if (free[k] === 0 || continuous[k] !== 0) continue;
    const next = q[k]! + dq[k]!;
    if (dq[k]! > 0 && next > upper[k]!) alpha = Math.min(alpha, (upper[k]! - q[k]!) / dq[k]!);
    else if (dq[k]! < 0 && next < lower[k]!) alpha = Math.min(alpha, (lower[k]! - q[k]!) / dq[k]!);
  }
  if (alpha < 1) {
    alpha = Math.max(alpha, 0);
    for (let k = 0; k < dof; k++) dq[k] = dq[k]! * alpha;
    limited |= STEP_SCALED;
  }
  return limited;
}

/** Brings every joint that has limits into them (continuous joints untouched). */
export function clampToLimits(model: KinematicModel, q: Float64Array): void {
  const lower = model.qLower, upper = model.qUpper, continuous = model.continuous;
  for (let k = 0; k < model.dof; k++) {
    if (continuous[k] !== 0) continue;
    if (q[k]! < lower[k]!) q[k] = lower[k]!;
    else if (q[k]! > upper[k]!) q[k] = upper[k]!;
  }
}
