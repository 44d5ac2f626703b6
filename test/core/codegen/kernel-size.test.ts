/**
 * Kernels too long for V8 to optimise are not compiled: the loops run instead, with the same
 * numbers (codegen/compile.ts, MAX_KERNEL_BODY_CHARS; kinematic-path.ts, MAX_COMPILED_PATH_LINKS).
 */
import { describe, expect, it } from 'vitest';
import { MAX_KERNEL_BODY_CHARS, compileKernel } from '../../../src/core/codegen/compile.js';
import { compileRobot } from '../../../src/core/compiled-robot.js';
import { MAX_COMPILED_PATH_LINKS, createKinematicPath } from '../../../src/core/kinematic-path.js';
import { loadUrdf } from '../../../src/urdf/load-urdf.js';
import { chainUrdf } from '../../helpers/chain-urdf.js';
import { maxAbsDifference } from '../../helpers/finite-differences.js';

describe('kernel size', () => {
  it('compiles a body up to the limit and refuses a longer one', () => {
    const body = (chars: number) => `return 1;${' '.repeat(chars - 'return 1;'.length)}`;
    expect(compileKernel<() => number>({ name: 'fits', params: [], body: body(MAX_KERNEL_BODY_CHARS) })?.()).toBe(1);
    expect(compileKernel({ name: 'tooLong', params: [], body: body(MAX_KERNEL_BODY_CHARS + 1) })).toBeUndefined();
  });

  it.each([
    ['a short chain, compiled', 7, undefined, 'compiled'],
    ['a chain whose kernels would be too long (generic axes)', 32, '0.3 0.5 0.8', 'reference'],
    ['a chain longer than MAX_COMPILED_PATH_LINKS', MAX_COMPILED_PATH_LINKS + 1, undefined, 'reference'],
    ['a chain at the URDF cap', 999, undefined, 'reference'],
  ] as const)('%s: %s kernels with the loops\' numbers', (_, n, axis, expected) => {
    const robot = compileRobot(loadUrdf(chainUrdf(n, axis === undefined ? {} : { axis })));
    const { model } = robot;
    const path = robot.path(0, n);
    expect(path.implementation).toBe(expected);
    const reference = createKinematicPath(model, 0, n, 'reference');
    const q = Float64Array.from({ length: model.dof }, (_, k) => Math.sin(k));
    const X = new Float64Array(12), J = new Float64Array(6 * model.dof);
    const Xr = new Float64Array(12), Jr = new Float64Array(6 * model.dof);
    path.jacobian(q, X, J);
    reference.jacobian(q, Xr, Jr);
    // the same operations in the same order: equal to rounding (reach at most n x 0.1 m)
    expect(maxAbsDifference(X, Xr)).toBeLessThan(1e-12 * n);
    expect(maxAbsDifference(J, Jr)).toBeLessThan(1e-12 * n);
  });
});
