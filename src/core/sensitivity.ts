/**
 * Which kinematic parameters a set of configurations can determine: the identification Jacobian
 * stacked over configurations (kinematic-parameters.ts), its singular values and rank, an
 * observability index, and a largest identifiable subset of the parameters.
 *
 * Columns are first scaled to unit norm, so that the answer does not depend on the parameters'
 * units (m for x y z, rad for the rest) and a column is judged by its direction only (Hollerbach
 * and Wampler 1996, column scaling). On the scaled matrix Â:
 *  - singular values by QR with column pivoting, Â P = Q R, then one-sided Jacobi on R (the same
 *    singular values, from a matrix of at most p rows);
 *  - rank: the singular values above RANK_RELATIVE_TOLERANCE σmax;
 *  - identifiable: the first `rank` pivots of the rank-revealing QR, a set of columns that are
 *    independent over the configurations (the others are combinations of them, to the tolerance);
 *  - observabilityIndex: Borm and Menq's O1 = (σ1 σ2 … σr)^(1/r) / √n over the identifiable columns
 *    (n configurations): a geometric mean of the singular values, larger for better-spread poses.
 *    σ1 … σr of Â restricted to those columns are those of R_11, whose product is Π |R_ii|.
 * identifiableSubset gives the same subset without the SVD when bounds on R prove the rank (for a
 * caller that compares subsets, as calibration does), and the whole analysis on demand.
 */
import { KinematicsError } from './errors.js';
import { evaluatePreparedParameterChain, prepareParameterChain, type ParameterChain } from './kinematic-parameters.js';
import { singularValuesColumnMajor } from './ik/small-matrix.js';
import { pivotedQr } from './pivoted-qr.js';
import { SE3_SIZE } from './se3.js';

/** What a measurement gives per configuration: a pose (6 rows, linear first) or a position (3). */
export const MEASURES = ['pose', 'position'] as const;
export type Measure = (typeof MEASURES)[number];

/**
 * A singular value of the column-scaled identification Jacobian counts toward the rank above
 * this fraction of the largest: dependencies that are exact in the model (two parallel offsets,
 * an origin rotation about the joint's own axis) come out near 1e-15, while a parameter whose
 * singular value is 1e-8 of the largest would amplify measurement noise 10⁸-fold.
 */
export const RANK_RELATIVE_TOLERANCE = 1e-8;

/**
 * A column whose norm is below this fraction of the largest column's is zero: a parameter that
 * does not move the tip (a rotation about the measured point) gives a column of rounding errors,
 * ~1e-16 of the others, that scaling to unit norm would otherwise turn into a direction. Any real
 * effect (a 1 µm lever on a 1 m arm is 1e-6) is far above it.
 */
export const ZERO_COLUMN_TOLERANCE = 1e-12;

/** Rows per configuration of a measure. */
export function rowsOf(measure: Measure): number {
  return measure === 'position' ? 3 : 6;
}

/**
 * The identification Jacobian at parameter values `theta` (0: the nominal robot): for each
 * configuration its 6 (pose) or 3 (position) rows, stacked in order; rows x parameters, row-major.
 */
export function computeIdentificationJacobian(
  chain: ParameterChain, qs: readonly Float64Array[], measure: Measure, theta = new Float64Array(chain.parameters.length),
  out?: Float64Array,
): Float64Array {
  const p = chain.parameters.length, rows = rowsOf(measure);
  const A = out ?? new Float64Array(qs.length * rows * p);
  const block = new Float64Array(6 * p), X = new Float64Array(SE3_SIZE);
  prepareParameterChain(chain, theta);
  qs.forEach((q, i) => {
    evaluatePreparedParameterChain(chain, q, theta, X, block);
    A.set(block.subarray(0, rows * p), i * rows * p);
  });
  return A;
}

