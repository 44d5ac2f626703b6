/**
 * Eigen-decomposition of a symmetric 3 x 3 matrix: the ellipsoids of uncertainty.ts need two per
 * call. One eigenvalue in closed form, its eigenvector by cross products, the other two by one
 * exact Jacobi rotation in the plane orthogonal to it (Eberly 2014, "A Robust Eigensolver for
 * 3 x 3 Symmetric Matrices", with the 2 x 2 rotation in place of a second cross product).
 *
 *  - Scaled by its largest entry s (no overflow or underflow below), A = q I + p B with q = tr A / 3
 *    and p² = tr((A - qI)²) / 6, so that tr B = 0 and tr B² = 6. B's eigenvalues are the roots of
 *    β³ - 3β - det B = 0, β = 2 cos(φ + 2πk/3) with φ = acos(det B / 2) / 3 ∈ [0, π/3]: the largest
 *    2 cos φ ∈ [1, 2], the smallest 2 cos(φ + 2π/3) ∈ [-2, -1], the middle one in [-1, 1].
 *  - When det B >= 0 (φ <= π/6) the largest is >= √3 and the other two <= 0: it is separated from
 *    both by at least √3 and at most 4. When det B < 0 the smallest is, likewise. That eigenvalue
 *    λ is the one taken, so its eigenvector never belongs to a (near) double eigenvalue.
 *  - A - λI has rank 2; its eigenvector u is orthogonal to every row, so parallel to the cross
 *    product of any two rows: take the largest of the three. Their squared norms sum to
 *    |adj(A - λI)|² = ((μ1 - λ)(μ2 - λ))², which bounds the angle between the chosen rows away
 *    from 0 by the ratio of the gaps (<= 4/√3): the residual |A u - (uᵀAu) u| is a few ε |A|,
 *    however close the other two eigenvalues are.
 *  - The other eigenvectors lie in u's orthogonal plane, spanned by orthonormal U and W = u × U:
 *    the 2 x 2 matrix [Uᵀ A U, Uᵀ A W; Wᵀ A U, Wᵀ A W] is diagonalised exactly by one Jacobi
 *    rotation (t = tan θ, the smaller root of t² + 2τt - 1 = 0, τ = (m11 - m00) / 2 m01), which is
 *    accurate even for equal or nearly equal eigenvalues, unlike the closed form's other two roots
 *    (β near a double root moves with the square root of the rounding of det B). The couplings
 *    Uᵀ A u, Wᵀ A u are rounding (a few ε |A|) and are left out, within the residual above.
 * The eigenvalues are Rayleigh quotients vᵀ A v of the unit vectors returned.
 */

/**
 * Writes the eigenvalues of the symmetric matrix S (row-major 3 x 3 at S[o..], upper triangle
 * read) to values[0..3), largest first, and the unit eigenvectors as the columns of V (row-major,
 * column i belongs to values[i]; orthonormal, right-handed).
 */
