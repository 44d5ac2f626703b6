/**
 * QR factorisation with column pivoting (Businger and Golub 1965), A P = Q R: at each step the
 * remaining column of largest norm is brought forward and reduced by a Householder reflection,
 * so |R_11| >= |R_22| >= … and the first r pivots are a well-conditioned set of r columns when
 * A has numerical rank r (a rank-revealing QR; Golub and Van Loan §5.4.2). Matrices here are
 * column-major (each column contiguous), which the column operations of Householder QR want.
 */

/**
 * Factorises the m x n column-major matrix A (A[j·m + i] is row i of column j) in place: on return
 * column k holds R's column k (rows 0..k) of the pivoted matrix and zeros below, and pivot[k] is
 * the column of A brought to position k; rDiagonal[k] = |R_kk|, non-increasing. `norms` is n
 * doubles of scratch. O(m n²).
 */
export function pivotedQr(A: Float64Array, m: number, n: number, pivot: Int32Array, rDiagonal: Float64Array, norms: Float64Array): void {
  for (let j = 0; j < n; j++) pivot[j] = j;
  const steps = Math.min(m, n);
  rDiagonal.fill(0);
  // the columns' norms below row k, recomputed at every step (no downdating, so no cancellation):
  // for k = 0 here, then for k + 1 by step k's update as it writes each column's new rows
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = j * m, end = j * m + m; i < end; i++) s += A[i]! * A[i]!;
    norms[j] = s;
  }
  for (let k = 0; k < steps; k++) {
    let best = k, bestNorm = -1;
    for (let j = k; j < n; j++) if (norms[j]! > bestNorm) { bestNorm = norms[j]!; best = j; }
    if (best !== k) {
      for (let i = 0; i < m; i++) { const t = A[k * m + i]!; A[k * m + i] = A[best * m + i]!; A[best * m + i] = t; }
      const t = pivot[k]!; pivot[k] = pivot[best]!; pivot[best] = t;
      norms[best] = norms[k]!;
    }
    const alphaNorm = Math.sqrt(bestNorm);
    if (alphaNorm === 0) break;
    // Householder v = x - α e₀ with α = -sign(x₀) |x|, H = I - 2 v vᵀ / vᵀv
    const c = k * m;
    const x0 = A[c + k]!;
    const alpha = x0 >= 0 ? -alphaNorm : alphaNorm;
    A[c + k] = x0 - alpha;
    let vv = 0;
    for (let i = k; i < m; i++) vv += A[c + i]! * A[c + i]!;
    for (let j = k + 1; j < n; j++) {
      const cj = j * m;
      let dot = 0;
      for (let i = k; i < m; i++) dot += A[c + i]! * A[cj + i]!;
      const f = (2 * dot) / vv;
      A[cj + k] = A[cj + k]! - f * A[c + k]!;
      let s = 0;
      for (let i = k + 1; i < m; i++) {
        const x = A[cj + i]! - f * A[c + i]!;
        A[cj + i] = x;
        s += x * x;
      }
      norms[j] = s;
    }
    A[c + k] = alpha;
    for (let i = k + 1; i < m; i++) A[c + i] = 0;
    rDiagonal[k] = Math.abs(alpha);
  }
}
