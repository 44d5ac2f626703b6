import { describe, expect, it } from 'vitest';
import { SINCOS_CONSTANTS, SINCOS_INLINE_LIMIT, sincosStatements } from '../../src/core/codegen/sincos.js';
import { Random } from '../helpers/random.js';

/** Two units in the last place of 1: the inline sincos against Math.sin / Math.cos. */
const SINCOS_TOLERANCE = 4.5e-16;

const names = Object.keys(SINCOS_CONSTANTS);
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const sincos = new Function(...names, `return function(x, out){${sincosStatements('x', 's', 'c', '0')}\nout[0]=s;out[1]=c;}`)(
  ...names.map((n) => SINCOS_CONSTANTS[n as keyof typeof SINCOS_CONSTANTS]),
) as (x: number, out: Float64Array) => void;

function worstError(xs: Iterable<number>): number {
  const out = new Float64Array(2);
  let worst = 0;
  for (const x of xs) {
    sincos(x, out);
    worst = Math.max(worst, Math.abs(out[0]! - Math.sin(x)), Math.abs(out[1]! - Math.cos(x)));
  }
  return worst;
}

describe('inline sincos', () => {
  it('matches Math.sin and Math.cos on random angles over the whole inline range', () => {
    const rng = new Random(1);
    const xs = Array.from({ length: 200_000 }, (_, i) => (i % 2 ? rng.uniform(-8, 8) : rng.uniform(-SINCOS_INLINE_LIMIT, SINCOS_INLINE_LIMIT)));
    expect(worstError(xs)).toBeLessThan(SINCOS_TOLERANCE);
  });

  it('is accurate at and beside every table point and at the ends of the reduced range', () => {
    const xs: number[] = [];
    for (let k = -640; k <= 640; k++) {
      const x = (k * Math.PI) / 64;
      xs.push(x, x + 1e-12, x - 1e-12, x + Number.EPSILON * Math.abs(x), x - Number.EPSILON * Math.abs(x));
    }
    expect(worstError(xs)).toBeLessThan(SINCOS_TOLERANCE);
  });

  it('is exact at zero and keeps tiny angles', () => {
    const out = new Float64Array(2);
    sincos(0, out);
    expect([...out]).toEqual([0, 1]);
    sincos(1e-300, out);
    expect(out[0]).toBe(1e-300);
    expect(out[1]).toBe(1);
  });

  it('falls back to Math.sin / Math.cos outside the inline range and for non-finite input', () => {
    const out = new Float64Array(2);
    for (const x of [SINCOS_INLINE_LIMIT, -SINCOS_INLINE_LIMIT, 1e6, -3.7e12, 1e300]) {
      sincos(x, out);
      expect([out[0], out[1]]).toEqual([Math.sin(x), Math.cos(x)]);
    }
    sincos(NaN, out);
    expect(Number.isNaN(out[0]) && Number.isNaN(out[1])).toBe(true);
  });
});