/** The identifiability of a parameter set over some configurations. */
export interface IdentifiabilityAnalysis {
  /** Singular values of the column-scaled Jacobian, largest first, p of them (zeros beyond its rows). */
  readonly singularValues: number[];
  readonly rank: number;
  /** The threshold a singular value had to exceed (RANK_RELATIVE_TOLERANCE σmax). */
  readonly rankTolerance: number;
  /** Borm and Menq's O1 over the identifiable columns (0 when none). */
  readonly observabilityIndex: number;
  /** Indices of a largest independent set of parameters, ascending. */
  readonly identifiable: number[];
  /** The Euclidean norm of each column before scaling (0: the parameter does not move the tip, to ZERO_COLUMN_TOLERANCE). */
  readonly columnNorms: Float64Array;
}

/** The column-scaled identification Jacobian's pivoted QR, from which the analysis and the subset are read. */
interface ScaledQr {
  readonly rows: number;
  readonly p: number;
  readonly columnNorms: Float64Array;
  /** Column-major, R in its upper triangle (rows x p; see pivotedQr). */
  readonly R: Float64Array;
  readonly pivot: Int32Array;
  readonly rDiagonal: Float64Array;
}

function scaledQr(A: Float64Array, rows: number, p: number): ScaledQr {
  if (A.length !== rows * p) throw new KinematicsError('DIMENSION_MISMATCH', `identification Jacobian: expected ${rows * p} values, got ${A.length}`);
  const columnNorms = new Float64Array(p);
  for (let i = 0; i < rows; i++) for (let j = 0; j < p; j++) columnNorms[j] = columnNorms[j]! + A[i * p + j]! ** 2;
  let largestColumn = 0;
  for (let j = 0; j < p; j++) { columnNorms[j] = Math.sqrt(columnNorms[j]!); largestColumn = Math.max(largestColumn, columnNorms[j]!); }
  for (let j = 0; j < p; j++) if (columnNorms[j]! <= ZERO_COLUMN_TOLERANCE * largestColumn) columnNorms[j] = 0;
  // column-major and scaled: B[j·rows + i] = A[i][j] / |A_j|
  const B = new Float64Array(rows * p);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < p; j++) B[j * rows + i] = columnNorms[j]! > 0 ? A[i * p + j]! / columnNorms[j]! : 0;
  }
  const pivot = new Int32Array(p), rDiagonal = new Float64Array(p), scratch = new Float64Array(p);
  pivotedQr(B, rows, p, pivot, rDiagonal, scratch);
  return { rows, p, columnNorms, R: B, pivot, rDiagonal };
}

/** The analysis of a factorisation: R's singular values, the rank, the subset and O1 (see the module comment). */
function analysisOf(f: ScaledQr, configurations: number): IdentifiabilityAnalysis {
  const { rows, p, R: B, pivot, rDiagonal, columnNorms } = f;
  // R: k x p (k = min(rows, p)), upper trapezoidal; one-sided Jacobi wants at least as many rows
  // as columns: R itself (p x p) when k = p, else Rᵀ (p x k)
  const k = Math.min(rows, p);
  const sigma = new Float64Array(Math.max(k, 1));
  if (k > 0) {
    const G = new Float64Array(p * k);
    if (k === p) {
      // upper triangular: column j is 0 below row j
      const heights = new Int32Array(p);
      for (let j = 0; j < p; j++) { for (let i = 0; i <= j; i++) G[j * p + i] = B[j * rows + i]!; heights[j] = j + 1; }
      singularValuesColumnMajor(G, p, k, sigma, heights);
    } else {
      // column i of Rᵀ is row i of R
      for (let i = 0; i < k; i++) for (let j = i; j < p; j++) G[i * p + j] = B[j * rows + i]!;
      singularValuesColumnMajor(G, p, k, sigma);
    }
  }
  const singularValues = Array.from(sigma.subarray(0, k)).sort((a, b) => b - a);
  while (singularValues.length < p) singularValues.push(0);
  const top = singularValues[0] ?? 0;
  const rankTolerance = RANK_RELATIVE_TOLERANCE * top;
  const rank = top > 0 ? singularValues.filter((s) => s > rankTolerance).length : 0;
  const identifiable = Array.from(pivot.subarray(0, rank)).sort((a, b) => a - b);
  let logSum = 0;
  for (let i = 0; i < rank; i++) logSum += Math.log(rDiagonal[i]!);
  const observabilityIndex = rank > 0 ? Math.exp(logSum / rank) / Math.sqrt(configurations) : 0;
  return { singularValues, rank, rankTolerance, observabilityIndex, identifiable, columnNorms };
}

