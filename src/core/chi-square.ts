/**
 * The χ² distribution's quantile, for the confidence ellipsoids of uncertainty.ts: a point x with
 * |z|² <= x at probability p for z ~ N(0, I_k) is the quantile F⁻¹(p) of χ²_k.
 *
 * F(x) = P(k/2, x/2), the regularised lower incomplete gamma function, evaluated by its series
 * (x < a + 1) or Lentz's continued fraction for Q = 1 - P (Numerical Recipes §6.2); the quantile
 * starts from Wilson and Hilferty's cube-root normal approximation,
 *   x₀ = k (1 - 2/(9k) + z √(2/(9k)))³,  z = Φ⁻¹(p),
 * and Newton's method on F(x) - p with F'(x) the χ² density polishes it to rounding.
 */
import { KinematicsError } from './errors.js';

/** Lanczos coefficients (g = 7, n = 9): ln Γ to about 1e-15 relative. */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(a) for a > 0 (Lanczos; reflection below 1/2). */
export function logGamma(a: number): number {
  if (a < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * a))) - logGamma(1 - a);
  const x = a - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) sum += LANCZOS[i]! / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}

const GAMMA_EPSILON = 1e-16;
const GAMMA_MAX_TERMS = 1000;

/** P(a, x) = γ(a, x) / Γ(a), the regularised lower incomplete gamma function, a > 0, x >= 0. */
export function regularizedGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // series: γ(a, x) = e^-x x^a Σ x^n / (a (a+1) … (a+n))
    let term = 1 / a, sum = term;
    for (let n = 1; n < GAMMA_MAX_TERMS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * GAMMA_EPSILON) break;
    }
    return sum * Math.exp(logPrefix);
  }
  // continued fraction for Q(a, x) = e^-x x^a (1/(x+1-a-) 1·(1-a)/(x+3-a-) 2·(2-a)/(x+5-a-) …), modified Lentz
  const tiny = 1e-300;
  let b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (let i = 1; i < GAMMA_MAX_TERMS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b; if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < GAMMA_EPSILON) break;
  }
  return 1 - Math.exp(logPrefix) * h;
}

/** The χ²_k distribution function F(x) = P(k/2, x/2). */
export function chiSquareCdf(x: number, k: number): number {
  return regularizedGammaP(k / 2, x / 2);
}

/** The χ²_k density f(x) = x^(k/2-1) e^(-x/2) / (2^(k/2) Γ(k/2)). */
function chiSquareDensity(x: number, k: number): number {
  const a = k / 2;
  return Math.exp((a - 1) * Math.log(x) - x / 2 - a * Math.LN2 - logGamma(a));
}

/**
 * Φ⁻¹(p), the standard normal quantile, by Acklam's rational approximation (relative error below
 * 1.2e-9): a starting point only, Newton's method on the χ² distribution does the rest.
 */
export function normalQuantileApproximation(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantileApproximation(1 - p);
  const q = p - 0.5, r = q * q;
  return (((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q
    / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

const NEWTON_MAX_ITERATIONS = 100;
const NEWTON_RELATIVE_STEP = 1e-15;

/**
 * The χ²_k quantile F⁻¹(p) for 0 < p < 1 and k > 0: 7.814727903251178 for p = 0.95, k = 3.
 * @throws KinematicsError `INVALID_VALUE` for p outside (0, 1) or k <= 0.
 */
export function chiSquareQuantile(p: number, k: number): number {
  if (!(p > 0 && p < 1)) throw new KinematicsError('INVALID_VALUE', `a probability must be between 0 and 1 (exclusive); got ${p}`);
  if (!(k > 0 && Number.isFinite(k))) throw new KinematicsError('INVALID_VALUE', `degrees of freedom must be a positive number; got ${k}`);
  const z = normalQuantileApproximation(p);
  const h = 2 / (9 * k);
  const cube = 1 - h + z * Math.sqrt(h);
  // Wilson-Hilferty is poor for small k and small p (the cube can go negative): start low instead
  let x = cube > 0.05 ? k * cube * cube * cube : Math.max(1e-300, Math.pow(p * Math.exp(logGamma(k / 2 + 1)) * Math.pow(2, k / 2), 2 / k));
  for (let i = 0; i < NEWTON_MAX_ITERATIONS; i++) {
    const f = chiSquareCdf(x, k) - p;
    const density = chiSquareDensity(x, k);
    if (!(density > 0)) break;
    let next = x - f / density;
    // F is convex below its mode and concave above: a step out of (0, ∞) is halved back in
    if (!(next > 0)) next = x / 2;
    const step = Math.abs(next - x);
    x = next;
    if (step <= NEWTON_RELATIVE_STEP * x) break;
  }
  return x;
}
