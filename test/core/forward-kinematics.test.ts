/**
 * Forward kinematics in a base frame (core/forward-kinematics.ts): composed along the tree from
 * the base, so that a base far from the root costs no precision.
 */
import { describe, expect, it } from 'vitest';
import { compileRobot } from '../../src/core/compiled-robot.js';
import { computeLinkPoses, computeLinkPosesInBase, computePose } from '../../src/core/forward-kinematics.js';
import { computeJacobian, resolveEndEffector } from '../../src/core/jacobian.js';
import { composeInverseTransform } from '../../src/core/se3.js';
import { createWorkspace } from '../../src/core/workspace.js';
import { buildModel } from '../../src/core/model.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { maxAbsDifference } from '../helpers/finite-differences.js';
import { Random } from '../helpers/random.js';
import { randomRobot } from '../helpers/random-robot.js';

/** A linear rail (prismatic, ±2e6 m) carrying a cart on which a two-joint arm stands. */
const RAIL_ARM = `<robot name="rail_arm"><link name="world"/><link name="cart"/><link name="upper"/><link name="fore"/><link name="tool"/>
  <joint name="rail" type="prismatic"><parent link="world"/><child link="cart"/><axis xyz="1 0 0"/><limit lower="-2e6" upper="2e6" effort="1" velocity="1"/></joint>
  <joint name="shoulder" type="revolute"><origin xyz="0 0 0.4"/><parent link="cart"/><child link="upper"/><axis xyz="0 0 1"/><limit lower="-3" upper="3" effort="1" velocity="1"/></joint>
  <joint name="elbow" type="revolute"><origin xyz="0.1 0 0.3" rpy="0.3 0 0"/><parent link="upper"/><child link="fore"/><axis xyz="0 1 0"/><limit lower="-3" upper="3" effort="1" velocity="1"/></joint>
  <joint name="flange" type="fixed"><origin xyz="0.35 0.02 0.05"/><parent link="fore"/><child link="tool"/></joint></robot>`;

/** Rounding of a pose whose coordinates are about 1 m, composed over a few links. */
const ROUNDING = 1e-15;

describe('forward kinematics in a base frame', () => {
  const robot = compileRobot(loadUrdf(RAIL_ARM));
  const { model } = robot;
  const ws = createWorkspace(model);
  const cart = model.linkIndex.get('cart')!, tool = model.linkIndex.get('tool')!;

  it('does not depend on a joint that moves the base far from the root (a rail at 10^6 m)', () => {
    const near = new Float64Array(12 * model.linkNames.length), far = new Float64Array(12 * model.linkNames.length);
    computeLinkPosesInBase(robot, ws, Float64Array.of(0, 0.3, -0.7), cart, near);
    computeLinkPosesInBase(robot, ws, Float64Array.of(1e6, 0.3, -0.7), cart, far);
    // the rail is not on the path from the cart to any link of the arm: those poses are the same
    for (const link of ['upper', 'fore', 'tool']) {
      const o = 12 * model.linkIndex.get(link)!;
      expect(maxAbsDifference(far.subarray(o, o + 12), near.subarray(o, o + 12)), link).toBeLessThan(ROUNDING);
    }
    // and the root, behind the rail, is 10^6 m away
    expect(far[9]).toBe(-1e6);
  });

  it('agrees with the pose of the Jacobian and of the path to rounding, wherever the root is', () => {
    const q = Float64Array.of(1e6, 0.3, -0.7);
    const poses = computeLinkPosesInBase(robot, ws, q, cart, new Float64Array(12 * model.linkNames.length));
    const ee = resolveEndEffector(robot, { base: 'cart', tip: 'tool' });
    const X_jacobian = new Float64Array(12);
    computeJacobian(robot, ws, q, ee, new Float64Array(6 * model.dof), X_jacobian);
    const X_path = computePose(robot, q, cart, tool, new Float64Array(12));
    expect(maxAbsDifference(poses.subarray(12 * tool, 12 * tool + 12), X_jacobian)).toBeLessThan(ROUNDING);
    expect(maxAbsDifference(X_path, X_jacobian)).toBeLessThan(ROUNDING);
    // X_WB⁻¹ X_WL, the old way, loses about 10^6 · ε here
    const X_WL = computeLinkPoses(robot, q, new Float64Array(12 * model.linkNames.length));
    const viaRoot = new Float64Array(12);
    composeInverseTransform(viaRoot, 0, X_WL, 12 * cart, X_WL, 12 * tool);
    expect(maxAbsDifference(viaRoot, X_jacobian)).toBeGreaterThan(1e-12);
  });

  it('equals X_WB⁻¹ X_WL on random robots and bases, where the root is near', () => {
    const rng = new Random(77);
    for (let n = 0; n < 30; n++) {
      const r = compileRobot(buildModel(randomRobot(rng, { links: 2 + rng.int(12), mimicProbability: 0.3 })));
      const w = createWorkspace(r.model);
      const links = r.model.linkNames.length;
      const q = rng.vector(r.model.dof, -1.5, 1.5);
      const X_WL = computeLinkPoses(r, q, new Float64Array(12 * links));
      const base = rng.int(links);
      const X_BL = computeLinkPosesInBase(r, w, q, base, new Float64Array(12 * links));
      const expected = new Float64Array(12 * links);
      for (let l = 0; l < links; l++) composeInverseTransform(expected, 12 * l, X_WL, 12 * base, X_WL, 12 * l);
      expect(maxAbsDifference(X_BL, expected)).toBeLessThan(1e-12);
      expect(Array.from(w.linkMarks).every((m) => m === 0)).toBe(true); // left clean for the next call
    }
  });
});