/**
 * Analyses the rows x p identification Jacobian A (not modified) of `configurations` configurations.
 */
export function analyzeIdentifiability(A: Float64Array, rows: number, p: number, configurations: number): IdentifiabilityAnalysis {
  return analysisOf(scaledQr(A, rows, p), configurations);
}

/**
 * The rank r of R that the singular values would give, when bounds prove it without them, else
 * -1. With R = [R11 R12; 0 R22] (R11 r x r) and tol = RANK_RELATIVE_TOLERANCE σ1:
 *  - σ_{r+1}(R) <= |R22|_F: zeroing R22 leaves a matrix of rank r at that distance;
 *  - σ_r(R) >= σ_r of R's first r columns [R11; 0] = σ_min(R11) >= 1 / |R11⁻¹|_F;
 *  - σ1 lies between the largest column norm, |R_00| (the first pivot), and |R|_F.
 * So r is the rank when 1 / |R11⁻¹|_F > tol taken at σ1 = |R|_F and |R22|_F <= tol at σ1 = |R_00|,
 * each with a factor 2 to spare for the singular values' own rounding (a few ε |R|_F, far below
 * either side for the gaps of identification Jacobians: rounding, ~1e-15, against O(1)). The
 * candidate r counts the diagonal entries above RANK_RELATIVE_TOLERANCE |R_00|.
 */
function certifiedRank(f: ScaledQr): number {
  const { rows, p, R, rDiagonal } = f;
  const k = Math.min(rows, p), top = rDiagonal[0] ?? 0;
  if (k === 0 || !(top > 0)) return -1;
  let r = 0;
  while (r < k && rDiagonal[r]! > RANK_RELATIVE_TOLERANCE * top) r++;
  let frobenius2 = 0, trailing2 = 0;
  for (let j = 0; j < p; j++) {
    for (let i = 0, end = Math.min(j, k - 1); i <= end; i++) {
      const x = R[j * rows + i]!;
      frobenius2 += x * x;
      if (i >= r) trailing2 += x * x;
    }
  }
  const upper = 2 * RANK_RELATIVE_TOLERANCE * Math.sqrt(frobenius2), lower = 0.5 * RANK_RELATIVE_TOLERANCE * top;
  if (!(Math.sqrt(trailing2) <= lower)) return -1;
  // |R11⁻¹|_F² column by column: R11 x = e_c by back substitution (x_i = 0 for i > c)
  const x = new Float64Array(r);
  let inverse2 = 0;
  for (let c = 0; c < r; c++) {
    x[c] = 1 / R[c * rows + c]!;
    inverse2 += x[c]! * x[c]!;
    for (let i = c - 1; i >= 0; i--) {
      let sum = 0;
      for (let j = i + 1; j <= c; j++) sum += R[j * rows + i]! * x[j]!;
      x[i] = -sum / R[i * rows + i]!;
      inverse2 += x[i]! * x[i]!;
    }
  }
  return 1 / Math.sqrt(inverse2) > upper ? r : -1;
}

/** A subset chosen as analyzeIdentifiability would, and that analysis on demand. */
export interface IdentifiableSubset {
  readonly identifiable: number[];
  /** The whole analysis (singular values by SVD): computed at the first call. */
  analysis(): IdentifiabilityAnalysis;
}

/**
 * analyzeIdentifiability's `identifiable` for A without its SVD when the rank is proved by bounds
 * on R (certifiedRank), which is what a caller that only compares subsets needs; the singular
 * values wait until analysis() is called.
 */
export function identifiableSubset(A: Float64Array, rows: number, p: number, configurations: number): IdentifiableSubset {
  const f = scaledQr(A, rows, p);
  let full: IdentifiabilityAnalysis | undefined;
  const analysis = (): IdentifiabilityAnalysis => (full ??= analysisOf(f, configurations));
  const rank = certifiedRank(f);
  const identifiable = rank >= 0 ? Array.from(f.pivot.subarray(0, rank)).sort((a, b) => a - b) : analysis().identifiable;
  return { identifiable, analysis };
}
