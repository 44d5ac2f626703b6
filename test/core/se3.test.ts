import { describe, expect, it } from 'vitest';
import {
  composeInverseTransform, composeTransforms, invertTransform, quaternionToRotation, rotationLog,
  rotationToQuaternion, setFromXyzRpy, setIdentity,
} from '../../src/core/se3.js';
import { maxAbsDifference } from '../helpers/finite-differences.js';
import { Random } from '../helpers/random.js';

const EXACT_TOLERANCE = 1e-14;

/** The rotation exp([ω]×) by Rodrigues' formula, independent of the code under test. */
function rotationFromVector(w: number[]): Float64Array {
  const theta = Math.hypot(w[0]!, w[1]!, w[2]!);
  const R = new Float64Array(12);
  setIdentity(R, 0);
  if (theta === 0) return R;
  const [x, y, z] = w.map((v) => v / theta) as [number, number, number];
  const s = Math.sin(theta), t = 1 - Math.cos(theta);
  R.set([t * x * x + Math.cos(theta), t * x * y - s * z, t * x * z + s * y,
    t * x * y + s * z, t * y * y + Math.cos(theta), t * y * z - s * x,
    t * x * z - s * y, t * y * z + s * x, t * z * z + Math.cos(theta)]);
  return R;
}

describe('SE(3) helpers', () => {
  const rng = new Random(3);
  const randomTransform = (): Float64Array => {
    const X = new Float64Array(12);
    setFromXyzRpy(X, 0, [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)],
      [rng.uniform(-3, 3), rng.uniform(-3, 3), rng.uniform(-3, 3)]);
    return X;
  };

  it('composes with its inverse to the identity, also when out aliases an input', () => {
    for (let i = 0; i < 100; i++) {
      const X = randomTransform(), inv = new Float64Array(12), I = new Float64Array(12), identity = new Float64Array(12);
      setIdentity(identity, 0);
      invertTransform(inv, 0, X, 0);
      composeTransforms(I, 0, X, 0, inv, 0);
      expect(maxAbsDifference(I, identity)).toBeLessThan(EXACT_TOLERANCE);
      // X⁻¹·Y two ways, then X·Y written over X (out aliasing its first input)
      const Y = randomTransform(), expected = new Float64Array(12), viaInverse = new Float64Array(12);
      composeInverseTransform(expected, 0, X, 0, Y, 0);
      composeTransforms(viaInverse, 0, inv, 0, Y, 0);
      expect(maxAbsDifference(viaInverse, expected)).toBeLessThan(EXACT_TOLERANCE);
      const XY = new Float64Array(12);
      composeTransforms(XY, 0, X, 0, Y, 0);
      composeTransforms(X, 0, X, 0, Y, 0);
      expect([...X]).toEqual([...XY]);
    }
  });

  it('builds URDF rpy as Rz(yaw) Ry(pitch) Rx(roll) and snaps exact right angles', () => {
    const X = new Float64Array(12);
    setFromXyzRpy(X, 0, [1, 2, 3], [Math.PI / 2, 0, 0]);
    expect([...X]).toEqual([1, 0, 0, 0, 0, -1, 0, 1, 0, 1, 2, 3]);
    setFromXyzRpy(X, 0, [0, 0, 0], [0, 0, 0.3]);
    expect(X[0]).toBeCloseTo(Math.cos(0.3), 15);
    expect(X[3]).toBeCloseTo(Math.sin(0.3), 15);
  });

  it('round-trips rotations through unit quaternions with w >= 0, including half turns', () => {
    const q = new Float64Array(4), R = new Float64Array(12);
    const cases = Array.from({ length: 200 }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)]);
    cases.push([Math.PI, 0, 0], [0, Math.PI, 0], [0, 0, Math.PI], [Math.PI / Math.SQRT2, Math.PI / Math.SQRT2, 0], [0, 0, 0]);
    for (const w of cases) {
      const X = rotationFromVector(w);
      rotationToQuaternion(q, 0, X, 0);
      expect(q[3]).toBeGreaterThanOrEqual(0);
      expect(Math.hypot(...q)).toBeCloseTo(1, 15);
      quaternionToRotation(R, 0, q);
      expect(maxAbsDifference(R.subarray(0, 9), X.subarray(0, 9))).toBeLessThan(EXACT_TOLERANCE);
    }
  });

  it('takes the logarithm of rotations at every angle, including 0, tiny and π', () => {
    const w = new Float64Array(3);
    const cases = [[0, 0, 0], [1e-12, 0, 0], [0, 1e-7, -2e-7], [0.3, -0.2, 0.1], [0, 0, 3.1], [Math.PI, 0, 0],
      [0, 0, -Math.PI + 1e-9], [1.5, 1.5, 1.5].map((x) => x * (Math.PI - 1e-6) / Math.hypot(1.5, 1.5, 1.5))];
    for (let i = 0; i < 200; i++) {
      const axis = [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)];
      const n = Math.hypot(...(axis as [number, number, number])), angle = rng.uniform(0, Math.PI);
      cases.push(axis.map((a) => (a / n) * angle));
    }
    for (const expected of cases) {
      rotationLog(w, 0, rotationFromVector(expected), 0);
      const angle = Math.hypot(...(expected as [number, number, number]));
      if (Math.abs(angle - Math.PI) < 1e-12) {
        // at exactly π, ω and -ω are the same rotation
        expect(Math.min(maxAbsDifference(w, expected), maxAbsDifference(w, expected.map((x) => -x)))).toBeLessThan(1e-7);
      } else {
        expect(maxAbsDifference(w, expected)).toBeLessThan(angle > 3 ? 1e-7 : 1e-12);
      }
    }
  });
});
