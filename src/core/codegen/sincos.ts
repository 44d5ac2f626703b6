/**
 * Sine and cosine of one angle together, inlined into generated kernels.
 *
 * V8's Math.sin and Math.cos cost about 13 ns each on the machines we target, more than all the
 * other work of a joint, and their range reductions repeat each other. Here, for |x| < 8192:
 *
 *   x = n·π/32 + r, |r| <= π/64       (Cody–Waite: n·STEP_HI is exact, STEP_LO carries the rest)
 *   sin r by its Taylor polynomial to r⁷ (truncation error below 1e-17 for |r| <= π/64)
 *   cos r = sqrt(1 - sin²r)           (cos r > 0.998 here, so no cancellation: one sqrtsd
 *                                      is cheaper than a second polynomial)
 *   sin x = S[n] cos r + C[n] sin r,   cos x = C[n] cos r - S[n] sin r
 *
 * with S, C the 64 values sin(kπ/32), cos(kπ/32): the first octant from Math.sin / Math.cos and
 * the rest by exact symmetries, so no table entry carries the rounding error of a large angle.
 * The short polynomial and the square root are what make this faster than fdlibm's
 * single-quadrant reduction with two degree-13 polynomials.
 * Larger or non-finite angles take Math.sin / Math.cos.
 *
 * Accuracy: within 2.3e-16 of Math.sin / Math.cos (the tests check [-8192, 8192]).
 */

function buildTables(): { SIN_TABLE: Float64Array; COS_TABLE: Float64Array } {
  const SIN_TABLE = new Float64Array(64);
  const COS_TABLE = new Float64Array(64);
  const octantSin: number[] = [];
  const octantCos: number[] = [];
  for (let j = 0; j <= 8; j++) {
    octantSin.push(j === 0 ? 0 : Math.sin(j * (Math.PI / 32)));
    octantCos.push(j === 0 ? 1 : Math.cos(j * (Math.PI / 32)));
  }
  const quarterSin = [0, 1, 0, -1];
  const quarterCos = [1, 0, -1, 0];
  for (let k = 0; k < 64; k++) {
    const quadrant = k >> 4, j = k & 15;
    // sin/cos of j·π/32 within the quadrant (complementary angles above π/4) ...
    const s = j <= 8 ? octantSin[j]! : octantCos[16 - j]!;
    const c = j <= 8 ? octantCos[j]! : octantSin[16 - j]!;
    // ... turned by quadrant·π/2, which only swaps and negates
    const qs = quarterSin[quadrant]!, qc = quarterCos[quadrant]!;
    SIN_TABLE[k] = s * qc + c * qs;
    COS_TABLE[k] = c * qc - s * qs;
  }
  return { SIN_TABLE, COS_TABLE };
}

/** Constants the generated code refers to by name; passed to `new Function` as parameters. */
export const SINCOS_CONSTANTS = {
  /** 32/π, to pick n */
  INV_STEP: 32 / Math.PI,
  /** the first 33 bits of π/32: n·STEP_HI is exact for |n| < 2²⁰ */
  STEP_HI: 1.57079632673412561417 / 16,
  /** π/32 - STEP_HI */
  STEP_LO: 6.07710050650619224932e-11 / 16,
  /** 1.5·2⁵²: adding and subtracting it rounds a double to the nearest integer */
  ROUND_SHIFT: 6755399441055744.0,
  S3: -1 / 6,
  S5: 1 / 120,
  S7: -1 / 5040,
  ...buildTables(),
} as const;

/** Largest |x| handled by the inline reduction (n·STEP_HI stays exact well beyond it). */
export const SINCOS_INLINE_LIMIT = 8192;

/**
 * Statements that declare `s` and `c` as sin(x) and cos(x), where `x` is the name of a declared
 * variable and `tag` makes the helper names unique.
 */
export function sincosStatements(x: string, s: string, c: string, tag: string): string {
  const n = `n${tag}`, r = `r${tag}`, z = `z${tag}`, ps = `ps${tag}`, pc = `pc${tag}`, k = `k${tag}`;
  return [
    `let ${s},${c};`,
    `if(${x}>-${SINCOS_INLINE_LIMIT}&&${x}<${SINCOS_INLINE_LIMIT}){`,
    `const ${n}=(${x}*INV_STEP+ROUND_SHIFT)-ROUND_SHIFT;`,
    `const ${r}=(${x}-${n}*STEP_HI)-${n}*STEP_LO;`,
    `const ${z}=${r}*${r};`,
    `const ${ps}=${r}+${r}*${z}*(S3+${z}*(S5+${z}*S7));`,
    `const ${pc}=Math.sqrt(1-${ps}*${ps});`,
    `const ${k}=(${n}|0)&63;`,
    `${s}=SIN_TABLE[${k}]*${pc}+COS_TABLE[${k}]*${ps};`,
    `${c}=COS_TABLE[${k}]*${pc}-SIN_TABLE[${k}]*${ps};`,
    `}else{${s}=Math.sin(${x});${c}=Math.cos(${x});}`,
  ].join('\n');
}
