/**
 * The 3 x 3 symmetric eigensolver on spectra that break closed forms: equal, nearly equal (to 1e-9
 * and to rounding), zero, indefinite, spread over 16 decades, and scaled to 1e±200; each in random
 * orientations (A = Q diag(λ) Qᵀ) and as a permuted diagonal.
 *
 * Tolerance: backward stable to a few ε |A| (symmetric-eigen3.ts): the residual |A v - λ v|, the
 * departure from orthonormality and the eigenvalues' error (Weyl: the rounding of A's own
 * construction, about 3ε |A| per entry, moves them by as much) all within 64 ε |A|, |A| = max |λ|.
 */
import { describe, expect, it } from 'vitest';
import { symmetricEigen3 } from '../../src/core/symmetric-eigen3.js';
import { Random } from '../helpers/random.js';

const TOLERANCE = 64 * Number.EPSILON;

const SPECTRA: [string, number[]][] = [
  ['distinct', [3, 1, 0.5]],
  ['a double eigenvalue on top', [2, 2, 1]],
  ['a double eigenvalue below', [2, 1, 1]],
  ['nearly double (1e-9)', [1 + 1e-9, 1, 0.3]],
  ['nearly double at rounding', [1, 1 + 4 * Number.EPSILON, 0.5]],
  ['triple', [1, 1, 1]],
  ['nearly triple', [1 + 1e-14, 1, 1 - 1e-14]],
  ['rank 1', [1, 0, 0]],
  ['rank 2', [1, 0.25, 0]],
  ['indefinite', [1, -0.5, -2]],
  ['16 decades', [1, 1e-8, 1e-16]],
  ['tiny', [3e-200, 1e-200, 2e-201]],
  ['huge', [3e200, 1e200, 2e200]],
];

/** A uniformly random rotation from a random unit quaternion. */
function randomRotation(rng: Random): number[] {
  for (;;) {
    const q = [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)], n = Math.hypot(...q);
    // uniform in the unit 4-ball (rejecting the corners of the cube, and the centre for rounding), then onto the sphere
    if (n <= 1 && n >= 0.1) return rotationOf(q[0]! / n, q[1]! / n, q[2]! / n, q[3]! / n);
  }
}

function rotationOf(w: number, x: number, y: number, z: number): number[] {
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  ];
}

function check(A: Float64Array, expected: number[]): void {
  const values = new Float64Array(3), V = new Float64Array(9);
  symmetricEigen3(A, 0, 3, values, V);
  const norm = Math.max(...expected.map(Math.abs));
  const sorted = [...expected].sort((a, b) => b - a);
  for (let i = 0; i < 3; i++) {
    expect(Math.abs(values[i]! - sorted[i]!), `λ${i}`).toBeLessThanOrEqual(TOLERANCE * norm);
    for (let r = 0; r < 3; r++) {
      const Av = A[3 * r]! * V[i]! + A[3 * r + 1]! * V[3 + i]! + A[3 * r + 2]! * V[6 + i]!;
      expect(Math.abs(Av - values[i]! * V[3 * r + i]!), `residual ${i}`).toBeLessThanOrEqual(TOLERANCE * norm);
    }
    for (let j = 0; j < 3; j++) {
      const dot = V[i]! * V[j]! + V[3 + i]! * V[3 + j]! + V[6 + i]! * V[6 + j]!;
      expect(Math.abs(dot - (i === j ? 1 : 0)), `vᵀv ${i} ${j}`).toBeLessThanOrEqual(TOLERANCE);
    }
  }
}

describe('symmetricEigen3', () => {
  it.each(SPECTRA)('%s, in 200 random orientations', (_, spectrum) => {
    const rng = new Random(3);
    for (let trial = 0; trial < 200; trial++) {
      const Q = randomRotation(rng), A = new Float64Array(9);
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) A[3 * r + c] = spectrum.reduce((s, l, k) => s + Q[3 * r + k]! * l * Q[3 * c + k]!, 0);
      // symmetric as stored (the solver reads the upper triangle)
      for (let r = 0; r < 3; r++) for (let c = 0; c < r; c++) A[3 * r + c] = A[3 * c + r]!;
      check(A, spectrum);
    }
  });

  it.each(SPECTRA)('%s, diagonal in every order', (_, spectrum) => {
    for (const [a, b, c] of [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] as const) {
      check(Float64Array.of(spectrum[a]!, 0, 0, 0, spectrum[b]!, 0, 0, 0, spectrum[c]!), spectrum);
    }
  });

  it('the zero matrix: zeros and the identity', () => {
    const values = new Float64Array(3), V = new Float64Array(9);
    symmetricEigen3(new Float64Array(9), 0, 3, values, V);
    expect(Array.from(values)).toEqual([0, 0, 0]);
    expect(Array.from(V)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('reads a block of a larger row-major matrix (the 6 x 6 covariance)', () => {
    const C = new Float64Array(36).fill(NaN);
    const block = [4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) C[(3 + r) * 6 + 3 + c] = block[3 * r + c]!;
    const values = new Float64Array(3), V = new Float64Array(9), direct = new Float64Array(3), Vd = new Float64Array(9);
    symmetricEigen3(C, 21, 6, values, V);
    symmetricEigen3(Float64Array.from(block), 0, 3, direct, Vd);
    expect(Array.from(values)).toEqual(Array.from(direct));
    expect(Array.from(V)).toEqual(Array.from(Vd));
  });
});
