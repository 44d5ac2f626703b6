/**
 * One damped-least-squares IK step toward a target pose: what a control loop calls each cycle.
 *
 * The damping follows the smallest singular value (Chiaverini's rule, singularity-measures.ts)
 * unless the caller fixes λ. Error-dependent damping (Sugihara) converges more surely from far
 * away but lags a controller that is close, which is the usual case for a step; it is what the
 * full solver uses instead.
 */
import type { CompiledRobot } from '../compiled-robot.js';
import { assertLength } from '../errors.js';
import { assertEndEffectorOf, type EndEffector } from '../jacobian.js';
import { evaluatePoseError, evaluatePoseErrorOnly, setWeights, type StepProblem } from './ik-problem.js';
import { assertIkWorkspaceOf, type IkWorkspace } from './ik-workspace.js';
import { clampToLimits, limitedStep } from './limited-step.js';
import {
  SINGULAR_REGION, adaptiveDamping2, measureSingularity, type SingularityMeasures,
} from './singularity-measures.js';
import { DEFAULT_TOLERANCE, errorNorms, normsWithin, type Tolerance } from './tolerance.js';

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

/** The statuses of a step, in the order the schema lists them. */
export const IK_STEP_STATUSES = ['converged', 'progressing', 'near-singular', 'at-limit'] as const;

/**
 * What a step found: `converged` (within tolerance after the step), `at-limit` (a joint was
 * pinned at a limit or the step shortened to stay inside), `near-singular` (σmin below
 * SINGULAR_REGION, damping active), else `progressing`.
 */
export type IkStepStatus = (typeof IK_STEP_STATUSES)[number];

/** The answer of {@link computeIkStep}. */
export interface IkStepResult {
  /** The configuration after the step: ik.results.stepQ, overwritten by the next step on the workspace. */
  q: Float64Array;
  /** The returned q minus the given q: ik.results.stepDq, overwritten likewise. */
  dq: Float64Array;
  error: { position: number; orientation: number };
  errorAfter: { position: number; orientation: number };
  /** λ used. */
  damping: number;
  analysis: SingularityMeasures;
  status: IkStepStatus;
}

/**
 * One step from q toward the target pose X_BT (12 doubles: the tip pose relative to the end
 * effector's base). A q outside the limits is brought into them first when limits are respected.
 */
export function computeIkStep(
  robot: CompiledRobot, ik: IkWorkspace, ee: EndEffector, q: Float64Array, X_BT: Float64Array, options: IkStepOptions = {},
): IkStepResult {
  const { model } = robot;
  assertEndEffectorOf(robot, ee);
  assertIkWorkspaceOf(model, ik);
  assertLength('q', model.dof, q.length);
  assertLength('target pose', 12, X_BT.length);
  const respectLimits = options.respectLimits ?? true;
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const { current, weights } = ik;
  setWeights(weights, options.taskWeights, options.jointWeights);
  // q is read only here: it may be the stepQ of a previous step, which this one overwrites
  const given = ik.qGiven, start = ik.qStart;
  given.set(q);
  start.set(q);
  if (respectLimits) clampToLimits(model, start);
  evaluatePoseError(robot, ik.kinematics, ee, start, X_BT, current, ik.R_delta);
  const error = errorNorms(current.e, weights.sqrtTask);

  // the singular values of the problem before any joint is pinned
  const problem: StepProblem = { J_BE: current.J_BE, e: current.e, weights, path: ee.path };
  const analysis = measureSingularity(ik.step, problem);
  const sigmaMin = analysis.minSingularValue;

  const lambda2 = options.damping !== undefined ? options.damping * options.damping : adaptiveDamping2(sigmaMin);
  let limited = 0;
  const dq = ik.step.dq;
  if (normsWithin(error, tolerance)) {
    dq.fill(0);
  } else {
    limited = limitedStep(ik.step, model, problem, start, lambda2, respectLimits);
  }
  if (options.maxStep !== undefined) {
    let largest = 0;
    for (let i = 0; i < model.dof; i++) largest = Math.max(largest, Math.abs(dq[i]!));
    if (largest > options.maxStep) for (let i = 0; i < model.dof; i++) dq[i] = dq[i]! * (options.maxStep / largest);
  }
  const next = ik.results.stepQ, stepTaken = ik.results.stepDq;
  for (let i = 0; i < model.dof; i++) next[i] = start[i]! + dq[i]!;
  if (respectLimits) clampToLimits(model, next); // rounding only: the step already stays inside
  evaluatePoseErrorOnly(robot, ee, next, X_BT, current, ik.R_delta);
  const errorAfter = errorNorms(current.e, weights.sqrtTask);
  const status: IkStepStatus = normsWithin(errorAfter, tolerance) ? 'converged'
    : limited !== 0 ? 'at-limit'
      : sigmaMin < SINGULAR_REGION ? 'near-singular' : 'progressing';
  for (let i = 0; i < model.dof; i++) stepTaken[i] = next[i]! - given[i]!;
  return { q: next, dq: stepTaken, error, errorAfter, damping: Math.sqrt(lambda2), analysis, status };
}
