/**
 * A tiny symbolic algebra that writes straight-line JavaScript.
 *
 * A kinematic chain multiplies constant joint placements by joint rotations. Most placements in
 * real URDFs are signed permutations (rpy multiples of π/2) with one non-zero translation, so most
 * products are by 0 or ±1. Tracking every value as `constant + Σ coefficient · monomial` (a
 * monomial is one variable or a product of two) folds those products away at compile time: a
 * product by a constant only rescales coefficients and costs no code; a value is written out as a
 * `const` only when it is multiplied by another variable or requested as an output. Identical
 * values are emitted once (common-subexpression elimination by canonical text).
 *
 * Nothing from the outside reaches the emitted code except numbers, formatted here after a
 * finiteness check, and variable names this module makes itself, so a robot description cannot
 * inject code. Names from a description appear only in `//` comments (see {@link CodeBuilder.comment}),
 * reduced to printable ASCII there, so that no character of a name can end the comment.
 */

/** constant + Σ terms[monomial] · monomial; monomials are "a" or "a*b" with a <= b. */
export interface Expr {
  readonly k: number;
  readonly terms: ReadonlyMap<string, number>;
}

const EMPTY: ReadonlyMap<string, number> = new Map();

/** The constant `k`. */
export function constant(k: number): Expr {
  return { k, terms: EMPTY };
}

/** `coefficient · name`. */
export function variable(name: string, coefficient = 1): Expr {
  return coefficient === 0 ? constant(0) : { k: 0, terms: new Map([[name, coefficient]]) };
}

export function isConstant(e: Expr): boolean {
  return e.terms.size === 0;
}

export function add(a: Expr, b: Expr): Expr {
  if (b.terms.size === 0 && b.k === 0) return a;
  if (a.terms.size === 0 && a.k === 0) return b;
  const terms = new Map(a.terms);
  for (const [m, c] of b.terms) {
    const sum = (terms.get(m) ?? 0) + c;
    if (sum === 0) terms.delete(m);
    else terms.set(m, sum);
  }
  return { k: a.k + b.k, terms };
}

export function scale(a: Expr, s: number): Expr {
  if (s === 0) return constant(0);
  if (s === 1) return a;
  const terms = new Map<string, number>();
  for (const [m, c] of a.terms) terms.set(m, c * s);
  return { k: a.k * s, terms };
}

export function subtract(a: Expr, b: Expr): Expr {
  return add(a, scale(b, -1));
}

/** The variable and its coefficient when `e` is `c · v` for one variable v, else undefined. */
function asScaledVariable(e: Expr): [string, number] | undefined {
  if (e.k !== 0 || e.terms.size !== 1) return undefined;
  const [m, c] = e.terms.entries().next().value as [string, number];
  return m.includes('*') ? undefined : [m, c];
}

/** Formats a finite double so that it reads back as the same double. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`code generation met a non-finite number: ${x}`);
  return Object.is(x, -0) ? '0' : String(x);
}

/** `text` with every character outside printable ASCII replaced by `?`. */
export function safeCommentText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/** Collects the emitted statements of one generated function. */
export class CodeBuilder {
  private readonly lines: string[] = [];
  private readonly cache = new Map<string, string>();
  private counter = 0;

  /** A fresh variable name with the given prefix. */
  fresh(prefix = 't'): string {
    return `${prefix}${this.counter++}`;
  }

  /** Appends a raw statement (built by the caller from names and formatted numbers only). */
  statement(line: string): void {
    this.lines.push(line);
  }

  /**
   * Appends a `//` comment line for a reader of the generated code. Any character outside
   * printable ASCII becomes `?`: a line terminator (\n, \r, U+2028, U+2029) would otherwise end
   * the comment and let the rest of a link name be read as code.
   */
  comment(text: string): void {
    this.lines.push(`// ${safeCommentText(text)}`);
  }

  /** The JavaScript source of `e` as an expression. */
  source(e: Expr): string {
    const parts: string[] = [];
    for (const [m, c] of e.terms) {
      const sign = c < 0 ? '-' : '+';
      const magnitude = Math.abs(c);
      parts.push(`${sign}${magnitude === 1 ? m : `${formatNumber(magnitude)}*${m}`}`);
    }
    if (e.k !== 0 || parts.length === 0) parts.push(`${e.k < 0 ? '-' : '+'}${formatNumber(Math.abs(e.k))}`);
    const text = parts.join('');
    return text.startsWith('+') ? text.slice(1) : `(${text})`;
  }

  /**
   * `e` as a constant or a scaled single variable, writing `const t = …;` when it is neither.
   * Equal expressions share one variable.
   */
  materialize(e: Expr): Expr {
    if (isConstant(e) || asScaledVariable(e)) return e;
    const text = this.source(e);
    let name = this.cache.get(text);
    if (name === undefined) {
      name = this.fresh();
      this.cache.set(text, name);
      this.lines.push(`const ${name}=${text};`);
    }
    return variable(name);
  }

  /** a · b; products of two variables become monomials, anything larger is materialized first. */
  multiply(a: Expr, b: Expr): Expr {
    if (isConstant(a)) return scale(b, a.k);
    if (isConstant(b)) return scale(a, b.k);
    const [va, ca] = asScaledVariable(a) ?? asScaledVariable(this.materialize(a))!;
    const [vb, cb] = asScaledVariable(b) ?? asScaledVariable(this.materialize(b))!;
    const monomial = va <= vb ? `${va}*${vb}` : `${vb}*${va}`;
    return variable(monomial, ca * cb);
  }

  /** Σ a[i] · b[i]. */
  dot(a: readonly Expr[], b: readonly Expr[]): Expr {
    let sum = constant(0);
    for (let i = 0; i < a.length; i++) sum = add(sum, this.multiply(a[i]!, b[i]!));
    return sum;
  }

  /** The function body emitted so far. */
  body(): string {
    return this.lines.join('\n');
  }
}
