/**
 * The problem a damped least-squares step solves, passed explicitly to every function that needs
 * it: the Jacobian and the task vector at a configuration, the weights, and the kinematic path
 * (which joints move the tip, and the compiled step kernels of those joints).
 */
import type { CompiledRobot } from '../compiled-robot.js';
import { assertLength } from '../errors.js';
import { computeEndEffectorPose, computeJacobian, type EndEffector } from '../jacobian.js';
import type { KinematicPath } from '../kinematic-path.js';
import type { KinematicWorkspace } from '../workspace.js';
import type { IkEvaluation, IkWeights } from './ik-workspace.js';
import { computePoseError } from './pose-error.js';

/** The inputs of a damped least-squares step at one configuration. */
export interface StepProblem {
  /** J_BE at q: 6 x dof, row-major, in the frame of `e`. */
  readonly J_BE: Float64Array;
  /**
   * The task vector at q, linear first: a pose error in base axes (with the LOCAL_WORLD_ALIGNED
   * Jacobian), or a commanded twist in the end effector's frame (with the Jacobian in that frame).
   */
  readonly e: Float64Array;
  readonly weights: IkWeights;
  /** The path of the end effector: its moving joints and their compiled step kernels. */
  readonly path: KinematicPath;
}

/**
 * Sets the weights: √ of six task weights (linear first; each >= 0, 0 frees an axis) and
 * Wq^(-1/2) of one weight per joint (each > 0); absent means all 1.
 */
export function setWeights(
  weights: IkWeights, taskWeights: ArrayLike<number> | undefined, jointWeights: ArrayLike<number> | undefined,
): void {
  if (taskWeights) assertLength('taskWeights', 6, taskWeights.length);
  if (jointWeights) assertLength('jointWeights', weights.jointScale.length, jointWeights.length);
  for (let r = 0; r < 6; r++) weights.sqrtTask[r] = Math.sqrt(taskWeights ? taskWeights[r]! : 1);
  for (let k = 0; k < weights.jointScale.length; k++) weights.jointScale[k] = 1 / Math.sqrt(jointWeights ? jointWeights[k]! : 1);
}

/**
 * Evaluates the tip pose X_BE, its LOCAL_WORLD_ALIGNED Jacobian J_BE and the pose error e toward
 * X_BT at q, into `out`. J is in LOCAL_WORLD_ALIGNED whatever the end effector's reference
 * frame, because the pose error is: the tip point's displacement and rotation vector in base axes.
 * `R_delta` is scratch (9).
 */
export function evaluatePoseError(
  robot: CompiledRobot, ws: KinematicWorkspace, ee: EndEffector, q: Float64Array, X_BT: Float64Array,
  out: IkEvaluation, R_delta: Float64Array,
): void {
  computeJacobian(robot, ws, q, ee, out.J_BE, out.X_BE, 'LOCAL_WORLD_ALIGNED');
  computePoseError(out.X_BE, X_BT, out.e, R_delta);
}

/** Evaluates X_BE and e at q without the Jacobian (out.J_BE is left as it was). */
export function evaluatePoseErrorOnly(
  robot: CompiledRobot, ee: EndEffector, q: Float64Array, X_BT: Float64Array, out: IkEvaluation, R_delta: Float64Array,
): void {
  computeEndEffectorPose(robot, q, ee, out.X_BE);
  computePoseError(out.X_BE, X_BT, out.e, R_delta);
}

/** Copies an evaluation (to keep the current one while a trial is evaluated, and to bring it back). */
export function copyEvaluation(to: IkEvaluation, from: IkEvaluation): void {
  to.J_BE.set(from.J_BE);
  to.e.set(from.e);
  to.X_BE.set(from.X_BE);
}
