import { Matrix, SingularValueDecomposition, determinant } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { analyzeJacobian } from '../../src/core/analysis.js';
import { computeJacobian, resolveEndEffector } from '../../src/core/jacobian.js';
import { createWorkspace } from '../../src/core/workspace.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { readBuiltinUrdf } from '../helpers/paths.js';
import { Random } from '../helpers/random.js';
import { compileRobot } from '../../src/core/compiled-robot.js';

const RELATIVE_TOLERANCE = 1e-10;

describe('Jacobian analysis', () => {
  it('gives the singular values of a known matrix and the derived measures', () => {
    // columns scaled unit vectors: singular values are the scales
    const dof = 3;
    const J = new Float64Array(6 * dof);
    J[0 * dof + 0] = 3; J[4 * dof + 1] = 2; J[5 * dof + 2] = 0.5;
    const a = analyzeJacobian(J, dof, [0, 1, 2]);
    expect(a.singularValues.map((s) => +s.toFixed(12))).toEqual([3, 2, 0.5]);
    expect(a.manipulability).toBeCloseTo(3, 12);
    expect(a.inverseCondition).toBeCloseTo(0.5 / 3, 12);
    expect(a.conditionNumber).toBeCloseTo(6, 12);
    expect(a.minSingularValue).toBeCloseTo(0.5, 12);
    expect(a.rank).toBe(3);
  });

  it("manipulability is Yoshikawa's sqrt(det(J Jᵀ)) for 7 joints and sqrt(det(Jᵀ J)) for 4", () => {
    const rng = new Random(5);
    for (const [id, tip] of [['franka_panda', 'panda_hand_tcp'], ['scara', 'tool0'], ['ur5e', 'tool0']] as const) {
      const robot = compileRobot(loadUrdf(readBuiltinUrdf(id)));
      const { model } = robot;
      const ee = resolveEndEffector(robot, { tip });
      const q = new Float64Array(model.dof).map((_, k) => rng.uniform(Math.max(model.qLower[k]!, -2), Math.min(model.qUpper[k]!, 2)));
      const J = computeJacobian(robot, createWorkspace(model), q, ee, new Float64Array(6 * model.dof));
      const columns = [...ee.path.movingJoints];
      const M = new Matrix(6, columns.length);
      for (let r = 0; r < 6; r++) columns.forEach((k, c) => M.set(r, c, J[r * model.dof + k]!));
      const gram = columns.length >= 6 ? M.mmul(M.transpose()) : M.transpose().mmul(M);
      const expected = Math.sqrt(determinant(gram));
      const a = analyzeJacobian(J, model.dof, columns);
      expect(Math.abs(a.manipulability - expected) / expected).toBeLessThan(RELATIVE_TOLERANCE);
      expect(a.singularValues.length).toBe(Math.min(6, columns.length));
    }
  });

  it('finds the rank drop of a stretched-out arm and leaves conditionNumber out when σmin is 0', () => {
    // UR5e at q = 0: shoulder, elbow and wrist 1 axes are parallel and the arm is stretched out
    const robot = compileRobot(loadUrdf(readBuiltinUrdf('ur5e')));
    const { model } = robot;
    const ee = resolveEndEffector(robot, { tip: 'tool0' });
    const J = computeJacobian(robot, createWorkspace(model), new Float64Array(model.dof), ee, new Float64Array(6 * model.dof));
    const a = analyzeJacobian(J, model.dof, ee.path.movingJoints);
    expect(a.rank).toBe(5);
    // the lost direction is exactly zero in every measure, not rounding noise
    expect(a.minSingularValue).toBe(0);
    expect(a.inverseCondition).toBe(0);
    expect(a.manipulability).toBe(0);
    expect(a.conditionNumber).toBeUndefined();
    expect(a.singularValues.filter((s) => s > 0)).toHaveLength(a.rank);
    // an exactly zero column gives σmin = 0 exactly
    const zero = analyzeJacobian(new Float64Array(12), 2, [0, 1]);
    expect(zero.conditionNumber).toBeUndefined();
    expect(zero.inverseCondition).toBe(0);
    expect(zero.rank).toBe(0);
  });

  it.each([3, 6, 40, 999])('agrees with a general SVD (ml-matrix) on random 6 x %i Jacobians', (n) => {
    const rng = new Random(n);
    // a wide range of singular values: rows scaled from 1 to 1e-6
    const J = new Float64Array(6 * n).map((_, i) => rng.uniform(-1, 1) * 10 ** -Math.floor(i / n));
    const columns = Array.from({ length: n }, (_, k) => k);
    const a = analyzeJacobian(J, n, columns);
    const expected = new SingularValueDecomposition(new Matrix(Array.from({ length: 6 }, (_, r) => Array.from(J.subarray(r * n, (r + 1) * n)))),
      { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal.sort((x, y) => y - x).slice(0, Math.min(6, n));
    // both backward stable: each σ within a few ε σmax of the other (σmin here is about 1e-6 σmax)
    const sigmaMax = expected[0]!;
    a.singularValues.forEach((s, i) => expect(Math.abs(s - expected[i]!)).toBeLessThan(100 * Number.EPSILON * sigmaMax * Math.sqrt(n)));
  });

  it('reports zeros when no joint moves the tip', () => {
    const a = analyzeJacobian(new Float64Array(6), 1, []);
    expect(a).toMatchObject({ singularValues: [], manipulability: 0, inverseCondition: 0, rank: 0 });
    expect(a.conditionNumber).toBeUndefined();
  });
});
