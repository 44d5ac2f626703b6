/**
 * The compiled damped least-squares kernels against the loops of ik/damped-least-squares.ts.
 */
import { describe, expect, it } from 'vitest';
import { MAX_COMPILED_JOINTS, compileDlsKernels } from '../../../src/core/codegen/dls-kernels.js';
import { createDlsScratch, loadProblem, solveStep } from '../../../src/core/ik/damped-least-squares.js';
import { maxAbsDifference } from '../../helpers/finite-differences.js';
import { Random } from '../../helpers/random.js';

describe('damped least squares', () => {
  it('the compiled kernels solve the same systems as the loops, with pinned joints and zero weights', () => {
    const rng = new Random(11);
    for (const dof of [4, 6, 7, 9]) {
      const columns = Array.from({ length: dof }, (_, k) => k).filter(() => rng.next() < 0.9);
      const kernels = compileDlsKernels(dof, columns)!;
      const scratch = createDlsScratch(dof);
      for (let trial = 0; trial < 50; trial++) {
        const J = rng.vector(6 * dof), e = rng.vector(6);
        const sqrtW = Float64Array.from({ length: 6 }, () => (rng.next() < 0.2 ? 0 : rng.uniform(0.3, 2)));
        const free = new Uint8Array(dof);
        const active = new Float64Array(dof), jointScale = new Float64Array(dof).fill(1);
        for (const k of columns) if (rng.next() < 0.85) { free[k] = 1; active[k] = jointScale[k] = rng.uniform(0.5, 2); }
        const lambda2 = rng.next() < 0.3 ? 0 : rng.uniform(1e-4, 0.5);
        loadProblem(scratch, J, e, sqrtW, jointScale, free);
        const expected = new Float64Array(dof), actual = new Float64Array(dof);
        const loopOk = solveStep(scratch, lambda2 + 1e-9, expected);
        const n = free.reduce((s, f) => s + f, 0), m = sqrtW.filter((w) => w > 0).length;
        const kernelOk = (n <= m ? kernels.primal : kernels.dual)(J, e, sqrtW, active, lambda2 + 1e-9, actual);
        expect(kernelOk).toBe(loopOk);
        if (loopOk) expect(maxAbsDifference(actual, expected)).toBeLessThan(1e-8 * Math.max(1, ...expected.map(Math.abs)));
      }
    }
  });
});

describe('dls kernels on long paths', () => {
  it('are not compiled beyond MAX_COMPILED_JOINTS (their Cholesky grows with the cube of the joints)', () => {
    expect(compileDlsKernels(50, Int32Array.from({ length: MAX_COMPILED_JOINTS + 1 }, (_, k) => k))).toBeUndefined();
    expect(compileDlsKernels(50, Int32Array.from({ length: MAX_COMPILED_JOINTS }, (_, k) => k))).toBeDefined();
  });
});
