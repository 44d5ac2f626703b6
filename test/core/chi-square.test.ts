/**
 * The χ² quantile against the closed form of the 3-dof distribution function,
 * F(x) = erf(√(x/2)) - √(2x/π) e^(-x/2), and against tabulated values.
 */
import { describe, expect, it } from 'vitest';
import { chiSquareCdf, chiSquareQuantile } from '../../src/core/chi-square.js';

/** erf by its Taylor series (|x| <= 3) or the continued fraction of erfc: an independent reference to ~1e-15. */
function erf(x: number): number {
  if (Math.abs(x) <= 3) {
    let term = x, sum = x;
    for (let n = 1; n < 200; n++) { term *= (-x * x) / n; sum += term / (2 * n + 1); if (Math.abs(term) < 1e-18) break; }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = (n / 2) / (x + f);
  return 1 - Math.exp(-x * x) / (Math.sqrt(Math.PI) * (x + f));
}
const cdf3 = (x: number): number => erf(Math.sqrt(x / 2)) - Math.sqrt((2 * x) / Math.PI) * Math.exp(-x / 2);

describe('chi-square quantile', () => {
  it('matches tables: 7.8147 at 0.95 with 3 dof, and other dof', () => {
    expect(chiSquareQuantile(0.95, 3)).toBeCloseTo(7.814727903251178, 12);
    expect(chiSquareQuantile(0.99, 3)).toBeCloseTo(11.344866730144373, 11);
    expect(chiSquareQuantile(0.5, 3)).toBeCloseTo(2.365973884375338, 12);
    expect(chiSquareQuantile(0.95, 1)).toBeCloseTo(3.841458820694124, 11);
    expect(chiSquareQuantile(0.95, 2)).toBeCloseTo(5.991464547107979, 11);
    expect(chiSquareQuantile(0.95, 6)).toBeCloseTo(12.591587243743977, 10);
  });

  it('inverts the closed-form 3-dof distribution function from 1e-9 to 1 - 1e-9', () => {
    for (const p of [1e-9, 1e-6, 0.001, 0.01, 0.1, 0.3, 0.5, 0.6827, 0.9, 0.95, 0.99, 0.999, 1 - 1e-6, 1 - 1e-9]) {
      const x = chiSquareQuantile(p, 3);
      // F's own accuracy near 1 is absolute (~1e-16), so compare probabilities, not quantiles
      expect(Math.abs(cdf3(x) - p)).toBeLessThan(1e-13 + 1e-12 * p);
      expect(Math.abs(chiSquareCdf(x, 3) - cdf3(x))).toBeLessThan(1e-14);
    }
  });

  it('refuses probabilities outside (0, 1)', () => {
    for (const p of [0, 1, -0.1, 1.5, NaN]) expect(() => chiSquareQuantile(p, 3)).toThrow(/between 0 and 1/);
  });
});
