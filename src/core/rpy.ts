/**
 * URDF's roll, pitch, yaw of a rotation matrix: the inverse of se3.ts's setFromXyzRpy,
 * R = Rz(yaw) Ry(pitch) Rx(roll), whose last row is [-sin p, cos p sin r, cos p cos r] and first
 * column [cos y cos p, sin y cos p, -sin p].
 */

/**
 * Writes [roll, pitch, yaw] of the row-major rotation R (9 entries from `ro`) to out[o..o+3),
 * pitch in [-π/2, π/2]. At pitch = ±π/2 (cos p = 0) only roll ∓ yaw is defined: roll is set to
 * 0 and yaw carries the rotation.
 */
export function rpyFromRotation(out: Float64Array | number[], o: number, R: ArrayLike<number>, ro = 0): void {
  const r00 = R[ro]!, r10 = R[ro + 3]!, r20 = R[ro + 6]!, r21 = R[ro + 7]!, r22 = R[ro + 8]!;
  const cp = Math.hypot(r00, r10);
  const pitch = Math.atan2(-r20, cp);
  if (cp > 1e-12) {
    out[o] = Math.atan2(r21, r22);
    out[o + 1] = pitch;
    out[o + 2] = Math.atan2(r10, r00);
    return;
  }
  // gimbal lock: R = Rz(yaw ∓ roll) · Ry(±π/2) with roll = 0: [[0, -sy, ±cy], [0, cy, ±sy], [∓1, 0, 0]]
  out[o] = 0;
  out[o + 1] = pitch;
  out[o + 2] = Math.atan2(-R[ro + 1]!, R[ro + 4]!);
}
