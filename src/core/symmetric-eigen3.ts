/**
 * Eigen-decomposition of a symmetric 3 x 3 matrix by cyclic Jacobi rotations, unrolled into
 * locals: the ellipsoids of uncertainty.ts need two per call, and the general n x n Jacobi of
 * ik/small-matrix.ts spends most of its time on loop and index arithmetic at n = 3. Each rotation
 * zeroes one off-diagonal entry (t = tan θ, the smaller root of t² + 2τt - 1 = 0, τ = (a_qq -
 * a_pp) / 2a_pq); the sweeps stop once the off-diagonal part is below 1e-32 of the diagonal's
 * square (Jacobi converges quadratically: 4 or 5 sweeps).
 */

const MAX_SWEEPS = 20;

/**
 * Writes the eigenvalues of the symmetric matrix S (row-major 3 x 3 at S[o..], upper triangle
 * read) to values[0..3), unsorted, and the unit eigenvectors as the columns of V (row-major,
 * column i belongs to values[i]).
 */
export function symmetricEigen3(S: ArrayLike<number>, o: number, rowStride: number, values: Float64Array, V: Float64Array): void {
  let a00 = S[o]!, a01 = S[o + 1]!, a02 = S[o + 2]!;
  let a11 = S[o + rowStride + 1]!, a12 = S[o + rowStride + 2]!, a22 = S[o + 2 * rowStride + 2]!;
  let v00 = 1, v01 = 0, v02 = 0, v10 = 0, v11 = 1, v12 = 0, v20 = 0, v21 = 0, v22 = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    const off = a01 * a01 + a02 * a02 + a12 * a12;
    if (off === 0 || off <= 1e-32 * (a00 * a00 + a11 * a11 + a22 * a22)) break;
    // (p, q) = (0, 1)
    if (a01 !== 0) {
      const tau = (a11 - a00) / (2 * a01);
      const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
      const c = 1 / Math.sqrt(1 + t * t), s = t * c;
      const n00 = a00 - t * a01, n11 = a11 + t * a01;
      const n02 = c * a02 - s * a12, n12 = s * a02 + c * a12;
      a00 = n00; a11 = n11; a01 = 0; a02 = n02; a12 = n12;
      let x = v00, y = v01; v00 = c * x - s * y; v01 = s * x + c * y;
      x = v10; y = v11; v10 = c * x - s * y; v11 = s * x + c * y;
      x = v20; y = v21; v20 = c * x - s * y; v21 = s * x + c * y;
    }
    // (0, 2)
    if (a02 !== 0) {
      const tau = (a22 - a00) / (2 * a02);
      const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
      const c = 1 / Math.sqrt(1 + t * t), s = t * c;
      const n00 = a00 - t * a02, n22 = a22 + t * a02;
      const n01 = c * a01 - s * a12, n12 = s * a01 + c * a12;
      a00 = n00; a22 = n22; a02 = 0; a01 = n01; a12 = n12;
      let x = v00, y = v02; v00 = c * x - s * y; v02 = s * x + c * y;
      x = v10; y = v12; v10 = c * x - s * y; v12 = s * x + c * y;
      x = v20; y = v22; v20 = c * x - s * y; v22 = s * x + c * y;
    }
    // (1, 2)
    if (a12 !== 0) {
      const tau = (a22 - a11) / (2 * a12);
      const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
      const c = 1 / Math.sqrt(1 + t * t), s = t * c;
      const n11 = a11 - t * a12, n22 = a22 + t * a12;
      const n01 = c * a01 - s * a02, n02 = s * a01 + c * a02;
      a11 = n11; a22 = n22; a12 = 0; a01 = n01; a02 = n02;
      let x = v01, y = v02; v01 = c * x - s * y; v02 = s * x + c * y;
      x = v11; y = v12; v11 = c * x - s * y; v12 = s * x + c * y;
      x = v21; y = v22; v21 = c * x - s * y; v22 = s * x + c * y;
    }
  }
  values[0] = a00; values[1] = a11; values[2] = a22;
  V[0] = v00; V[1] = v01; V[2] = v02; V[3] = v10; V[4] = v11; V[5] = v12; V[6] = v20; V[7] = v21; V[8] = v22;
}
