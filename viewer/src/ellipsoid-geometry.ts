/**
 * Drawing geometry for the manipulability ellipsoids, from the Jacobian the API answered. This
 * is no kinematics: the Jacobian is the service's, and this only finds the principal axes of the
 * ellipsoid it defines, as three.js needs them to scale a sphere.
 *
 * The velocity ellipsoid {J_v q̇ : |q̇| <= 1} (Yoshikawa) has the eigenvectors of A = J_v J_vᵀ as
 * axes and the square roots of its eigenvalues (the singular values of J_v) as radii; the force
 * ellipsoid {f : |J_vᵀ f| <= 1} has the same axes and the reciprocal radii. The product of the
 * velocity radii is sqrt(det(J_v J_vᵀ)), which POST manipulability answers as `value` for
 * `axes: "translation"` (the browser test holds the drawing to it).
 */

/** Axes as unit row vectors, largest radius first, and the radii. */
export interface PrincipalAxes {
  axes: [number, number, number][];
  radii: [number, number, number];
}

/** Sweeps of the cyclic Jacobi method: each squares the off-diagonal norm; 3x3 needs 5 or 6 for double precision. */
const JACOBI_SWEEPS = 32;

/**
 * Eigen-decomposition of a symmetric 3x3 matrix (row-major, 9 numbers) by cyclic Jacobi
 * rotations (Golub and Van Loan, 8.5): A = V diag(λ) Vᵀ, V's columns the eigenvectors.
 */
export function symmetricEigen3(A: readonly number[]): { values: number[]; vectors: number[][] } {
  const a = [...A];
  const v = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  for (let sweep = 0; sweep < JACOBI_SWEEPS; sweep++) {
    const off = a[1]! ** 2 + a[2]! ** 2 + a[5]! ** 2;
    if (off <= 1e-30 * (a[0]! ** 2 + a[4]! ** 2 + a[8]! ** 2) || off === 0) break;
    for (const [p, r] of [[0, 1], [0, 2], [1, 2]] as const) {
      const apr = a[3 * p + r]!;
      if (apr === 0) continue;
      // the rotation in the (p, r) plane that zeroes a_pr: tan(2θ) = 2 a_pr / (a_rr - a_pp)
      const theta = (a[3 * r + r]! - a[3 * p + p]!) / (2 * apr);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      // A <- Gᵀ A G, V <- V G with G the identity except G_pp = G_rr = c, G_pr = s, G_rp = -s
      for (let k = 0; k < 3; k++) {
        const akp = a[3 * k + p]!, akr = a[3 * k + r]!;
        a[3 * k + p] = c * akp - s * akr;
        a[3 * k + r] = s * akp + c * akr;
      }
      for (let k = 0; k < 3; k++) {
        const apk = a[3 * p + k]!, ark = a[3 * r + k]!;
        a[3 * p + k] = c * apk - s * ark;
        a[3 * r + k] = s * apk + c * ark;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = v[3 * k + p]!, vkr = v[3 * k + r]!;
        v[3 * k + p] = c * vkp - s * vkr;
        v[3 * k + r] = s * vkp + c * vkr;
      }
    }
  }
  return {
    values: [a[0]!, a[4]!, a[8]!],
    vectors: [0, 1, 2].map((col) => [v[col]!, v[3 + col]!, v[6 + col]!]),
  };
}

/** The velocity ellipsoid of the linear rows of a 6 x n Jacobian (rows vx vy vz first). */
export function velocityEllipsoid(jacobian: readonly (readonly number[])[]): PrincipalAxes {
  const A: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      const Jr = jacobian[r]!, Jc = jacobian[c]!;
      for (let k = 0; k < Jr.length; k++) sum += Jr[k]! * Jc[k]!;
      A.push(sum);
    }
  }
  const { values, vectors } = symmetricEigen3(A);
  const order = [0, 1, 2].sort((i, j) => values[j]! - values[i]!);
  return {
    axes: order.map((i) => vectors[i] as [number, number, number]),
    // eigenvalues of a Gram matrix are >= 0; rounding can make a zero one slightly negative
    radii: order.map((i) => Math.sqrt(Math.max(0, values[i]!))) as [number, number, number],
  };
}
