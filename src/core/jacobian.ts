/**
 * Jacobians of a point on a tip link relative to a base link, in Pinocchio's three reference
 * frames, with rows ordered linear first [vx vy vz wx wy wz] and one column per active joint.
 *
 *  - LOCAL_WORLD_ALIGNED: the velocity of the tip point and the angular velocity, in base axes
 *    (KDL's ChainJntToJacSolver, Robotics Toolbox jacob0).
 *  - LOCAL: the same twist in the tip frame's axes (the body Jacobian, jacobe).
 *  - WORLD: the spatial twist: the velocity of the body point at the base origin, in base axes
 *    (Lynch and Park's space Jacobian).
 *
 * With E the tip point and p_BE its position in the base frame, the three are related by
 *   v_LOCAL = R_BEᵀ v_LWA,  w_LOCAL = R_BEᵀ w_LWA,  v_WORLD = v_LWA - w × p_BE,  w_WORLD = w_LWA.
 */
import type { CompiledRobot } from './compiled-robot.js';
import { KinematicsError, assertLength } from './errors.js';
import { MAX_MAGNITUDE_TEXT, withinMagnitude } from './magnitude.js';
import type { KinematicPath } from './kinematic-path.js';
import { linkIndexOf, type KinematicModel } from './model.js';
import { SE3_SIZE } from './se3.js';
import { assertWorkspaceOf, type KinematicWorkspace } from './workspace.js';

/** The reference frames of a Jacobian or twist (Pinocchio's names), default first. */
export const REFERENCE_FRAMES = ['LOCAL_WORLD_ALIGNED', 'LOCAL', 'WORLD'] as const;
/** A reference frame of a Jacobian or twist (one of REFERENCE_FRAMES). */
export type ReferenceFrame = (typeof REFERENCE_FRAMES)[number];

/** Which point of which link, relative to which base, in which frame. Names, as a caller gives them. */
export interface EndEffectorSpec {
  /** The tip link; default the model's single tip ({@link KinematicModel.defaultTip}). */
  tip?: string;
  /** The base link; default the root link. */
  base?: string;
  /** The point of interest in the tip link frame (m); default its origin. */
  tipOffset?: ArrayLike<number>;
  /** Default LOCAL_WORLD_ALIGNED. */
  referenceFrame?: ReferenceFrame;
}

/** An {@link EndEffectorSpec} resolved against a model, ready for repeated use. */
export interface EndEffector {
  /** The robot it was resolved on: the compute functions refuse it with another. */
  readonly robot: CompiledRobot;
  readonly path: KinematicPath;
  readonly tipName: string;
  readonly baseName: string;
  /** The tip point in the tip frame, or undefined for the origin. */
  readonly tipOffset: Float64Array | undefined;
  readonly referenceFrame: ReferenceFrame;
}

/** The tip link name: the one given, or the model's single tip. */
export function resolveTipName(model: KinematicModel, tip: string | undefined): string {
  if (tip !== undefined) return tip;
  if (model.defaultTip !== undefined) return model.defaultTip;
  if (model.tipLinks.length === 0) {
    throw new KinematicsError('INVALID_ARGUMENT', `robot "${model.name}" has no joint that moves a link, so it has no tip; name a link in "tip" (links: ${model.linkNames.slice(0, 20).join(', ')})`);
  }
  throw new KinematicsError(
    'INVALID_ARGUMENT',
    `robot "${model.name}" has ${model.tipLinks.length} tip links (${model.tipLinks.join(', ')}); name the one you mean in "tip"`,
  );
}

/**
 * Resolves names to indices and the kinematic path, once.
 * @throws KinematicsError for unknown links, a missing tip on a tree, a malformed tipOffset or an
 *   unknown reference frame.
 */
