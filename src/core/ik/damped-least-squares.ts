/**
 * Weighted, damped least squares: the joint step dq that best achieves a task-space error e,
 *
 *   minimise  |√Wx (J dq - e)|² + λ² |√Wq dq|²
 *   dq = Wq⁻¹ J̃ᵀ (J̃ Wq⁻¹ J̃ᵀ + λ² I)⁻¹ ẽ,   J̃ = √Wx J,  ẽ = √Wx e
 *
 * With unit weights this is the textbook dq = Jᵀ(J Jᵀ + λ²I)⁻¹ e. The task weights scale the rows
 * of J as well as the error, so a zero weight takes that axis out of the problem (position-only
 * IK with weights [1,1,1,0,0,0]) instead of holding it still. In the scaled variable
 * u = √Wq dq, with Ã = J̃ Wq^(-1/2):
 *
 *   primal (n <= m):  (ÃᵀÃ + λ²I) u = Ãᵀ ẽ        dual (n > m):  (ÃÃᵀ + λ²I) y = ẽ,  u = Ãᵀ y
 *
 * where n counts the free joints and m the weighted rows; the smaller system is solved (by
 * Cholesky), so it stays positive definite even with λ = 0 for a redundant arm. The eigenvalues of
 * the same Gram matrix are the squared singular values of Ã that adaptive damping and the
 * singularity measures need.
 */
import { choleskySolve, symmetricEigenvalues } from './small-matrix.js';

/** Scratch for damped least squares, sized for a robot of `dof` joints. */
export interface DlsScratch {
  readonly dof: number;
  /** Ã: m x n, row-major (m <= 6 rows, n <= dof columns). */
  readonly A: Float64Array;
  /** ẽ restricted to the weighted rows. */
  readonly b: Float64Array;
  readonly G: Float64Array;
  readonly Gcopy: Float64Array;
  readonly eigenvalues: Float64Array;
  /** Eigenvectors of the Gram matrix, when asked for (columns, k x k). */
  readonly eigenvectors: Float64Array;
  readonly rhs: Float64Array;
  readonly u: Float64Array;
  /** Joint index of each column of Ã, and the row index of each row. */
  readonly columns: Int32Array;
  readonly rows: Int32Array;
  /** Wq^(-1/2) of the joint of each column. */
  readonly columnScale: Float64Array;
  /** Rows and columns of the loaded Ã (set by loadProblem). */
  m: number;
  n: number;
}

export function createDlsScratch(dof: number): DlsScratch {
  const k = Math.max(dof, 6);
  // the Gram matrix is the smaller of ÃᵀÃ and ÃÃᵀ: at most 6 x 6, whatever the joints
  const gram = 6 * 6;
  return {
    dof,
    A: new Float64Array(6 * Math.max(dof, 1)),
    b: new Float64Array(6),
    G: new Float64Array(gram),
    Gcopy: new Float64Array(gram),
    eigenvalues: new Float64Array(k),
    eigenvectors: new Float64Array(gram),
    rhs: new Float64Array(k),
    u: new Float64Array(k),
    columns: new Int32Array(dof),
    rows: new Int32Array(6),
    columnScale: new Float64Array(dof),
    m: 0,
    n: 0,
  };
}

/**
 * Loads Ã and ẽ from the 6 x dof Jacobian J (row-major), the error e, the square roots of the
 * task weights, the joint scales Wq^(-1/2) and the free joints, and forms the Gram matrix G of the
 * smaller system. (The loops keep every array in a local and index by running offsets: this runs
 * at every IK iteration, and V8 does not hoist the property loads out of the inner loops by itself.)
 */
