/**
 * Poses as callers read and write them: position, scalar-last unit quaternion (w >= 0) and the
 * same rotation as a row-major 3x3 matrix; and the checks an input pose must pass.
 */
import { KinematicsError } from './errors.js';
import { quaternionToRotation, rotationToQuaternion } from './se3.js';

/** A pose of a frame: position (m), quaternion [x, y, z, w] and rotation rows. */
export interface Pose {
  position: [number, number, number];
  quaternion: [number, number, number, number];
  rotation: [[number, number, number], [number, number, number], [number, number, number]];
}

/** A pose as an input: position and either a quaternion or a rotation matrix. */
export interface PoseInput {
  position: ArrayLike<number>;
  quaternion?: ArrayLike<number>;
  rotation?: ArrayLike<ArrayLike<number>>;
}

/** How far from 1 a quaternion's norm may be, and from orthonormal a rotation matrix. */
export const POSE_INPUT_TOLERANCE = 1e-6;

const quaternionScratch = new Float64Array(4);

/** The pose in the 12 doubles at `X[o..]` as a {@link Pose}. */
export function poseFromTransform(X: Float64Array, o = 0): Pose {
  rotationToQuaternion(quaternionScratch, 0, X, o);
  const q = quaternionScratch;
  return {
    position: [X[o + 9]!, X[o + 10]!, X[o + 11]!],
    quaternion: [q[0]!, q[1]!, q[2]!, q[3]!],
    rotation: [
      [X[o]!, X[o + 1]!, X[o + 2]!],
      [X[o + 3]!, X[o + 4]!, X[o + 5]!],
      [X[o + 6]!, X[o + 7]!, X[o + 8]!],
    ],
  };
}

function finiteVector(v: ArrayLike<number>, length: number, what: string): void {
  if (v.length !== length) throw new KinematicsError('DIMENSION_MISMATCH', `${what}: expected ${length} values, got ${v.length}`);
  for (let i = 0; i < length; i++) {
    if (!Number.isFinite(v[i])) throw new KinematicsError('INVALID_VALUE', `${what}[${i}] is not a finite number`);
  }
}

/** Whether an input pose must carry an orientation. */
export type OrientationRule =
  /** A pose without `quaternion` or `rotation` is refused (the default). */
  | 'required'
  /** A pose with position only is read with the identity orientation (for position-only IK). */
  | 'optional';

/**
 * Writes an input pose as a transform into `out[o..]` and returns `out`. A quaternion must have
 * unit norm and a rotation matrix must be orthonormal with determinant +1, both within
 * {@link POSE_INPUT_TOLERANCE}; the quaternion is then normalised exactly. When both are given
 * they must describe the same rotation.
 * @param orientation whether a pose without orientation is refused (default) or read as the identity
 * @throws KinematicsError naming the field at fault.
 */
export function transformFromPose(
  pose: PoseInput, out: Float64Array, o = 0, what = 'pose', orientation: OrientationRule = 'required',
): Float64Array {
  finiteVector(pose.position, 3, `${what}.position`);
  if (!pose.quaternion && !pose.rotation) {
    if (orientation === 'required') {
      throw new KinematicsError('INVALID_ARGUMENT', `${what} needs an orientation: give "quaternion" [x, y, z, w] or "rotation" (3x3 rows)`);
    }
    out.fill(0, o, o + 9);
    out[o] = out[o + 4] = out[o + 8] = 1;
    out[o + 9] = pose.position[0]!; out[o + 10] = pose.position[1]!; out[o + 11] = pose.position[2]!;
    return out;
  }
  const R = new Float64Array(9);
  if (pose.quaternion) {
    const qt = pose.quaternion;
    finiteVector(qt, 4, `${what}.quaternion`);
    const norm = Math.hypot(qt[0]!, qt[1]!, qt[2]!, qt[3]!);
    if (Math.abs(norm - 1) > POSE_INPUT_TOLERANCE) {
      throw new KinematicsError('INVALID_VALUE', `${what}.quaternion has norm ${norm}; it must be a unit quaternion [x, y, z, w] (norm 1 within ${POSE_INPUT_TOLERANCE})`);
    }
    quaternionToRotation(R, 0, [qt[0]! / norm, qt[1]! / norm, qt[2]! / norm, qt[3]! / norm]);
  }
  if (pose.rotation) {
    const rows = pose.rotation;
    if (rows.length !== 3) throw new KinematicsError('DIMENSION_MISMATCH', `${what}.rotation: expected 3 rows, got ${rows.length}`);
    const M = new Float64Array(9);
    for (let i = 0; i < 3; i++) {
      finiteVector(rows[i]!, 3, `${what}.rotation[${i}]`);
      for (let j = 0; j < 3; j++) M[3 * i + j] = rows[i]![j]!;
    }
    checkRotation(M, `${what}.rotation`);
    if (pose.quaternion) {
      for (let i = 0; i < 9; i++) {
        if (Math.abs(M[i]! - R[i]!) > POSE_INPUT_TOLERANCE) {
          throw new KinematicsError('INVALID_VALUE', `${what}.quaternion and ${what}.rotation describe different orientations; give only one`);
        }
      }
    } else {
      R.set(M);
    }
  }
  for (let i = 0; i < 9; i++) out[o + i] = R[i]!;
  out[o + 9] = pose.position[0]!; out[o + 10] = pose.position[1]!; out[o + 11] = pose.position[2]!;
  return out;
}

/**
 * Checks that the 9 values at M[o] (row-major) are a rotation matrix within POSE_INPUT_TOLERANCE.
 * @throws KinematicsError INVALID_VALUE naming `what` otherwise.
 */
export function checkRotation(M: Float64Array, what: string, o = 0): void {
  let worst = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      // (M Mᵀ)_ij should be δ_ij
      const dot = M[o + 3 * i]! * M[o + 3 * j]! + M[o + 3 * i + 1]! * M[o + 3 * j + 1]! + M[o + 3 * i + 2]! * M[o + 3 * j + 2]!;
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  const det = M[o]! * (M[o + 4]! * M[o + 8]! - M[o + 5]! * M[o + 7]!) - M[o + 1]! * (M[o + 3]! * M[o + 8]! - M[o + 5]! * M[o + 6]!)
    + M[o + 2]! * (M[o + 3]! * M[o + 7]! - M[o + 4]! * M[o + 6]!);
  if (worst > POSE_INPUT_TOLERANCE || det < 0) {
    throw new KinematicsError('INVALID_VALUE', `${what} is not a rotation matrix (it must be orthonormal with determinant +1 within ${POSE_INPUT_TOLERANCE}; off by ${worst.toExponential(2)}, determinant ${det.toFixed(6)})`);
  }
}
