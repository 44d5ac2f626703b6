/**
 * Resolved-rate control: the joint velocities that produce a desired tip twist, for servo loops.
 *
 *   q̇ = J⁺ V  (damped least squares, the adaptive damping of damped-step.ts near singularities)
 *
 * then scaled down as a whole, so that its direction (and the direction of the tip's motion)
 * is kept:
 *  - near singularities, as MoveIt Servo does: with κ the condition number of J (σmax / σmin over
 *    the joints that move the tip), full speed below the lower threshold (default 17), a linear
 *    ramp to zero at the hard-stop threshold (default 30), and zero beyond it; only when the
 *    command pushes toward the singularity (its exact joint motion thins the Jacobian; at a
 *    singularity, it asks for motion the arm cannot make: see singularity-trend.ts), so that a
 *    command that backs out keeps full speed;
 *  - so that no joint passes a position limit within dt, and none exceeds its URDF velocity limit.
 */
import type { CompiledRobot } from '../compiled-robot.js';
import { KinematicsError, assertLength } from '../errors.js';
import { assertEndEffectorOf, computeJacobian, type EndEffector } from '../jacobian.js';
import { setWeights, type StepProblem } from './ik-problem.js';
import { assertIkWorkspaceOf, type IkWorkspace } from './ik-workspace.js';
import { limitedStep } from './limited-step.js';
import { computeNullspaceMotion, nullspaceFraction, type NullspaceOptions } from './nullspace.js';
import { adaptiveDamping2, measureSingularity, type SingularityMeasures } from './singularity-measures.js';
import { movesTowardSingularity } from './singularity-trend.js';

export const DEFAULT_LOWER_SINGULARITY_THRESHOLD = 17;
export const DEFAULT_HARD_STOP_SINGULARITY_THRESHOLD = 30;
export const DEFAULT_CONTROL_PERIOD = 0.01;

/** Options of {@link computeVelocityCommand}; every one optional. */
export interface VelocityControlOptions {
  /** Control period (s): no joint may pass a position limit within it. Default 0.01. */
  dt?: number;
  /** Condition number where slowing down starts (MoveIt Servo's default 17). */
  lowerSingularityThreshold?: number;
  /** Condition number where motion toward the singularity stops (MoveIt Servo's default 30). */
  hardStopSingularityThreshold?: number;
  /** Apply position and velocity limits (default true). */
  respectLimits?: boolean;
  /** A secondary motion in the null space of the task (nullspace.ts); none by default. */
  nullspace?: NullspaceOptions;
}

/** The statuses of a velocity command, in the order the schema lists them. */
export const VELOCITY_CONTROL_STATUSES = ['ok', 'decelerating-singularity', 'halted-singularity', 'joint-limit'] as const;

/**
 * Why the command was scaled: not (`ok`), the condition number in the band
 * (`decelerating-singularity`) or beyond it (`halted-singularity`), or a position or velocity
 * limit (`joint-limit`).
 */
export type VelocityControlStatus = (typeof VELOCITY_CONTROL_STATUSES)[number];

/** The answer of {@link computeVelocityCommand}. */
export interface VelocityControlResult {
  /** Joint velocities: ik.results.qdot, overwritten by the next call on the workspace. */
  qdot: Float64Array;
  /** The factor applied to the unconstrained q̇, in [0, 1]. */
  scale: number;
  status: VelocityControlStatus;
  analysis: SingularityMeasures;
  /**
   * With options.nullspace: the fraction of the null-space motion applied (1 unless a joint limit
   * cut it), and dφ/dt, the rate at which the objective changes under it.
   */
  nullspace?: { applied: number; objectiveRate: number };
}

/**
 * The joint velocities for the twist V (6 values, linear first, in the end effector's reference
 * frame) at q.
 */
