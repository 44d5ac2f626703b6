/**
 * The pose error of API.md's "Uncertainty and sensitivity", written out here from the contract
 * (independently of src/core/uncertainty.ts) for the Monte Carlo and finite-difference oracles:
 *   LOCAL_WORLD_ALIGNED  [p - p0; log(R R0ᵀ)]          (base axes)
 *   LOCAL                [R0ᵀ (p - p0); log(R0ᵀ R)]     (tip axes)
 *   WORLD                [δp - δθ × p0; δθ]             (δp, δθ of LOCAL_WORLD_ALIGNED)
 */
import type { ReferenceFrame } from '../../src/core/jacobian.js';
import { composeInverseTransform, composeTransforms, invertTransform, rotationLog } from '../../src/core/se3.js';

const inverse = new Float64Array(12), D = new Float64Array(12), w = new Float64Array(3);

export function contractPoseError(frame: ReferenceFrame, X0: Float64Array, X: Float64Array, out: Float64Array): Float64Array {
  const dp = [X[9]! - X0[9]!, X[10]! - X0[10]!, X[11]! - X0[11]!];
  if (frame === 'LOCAL') {
    composeInverseTransform(D, 0, X0, 0, X, 0);
    rotationLog(w, 0, D, 0);
    for (let i = 0; i < 3; i++) out[i] = X0[i]! * dp[0]! + X0[3 + i]! * dp[1]! + X0[6 + i]! * dp[2]!;
    out.set(w, 3);
    return out;
  }
  invertTransform(inverse, 0, X0, 0);
  composeTransforms(D, 0, X, 0, inverse, 0);
  rotationLog(w, 0, D, 0);
  if (frame === 'WORLD') {
    const p = [X0[9]!, X0[10]!, X0[11]!];
    dp[0] = dp[0]! - (w[1]! * p[2]! - w[2]! * p[1]!);
    dp[1] = dp[1]! - (w[2]! * p[0]! - w[0]! * p[2]!);
    dp[2] = dp[2]! - (w[0]! * p[1]! - w[1]! * p[0]!);
  }
  out[0] = dp[0]!; out[1] = dp[1]!; out[2] = dp[2]!;
  out.set(w, 3);
  return out;
}
