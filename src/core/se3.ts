/**
 * Rigid transforms, stored as 12 doubles: the rotation matrix row-major, then the translation.
 *
 *   X_AB = [ R00 R01 R02 R10 R11 R12 R20 R21 R22 px py pz ]
 *
 * `X_AB` is the pose of frame B in frame A: a point with coordinates p_B in B has coordinates
 * p_A = R_AB p_B + p_AB in A. Poses compose left to right: X_AC = X_AB * X_BC.
 *
 * Functions write into an `out` array at an offset, which comes first as in gl-matrix
 * (`f(out, o, a, ao, ...)`), and return nothing; they allocate nothing and accept `out` aliasing
 * an input (every input is read into locals before `out` is written).
 */

/** Number of doubles in one transform. */
export const SE3_SIZE = 12;

/** Writes the identity transform. */
export function setIdentity(out: Float64Array, o: number): void {
  out[o] = 1; out[o + 1] = 0; out[o + 2] = 0;
  out[o + 3] = 0; out[o + 4] = 1; out[o + 5] = 0;
  out[o + 6] = 0; out[o + 7] = 0; out[o + 8] = 1;
  out[o + 9] = 0; out[o + 10] = 0; out[o + 11] = 0;
}

/** Copies the transform at `a[ao..]` to `out[o..]`. */
export function copyTransform(out: Float64Array, o: number, a: Float64Array, ao: number): void {
  for (let i = 0; i < SE3_SIZE; i++) out[o + i] = a[ao + i]!;
}

/** X_AC = X_AB * X_BC: out = a * b. */
export function composeTransforms(
  out: Float64Array, o: number, a: Float64Array, ao: number, b: Float64Array, bo: number,
): void {
  const a0 = a[ao]!, a1 = a[ao + 1]!, a2 = a[ao + 2]!, a3 = a[ao + 3]!, a4 = a[ao + 4]!, a5 = a[ao + 5]!;
  const a6 = a[ao + 6]!, a7 = a[ao + 7]!, a8 = a[ao + 8]!, ax = a[ao + 9]!, ay = a[ao + 10]!, az = a[ao + 11]!;
  const b0 = b[bo]!, b1 = b[bo + 1]!, b2 = b[bo + 2]!, b3 = b[bo + 3]!, b4 = b[bo + 4]!, b5 = b[bo + 5]!;
  const b6 = b[bo + 6]!, b7 = b[bo + 7]!, b8 = b[bo + 8]!, bx = b[bo + 9]!, by = b[bo + 10]!, bz = b[bo + 11]!;
  out[o] = a0 * b0 + a1 * b3 + a2 * b6;
  out[o + 1] = a0 * b1 + a1 * b4 + a2 * b7;
  out[o + 2] = a0 * b2 + a1 * b5 + a2 * b8;
  out[o + 3] = a3 * b0 + a4 * b3 + a5 * b6;
  out[o + 4] = a3 * b1 + a4 * b4 + a5 * b7;
  out[o + 5] = a3 * b2 + a4 * b5 + a5 * b8;
  out[o + 6] = a6 * b0 + a7 * b3 + a8 * b6;
  out[o + 7] = a6 * b1 + a7 * b4 + a8 * b7;
  out[o + 8] = a6 * b2 + a7 * b5 + a8 * b8;
  out[o + 9] = a0 * bx + a1 * by + a2 * bz + ax;
  out[o + 10] = a3 * bx + a4 * by + a5 * bz + ay;
  out[o + 11] = a6 * bx + a7 * by + a8 * bz + az;
}

/** X_BA = X_AB⁻¹: R_BA = R_ABᵀ, p_BA = -R_ABᵀ p_AB. */
export function invertTransform(out: Float64Array, o: number, a: Float64Array, ao: number): void {
  const r0 = a[ao]!, r1 = a[ao + 1]!, r2 = a[ao + 2]!, r3 = a[ao + 3]!, r4 = a[ao + 4]!, r5 = a[ao + 5]!;
  const r6 = a[ao + 6]!, r7 = a[ao + 7]!, r8 = a[ao + 8]!, px = a[ao + 9]!, py = a[ao + 10]!, pz = a[ao + 11]!;
  out[o] = r0; out[o + 1] = r3; out[o + 2] = r6;
  out[o + 3] = r1; out[o + 4] = r4; out[o + 5] = r7;
  out[o + 6] = r2; out[o + 7] = r5; out[o + 8] = r8;
  out[o + 9] = -(r0 * px + r3 * py + r6 * pz);
  out[o + 10] = -(r1 * px + r4 * py + r7 * pz);
  out[o + 11] = -(r2 * px + r5 * py + r8 * pz);
}

