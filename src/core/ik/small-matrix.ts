/**
 * Dense linear algebra for the small symmetric systems of inverse kinematics (at most the robot's
 * dof or 6 unknowns), written for speed and no allocation: matrices are row-major Float64Arrays
 * of n x n, solved in place.
 */

/**
 * Solves A x = b for symmetric positive definite A by Cholesky factorisation, A = L Lᵀ. A is
 * overwritten with L (lower triangle) and b with x. Returns false, leaving b undefined, when A is
 * not positive definite to working precision.
 */
export function choleskySolve(A: Float64Array, b: Float64Array, n: number): boolean {
  if (!choleskyFactor(A, n)) return false;
  choleskySubstitute(A, b, n);
  return true;
}

/**
 * Overwrites the lower triangle of the symmetric positive definite A (n x n, read from its lower
 * triangle) with L, A = L Lᵀ; false when A is not positive definite to working precision.
 */
export function choleskyFactor(A: Float64Array, n: number): boolean {
  for (let j = 0, jj = 0; j < n; j++, jj += n) {
    let d = A[jj + j]!;
    for (let k = 0; k < j; k++) d -= A[jj + k]! * A[jj + k]!;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    const inverse = 1 / ljj;
    A[jj + j] = ljj;
    for (let i = j + 1, ii = (j + 1) * n; i < n; i++, ii += n) {
      let sum = A[ii + j]!;
      for (let k = 0; k < j; k++) sum -= A[ii + k]! * A[jj + k]!;
      A[ii + j] = sum * inverse;
    }
  }
  return true;
}

/** Overwrites b with x, L Lᵀ x = b, for L from choleskyFactor. */
export function choleskySubstitute(L: Float64Array, b: Float64Array, n: number): void {
  // L y = b, then Lᵀ x = y
  for (let i = 0, ii = 0; i < n; i++, ii += n) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= L[ii + k]! * b[k]!;
    b[i] = sum / L[ii + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[i]!;
    for (let k = i + 1; k < n; k++) sum -= L[k * n + i]! * b[k]!;
    b[i] = sum / L[i * n + i]!;
  }
}

/** Sweeps of the cyclic Jacobi method before giving up; 6 to 10 suffice for n <= 8. */
const MAX_JACOBI_SWEEPS = 30;

/**
 * Diagonalises the symmetric matrix A (n x n, in place) by cyclic Jacobi rotations, A ← Rᵀ A R.
 * When V is given (n x n, row-major, set to the identity here) it accumulates V ← V R, so that
 * its columns are the eigenvectors of the original A, in the order of A's final diagonal.
 */
function jacobiDiagonalise(A: Float64Array, n: number, V: Float64Array | undefined): void {
  if (V) for (let i = 0; i < n * n; i++) V[i] = i % (n + 1) === 0 ? 1 : 0;
  for (let sweep = 0; sweep < MAX_JACOBI_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q]! * A[p * n + q]!;
    if (off === 0) break;
    let diagonal = 0;
    for (let p = 0; p < n; p++) diagonal += A[p * n + p]! * A[p * n + p]!;
    if (off <= 1e-32 * diagonal) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q]!;
        if (apq === 0) continue;
        // the rotation that zeroes A[p][q]: t = tan θ, the smaller root of t² + 2τt - 1 = 0
        const tau = (A[q * n + q]! - A[p * n + p]!) / (2 * apq);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p]!, akq = A[k * n + q]!;
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k]!, aqk = A[q * n + k]!;
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        if (V) {
          for (let k = 0; k < n; k++) {
            const vkp = V[k * n + p]!, vkq = V[k * n + q]!;
            V[k * n + p] = c * vkp - s * vkq;
            V[k * n + q] = s * vkp + c * vkq;
          }
        }
      }
    }
  }
}

/**
 * Eigenvalues and eigenvectors of the symmetric matrix A (n x n, destroyed): eigenvalue i in
 * `eigenvalues[i]` (not sorted) and its unit eigenvector in column i of V (n x n, row-major).
 */
export function symmetricEigenvectors(A: Float64Array, n: number, eigenvalues: Float64Array, V: Float64Array): void {
  jacobiDiagonalise(A, n, V);
  for (let i = 0; i < n; i++) eigenvalues[i] = A[i * n + i]!;
}

/**
 * Eigenvalues of the symmetric matrix A (n x n, destroyed) by the cyclic Jacobi method, written
 * to `eigenvalues` in ascending order. Jacobi is slow for large n but exact to rounding for the
 * n <= 8 of kinematics, and needs no allocation. Eigenvectors are not formed.
 */
export function symmetricEigenvalues(A: Float64Array, n: number, eigenvalues: Float64Array): void {
  jacobiDiagonalise(A, n, undefined);
  for (let i = 0; i < n; i++) eigenvalues[i] = A[i * n + i]!;
  // insertion sort, ascending (n is tiny)
  for (let i = 1; i < n; i++) {
    const v = eigenvalues[i]!;
    let j = i - 1;
    while (j >= 0 && eigenvalues[j]! > v) { eigenvalues[j + 1] = eigenvalues[j]!; j--; }
    eigenvalues[j + 1] = v;
  }
}

/**
 * Sweeps of the one-sided Jacobi SVD before giving up (it converges quadratically: 10 suffice for
 * 6 x 7, and a few dozen for the 360 x 67 identification Jacobians of sensitivity.ts).
 */
const MAX_SVD_SWEEPS = 60;

