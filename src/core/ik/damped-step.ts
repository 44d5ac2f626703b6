/**
 * One damped-least-squares IK step toward a target pose: what a control loop calls each cycle.
 *
 * Damping (unless the caller fixes λ) follows the smallest singular value σ of the weighted
 * Jacobian, by the rule of Chiaverini (1997) that KDL's ChainIkSolverVel_wdls also uses:
 *
 *   λ² = λmax² (1 - (σ/ε)²)  for σ < ε,   0 otherwise
 *
 * Away from singularities the step is the exact Gauss–Newton step (no lag, quadratic convergence
 * near the target); entering the region σ < ε it damps smoothly (λ² is continuous, and so is its
 * slope in σ², at σ = ε); at a singularity the step's gain is at most 1/(2 λmax). Error-dependent
 * damping (Sugihara) converges more surely from far away but lags a controller that is close,
 * which is the usual case for a step; it is what the full solver uses instead.
 */
import { assertLength } from '../errors.js';
import type { EndEffector } from '../jacobian.js';
import { loadProblem, singularValues } from './damped-least-squares.js';
import {
  clampToLimits, errorNorms, evaluate, evaluateError, freeMovingJoints, limitedStep, setWeights, type IkWorkspace,
} from './ik-workspace.js';

/** σ below which the adaptive damping acts (σ of a Jacobian in m and rad). */
export const SINGULAR_REGION = 0.05;
/** λ at an exact singularity: the step's gain is then at most 1 / (2 λ) = 10. */
export const MAX_ADAPTIVE_DAMPING = 0.05;

/** When a pose error counts as reached: both parts at or below their bound. */
export interface Tolerance {
  /** m */
  position: number;
  /** rad */
  orientation: number;
}

/** 1e-5 m and 1e-5 rad, the contract's default (and TRAC-IK's benchmark's). */
export const DEFAULT_TOLERANCE: Readonly<Tolerance> = Object.freeze({ position: 1e-5, orientation: 1e-5 });

/** Options of {@link computeIkStep}; every one optional. */
export interface IkStepOptions {
  /** Fixed damping λ; default adaptive (see the module comment). */
  damping?: number;
  /** Six task weights, linear first, each >= 0 (0 frees an axis); default all 1. */
  taskWeights?: ArrayLike<number>;
  /** One weight per active joint, each > 0 (larger moves the joint less); default all 1. */
  jointWeights?: ArrayLike<number>;
  /** Largest change of any joint in the step (rad or m); the step is shortened to it. */
  maxStep?: number;
  /** Keep the result within the joint limits (default true). */
  respectLimits?: boolean;
  /** When the error after the step counts as converged; default 1e-5 m and 1e-5 rad. */
  tolerance?: Tolerance;
}

/**
 * What a step found: `converged` (within tolerance after the step), `at-limit` (a joint was
 * pinned at a limit or the step shortened to stay inside), `near-singular` (σmin below
 * SINGULAR_REGION, damping active), else `progressing`.
 */
export type IkStepStatus = 'converged' | 'progressing' | 'near-singular' | 'at-limit';

/** How close the free joints' weighted Jacobian is to a singularity. */
export interface SingularityMeasures {
  /** Smallest of the min(6, n) singular values of the weighted Jacobian of the moving joints. */
  minSingularValue: number;
  /** Largest over smallest; absent when the smallest is 0. */
  conditionNumber?: number;
  /** Product of the singular values. */
  manipulability: number;
}

/**
 * The measures of the weighted Jacobian of the free joints in `ik` (J, weights, free set); leaves
 * its singular values in ik.dls.eigenvalues, ascending.
 */