/** X_BC = X_AB⁻¹ * X_AC, without forming the inverse. */
export function composeInverseTransform(
  out: Float64Array, o: number, a: Float64Array, ao: number, b: Float64Array, bo: number,
): void {
  const a0 = a[ao]!, a1 = a[ao + 1]!, a2 = a[ao + 2]!, a3 = a[ao + 3]!, a4 = a[ao + 4]!, a5 = a[ao + 5]!;
  const a6 = a[ao + 6]!, a7 = a[ao + 7]!, a8 = a[ao + 8]!;
  const b0 = b[bo]!, b1 = b[bo + 1]!, b2 = b[bo + 2]!, b3 = b[bo + 3]!, b4 = b[bo + 4]!, b5 = b[bo + 5]!;
  const b6 = b[bo + 6]!, b7 = b[bo + 7]!, b8 = b[bo + 8]!;
  const dx = b[bo + 9]! - a[ao + 9]!, dy = b[bo + 10]! - a[ao + 10]!, dz = b[bo + 11]! - a[ao + 11]!;
  out[o] = a0 * b0 + a3 * b3 + a6 * b6;
  out[o + 1] = a0 * b1 + a3 * b4 + a6 * b7;
  out[o + 2] = a0 * b2 + a3 * b5 + a6 * b8;
  out[o + 3] = a1 * b0 + a4 * b3 + a7 * b6;
  out[o + 4] = a1 * b1 + a4 * b4 + a7 * b7;
  out[o + 5] = a1 * b2 + a4 * b5 + a7 * b8;
  out[o + 6] = a2 * b0 + a5 * b3 + a8 * b6;
  out[o + 7] = a2 * b1 + a5 * b4 + a8 * b7;
  out[o + 8] = a2 * b2 + a5 * b5 + a8 * b8;
  out[o + 9] = a0 * dx + a3 * dy + a6 * dz;
  out[o + 10] = a1 * dx + a4 * dy + a7 * dz;
  out[o + 11] = a2 * dx + a5 * dy + a8 * dz;
}

/**
 * Entries of a rotation matrix closer than this to 0 or ±1 are snapped to it when a fixed joint
 * placement is built from URDF rpy angles. `rpy="1.5707963267948966 0 0"` is the double nearest
 * π/2, whose cosine is 6.1e-17 rather than 0; the author meant a right angle. Snapping changes no
 * entry by more than this tolerance, keeps the matrix orthonormal to the same order, and lets the
 * compiled kernels skip multiplications by 0 and 1.
 */
export const ROTATION_SNAP_TOLERANCE = 1e-15;

function snap(x: number): number {
  if (Math.abs(x) < ROTATION_SNAP_TOLERANCE) return 0;
  if (Math.abs(x - 1) < ROTATION_SNAP_TOLERANCE) return 1;
  if (Math.abs(x + 1) < ROTATION_SNAP_TOLERANCE) return -1;
  return x;
}

/**
 * Writes the URDF origin transform: translation `xyz` and fixed-axis roll, pitch, yaw,
 * R = Rz(yaw) * Ry(pitch) * Rx(roll), with entries within {@link ROTATION_SNAP_TOLERANCE} of
 * 0 or ±1 snapped.
 */
export function setFromXyzRpy(
  out: Float64Array, o: number, xyz: ArrayLike<number>, rpy: ArrayLike<number>,
): void {
  const cr = Math.cos(rpy[0]!), sr = Math.sin(rpy[0]!);
  const cp = Math.cos(rpy[1]!), sp = Math.sin(rpy[1]!);
  const cy = Math.cos(rpy[2]!), sy = Math.sin(rpy[2]!);
  out[o] = snap(cy * cp);
  out[o + 1] = snap(cy * sp * sr - sy * cr);
  out[o + 2] = snap(cy * sp * cr + sy * sr);
  out[o + 3] = snap(sy * cp);
  out[o + 4] = snap(sy * sp * sr + cy * cr);
  out[o + 5] = snap(sy * sp * cr - cy * sr);
  out[o + 6] = snap(-sp);
  out[o + 7] = snap(cp * sr);
  out[o + 8] = snap(cp * cr);
  out[o + 9] = xyz[0]!;
  out[o + 10] = xyz[1]!;
  out[o + 11] = xyz[2]!;
}

/**
 * Writes the unit quaternion [x, y, z, w] (scalar last, w >= 0) of the rotation part of the
 * transform at `r[ro..]`. Shepperd's method: the largest of the four candidate pivots is used, so
 * the result is accurate for every rotation, including half-turns.
 */
