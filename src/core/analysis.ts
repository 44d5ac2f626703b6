/**
 * Singularity analysis of a Jacobian: singular values and the measures derived from them.
 */
import { jacobiSvd } from './ik/small-matrix.js';

/** The measures of {@link analyzeJacobian}. */
export interface JacobianAnalysis {
  /**
   * The min(6, n) largest singular values, largest first (n: joints that move the tip); those at
   * or below rankTolerance are numerically zero and given as 0.
   */
  singularValues: number[];
  /** Product of those singular values: Yoshikawa's sqrt(det(J Jᵀ)) for n >= 6, sqrt(det(Jᵀ J)) below. */
  manipulability: number;
  /** σmin / σmax in [0, 1]; 0 at a singularity or when no joint moves the tip. */
  inverseCondition: number;
  /** σmax / σmin; absent when σmin is zero. */
  conditionNumber?: number;
  /** σmin, the smallest of the singular values above. */
  minSingularValue: number;
  /** Number of singular values above {@link JacobianAnalysis.rankTolerance}. */
  rank: number;
  /** max(6, n) · ε · σmax, with ε the double-precision machine epsilon (NumPy's matrix_rank rule). */
  rankTolerance: number;
}

/**
 * Analyses the 6 x n submatrix of `J` (6 x dof, row-major) made of the given columns, normally the
 * joints that move the tip (`KinematicPath.movingJoints`). Singular values by one-sided Jacobi
 * rotations (ik/small-matrix.ts), accurate for tiny ones too: for n <= 6 of the n columns; for
 * n > 6 of R, 6 x 6, from a Householder QR of the n x 6 transpose, Jᵀ = Q R (J and R have the
 * same singular values): 72 n multiply-adds, so a 6 x 999 Jacobian takes about 0.1 ms, where
 * rotating its six 999-long rows took 0.6 ms and a general SVD of the transpose 17 ms.
 */
export function analyzeJacobian(J: Float64Array, dof: number, columns: ArrayLike<number>): JacobianAnalysis {
  const n = columns.length;
  if (n === 0) {
    return { singularValues: [], manipulability: 0, inverseCondition: 0, minSingularValue: 0, rank: 0, rankTolerance: 0 };
  }
  // the submatrix, row-major: for n > 6 that is also the column-major n x 6 matrix Aᵀ
  const A = new Float64Array(6 * n);
  for (let r = 0; r < 6; r++) for (let c = 0; c < n; c++) A[r * n + c] = J[r * dof + columns[c]!]!;
  const sigma = new Float64Array(Math.min(6, n));
  if (n > 6) jacobiSvd(householderR(A, n), 6, 6, sigma, new Float64Array(36));
  else jacobiSvd(A, 6, n, sigma, new Float64Array(n * n));
  const computed = Array.from(sigma).sort((a, b) => b - a);
  const sigmaMax = computed[0]!;
  const rankTolerance = Math.max(6, n) * Number.EPSILON * sigmaMax;
  // below the tolerance a singular value is rounding noise: it is 0, for every measure alike
  const singularValues = computed.map((s) => (s > rankTolerance ? s : 0));
  const sigmaMin = singularValues[singularValues.length - 1]!;
  const analysis: JacobianAnalysis = {
    singularValues,
    manipulability: singularValues.reduce((p, s) => p * s, 1),
    inverseCondition: sigmaMax > 0 ? sigmaMin / sigmaMax : 0,
    minSingularValue: sigmaMin,
    rank: singularValues.filter((s) => s > 0).length,
    rankTolerance,
  };
  // absent at a singularity, including a σmin so small that the ratio overflows
  if (sigmaMin > 0 && sigmaMax / sigmaMin < Infinity) analysis.conditionNumber = sigmaMax / sigmaMin;
  return analysis;
}

/**
 * R (6 x 6, row-major, upper triangular) of the QR factorisation of the n x 6 matrix whose
 * columns are stored one after another in `A` (A[c·n + i], n >= 6), destroyed. Householder
 * reflections: column k below its diagonal is mapped to (α, 0, …, 0) with |α| its norm, the sign
 * opposite to its first entry (no cancellation), and the same reflection H = I - 2 v vᵀ / vᵀv
 * applied to the columns after it.
 */
function householderR(A: Float64Array, n: number): Float64Array {
  const R = new Float64Array(36);
  for (let k = 0; k < 6; k++) {
    const ck = k * n;
    let norm2 = 0;
    for (let i = k; i < n; i++) norm2 += A[ck + i]! * A[ck + i]!;
    const x0 = A[ck + k]!;
    const alpha = x0 > 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    // v = x - α e₁, kept in place of x; vᵀv = ‖x‖² - 2 α x₀ + α² = 2 (‖x‖² - α x₀)
    A[ck + k] = x0 - alpha;
    const vv = 2 * (norm2 - alpha * x0);
    R[k * 6 + k] = alpha;
    for (let j = k + 1; j < 6; j++) {
      const cj = j * n;
      if (vv > 0) {
        let dot = 0;
        for (let i = k; i < n; i++) dot += A[ck + i]! * A[cj + i]!;
        const f = (2 * dot) / vv;
        for (let i = k; i < n; i++) A[cj + i] = A[cj + i]! - f * A[ck + i]!;
      }
      R[k * 6 + j] = A[cj + k]!;
    }
  }
  return R;
}