export function computeVelocityCommand(
  robot: CompiledRobot, ik: IkWorkspace, ee: EndEffector, q: Float64Array, twist: Float64Array, options: VelocityControlOptions = {},
): VelocityControlResult {
  const { model } = robot;
  const dof = model.dof;
  const dt = options.dt ?? DEFAULT_CONTROL_PERIOD;
  const lower = options.lowerSingularityThreshold ?? DEFAULT_LOWER_SINGULARITY_THRESHOLD;
  const hardStop = options.hardStopSingularityThreshold ?? DEFAULT_HARD_STOP_SINGULARITY_THRESHOLD;
  const respectLimits = options.respectLimits ?? true;
  assertEndEffectorOf(robot, ee);
  assertIkWorkspaceOf(model, ik);
  assertLength('q', dof, q.length);
  assertLength('twist', 6, twist.length);
  if (!(lower < hardStop)) {
    throw new KinematicsError('INVALID_ARGUMENT',
      `lowerSingularityThreshold (${lower}) must be below hardStopSingularityThreshold (${hardStop})`);
  }
  const { current, weights } = ik;
  setWeights(weights, undefined, undefined);
  // J and V in the end effector's frame: q̇ solves J_frame q̇ = V_frame
  computeJacobian(robot, ik.kinematics, q, ee, current.J_BE, current.X_BE);
  current.e.set(twist);
  const problem: StepProblem = { J_BE: current.J_BE, e: current.e, weights, path: ee.path };

  // κ over the moving joints; Infinity at a singularity
  const analysis = measureSingularity(ik.step, problem);
  const kappa = analysis.conditionNumber ?? Infinity;

  // the unconstrained velocities: J⁺ V, damped near singularities (limits are handled by scaling)
  limitedStep(ik.step, model, problem, q, adaptiveDamping2(analysis.minSingularValue), false);
  const qdot = ik.results.qdot;
  qdot.set(ik.step.dq);

  let singularityScale = 1;
  if (kappa > lower && movesTowardSingularity(robot, ik, ee, q, twist, weights)) {
    singularityScale = kappa >= hardStop ? 0 : 1 - (kappa - lower) / (hardStop - lower);
  }

  let limitScale = 1;
  if (respectLimits && singularityScale > 0) {
    for (let k = 0; k < dof; k++) {
      const v = qdot[k]! * singularityScale;
      if (v === 0) continue;
      const vmax = model.velocityLimit[k]!;
      if (Math.abs(v) > vmax) limitScale = Math.min(limitScale, vmax / Math.abs(v));
      if (model.continuous[k]) continue;
      const next = q[k]! + v * dt;
      if (v > 0 && next > model.qUpper[k]!) limitScale = Math.min(limitScale, Math.max(0, (model.qUpper[k]! - q[k]!) / (v * dt)));
      if (v < 0 && next < model.qLower[k]!) limitScale = Math.min(limitScale, Math.max(0, (model.qLower[k]! - q[k]!) / (v * dt)));
    }
  }
  const scale = singularityScale * limitScale;
  for (let k = 0; k < dof; k++) qdot[k] = qdot[k]! * scale;
  const status: VelocityControlStatus = singularityScale === 0 ? 'halted-singularity'
    : limitScale < 1 ? 'joint-limit'
      : singularityScale < 1 ? 'decelerating-singularity' : 'ok';
  if (!options.nullspace) return { qdot, scale, status, analysis };

  // the secondary motion, in the null space of J (current.J_BE is J in the command's frame at q)
  const motion = ik.nullspace.motion;
  computeNullspaceMotion(robot, ik, ee, q, current.J_BE, options.nullspace, motion);
  const applied = respectLimits ? nullspaceFraction(model, q, qdot, motion, dt) : 1;
  const gradient = ik.nullspace.gradient;
  let objectiveRate = 0;
  for (let k = 0; k < dof; k++) {
    qdot[k] = qdot[k]! + applied * motion[k]!;
    // gradient holds k∇φ: dφ/dt = ∇φ · β q̇_null
    objectiveRate += (options.nullspace.gain !== 0 ? gradient[k]! / options.nullspace.gain : 0) * applied * motion[k]!;
  }
  return { qdot, scale, status, analysis, nullspace: { applied, objectiveRate } };
}