export function symmetricEigen3(S: ArrayLike<number>, o: number, rowStride: number, values: Float64Array, V: Float64Array): void {
  let a00 = S[o]!, a01 = S[o + 1]!, a02 = S[o + 2]!;
  let a11 = S[o + rowStride + 1]!, a12 = S[o + rowStride + 2]!, a22 = S[o + 2 * rowStride + 2]!;
  const scale = Math.max(Math.abs(a00), Math.abs(a01), Math.abs(a02), Math.abs(a11), Math.abs(a12), Math.abs(a22));
  if (scale === 0) {
    values[0] = 0; values[1] = 0; values[2] = 0;
    V[0] = 1; V[1] = 0; V[2] = 0; V[3] = 0; V[4] = 1; V[5] = 0; V[6] = 0; V[7] = 0; V[8] = 1;
    return;
  }
  const inv = 1 / scale;
  a00 *= inv; a01 *= inv; a02 *= inv; a11 *= inv; a12 *= inv; a22 *= inv;
  // A = q I + p B
  const q = (a00 + a11 + a22) / 3;
  const b00 = a00 - q, b11 = a11 - q, b22 = a22 - q;
  const p2 = (b00 * b00 + b11 * b11 + b22 * b22 + 2 * (a01 * a01 + a02 * a02 + a12 * a12)) / 6;
  // u: the eigenvector of the separated eigenvalue (x, y, z), U and W: its orthogonal plane
  let ux = 0, uy = 0, uz = 1;
  if (p2 > 0) {
    const p = Math.sqrt(p2);
    // det(A - qI) / 2p³ = det B / 2, clamped against rounding
    const det = b00 * (b11 * b22 - a12 * a12) - a01 * (a01 * b22 - a12 * a02) + a02 * (a01 * a12 - b11 * a02);
    const halfDet = Math.min(1, Math.max(-1, det / (2 * p2 * p)));
    const phi = Math.acos(halfDet) / 3;
    const beta = halfDet >= 0 ? 2 * Math.cos(phi) : 2 * Math.cos(phi + (2 * Math.PI) / 3);
    // rows of A - λI (λ = q + pβ: the diagonal from the shifted entries, no cancellation against q)
    const pb = p * beta, d0 = b00 - pb, d1 = b11 - pb, d2 = b22 - pb;
    // r0 × r1, r0 × r2, r1 × r2 with r0 = (d0, a01, a02), r1 = (a01, d1, a12), r2 = (a02, a12, d2)
    const x01 = a01 * a12 - a02 * d1, y01 = a02 * a01 - d0 * a12, z01 = d0 * d1 - a01 * a01;
    const x02 = a01 * d2 - a02 * a12, y02 = a02 * a02 - d0 * d2, z02 = d0 * a12 - a01 * a02;
    const x12 = d1 * d2 - a12 * a12, y12 = a12 * a02 - a01 * d2, z12 = a01 * a12 - d1 * a02;
    const n01 = x01 * x01 + y01 * y01 + z01 * z01, n02 = x02 * x02 + y02 * y02 + z02 * z02, n12 = x12 * x12 + y12 * y12 + z12 * z12;
    if (n01 >= n02 && n01 >= n12 && n01 > 0) {
      const f = 1 / Math.sqrt(n01); ux = x01 * f; uy = y01 * f; uz = z01 * f;
    } else if (n02 >= n12 && n02 > 0) {
      const f = 1 / Math.sqrt(n02); ux = x02 * f; uy = y02 * f; uz = z02 * f;
    } else if (n12 > 0) {
      const f = 1 / Math.sqrt(n12); ux = x12 * f; uy = y12 * f; uz = z12 * f;
    }
    // (all three 0 only when A - λI is 0 to rounding: A is q I, and any basis will do)
  }
  // U ⊥ u from the two components of u that are not the smallest in size, W = u × U
  let Ux: number, Uy: number, Uz: number;
  if (Math.abs(ux) > Math.abs(uy)) {
    const f = 1 / Math.sqrt(ux * ux + uz * uz); Ux = -uz * f; Uy = 0; Uz = ux * f;
  } else {
    const f = 1 / Math.sqrt(uy * uy + uz * uz); Ux = 0; Uy = uz * f; Uz = -uy * f;
  }
  const Wx = uy * Uz - uz * Uy, Wy = uz * Ux - ux * Uz, Wz = ux * Uy - uy * Ux;
  // A u, A U, A W
  const Aux = a00 * ux + a01 * uy + a02 * uz, Auy = a01 * ux + a11 * uy + a12 * uz, Auz = a02 * ux + a12 * uy + a22 * uz;
  const AUx = a00 * Ux + a01 * Uy + a02 * Uz, AUy = a01 * Ux + a11 * Uy + a12 * Uz, AUz = a02 * Ux + a12 * Uy + a22 * Uz;
  const AWx = a00 * Wx + a01 * Wy + a02 * Wz, AWy = a01 * Wx + a11 * Wy + a12 * Wz, AWz = a02 * Wx + a12 * Wy + a22 * Wz;
  const lu = ux * Aux + uy * Auy + uz * Auz;
  const m00 = Ux * AUx + Uy * AUy + Uz * AUz, m11 = Wx * AWx + Wy * AWy + Wz * AWz;
  // Uᵀ A W and Wᵀ A U agree to rounding: their mean
  const m01 = 0.5 * (Ux * AWx + Uy * AWy + Uz * AWz + Wx * AUx + Wy * AUy + Wz * AUz);
  let c = 1, s = 0, l0 = m00, l1 = m11;
  if (m01 !== 0) {
    const tau = (m11 - m00) / (2 * m01);
    const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
    c = 1 / Math.sqrt(1 + t * t); s = t * c;
    l0 = m00 - t * m01; l1 = m11 + t * m01;
  }
  // the plane's eigenvectors: c U - s W (l0) and s U + c W (l1)
  const e0x = c * Ux - s * Wx, e0y = c * Uy - s * Wy, e0z = c * Uz - s * Wz;
  const e1x = s * Ux + c * Wx, e1y = s * Uy + c * Wy, e1z = s * Uz + c * Wz;
  // largest first; the columns stay right-handed (a swap of two columns, and one negated)
  let v0 = lu, v1 = l0, v2 = l1;
  let c0x = ux, c0y = uy, c0z = uz, c1x = e0x, c1y = e0y, c1z = e0z, c2x = e1x, c2y = e1y, c2z = e1z;
  if (v1 > v0) { const t = v0; v0 = v1; v1 = t; const x = c0x, y = c0y, z = c0z; c0x = c1x; c0y = c1y; c0z = c1z; c1x = -x; c1y = -y; c1z = -z; }
  if (v2 > v1) { const t = v1; v1 = v2; v2 = t; const x = c1x, y = c1y, z = c1z; c1x = c2x; c1y = c2y; c1z = c2z; c2x = -x; c2y = -y; c2z = -z; }
  if (v1 > v0) { const t = v0; v0 = v1; v1 = t; const x = c0x, y = c0y, z = c0z; c0x = c1x; c0y = c1y; c0z = c1z; c1x = -x; c1y = -y; c1z = -z; }
  values[0] = v0 * scale; values[1] = v1 * scale; values[2] = v2 * scale;
  V[0] = c0x; V[1] = c1x; V[2] = c2x;
  V[3] = c0y; V[4] = c1y; V[5] = c2y;
  V[6] = c0z; V[7] = c1z; V[8] = c2z;
}
