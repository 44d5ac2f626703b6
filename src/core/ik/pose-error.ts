/**
 * The pose error that inverse kinematics drives to zero, in base axes (the frame of the
 * LOCAL_WORLD_ALIGNED Jacobian): e = [p_BT - p_BE ; log(R_BT R_BEᵀ)], the position difference
 * and the rotation vector that turns the current orientation into the target one.
 */
import { rotationLog } from '../se3.js';

/**
 * Writes e (6 values, linear first) for the current pose X_BE and the target X_BT. `R_delta`
 * (9) receives R_BT R_BEᵀ, the rotation in base axes from the current orientation to the target.
 */
export function computePoseError(X_BE: Float64Array, X_BT: Float64Array, e: Float64Array, R_delta: Float64Array): void {
  e[0] = X_BT[9]! - X_BE[9]!;
  e[1] = X_BT[10]! - X_BE[10]!;
  e[2] = X_BT[11]! - X_BE[11]!;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      R_delta[3 * i + j] = X_BT[3 * i]! * X_BE[3 * j]! + X_BT[3 * i + 1]! * X_BE[3 * j + 1]! + X_BT[3 * i + 2]! * X_BE[3 * j + 2]!;
    }
  }
  rotationLog(e, 3, R_delta, 0);
}
