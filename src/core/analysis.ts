/**
 * Singularity analysis of a Jacobian: singular values and the measures derived from them.
 */
import { jacobiSvd, singularValuesColumnMajor } from './ik/small-matrix.js';

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
 * rotations (ik/small-matrix.ts) of the shorter side: for n >= 6 the six rows are rotated until
 * orthogonal (15 pairs of n-vectors per sweep, so a 6 x 999 Jacobian takes about a millisecond,
 * where a general SVD of the 999 x 6 transpose took 17 ms), for n < 6 the n columns.
 * Note that rows mix metres and radians, so σ values of a full 6-row Jacobian mix units too.
 */
export function analyzeJacobian(J: Float64Array, dof: number, columns: ArrayLike<number>): JacobianAnalysis {
  const n = columns.length;
  if (n === 0) {
    return { singularValues: [], manipulability: 0, inverseCondition: 0, minSingularValue: 0, rank: 0, rankTolerance: 0 };
  }
  // the submatrix, row-major: for n >= 6 that is also the column-major n x 6 matrix Aᵀ
  const A = new Float64Array(6 * n);
  for (let r = 0; r < 6; r++) for (let c = 0; c < n; c++) A[r * n + c] = J[r * dof + columns[c]!]!;
  const sigma = new Float64Array(Math.min(6, n));
  if (n >= 6) singularValuesColumnMajor(A, n, 6, sigma);
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
