/**
 * The second-order routes (jacobian/derivative, hessian, manipulability) and null-space motion on
 * ik/velocity, against the core and against each other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeHessian, computeJacobianDerivative } from '../../src/core/jacobian-derivative.js';
import { resolveEndEffector } from '../../src/core/jacobian.js';
import { createSecondOrderWorkspace } from '../../src/core/second-order-workspace.js';
import { createTestApp, expectProblem, postJson, type TestApp } from '../helpers/app.js';
import { maxAbsDifference } from '../helpers/finite-differences.js';
import { builtinRobot } from '../helpers/robots.js';

const Q = [0.1, -1.2, 1.5, -1.9, -1.57, 0.3];
const QDOT = [0.2, -0.1, 0.3, 0.1, -0.2, 0.4];
const QDDOT = [1, 0, -0.5, 0.2, 0, 0.3];

describe('second-order routes', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });
  const robot = builtinRobot('ur5e');
  const dof = robot.model.dof;

  it('jacobian/derivative answers the core\'s J̇, with J̇ q̇ and J q̈ + J̇ q̇, in each frame', async () => {
    for (const referenceFrame of ['LOCAL_WORLD_ALIGNED', 'LOCAL', 'WORLD'] as const) {
      const body = { q: Q, qdot: QDOT, qddot: QDDOT, tip: 'wrist_3_link', base: 'shoulder_link', tipOffset: [0, 0, 0.1], referenceFrame };
      const r = await postJson(t.app, '/robots/ur5e/jacobian/derivative', body);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ base: 'shoulder_link', tip: 'wrist_3_link', referenceFrame, rowOrder: ['vx', 'vy', 'vz', 'wx', 'wy', 'wz'] });
      const Jdot = computeJacobianDerivative(robot, createSecondOrderWorkspace(robot.model), Float64Array.from(Q), Float64Array.from(QDOT),
        resolveEndEffector(robot, body), new Float64Array(6 * dof));
      expect(maxAbsDifference(r.body.jacobianDerivative.flat(), Jdot)).toBe(0);
      const bias = Array.from({ length: 6 }, (_, row) => QDOT.reduce((s, v, k) => s + Jdot[row * dof + k]! * v, 0));
      expect(maxAbsDifference([...r.body.biasAcceleration.linear, ...r.body.biasAcceleration.angular], bias)).toBeLessThan(1e-15);
      // J q̈ from the jacobian route, in the same frame
      const J = (await postJson(t.app, '/robots/ur5e/jacobian', { q: Q, tip: body.tip, base: body.base, tipOffset: body.tipOffset, referenceFrame })).body.jacobian as number[][];
      const expected = bias.map((b, row) => b + QDDOT.reduce((s, a, k) => s + J[row]![k]! * a, 0));
      expect(maxAbsDifference([...r.body.acceleration.linear, ...r.body.acceleration.angular], expected)).toBeLessThan(1e-14);
    }
    const plain = await postJson(t.app, '/robots/ur5e/jacobian/derivative', { q: Q, qdot: QDOT });
    expect(plain.body.acceleration).toBeUndefined();
  });

  it('hessian answers dof slices of 6 x dof, whose sum along q̇ is J̇', async () => {
    const r = await postJson(t.app, '/robots/ur5e/hessian', { q: Q, referenceFrame: 'WORLD' });
    expect(r.status).toBe(200);
    expect(r.body.hessian).toHaveLength(dof);
    expect(r.body.hessian[0]).toHaveLength(6);
    expect(r.body.hessian[0][0]).toHaveLength(dof);
    const H = computeHessian(robot, createSecondOrderWorkspace(robot.model), Float64Array.from(Q), resolveEndEffector(robot, { referenceFrame: 'WORLD' }),
      new Float64Array(6 * dof * dof));
    expect(maxAbsDifference(r.body.hessian.flat(2), H)).toBe(0);
    const Jdot = (await postJson(t.app, '/robots/ur5e/jacobian/derivative', { q: Q, qdot: QDOT, referenceFrame: 'WORLD' })).body.jacobianDerivative as number[][];
    const sum = Jdot.map((row, r0) => row.map((_, c) => QDOT.reduce((s, v, k) => s + r.body.hessian[k][r0][c] * v, 0)));
    expect(maxAbsDifference(sum.flat(), Jdot.flat())).toBeLessThan(1e-14);
  });

  it('manipulability answers the measure of jacobian\'s analysis and a gradient, and refuses what is not defined', async () => {
    const r = await postJson(t.app, '/robots/ur5e/manipulability', { q: Q });
    expect(r.status).toBe(200);
    const analysis = (await postJson(t.app, '/robots/ur5e/jacobian', { q: Q, analysis: true })).body.analysis;
    expect(r.body).toMatchObject({ measure: 'yoshikawa', axes: 'all', referenceFrame: 'LOCAL_WORLD_ALIGNED', differentiable: true });
    expect(r.body.value).toBeCloseTo(analysis.manipulability, 13);
    expect(r.body.gradient).toHaveLength(dof);
    for (const measure of ['sigmaMin', 'inverseCondition', 'logDet'] as const) {
      for (const axes of ['all', 'translation', 'rotation'] as const) {
        const m = await postJson(t.app, '/robots/ur5e/manipulability', { q: Q, measure, axes });
        expect(m.status, `${measure} ${axes}`).toBe(200);
        expect(m.body.singularValues).toHaveLength(axes === 'all' ? 6 : 3);
      }
    }
    const straight = [0, -1.2, 0, -1, 1.57, 0];
    expect((await postJson(t.app, '/robots/ur5e/manipulability', { q: straight })).body).toMatchObject({ value: 0, differentiable: false });
    expectProblem(await postJson(t.app, '/robots/ur5e/manipulability', { q: straight, measure: 'logDet' }), 400, 'logDet is -infinity here');
    expectProblem(await postJson(t.app, '/robots/ur5e/manipulability', { q: Q, measure: 'volume' }), 400, 'measure must be one of yoshikawa, sigmaMin');
    expectProblem(await postJson(t.app, '/robots/ur5e/jacobian/derivative', { q: Q }), 400, 'qdot is required');
  });

  it('ik/velocity with nullspace keeps the twist of the command and says how much was applied', async () => {
    const q = [0.2, 0.5, 0.4, -1.3, 0.4, 1.0, 0.1];
    const twist = { linear: [0, -0.05, 0.02], angular: [0, 0, 0.1] };
    const plain = await postJson(t.app, '/robots/kuka_iiwa14/ik/velocity', { q, twist });
    const steered = await postJson(t.app, '/robots/kuka_iiwa14/ik/velocity', { q, twist, nullspace: { objective: 'manipulability', gain: 20 } });
    expect(steered.status).toBe(200);
    expect(plain.body.nullspace).toBeUndefined();
    expect(steered.body.nullspace.applied).toBe(1);
    expect(steered.body.nullspace.objectiveRate).toBeGreaterThan(0);
    expect(maxAbsDifference(steered.body.qdot, plain.body.qdot)).toBeGreaterThan(1e-3); // it moved the arm in its null space
    const velocity = async (qdot: number[]) => (await postJson(t.app, '/robots/kuka_iiwa14/velocity', { q, qdot })).body.twist;
    const a = await velocity(plain.body.qdot), b = await velocity(steered.body.qdot);
    expect(maxAbsDifference([...a.linear, ...a.angular], [...b.linear, ...b.angular])).toBeLessThan(1e-12);
    expectProblem(await postJson(t.app, '/robots/kuka_iiwa14/ik/velocity', { q, twist, nullspace: { objective: 'comfort', gain: 1 } }), 400, 'nullspace.objective');
  });
});
