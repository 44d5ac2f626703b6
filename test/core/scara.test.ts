/**
 * The builtin SCARA (Epson GX8-A452S) against its closed-form kinematics: with arm lengths
 * a1 = 0.200 m and a2 = 0.250 m, the tool is at
 *   x = a1 cos q1 + a2 cos(q1 + q2),  y = a1 sin q1 + a2 sin(q1 + q2),  z = -q3
 * with its z axis down and its x axis at angle q1 + q2 + q4 about base z (seen from above, the
 * flipped tool frame turns x by -(q1 + q2 + q4) about its own z).
 */
import { describe, expect, it } from 'vitest';
import { computeEndEffectorPose, resolveEndEffector } from '../../src/core/jacobian.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { readBuiltinUrdf } from '../helpers/paths.js';
import { Random } from '../helpers/random.js';
import { compileRobot } from '../../src/core/compiled-robot.js';
import { randomInLimits } from '../helpers/robots.js';

const ARM_1 = 0.2, ARM_2 = 0.25;
const TOLERANCE = 1e-14;
const DEG = Math.PI / 180;

describe('the builtin SCARA, Epson GX8-A452S', () => {
  const robot = compileRobot(loadUrdf(readBuiltinUrdf('scara')));
  const { model } = robot;
  const ee = resolveEndEffector(robot, { tip: 'tool0' });

  it('has the limits of the datasheet: ±152°, ±147.5°, a 200 mm stroke, ±360°', () => {
    expect(Array.from(model.qLower)).toEqual([-152 * DEG, -147.5 * DEG, 0, -360 * DEG].map((x) => expect.closeTo(x, 12)));
    expect(Array.from(model.qUpper)).toEqual([152 * DEG, 147.5 * DEG, 0.2, 360 * DEG].map((x) => expect.closeTo(x, 12)));
  });

  it('places the tool where the closed form does', () => {
    const rng = new Random(5);
    const X = new Float64Array(12);
    for (let trial = 0; trial < 200; trial++) {
      const q = randomInLimits(model, rng);
      computeEndEffectorPose(robot, q, ee, X);
      const [q1, q2, q3, q4] = q as unknown as [number, number, number, number];
      const heading = q1 + q2 + q4;
      expect(X[9]).toBeCloseTo(ARM_1 * Math.cos(q1) + ARM_2 * Math.cos(q1 + q2), 14);
      expect(X[10]).toBeCloseTo(ARM_1 * Math.sin(q1) + ARM_2 * Math.sin(q1 + q2), 14);
      expect(Math.abs(X[11]! + q3)).toBeLessThan(TOLERANCE);
      // rotation, row-major: columns are the tool axes in base axes
      const R = Array.from(X.subarray(0, 9));
      const expected = [Math.cos(heading), Math.sin(heading), 0, Math.sin(heading), -Math.cos(heading), 0, 0, 0, -1];
      for (let i = 0; i < 9; i++) expect(Math.abs(R[i]! - expected[i]!)).toBeLessThan(TOLERANCE);
    }
  });
});
