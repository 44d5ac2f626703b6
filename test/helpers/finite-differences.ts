/**
 * Central finite differences of forward kinematics: the independent check of every Jacobian.
 *
 * For joint k, with q± = q ± h e_k and X± = X_BE(q±):
 *   linear, LOCAL_WORLD_ALIGNED: (p₊ - p₋) / 2h
 *   angular, base axes:          log(R₊ R₋ᵀ) / 2h
 *   angular, tip axes (LOCAL):   log(R₋ᵀ R₊) / 2h
 * each accurate to O(h²) (the second-order terms cancel in the symmetric difference).
 */
import type { EndEffector, ReferenceFrame } from '../../src/core/jacobian.js';
import { computeEndEffectorPose } from '../../src/core/jacobian.js';
import type { CompiledRobot } from '../../src/core/compiled-robot.js';
import { composeInverseTransform, invertTransform, rotationLog, composeTransforms } from '../../src/core/se3.js';

/** The step h: small enough for O(h²) truncation, large enough that rounding stays near 1e-11. */
export const FD_STEP = 1e-5;
/** Agreement expected between a Jacobian entry and its finite difference (about 100 x the error budget). */
export const FD_TOLERANCE = 1e-7;

/** The finite-difference Jacobian (6 x dof, row-major) of `ee` at `q`, in `frame`. */
export function finiteDifferenceJacobian(
  robot: CompiledRobot, ee: EndEffector, q: Float64Array, frame: ReferenceFrame,
): Float64Array {
  const dof = robot.model.dof;
  const J = new Float64Array(6 * dof);
  const X0 = computeEndEffectorPose(robot, q, ee, new Float64Array(12));
  const Xp = new Float64Array(12), Xm = new Float64Array(12), D = new Float64Array(12), w = new Float64Array(3);
  for (let k = 0; k < dof; k++) {
    const qp = Float64Array.from(q), qm = Float64Array.from(q);
    qp[k]! += FD_STEP; qm[k]! -= FD_STEP;
    computeEndEffectorPose(robot, qp, ee, Xp);
    computeEndEffectorPose(robot, qm, ee, Xm);
    const v = [0, 1, 2].map((i) => (Xp[9 + i]! - Xm[9 + i]!) / (2 * FD_STEP));
    if (frame === 'LOCAL') {
      composeInverseTransform(D, 0, Xm, 0, Xp, 0); // R₋ᵀ R₊
    } else {
      const inv = new Float64Array(12);
      invertTransform(inv, 0, Xm, 0);
      composeTransforms(D, 0, Xp, 0, inv, 0); // R₊ R₋ᵀ
    }
    rotationLog(w, 0, D, 0);
    const omega = [w[0]! / (2 * FD_STEP), w[1]! / (2 * FD_STEP), w[2]! / (2 * FD_STEP)];
    let linear = v;
    if (frame === 'LOCAL') {
      // R_BEᵀ v
      linear = [0, 1, 2].map((j) => X0[j]! * v[0]! + X0[3 + j]! * v[1]! + X0[6 + j]! * v[2]!);
    } else if (frame === 'WORLD') {
      // velocity of the body point at the base origin: v - ω × p
      const p = [X0[9]!, X0[10]!, X0[11]!];
      linear = [
        v[0]! - (omega[1]! * p[2]! - omega[2]! * p[1]!),
        v[1]! - (omega[2]! * p[0]! - omega[0]! * p[2]!),
        v[2]! - (omega[0]! * p[1]! - omega[1]! * p[0]!),
      ];
    }
    for (let r = 0; r < 3; r++) { J[r * dof + k] = linear[r]!; J[(r + 3) * dof + k] = omega[r]!; }
  }
  return J;
}

/** Largest absolute difference between two arrays of equal length. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}
