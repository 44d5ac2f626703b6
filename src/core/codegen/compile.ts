/**
 * The one way a generated kernel becomes a function, and the one way to read it.
 *
 * A generator of this folder returns a {@link KernelSource}: a name, parameter names, a body made
 * only of numbers and names it made itself (see expression.ts), and the named constants the body
 * refers to. {@link compileKernel} turns it into a function with `new Function`. Where the process
 * forbids code generation from strings (`node --disallow-code-generation-from-strings`, a content
 * security policy), `new Function` throws an EvalError and compileKernel returns undefined: the
 * caller then uses the loop-based implementation that computes the same results
 * (reference-kinematics.ts, ik/damped-least-squares.ts).
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
 * Compiles a kernel; undefined where code generation from strings is not allowed.
 * @throws Error for a name that is not an identifier (a defect of the generator).
 */
export function compileKernel<T>(source: KernelSource): T | undefined {
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
