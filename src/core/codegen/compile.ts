/**
 * The one way a generated kernel becomes a function, and the one way to read it.
 *
 * A generator of this folder returns a {@link KernelSource}: a name, parameter names, a body made
 * only of numbers and names it made itself (see expression.ts), and the named constants the body
 * refers to. {@link compileKernel} turns it into a function with `new Function`. Where the process
 * forbids code generation from strings (`node --disallow-code-generation-from-strings`, a content
 * security policy), `new Function` throws an EvalError and compileKernel returns undefined: the
 * caller then uses the loop-based implementation that computes the same results
 * (reference-kinematics.ts, ik/damped-least-squares.ts). It does the same for a kernel too large for
 * V8 to optimise (see MAX_KERNEL_BODY_CHARS): straight-line code only pays when it is optimised.
 */

/** The source of one kernel. */
export interface KernelSource {
  /** The function's name, for stack traces and listings. */
  readonly name: string;
  readonly params: readonly string[];
  readonly body: string;
  /** Values the body refers to by name (tables, constants), bound once at compile time. */
  readonly constants?: Readonly<Record<string, unknown>>;
}

/**
 * The longest kernel body that is compiled (characters). V8's optimising compiler (TurboFan,
 * Node 20) refuses functions of more than 60 KB of bytecode, and a generated kernel that is never
 * optimised runs in the interpreter for good: measured on this machine, the Jacobian of a chain
 * with generic axes took 1.4 µs compiled against 3.5 µs for the loop at 24 joints (a body of
 * 49,658 characters), but 46 µs against 4.4 µs at 32 joints (66,714 characters), and the
 * axis-aligned chain of 48 joints (61,823 characters) was likewise never optimised. Beyond this
 * length the loops run instead: faster, and with nothing to compile when a large robot arrives.
 */
export const MAX_KERNEL_BODY_CHARS = 50_000;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function checkNames(source: KernelSource): void {
  for (const name of [source.name, ...source.params, ...Object.keys(source.constants ?? {})]) {
    if (!IDENTIFIER.test(name)) throw new Error(`kernel ${JSON.stringify(source.name)}: ${JSON.stringify(name)} is not an identifier`);
  }
}

/** The kernel as the text of a JavaScript function (what {@link compileKernel} compiles). */
export function printKernel(source: KernelSource): string {
  checkNames(source);
  return `function ${source.name}(${source.params.join(', ')}) {\n${source.body}\n}`;
}

/**
 * Compiles a kernel; undefined where code generation from strings is not allowed, or when the
 * kernel is longer than V8 optimises (MAX_KERNEL_BODY_CHARS).
 * @throws Error for a name that is not an identifier (a defect of the generator).
 */
export function compileKernel<T>(source: KernelSource): T | undefined {
  if (source.body.length > MAX_KERNEL_BODY_CHARS) return undefined;
  const constants = source.constants ?? {};
  const names = Object.keys(constants);
  const text = printKernel(source);
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from numbers and names only (see expression.ts)
    const factory = new Function(...names, `"use strict";\nreturn ${text};`) as (...values: unknown[]) => T;
    return factory(...names.map((n) => constants[n]));
  } catch (error) {
    if (error instanceof EvalError) return undefined;
    throw error;
  }
}