export function loadProblem(
  s: DlsScratch, J: Float64Array, e: Float64Array, sqrtTaskWeights: Float64Array, jointScale: Float64Array, free: Uint8Array,
): void {
  const dof = s.dof, columns = s.columns, columnScale = s.columnScale, rows = s.rows, A = s.A, b = s.b, G = s.G;
  let n = 0;
  for (let k = 0; k < dof; k++) {
    if (free[k] !== 0) { columnScale[n] = jointScale[k]!; columns[n++] = k; }
  }
  let m = 0;
  for (let r = 0; r < 6; r++) if (sqrtTaskWeights[r]! > 0) rows[m++] = r;
  s.m = m;
  s.n = n;
  for (let i = 0, ai = 0; i < m; i++, ai += n) {
    const r = rows[i]!;
    const w = sqrtTaskWeights[r]!;
    const jr = r * dof;
    b[i] = w * e[r]!;
    for (let j = 0; j < n; j++) A[ai + j] = w * J[jr + columns[j]!]! * columnScale[j]!;
  }
  if (n <= m) {
    // G = ÃᵀÃ (n x n)
    for (let a = 0; a < n; a++) {
      for (let c = a; c < n; c++) {
        let sum = 0;
        for (let i = 0, ai = 0; i < m; i++, ai += n) sum += A[ai + a]! * A[ai + c]!;
        G[a * n + c] = sum;
        G[c * n + a] = sum;
      }
    }
  } else {
    // G = ÃÃᵀ (m x m)
    for (let a = 0, aa = 0; a < m; a++, aa += n) {
      for (let c = a, cc = a * n; c < m; c++, cc += n) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += A[aa + j]! * A[cc + j]!;
        G[a * m + c] = sum;
        G[c * m + a] = sum;
      }
    }
  }
}

/** Size of the Gram matrix of the loaded problem: min(m, n). */
export function gramSize(s: DlsScratch): number {
  return Math.min(s.m, s.n);
}

/**
 * The singular values of Ã, ascending, into s.eigenvalues (as σ, not σ²); returns how many
 * (min(m, n)). The Gram matrix is kept. An eigenvalue of the Gram matrix is only known to within
 * k·ε·σmax² (rounding in forming and diagonalising it), so σ² at or below that is reported as 0:
 * at a singularity σmin is 0, not rounding noise of 1e-8·σmax.
 */
export function singularValues(s: DlsScratch): number {
  const k = copyGram(s);
  const eigenvalues = s.eigenvalues;
  symmetricEigenvalues(s.Gcopy, k, eigenvalues);
  let largest = 0;
  for (let i = 0; i < k; i++) largest = Math.max(largest, eigenvalues[i]!);
  const floor = roundingFloor(k, largest);
  for (let i = 0; i < k; i++) eigenvalues[i] = eigenvalues[i]! > floor ? Math.sqrt(eigenvalues[i]!) : 0;
  return k;
}

/** Copies the Gram matrix into s.Gcopy (a loop: a subarray view would allocate); returns its size. */
export function copyGram(s: DlsScratch): number {
  const k = gramSize(s), G = s.G, copy = s.Gcopy;
  for (let i = 0; i < k * k; i++) copy[i] = G[i]!;
  return k;
}

/** The eigenvalue of a k x k Gram matrix at or below which it is rounding noise (see singularValues). */
export function roundingFloor(k: number, largestEigenvalue: number): number {
  return Math.max(k, 6) * Number.EPSILON * largestEigenvalue;
}

/**
 * Solves for the step with damping λ² and writes dq (all dof entries; zero for joints that are
 * not free). Returns false when the system is singular (only possible with λ = 0 at an exact
 * singularity); the caller then damps.
 */
export function solveStep(s: DlsScratch, lambda2: number, dq: Float64Array): boolean {
  const m = s.m, n = s.n, A = s.A, b = s.b, G = s.G, M = s.Gcopy, rhs = s.rhs, columns = s.columns, columnScale = s.columnScale;
  for (let k = 0; k < s.dof; k++) dq[k] = 0;
  if (n === 0 || m === 0) return true;
  const size = n <= m ? n : m;
  for (let i = 0; i < size * size; i++) M[i] = G[i]!;
  for (let i = 0; i < size; i++) M[i * size + i] = M[i * size + i]! + lambda2;
  if (n <= m) {
    // (ÃᵀÃ + λ²I) u = Ãᵀ ẽ
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let i = 0, ai = 0; i < m; i++, ai += n) sum += A[ai + j]! * b[i]!;
      rhs[j] = sum;
    }
    if (!choleskySolve(M, rhs, n)) return false;
    for (let j = 0; j < n; j++) dq[columns[j]!] = rhs[j]! * columnScale[j]!;
  } else {
    // (ÃÃᵀ + λ²I) y = ẽ, u = Ãᵀ y
    for (let i = 0; i < m; i++) rhs[i] = b[i]!;
    if (!choleskySolve(M, rhs, m)) return false;
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let i = 0, ai = 0; i < m; i++, ai += n) sum += A[ai + j]! * rhs[i]!;
      dq[columns[j]!] = sum * columnScale[j]!;
    }
  }
  return true;
}
