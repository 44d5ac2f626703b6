/**
 * Manipulability measures and their gradients (core/manipulability.ts): values against the SVD of
 * analysis.ts, gradients against central differences of the measures, the singular cases.
 */
import { describe, expect, it } from 'vitest';
import { analyzeJacobian } from '../../src/core/analysis.js';
import { compileRobot, type CompiledRobot } from '../../src/core/compiled-robot.js';
import { REFERENCE_FRAMES, computeJacobian, resolveEndEffector } from '../../src/core/jacobian.js';
import {
  MANIPULABILITY_AXES, MANIPULABILITY_MEASURES, computeManipulability, type ManipulabilityAxes, type ManipulabilityMeasure,
} from '../../src/core/manipulability.js';
import { buildModel } from '../../src/core/model.js';
import { createSecondOrderWorkspace } from '../../src/core/second-order-workspace.js';
import { createWorkspace } from '../../src/core/workspace.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { expectKinematicsError } from '../helpers/errors.js';
import { maxAbsDifference } from '../helpers/finite-differences.js';
import { BUILTIN_ROBOTS, readBuiltinUrdf } from '../helpers/paths.js';
import { Random } from '../helpers/random.js';
import { randomRobot } from '../helpers/random-robot.js';

/** Central differences of a measure: h = 1e-6, truncation h²|∂³m| and rounding ε|m|/h, both far below 1e-7 for O(1) measures. */
const FD_STEP = 1e-6;
const FD_TOLERANCE = 1e-6;

function measureAt(robot: CompiledRobot, spec: Parameters<typeof resolveEndEffector>[1], q: Float64Array, measure: ManipulabilityMeasure, axes: ManipulabilityAxes) {
  const gradient = new Float64Array(robot.model.dof);
  const r = computeManipulability(robot, createSecondOrderWorkspace(robot.model), q, resolveEndEffector(robot, spec), measure, axes, gradient);
  return { ...r, gradient };
}

describe('manipulability measures', () => {
  const rng = new Random(31);

  it('yoshikawa over all rows is analysis.manipulability, and the singular values are the analysis\'s', () => {
    for (const id of BUILTIN_ROBOTS) {
      const robot = compileRobot(loadUrdf(readBuiltinUrdf(id)));
      const { model } = robot;
      for (const tip of model.tipLinks) {
        const q = rng.vector(model.dof, -1.5, 1.5);
        const ee = resolveEndEffector(robot, { tip });
        const J = computeJacobian(robot, createWorkspace(model), q, ee, new Float64Array(6 * model.dof));
        const analysis = analyzeJacobian(J, model.dof, ee.path.movingJoints);
        const r = measureAt(robot, { tip }, q, 'yoshikawa', 'all');
        expect(r.value, `${id} ${tip}`).toBeCloseTo(analysis.manipulability, 12);
        expect(maxAbsDifference(r.singularValues, analysis.singularValues), `${id} ${tip}`).toBeLessThan(1e-12);
      }
    }
  });

  it('has the gradient of central differences, for every measure, axes and frame, on builtin and random robots', () => {
    const robots = [
      ...['franka_panda', 'ur5e', 'kuka_iiwa14', 'scara', 'baxter'].map((id) => compileRobot(loadUrdf(readBuiltinUrdf(id)))),
      ...Array.from({ length: 12 }, () => compileRobot(buildModel(randomRobot(rng, { links: 4 + rng.int(8), mimicProbability: 0.3 })))),
    ];
    let checked = 0;
    for (const robot of robots) {
      const { model } = robot;
      const tip = model.tipLinks[rng.int(model.tipLinks.length)]!;
      const base = rng.next() < 0.3 ? rng.pick(model.linkNames) : model.linkNames[0]!;
      for (const referenceFrame of REFERENCE_FRAMES) {
        const spec = { base, tip, referenceFrame, tipOffset: [0.03, -0.02, 0.08] };
        const q = rng.vector(model.dof, -1.4, 1.4);
        for (const measure of MANIPULABILITY_MEASURES) {
          for (const axes of MANIPULABILITY_AXES) {
            let r;
            try { r = measureAt(robot, spec, q, measure, axes); } catch { continue; } // logDet at a singularity
            if (!r.differentiable || r.singularValues.some((s) => s < 1e-3)) continue; // keep away from kinks
            const fd = Array.from({ length: model.dof }, (_, k) => {
              const plus = Float64Array.from(q), minus = Float64Array.from(q);
              plus[k] = plus[k]! + FD_STEP; minus[k] = minus[k]! - FD_STEP;
              return (measureAt(robot, spec, plus, measure, axes).value - measureAt(robot, spec, minus, measure, axes).value) / (2 * FD_STEP);
            });
            expect(maxAbsDifference(r.gradient, fd), `${model.name} ${base}->${tip} ${referenceFrame} ${measure} ${axes}`)
              .toBeLessThan(FD_TOLERANCE * Math.max(1, Math.abs(r.value)));
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('says where a measure is not differentiable: at a singularity, and where σmin is repeated', () => {
    const ur5e = compileRobot(loadUrdf(readBuiltinUrdf('ur5e')));
    const straight = Float64Array.of(0, -1.2, 0, -1, 1.57, 0); // elbow straight
    for (const measure of ['yoshikawa', 'sigmaMin', 'inverseCondition'] as const) {
      const r = measureAt(ur5e, { tip: 'tool0' }, straight, measure, 'all');
      expect(r).toMatchObject({ value: 0, differentiable: false });
      expect(r.gradient.every((g) => g === 0)).toBe(true);
    }
    expectKinematicsError(() => measureAt(ur5e, { tip: 'tool0' }, straight, 'logDet', 'all'), 'INVALID_ARGUMENT', 'logDet is -infinity here');
    // a spherical wrist: three orthogonal axes through one point, whose rotation rows are the identity (σ = 1, 1, 1)
    const limit = '<limit lower="-3" upper="3" effort="1" velocity="1"/>';
    const wrist = compileRobot(loadUrdf('<robot name="wrist"><link name="a"/><link name="b"/><link name="c"/><link name="d"/>'
      + `<joint name="x" type="revolute"><parent link="a"/><child link="b"/><axis xyz="1 0 0"/>${limit}</joint>`
      + `<joint name="y" type="revolute"><parent link="b"/><child link="c"/><axis xyz="0 1 0"/>${limit}</joint>`
      + `<joint name="z" type="revolute"><parent link="c"/><child link="d"/><axis xyz="0 0 1"/>${limit}</joint></robot>`));
    const r = measureAt(wrist, {}, new Float64Array(3), 'sigmaMin', 'rotation');
    expect(r.singularValues).toEqual([1, 1, 1]);
    expect(r.differentiable).toBe(false);
    // yoshikawa is symmetric in the σ: differentiable there
    expect(measureAt(wrist, {}, new Float64Array(3), 'yoshikawa', 'rotation').differentiable).toBe(true);
  });
});