export function resolveEndEffector(robot: CompiledRobot, spec: EndEffectorSpec = {}): EndEffector {
  const { model } = robot;
  const tipName = resolveTipName(model, spec.tip);
  const baseName = spec.base ?? model.linkNames[0]!;
  const tip = linkIndexOf(model, tipName, 'tip');
  const base = linkIndexOf(model, baseName, 'base');
  let tipOffset: Float64Array | undefined;
  if (spec.tipOffset !== undefined) {
    assertLength('tipOffset', 3, spec.tipOffset.length);
    tipOffset = Float64Array.from(spec.tipOffset);
    if (!tipOffset.every(withinMagnitude)) {
      throw new KinematicsError('INVALID_VALUE', `tipOffset must hold finite numbers within ±${MAX_MAGNITUDE_TEXT} m`);
    }
    if (tipOffset.every((x) => x === 0)) tipOffset = undefined;
  }
  const referenceFrame = spec.referenceFrame ?? 'LOCAL_WORLD_ALIGNED';
  if (!(REFERENCE_FRAMES as readonly string[]).includes(referenceFrame)) {
    throw new KinematicsError('INVALID_ARGUMENT', `referenceFrame "${String(referenceFrame)}" is not one of ${REFERENCE_FRAMES.join(', ')}`);
  }
  return Object.freeze({ robot, path: robot.path(base, tip), tipName, baseName, tipOffset, referenceFrame });
}

/**
 * Checks that `ee` was resolved on `robot` (its path's link indices mean nothing on another).
 * @throws KinematicsError `INVALID_ARGUMENT` otherwise.
 */
export function assertEndEffectorOf(robot: CompiledRobot, ee: EndEffector): void {
  if (ee.robot !== robot) {
    throw new KinematicsError('INVALID_ARGUMENT',
      `the end effector was resolved on robot "${ee.robot.model.name}", not on robot "${robot.model.name}": resolve it on the robot you pass`);
  }
}

/**
 * Moves the point of interest to the tip offset: p_BE += R_BE·r and v += w × (R_BE·r) per column
 * (LOCAL_WORLD_ALIGNED), where r is the offset in the tip frame.
 */
export function applyTipOffset(offset: Float64Array, dof: number, X_BE: Float64Array, J: Float64Array | undefined): void {
  const ox = offset[0]!, oy = offset[1]!, oz = offset[2]!;
  const rx = X_BE[0]! * ox + X_BE[1]! * oy + X_BE[2]! * oz;
  const ry = X_BE[3]! * ox + X_BE[4]! * oy + X_BE[5]! * oz;
  const rz = X_BE[6]! * ox + X_BE[7]! * oy + X_BE[8]! * oz;
  X_BE[9] = X_BE[9]! + rx; X_BE[10] = X_BE[10]! + ry; X_BE[11] = X_BE[11]! + rz;
  if (!J) return;
  for (let k = 0; k < dof; k++) {
    const wx = J[3 * dof + k]!, wy = J[4 * dof + k]!, wz = J[5 * dof + k]!;
    J[k] = J[k]! + wy * rz - wz * ry;
    J[dof + k] = J[dof + k]! + wz * rx - wx * rz;
    J[2 * dof + k] = J[2 * dof + k]! + wx * ry - wy * rx;
  }
}

/**
 * Re-expresses LOCAL_WORLD_ALIGNED columns in `frame` (see the module comment): the `dof` columns
 * of the 6 x dof block that starts at J[o] (a Jacobian, a slice of a Hessian), or with `dof` 1 a
 * single twist.
 */
export function changeFrame(frame: ReferenceFrame, dof: number, X_BE: Float64Array, J: Float64Array, o = 0): void {
  if (frame === 'LOCAL_WORLD_ALIGNED') return;
  const r0 = X_BE[0]!, r1 = X_BE[1]!, r2 = X_BE[2]!, r3 = X_BE[3]!, r4 = X_BE[4]!;
  const r5 = X_BE[5]!, r6 = X_BE[6]!, r7 = X_BE[7]!, r8 = X_BE[8]!;
  const px = X_BE[9]!, py = X_BE[10]!, pz = X_BE[11]!;
  for (let k = 0; k < dof; k++) {
    const c = o + k;
    if (frame === 'LOCAL') {
      // both blocks by R_BEᵀ
      for (let row = 0; row < 6; row += 3) {
        const ix = c + row * dof, iy = ix + dof, iz = iy + dof;
        const x = J[ix]!, y = J[iy]!, z = J[iz]!;
        J[ix] = r0 * x + r3 * y + r6 * z;
        J[iy] = r1 * x + r4 * y + r7 * z;
        J[iz] = r2 * x + r5 * y + r8 * z;
      }
    } else {
      // v_O = v_E - w × p_BE = v_E + p_BE × w
      const wx = J[c + 3 * dof]!, wy = J[c + 4 * dof]!, wz = J[c + 5 * dof]!;
      J[c] = J[c]! + py * wz - pz * wy;
      J[c + dof] = J[c + dof]! + pz * wx - px * wz;
      J[c + 2 * dof] = J[c + 2 * dof]! + px * wy - py * wx;
    }
  }
}

