import { Matrix, EigenvalueDecomposition, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { choleskySolve, singularValuesColumnMajor, symmetricEigenvalues, symmetricEigenvectors } from '../../src/core/ik/small-matrix.js';
import { Random } from '../helpers/random.js';

/** Agreement with ml-matrix's decompositions, relative to the matrix's size. */
const TOLERANCE = 1e-12;

/** A random symmetric n x n matrix BᵀB + shift·I (positive definite for shift > 0). */
function randomSymmetric(rng: Random, n: number, shift: number): Float64Array {
  const B = Array.from({ length: n }, () => Array.from({ length: n }, () => rng.uniform(-1, 1)));
  const S = new Matrix(B).transpose().mmul(new Matrix(B));
  for (let i = 0; i < n; i++) S.set(i, i, S.get(i, i) + shift);
  return Float64Array.from(S.to1DArray());
}

describe('small dense linear algebra', () => {
  const rng = new Random(5);

  it('eigenvalues (ascending) and eigenvectors agree with ml-matrix, and A v = λ v', () => {
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + rng.int(8);
      const A = randomSymmetric(rng, n, trial % 2 === 0 ? 0 : -1); // some indefinite
      const reference = new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, r) => Array.from(A.slice(r * n, r * n + n)))), { assumeSymmetric: true })
        .realEigenvalues.slice().sort((a, b) => a - b);
      const ascending = new Float64Array(n);
      symmetricEigenvalues(Float64Array.from(A), n, ascending);
      const scale = Math.max(1, ...reference.map(Math.abs));
      reference.forEach((value, i) => expect(Math.abs(ascending[i]! - value)).toBeLessThan(TOLERANCE * scale));

      const values = new Float64Array(n), V = new Float64Array(n * n);
      symmetricEigenvectors(Float64Array.from(A), n, values, V);
      expect([...values].sort((a, b) => a - b).map((x, i) => Math.abs(x - reference[i]!)).every((d) => d < TOLERANCE * scale)).toBe(true);
      for (let i = 0; i < n; i++) {
        let norm = 0;
        for (let r = 0; r < n; r++) {
          let Av = 0;
          for (let c = 0; c < n; c++) Av += A[r * n + c]! * V[c * n + i]!;
          expect(Math.abs(Av - values[i]! * V[r * n + i]!)).toBeLessThan(TOLERANCE * scale);
          norm += V[r * n + i]! ** 2;
        }
        expect(Math.abs(norm - 1)).toBeLessThan(TOLERANCE);
      }
    }
  });

  it('Cholesky solves positive definite systems and refuses the others', () => {
    for (let trial = 0; trial < 20; trial++) {
      const n = 1 + rng.int(8);
      const A = randomSymmetric(rng, n, 0.1);
      const x = Float64Array.from({ length: n }, () => rng.uniform(-1, 1));
      const b = Float64Array.from({ length: n }, (_, r) => x.reduce((s, v, c) => s + A[r * n + c]! * v, 0));
      expect(choleskySolve(Float64Array.from(A), b, n)).toBe(true);
      x.forEach((v, i) => expect(Math.abs(b[i]! - v)).toBeLessThan(1e-9));
    }
    expect(choleskySolve(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1), 2)).toBe(false);
  });

  it('singular values of a rank-deficient column-major matrix: the significant ones as ml-matrix, the rest at rounding; heights change nothing', () => {
    // 67 x 67 of rank 34, B C with B 67 x 34 and C 34 x 67: the shape of a Panda calibration (67 parameters, 34 identifiable)
    const n = 67, r = 34;
    const B = new Matrix(Array.from({ length: n }, () => Array.from({ length: r }, () => rng.uniform(-1, 1))));
    const C = new Matrix(Array.from({ length: r }, () => Array.from({ length: n }, () => rng.uniform(-1, 1))));
    const A = B.mmul(C);
    const reference = new SingularValueDecomposition(A, { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal;
    const G = new Float64Array(n * n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) G[j * n + i] = A.get(i, j);
    const sigma = new Float64Array(n);
    singularValuesColumnMajor(G, n, n, sigma);
    const sorted = [...sigma].sort((a, b) => b - a), top = reference[0]!;
    // significant: relative to σmax, as the other decompositions; the rest: zero to rounding of A (a few ε |A|_F)
    for (let i = 0; i < r; i++) expect(Math.abs(sorted[i]! - reference[i]!)).toBeLessThan(TOLERANCE * top);
    for (let i = r; i < n; i++) expect(sorted[i]!).toBeLessThan(TOLERANCE * top);
    // an upper triangular matrix with its heights gives the same values, to the bit, as without them
    const T = new Float64Array(n * n), heights = new Int32Array(n);
    for (let j = 0; j < n; j++) { heights[j] = j + 1; for (let i = 0; i <= j; i++) T[j * n + i] = A.get(i, j); }
    const withHeights = new Float64Array(n), without = new Float64Array(n);
    singularValuesColumnMajor(Float64Array.from(T), n, n, withHeights, heights);
    singularValuesColumnMajor(Float64Array.from(T), n, n, without);
    expect(Array.from(withHeights)).toEqual(Array.from(without));
  });
});
