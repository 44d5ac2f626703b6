/**
 * The largest magnitude of an input quantity the service accepts: a length (m), an angle (rad), a
 * velocity, a force or a weight.
 *
 * Finite inputs can still overflow: a tip offset of 1e200 m squared in a singular value
 * decomposition is Infinity, and NaN follows. With every input within ±1e9 the largest product
 * the kinematics forms (Gram matrices of weighted Jacobians, squared norms, the product of six
 * singular values) stays below 1e200, far inside double precision, so every result is finite.
 * 1e9 m is beyond any robot in any world frame (Earth-centred coordinates reach 6.4e6 m).
 */
export const MAX_MAGNITUDE = 1e9;

/** "1e+9" for messages. */
export const MAX_MAGNITUDE_TEXT = '1e9';

/** Whether `v` is a finite number within ±MAX_MAGNITUDE. */
export function withinMagnitude(v: number): boolean {
  return v >= -MAX_MAGNITUDE && v <= MAX_MAGNITUDE;
}