/**
 * One-sided Jacobi rotations (Hestenes) on the m x n matrix A, entry (r, c) at A[r·rowStride +
 * c·colStride] (row-major: n, 1; column-major: 1, m), n <= m, destroyed: columns are rotated
 * pairwise until they are orthogonal, A V = U Σ. Writes the singular values, unsorted, to
 * sigma[0..n) and, when given, V (n x n, row-major, column i belongs to sigma[i]); leaves U Σ in A.
 */
function oneSidedJacobi(
  A: Float64Array, m: number, n: number, rowStride: number, colStride: number, sigma: Float64Array, V: Float64Array | undefined,
): void {
  if (V) for (let i = 0; i < n * n; i++) V[i] = i % (n + 1) === 0 ? 1 : 0;
  for (let sweep = 0; sweep < MAX_SVD_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      const cp = p * colStride;
      for (let q = p + 1; q < n; q++) {
        const cq = q * colStride;
        let alpha = 0, beta = 0, gamma = 0;
        for (let r = 0; r < m; r++) {
          const ap = A[r * rowStride + cp]!, aq = A[r * rowStride + cq]!;
          alpha += ap * ap; beta += aq * aq; gamma += ap * aq;
        }
        // columns orthogonal to working precision: nothing to rotate
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        // the rotation that zeroes their inner product (as in the symmetric Jacobi method on AᵀA)
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        for (let r = 0; r < m; r++) {
          const ap = A[r * rowStride + cp]!, aq = A[r * rowStride + cq]!;
          A[r * rowStride + cp] = c * ap - s * aq;
          A[r * rowStride + cq] = s * ap + c * aq;
        }
        if (!V) continue;
        for (let r = 0; r < n; r++) {
          const vp = V[r * n + p]!, vq = V[r * n + q]!;
          V[r * n + p] = c * vp - s * vq;
          V[r * n + q] = s * vp + c * vq;
        }
      }
    }
    if (!rotated) break;
  }
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let r = 0; r < m; r++) sum += A[r * rowStride + i * colStride]! * A[r * rowStride + i * colStride]!;
    sigma[i] = Math.sqrt(sum);
  }
}

/**
 * The singular value decomposition of the m x n matrix A (row-major, destroyed) with n <= m, by
 * one-sided Jacobi rotations (Hestenes). Accurate to the relative precision of A's entries even
 * for tiny singular values (unlike the eigenvalues of AᵀA, whose small ones carry ε·σmax²/σ of
 * absolute error). Writes the singular values, unsorted, to sigma[0..n), V (n x n, row-major,
 * column i belongs to sigma[i]) and leaves U Σ in A (column i is sigma[i] · u_i; a zero column
 * where sigma[i] is 0).
 */
export function jacobiSvd(A: Float64Array, m: number, n: number, sigma: Float64Array, V: Float64Array): void {
  oneSidedJacobi(A, m, n, n, 1, sigma, V);
}

/**
 * The singular values (unsorted, into sigma[0..n)) of the m x n column-major matrix G (G[j·m + i]
 * is row i of column j) with n <= m, destroyed: {@link jacobiSvd}'s rotations without V, on
 * contiguous columns, and without the rotations of negligible columns (below). A column
 * holds zeros below its `height` (an upper triangular G: column j below row j), and a rotation of
 * two columns gives both the larger height: the rows below add exact zeros to the sums and stay
 * zero under the rotation, so they are skipped (the 67 x 67 R of sensitivity.ts is half zeros at
 * first).
 *
 * A column whose norm falls to ε |G|_F is zero to G's working precision (the factorisation that
 * made G has at least that backward error) and is left alone: its rotations against O(1) columns
 * no longer move those (the update, |q|² / |p|, is below their last bit) but keep removing its
 * projection, so it shrinks sweep after sweep into denormals, where its orthogonality can never
 * be confirmed and the sweeps ran to MAX_SVD_SWEEPS (60 for the Panda's 67 parameters against the
 * 8 to 10 that the rest needs). Leaving out a rotation with such a column changes another singular value σ
 * by at most (ε |G|_F)² / σ; its own value stays what it was, below ε |G|_F (rounding).
 */
export function singularValuesColumnMajor(G: Float64Array, m: number, n: number, sigma: Float64Array, heights?: Int32Array): void {
  const height = new Int32Array(n);
  for (let j = 0; j < n; j++) height[j] = heights ? Math.min(m, heights[j]!) : m;
  let frobenius2 = 0;
  for (let j = 0; j < n; j++) for (let r = 0; r < height[j]!; r++) frobenius2 += G[j * m + r]! * G[j * m + r]!;
  const negligible2 = Number.EPSILON * Number.EPSILON * frobenius2;
  for (let sweep = 0; sweep < MAX_SVD_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      const cp = p * m;
      for (let q = p + 1; q < n; q++) {
        const cq = q * m, h = Math.max(height[p]!, height[q]!);
        let alpha = 0, beta = 0, gamma = 0;
        for (let r = 0; r < h; r++) {
          const ap = G[cp + r]!, aq = G[cq + r]!;
          alpha += ap * ap; beta += aq * aq; gamma += ap * aq;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || alpha <= negligible2 || beta <= negligible2) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        for (let r = 0; r < h; r++) {
          const ap = G[cp + r]!, aq = G[cq + r]!;
          G[cp + r] = c * ap - s * aq;
          G[cq + r] = s * ap + c * aq;
        }
        height[p] = h; height[q] = h;
      }
    }
    if (!rotated) break;
  }
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let r = 0; r < height[i]!; r++) sum += G[i * m + r]! * G[i * m + r]!;
    sigma[i] = Math.sqrt(sum);
  }
}