export function rotationToQuaternion(out: Float64Array, o: number, r: Float64Array, ro: number): void {
  const m00 = r[ro]!, m01 = r[ro + 1]!, m02 = r[ro + 2]!;
  const m10 = r[ro + 3]!, m11 = r[ro + 4]!, m12 = r[ro + 5]!;
  const m20 = r[ro + 6]!, m21 = r[ro + 7]!, m22 = r[ro + 8]!;
  const trace = m00 + m11 + m22;
  let x: number, y: number, z: number, w: number;
  if (trace >= m00 && trace >= m11 && trace >= m22) {
    const s = 2 * Math.sqrt(1 + trace);
    w = 0.25 * s; x = (m21 - m12) / s; y = (m02 - m20) / s; z = (m10 - m01) / s;
  } else if (m00 >= m11 && m00 >= m22) {
    const s = 2 * Math.sqrt(1 + m00 - m11 - m22);
    w = (m21 - m12) / s; x = 0.25 * s; y = (m01 + m10) / s; z = (m02 + m20) / s;
  } else if (m11 >= m22) {
    const s = 2 * Math.sqrt(1 + m11 - m00 - m22);
    w = (m02 - m20) / s; x = (m01 + m10) / s; y = 0.25 * s; z = (m12 + m21) / s;
  } else {
    const s = 2 * Math.sqrt(1 + m22 - m00 - m11);
    w = (m10 - m01) / s; x = (m02 + m20) / s; y = (m12 + m21) / s; z = 0.25 * s;
  }
  // normalise (the input is orthonormal only to rounding) and pick the w >= 0 hemisphere
  const n = (w < 0 ? -1 : 1) / Math.sqrt(x * x + y * y + z * z + w * w);
  out[o] = x * n; out[o + 1] = y * n; out[o + 2] = z * n; out[o + 3] = w * n;
}

/** Writes the rotation matrix (row-major, 9 entries) of the unit quaternion [x, y, z, w]. */
export function quaternionToRotation(out: Float64Array, o: number, qt: ArrayLike<number>): void {
  const x = qt[0]!, y = qt[1]!, z = qt[2]!, w = qt[3]!;
  out[o] = 1 - 2 * (y * y + z * z);
  out[o + 1] = 2 * (x * y - z * w);
  out[o + 2] = 2 * (x * z + y * w);
  out[o + 3] = 2 * (x * y + z * w);
  out[o + 4] = 1 - 2 * (x * x + z * z);
  out[o + 5] = 2 * (y * z - x * w);
  out[o + 6] = 2 * (x * z - y * w);
  out[o + 7] = 2 * (y * z + x * w);
  out[o + 8] = 1 - 2 * (x * x + y * y);
}

/**
 * Writes the rotation vector (axis times angle, angle in [0, π]) of the rotation part of the
 * transform at `r[ro..]` to `out[o..o+2]`: the matrix logarithm of SO(3).
 *
 * Away from π it uses ω = θ / (2 sin θ) · vee(R - Rᵀ), with the series θ/(2 sin θ) ≈ 1/2 + θ²/12
 * near 0. Near π, sin θ vanishes and the axis is read from the symmetric part instead
 * (R + I = 2 a aᵀ at θ = π), with the sign taken from the skew part.
 */
export function rotationLog(out: Float64Array, o: number, r: Float64Array, ro: number): void {
  const m00 = r[ro]!, m01 = r[ro + 1]!, m02 = r[ro + 2]!;
  const m10 = r[ro + 3]!, m11 = r[ro + 4]!, m12 = r[ro + 5]!;
  const m20 = r[ro + 6]!, m21 = r[ro + 7]!, m22 = r[ro + 8]!;
  const vx = m21 - m12, vy = m02 - m20, vz = m10 - m01; // 2 sin θ · a
  const sin2 = Math.sqrt(vx * vx + vy * vy + vz * vz); // 2 sin θ
  const cos2 = m00 + m11 + m22 - 1; // 2 cos θ
  const theta = Math.atan2(sin2, cos2);
  if (cos2 > -1.8) {
    // θ < ~154°: the skew part is well conditioned
    const k = sin2 < 1e-8 ? 0.5 + (theta * theta) / 12 : theta / sin2;
    out[o] = k * vx; out[o + 1] = k * vy; out[o + 2] = k * vz;
    return;
  }
  // θ near π: a aᵀ = (R + Rᵀ)/2 - cos θ I, scaled by 1 / (1 - cos θ); take the largest diagonal
  const c = cos2 / 2;
  const d = 1 / (1 - c);
  const axx = (m00 - c) * d, ayy = (m11 - c) * d, azz = (m22 - c) * d;
  let ax: number, ay: number, az: number;
  if (axx >= ayy && axx >= azz) {
    ax = Math.sqrt(Math.max(axx, 0));
    ay = ((m01 + m10) * 0.5 * d) / ax; az = ((m02 + m20) * 0.5 * d) / ax;
    if (vx < 0) { ax = -ax; ay = -ay; az = -az; }
  } else if (ayy >= azz) {
    ay = Math.sqrt(Math.max(ayy, 0));
    ax = ((m01 + m10) * 0.5 * d) / ay; az = ((m12 + m21) * 0.5 * d) / ay;
    if (vy < 0) { ax = -ax; ay = -ay; az = -az; }
  } else {
    az = Math.sqrt(Math.max(azz, 0));
    ax = ((m02 + m20) * 0.5 * d) / az; ay = ((m12 + m21) * 0.5 * d) / az;
    if (vz < 0) { ax = -ax; ay = -ay; az = -az; }
  }
  const n = theta / Math.sqrt(ax * ax + ay * ay + az * az);
  out[o] = ax * n; out[o + 1] = ay * n; out[o + 2] = az * n;
}