export function measureSingularity(ik: IkWorkspace): SingularityMeasures {
  const { dls } = ik;
  loadProblem(dls, ik.J, ik.e, ik.sqrtTaskWeights, ik.free);
  const count = singularValues(dls);
  const sigmaMin = count > 0 ? dls.eigenvalues[0]! : 0;
  const sigmaMax = count > 0 ? dls.eigenvalues[count - 1]! : 0;
  let manipulability = count > 0 ? 1 : 0;
  for (let i = 0; i < count; i++) manipulability *= dls.eigenvalues[i]!;
  const measures: SingularityMeasures = { minSingularValue: sigmaMin, manipulability };
  // absent at a singularity, including a σmin so small that the ratio overflows
  if (sigmaMin > 0 && sigmaMax / sigmaMin < Infinity) measures.conditionNumber = sigmaMax / sigmaMin;
  return measures;
}

/** The answer of {@link computeIkStep}. */
export interface IkStepResult {
  /** The configuration after the step: ik.stepQ, overwritten by the next step on the workspace. */
  q: Float64Array;
  /** The returned q minus the given q: ik.stepDq, overwritten likewise. */
  dq: Float64Array;
  error: { position: number; orientation: number };
  errorAfter: { position: number; orientation: number };
  /** λ used. */
  damping: number;
  analysis: SingularityMeasures;
  status: IkStepStatus;
}

function withinTolerance(error: { position: number; orientation: number }, tolerance: Tolerance): boolean {
  return error.position <= tolerance.position && error.orientation <= tolerance.orientation;
}

/** The damping λ² of the adaptive rule for smallest singular value σ. */
export function adaptiveDamping2(sigmaMin: number): number {
  if (sigmaMin >= SINGULAR_REGION) return 0;
  const r = sigmaMin / SINGULAR_REGION;
  return MAX_ADAPTIVE_DAMPING * MAX_ADAPTIVE_DAMPING * (1 - r * r);
}

/**
 * One step from q toward the target pose already in ik.X_target (the tip pose, relative to the
 * end effector's base). A q outside the limits is brought into them first when limits are respected.
 */
export function computeIkStep(ik: IkWorkspace, ee: EndEffector, q: Float64Array, options: IkStepOptions = {}): IkStepResult {
  const { model } = ik;
  assertLength('q', model.dof, q.length);
  const respectLimits = options.respectLimits ?? true;
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  setWeights(ik, options.taskWeights, options.jointWeights);
  // q is read only here: it may be the stepQ of a previous step, which this one overwrites
  const given = ik.qGiven, start = ik.qStart;
  given.set(q);
  start.set(q);
  if (respectLimits) clampToLimits(model, start);
  evaluate(ik, ee, start);
  const error = errorNorms(ik);

  // the singular values of the problem before any joint is pinned
  freeMovingJoints(ik, ee);
  const analysis = measureSingularity(ik);
  const sigmaMin = analysis.minSingularValue;

  const lambda2 = options.damping !== undefined ? options.damping * options.damping : adaptiveDamping2(sigmaMin);
  let limited = 0;
  if (withinTolerance(error, tolerance)) {
    ik.dq.fill(0);
  } else {
    limited = limitedStep(ik, start, lambda2, respectLimits);
  }
  const dq = ik.dq;
  if (options.maxStep !== undefined) {
    let largest = 0;
    for (let i = 0; i < model.dof; i++) largest = Math.max(largest, Math.abs(dq[i]!));
    if (largest > options.maxStep) for (let i = 0; i < model.dof; i++) dq[i] = dq[i]! * (options.maxStep / largest);
  }
  const next = ik.stepQ, stepTaken = ik.stepDq;
  for (let i = 0; i < model.dof; i++) next[i] = start[i]! + dq[i]!;
  if (respectLimits) clampToLimits(model, next); // rounding only: the step already stays inside
  evaluateError(ik, ee, next);
  const errorAfter = errorNorms(ik);
  const status: IkStepStatus = withinTolerance(errorAfter, tolerance) ? 'converged'
    : limited !== 0 ? 'at-limit'
      : sigmaMin < SINGULAR_REGION ? 'near-singular' : 'progressing';
  for (let i = 0; i < model.dof; i++) stepTaken[i] = next[i]! - given[i]!;
  return { q: next, dq: stepTaken, error, errorAfter, damping: Math.sqrt(lambda2), analysis, status };
}