/**
 * The dual of changeFrame for one wrench w = [f τ] given in `frame`: rewrites it in place as the
 * LOCAL_WORLD_ALIGNED wrench (force at the tip point, torque about it, base axes) that does the
 * same work, so that J_frameᵀ w = J_LWAᵀ (Aᵀ w) with A the twist map J_frame = A J_LWA.
 */
export function wrenchToLocalWorldAligned(frame: ReferenceFrame, X_BE: Float64Array, w: Float64Array): void {
  if (frame === 'LOCAL') {
    // Aᵀ = blockdiag(R_BE, R_BE)
    for (let row = 0; row < 6; row += 3) {
      const x = w[row]!, y = w[row + 1]!, z = w[row + 2]!;
      w[row] = X_BE[0]! * x + X_BE[1]! * y + X_BE[2]! * z;
      w[row + 1] = X_BE[3]! * x + X_BE[4]! * y + X_BE[5]! * z;
      w[row + 2] = X_BE[6]! * x + X_BE[7]! * y + X_BE[8]! * z;
    }
  } else if (frame === 'WORLD') {
    // the torque about the base origin moved to the tip point: τ_E = τ_O - p_BE × f
    const px = X_BE[9]!, py = X_BE[10]!, pz = X_BE[11]!;
    const fx = w[0]!, fy = w[1]!, fz = w[2]!;
    w[3] = w[3]! - (py * fz - pz * fy);
    w[4] = w[4]! - (pz * fx - px * fz);
    w[5] = w[5]! - (px * fy - py * fx);
  }
}

/**
 * Writes the 6 x dof Jacobian of the end effector (row-major, linear rows first) into `J` and
 * returns it. Columns of joints that do not move the tip relative to the base are zero; a mimic
 * joint's motion is in its leader's column (chain rule). When `X_BE` is given it receives the
 * pose of the tip point (tip frame moved to the tip offset) in the base frame.
 * @param frame the reference frame of J; default the end effector's
 */
export function computeJacobian(
  robot: CompiledRobot, ws: KinematicWorkspace, q: Float64Array, ee: EndEffector,
  J: Float64Array, X_BE: Float64Array = ws.X_BE, frame: ReferenceFrame = ee.referenceFrame,
): Float64Array {
  const { model } = robot;
  assertEndEffectorOf(robot, ee);
  assertWorkspaceOf(model, ws);
  assertLength('q', model.dof, q.length);
  assertLength('Jacobian output', 6 * model.dof, J.length);
  assertLength('pose output', SE3_SIZE, X_BE.length);
  ee.path.jacobian(q, X_BE, J);
  if (ee.tipOffset) applyTipOffset(ee.tipOffset, model.dof, X_BE, J);
  if (frame !== 'LOCAL_WORLD_ALIGNED') changeFrame(frame, model.dof, X_BE, J);
  return J;
}

/** Writes X_BE, the pose of the end effector's point in its base frame, and returns it. */
export function computeEndEffectorPose(
  robot: CompiledRobot, q: Float64Array, ee: EndEffector, X_BE: Float64Array,
): Float64Array {
  const { model } = robot;
  assertEndEffectorOf(robot, ee);
  assertLength('q', model.dof, q.length);
  assertLength('pose output', SE3_SIZE, X_BE.length);
  ee.path.pose(q, X_BE);
  if (ee.tipOffset) applyTipOffset(ee.tipOffset, model.dof, X_BE, undefined);
  return X_BE;
}
