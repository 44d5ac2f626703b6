/**
 * The ik/step and ik/velocity commands as the routes and the control stream both run them: the
 * options of a request resolved once (the end effector, the weights, the solver options), then
 * one command at a configuration answered with the fields of the route's response. One
 * implementation, so that a stream session gives the same numbers as the HTTP route.
 */
import { KinematicsError } from '../core/errors.js';
import { computeIkStep, type IkStepOptions } from '../core/ik/damped-step.js';
import type { IkWorkspace } from '../core/ik/ik-workspace.js';
import { computeVelocityCommand, type VelocityControlOptions } from '../core/ik/velocity-control.js';
import type { EndEffector } from '../core/jacobian.js';
import { transformFromPose, type PoseInput } from '../core/pose.js';
import type { CompiledRobot } from '../core/compiled-robot.js';
import type { RobotEntry } from '../robots/registry.js';
import { assertFinite, endEffectorOf, jointWeightsOf, taskWeightsOf } from './robot-request.js';
import type { IkStepRequest, IkVelocityRequest } from './schemas/ik.js';
import type { Static } from 'typebox';

type IkStepFields = Omit<Static<typeof IkStepRequest>, 'q' | 'target'>;
type IkVelocityFields = Omit<Static<typeof IkVelocityRequest>, 'q' | 'twist'>;

/**
 * Reads a target pose into `out`. A target without orientation is accepted when the orientation
 * weights are all 0 (position-only IK: the orientation is then not looked at); otherwise it is a
 * 400 that says what to do.
 */
export function targetOf(target: PoseInput, taskWeights: ArrayLike<number> | undefined, out: Float64Array, o = 0, what = 'target'): Float64Array {
  const positionOnly = taskWeights !== undefined && taskWeights[3] === 0 && taskWeights[4] === 0 && taskWeights[5] === 0;
  if (!positionOnly && !target.quaternion && !target.rotation) {
    throw new KinematicsError('INVALID_ARGUMENT',
      `${what} needs an orientation: give "quaternion" [x, y, z, w] or "rotation" (3x3 rows), or set the orientation weights to 0 `
      + '("weights": [1, 1, 1, 0, 0, 0]) for position-only IK');
  }
  return transformFromPose(target, out, o, what, positionOnly ? 'optional' : 'required');
}

/** ik/step's options resolved on a robot, for any number of commands. */
export interface PreparedIkStep {
  readonly robot: CompiledRobot;
  readonly ee: EndEffector;
  readonly taskWeights: number[] | undefined;
  readonly options: IkStepOptions;
}

export function prepareIkStep(entry: RobotEntry, fields: IkStepFields): PreparedIkStep {
  const taskWeights = taskWeightsOf(fields.weights);
  const jointWeights = jointWeightsOf(entry, fields.jointWeights);
  return {
    robot: entry.context.robot,
    ee: endEffectorOf(entry, { tip: fields.tip, base: fields.base, tipOffset: fields.tipOffset }),
    taskWeights,
    options: {
      ...(fields.damping !== undefined ? { damping: fields.damping } : {}),
      ...(taskWeights ? { taskWeights } : {}),
      ...(jointWeights ? { jointWeights } : {}),
      ...(fields.maxStep !== undefined ? { maxStep: fields.maxStep } : {}),
      ...(fields.respectLimits !== undefined ? { respectLimits: fields.respectLimits } : {}),
      ...(fields.tolerance ? { tolerance: fields.tolerance } : {}),
    },
  };
}

/** One ik/step from q toward the target pose X_BT, as the route answers it. */
export function runIkStep(step: PreparedIkStep, ik: IkWorkspace, q: Float64Array, X_BT: Float64Array) {
  const r = computeIkStep(step.robot, ik, step.ee, q, X_BT, step.options);
  assertFinite(r.q, 'configuration');
  assertFinite(r.dq, 'step');
  return {
    joints: step.robot.model.jointNames as string[], q: Array.from(r.q), dq: Array.from(r.dq),
    error: r.error, errorAfter: r.errorAfter, damping: r.damping, analysis: r.analysis, status: r.status,
  };
}

/** ik/velocity's options resolved on a robot, for any number of commands. */
export interface PreparedIkVelocity {
  readonly robot: CompiledRobot;
  readonly ee: EndEffector;
  readonly options: VelocityControlOptions;
}

export function prepareIkVelocity(entry: RobotEntry, fields: IkVelocityFields): PreparedIkVelocity {
  return {
    robot: entry.context.robot,
    ee: endEffectorOf(entry, fields),
    options: {
      ...(fields.dt !== undefined ? { dt: fields.dt } : {}),
      ...(fields.lowerSingularityThreshold !== undefined ? { lowerSingularityThreshold: fields.lowerSingularityThreshold } : {}),
      ...(fields.hardStopSingularityThreshold !== undefined ? { hardStopSingularityThreshold: fields.hardStopSingularityThreshold } : {}),
      ...(fields.respectLimits !== undefined ? { respectLimits: fields.respectLimits } : {}),
      ...(fields.nullspace !== undefined ? { nullspace: fields.nullspace } : {}),
    },
  };
}

/** One velocity command at q for the twist (linear first, in the end effector's frame), as the route answers it. */
export function runIkVelocity(velocity: PreparedIkVelocity, ik: IkWorkspace, q: Float64Array, twist: Float64Array) {
  const r = computeVelocityCommand(velocity.robot, ik, velocity.ee, q, twist, velocity.options);
  assertFinite(r.qdot, 'joint velocities');
  return {
    joints: velocity.robot.model.jointNames as string[], qdot: Array.from(r.qdot), scale: r.scale, status: r.status, analysis: r.analysis,
    ...(r.nullspace ? { nullspace: r.nullspace } : {}),
  };
}
