/**
 * The symbolic algebra of the kernel generators (codegen/expression.ts): products by 0 and ±1
 * fold away, identical values are emitted once, numbers read back as the same double, and nothing
 * a robot description says can become code.
 */
import { describe, expect, it } from 'vitest';
import { compileKernel, printKernel } from '../../../src/core/codegen/compile.js';
import {
  CodeBuilder, add, constant, formatNumber, safeCommentText, scale, variable,
} from '../../../src/core/codegen/expression.js';
import { computeEndEffectorPose, resolveEndEffector } from '../../../src/core/jacobian.js';
import { compileRobot } from '../../../src/core/compiled-robot.js';
import { buildModel } from '../../../src/core/model.js';
import type { RobotDescription } from '../../../src/core/robot-description.js';
import { Random } from '../../helpers/random.js';

describe('expression folding', () => {
  it('a product by a constant costs no code; by 0 it vanishes', () => {
    const b = new CodeBuilder();
    const x = variable('x');
    expect(b.multiply(x, constant(0))).toEqual(constant(0));
    expect(b.source(b.multiply(constant(1), x))).toBe('x');
    expect(b.source(b.multiply(x, constant(-2.5)))).toBe('(-2.5*x)');
    expect(b.body()).toBe(''); // nothing emitted
    expect(b.source(add(scale(x, 1), scale(x, -1)))).toBe('0'); // terms cancel
  });

  it('products of variables become monomials, larger ones are materialised once and shared', () => {
    const b = new CodeBuilder();
    const sum = add(variable('a'), variable('b'));
    const p1 = b.multiply(sum, variable('c'));
    const p2 = b.multiply(add(variable('a'), variable('b')), variable('d'));
    // a+b is emitted once, as t0, and both products use it
    expect(b.body()).toBe('const t0=a+b;');
    expect(b.source(p1)).toBe('c*t0');
    expect(b.source(p2)).toBe('d*t0');
  });

  it('the emitted function computes what the algebra says', () => {
    const rng = new Random(4);
    const b = new CodeBuilder();
    const [x, y, z] = [variable('x'), variable('y'), variable('z')];
    const e = add(b.multiply(add(x, scale(y, 3)), add(z, constant(0.5))), b.dot([x, y], [y, z]));
    b.statement(`return ${b.source(e)};`);
    const f = compileKernel<(x: number, y: number, z: number) => number>({ name: 'f', params: ['x', 'y', 'z'], body: b.body() })!;
    for (let i = 0; i < 100; i++) {
      const [vx, vy, vz] = [rng.uniform(-5, 5), rng.uniform(-5, 5), rng.uniform(-5, 5)];
      expect(f(vx, vy, vz)).toBeCloseTo((vx + 3 * vy) * (vz + 0.5) + vx * vy + vy * vz, 12);
    }
  });
});

describe('number formatting', () => {
  it('reads back as the same double, for any finite double', () => {
    const rng = new Random(9);
    const samples = [0, 1, -1, Math.PI, 1e-310, 5e-324, 1.7976931348623157e308, 2 ** -1074, 0.1 + 0.2];
    for (let i = 0; i < 2000; i++) {
      const bits = new Float64Array(1);
      new Uint32Array(bits.buffer).set([rng.int(2 ** 32), rng.int(2 ** 32)]);
      if (Number.isFinite(bits[0])) samples.push(bits[0]!);
    }
    for (const x of samples) {
      const text = formatNumber(x);
      expect(Number(text), text).toBe(x === 0 ? 0 : x);
      expect(text).toMatch(/^-?(\d+(\.\d+)?(e[+-]\d+)?)$/); // a numeral and nothing else
    }
    expect(formatNumber(-0)).toBe('0');
  });

  it('refuses a non-finite number instead of emitting NaN or Infinity', () => {
    for (const x of [Number.NaN, Infinity, -Infinity]) expect(() => formatNumber(x)).toThrow(/non-finite/);
  });
});

describe('names in the generated code', () => {
  it('appear only in comments, with every character outside printable ASCII replaced', () => {
    expect(safeCommentText('elbow\u2028return 1; //\nx\r\u2029')).toBe('elbow?return 1; //?x??');
    const b = new CodeBuilder();
    b.comment('link a\u2028throw new Error("injected")');
    b.statement('return 7;');
    const f = compileKernel<() => number>({ name: 'g', params: [], body: b.body() })!;
    expect(f()).toBe(7);
  });

  it('a robot whose link and joint names try to end the comment compiles to the same numbers', () => {
    const hostile = 'l1\u2028globalThis.injected = true;\n//';
    const description: RobotDescription = {
      name: 'hostile',
      links: [{ name: 'base' }, { name: hostile }, { name: 'tool\r\nthrow 1' }],
      joints: [
        { name: 'j1\u2029x', type: 'revolute', parent: 'base', child: hostile, xyz: [0, 0, 0.3], rpy: [0, 0, 0], axis: [0, 0, 1], limits: { lower: -1, upper: 1, velocity: 1, effort: 1 } },
        { name: 'j2*/', type: 'revolute', parent: hostile, child: 'tool\r\nthrow 1', xyz: [0.4, 0, 0], rpy: [0, 0, 0], axis: [0, 1, 0], limits: { lower: -1, upper: 1, velocity: 1, effort: 1 } },
      ],
    };
    const model = buildModel(description);
    const compiled = compileRobot(model), reference = compileRobot(model, { implementation: 'reference' });
    const q = Float64Array.of(0.3, -0.7);
    const X = computeEndEffectorPose(compiled, q, resolveEndEffector(compiled, { tip: 'tool\r\nthrow 1' }), new Float64Array(12));
    const Xr = computeEndEffectorPose(reference, q, resolveEndEffector(reference, { tip: 'tool\r\nthrow 1' }), new Float64Array(12));
    expect(compiled.implementation).toBe('compiled');
    for (let i = 0; i < 12; i++) expect(X[i]).toBeCloseTo(Xr[i]!, 14);
    expect((globalThis as { injected?: boolean }).injected).toBeUndefined();
  });

  it('a listing is a function JavaScript can parse', () => {
    const b = new CodeBuilder();
    b.comment('two\nlines');
    b.statement('return 1;');
    const text = printKernel({ name: 'listed', params: ['a'], body: b.body() });
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- parsing the listing is the point
    expect(() => new Function(`return ${text};`)).not.toThrow();
    expect(text.split('\n')).toContain('// two?lines');
  });

  it('refuses a kernel or parameter name that is not an identifier', () => {
    expect(() => compileKernel({ name: 'f(){};alert', params: [], body: '' })).toThrow(/not an identifier/);
    expect(() => compileKernel({ name: 'f', params: ['a=1'], body: '' })).toThrow(/not an identifier/);
  });
});
