import { describe, expect, it } from 'vitest';
import { MAX_MAGNITUDE } from '../../src/core/magnitude.js';
import { expectKinematicsError } from '../helpers/errors.js';
import { REFERENCE_FRAMES, computeEndEffectorPose, computeJacobian, resolveEndEffector } from '../../src/core/jacobian.js';
import { computeLinkPosesInBase, computePose } from '../../src/core/forward-kinematics.js';
import { computeJointEfforts } from '../../src/core/statics.js';
import { computeTwist } from '../../src/core/velocity.js';
import { buildModel } from '../../src/core/model.js';
import { createWorkspace } from '../../src/core/workspace.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { FD_TOLERANCE, finiteDifferenceJacobian, maxAbsDifference } from '../helpers/finite-differences.js';
import { BUILTIN_ROBOTS, readBuiltinUrdf } from '../helpers/paths.js';
import { Random } from '../helpers/random.js';
import { randomRobot } from '../helpers/random-robot.js';
import { compileRobot, type CompiledRobot } from '../../src/core/compiled-robot.js';
import { randomInLimits } from '../helpers/robots.js';

/** Jacobian vs central finite differences of FK for every frame, with and without a tip offset. */
function checkAgainstFiniteDifferences(robot: CompiledRobot, rng: Random, base: string, tip: string): void {
  const { model } = robot;
  const ws = createWorkspace(model);
  const J = new Float64Array(6 * model.dof);
  for (const referenceFrame of REFERENCE_FRAMES) {
    for (const tipOffset of [undefined, [rng.uniform(-0.2, 0.2), rng.uniform(-0.2, 0.2), rng.uniform(-0.2, 0.2)]]) {
      const ee = resolveEndEffector(robot, { base, tip, referenceFrame, ...(tipOffset ? { tipOffset } : {}) });
      for (let trial = 0; trial < 3; trial++) {
        const q = randomInLimits(model, rng);
        computeJacobian(robot, ws, q, ee, J);
        const fd = finiteDifferenceJacobian(robot, ee, q, referenceFrame);
        const difference = maxAbsDifference(J, fd);
        if (difference > FD_TOLERANCE) {
          throw new Error(`${model.name} ${base}->${tip} ${referenceFrame} offset=${tipOffset?.join(' ') ?? 'none'}: off by ${difference}`);
        }
      }
    }
  }
}

describe('Jacobian equals central finite differences of FK', () => {
  for (const id of BUILTIN_ROBOTS) {
    it(`${id}: root to every tip, every frame, with and without tip offset`, () => {
      const robot = compileRobot(loadUrdf(readBuiltinUrdf(id)));
      const { model } = robot;
      const rng = new Random(id.length * 7919);
      for (const tip of model.tipLinks) checkAgainstFiniteDifferences(robot, rng, model.linkNames[0]!, tip);
    });
    it(`${id}: random base and tip links, including bases that are not ancestors of the tip`, () => {
      const robot = compileRobot(loadUrdf(readBuiltinUrdf(id)));
      const { model } = robot;
      const rng = new Random(id.length * 104729);
      for (let i = 0; i < 6; i++) {
        checkAgainstFiniteDifferences(robot, rng, rng.pick(model.linkNames), rng.pick(model.linkNames));
      }
    });
  }

  it('on 60 random robots: trees, non-unit axes, prismatic, fixed and mimic joints', () => {
    const rng = new Random(20261127);
    for (let n = 0; n < 60; n++) {
      const robot = compileRobot(buildModel(randomRobot(rng, { links: 2 + rng.int(14), mimicProbability: 0.3 })));
      const { model } = robot;
      for (let pair = 0; pair < 3; pair++) {
        checkAgainstFiniteDifferences(robot, rng, rng.pick(model.linkNames), rng.pick(model.linkNames));
      }
    }
  });
});

describe('Jacobian columns', () => {
  it('are zero for joints that do not move the tip, and a mimic joint is folded into its leader', () => {
    const robot = compileRobot(loadUrdf(readBuiltinUrdf('franka_panda')));
    const { model } = robot;
    const ws = createWorkspace(model);
    const q = new Float64Array(model.dof).fill(0.3);
    const finger = model.jointIndex.get('panda_finger_joint1')!;
    const J = computeJacobian(robot, ws, q, resolveEndEffector(robot, { tip: 'panda_hand_tcp' }), new Float64Array(6 * model.dof));
    for (let r = 0; r < 6; r++) expect(J[r * model.dof + finger]).toBe(0);
    // the right finger mimics finger 1 with multiplier 1 and moves along -y of the hand:
    const right = computeJacobian(robot, ws, q, resolveEndEffector(robot, { tip: 'panda_rightfinger', referenceFrame: 'LOCAL' }), new Float64Array(6 * model.dof));
    const left = computeJacobian(robot, ws, q, resolveEndEffector(robot, { tip: 'panda_leftfinger', referenceFrame: 'LOCAL' }), new Float64Array(6 * model.dof));
    expect(right[1 * model.dof + finger]).toBeCloseTo(-1, 12);
    expect(left[1 * model.dof + finger]).toBeCloseTo(1, 12);
  });

  it('of a base relative to itself are all zero', () => {
    const robot = compileRobot(loadUrdf(readBuiltinUrdf('baxter')));
    const { model } = robot;
    const ws = createWorkspace(model);
    const J = computeJacobian(robot, ws, new Float64Array(model.dof).fill(0.2),
      resolveEndEffector(robot, { base: 'left_gripper', tip: 'left_gripper' }), new Float64Array(6 * model.dof));
    expect(J.every((x) => x === 0)).toBe(true);
  });
});

describe('resolveEndEffector', () => {
  it('refuses a tipOffset of the wrong length, not finite, or beyond ±MAX_MAGNITUDE', () => {
    const robot = compileRobot(loadUrdf(readBuiltinUrdf('ur5e')));
    expectKinematicsError(() => resolveEndEffector(robot, { tipOffset: [0, 0] }), 'DIMENSION_MISMATCH', 'tipOffset');
    expectKinematicsError(() => resolveEndEffector(robot, { tipOffset: [0, Number.NaN, 0] }), 'INVALID_VALUE', 'tipOffset');
    expectKinematicsError(() => resolveEndEffector(robot, { tipOffset: [0, 0, 1e200] }), 'INVALID_VALUE', 'within ±1e9 m');
    expect(resolveEndEffector(robot, { tipOffset: [0, 0, MAX_MAGNITUDE] }).tipOffset?.[2]).toBe(MAX_MAGNITUDE);
  });

  it('library calls check their arguments: sizes, link indices, and the model of the end effector', () => {
    const ur5e = compileRobot(loadUrdf(readBuiltinUrdf('ur5e')));
    const iiwa = compileRobot(loadUrdf(readBuiltinUrdf('kuka_iiwa14')));
    const ws = createWorkspace(ur5e.model);
    const q = new Float64Array(ur5e.model.dof);
    const ee = resolveEndEffector(ur5e, { tip: 'tool0' });
    const J = new Float64Array(6 * ur5e.model.dof);
    expectKinematicsError(() => computeJacobian(ur5e, ws, q, ee, J, new Float64Array(11)), 'DIMENSION_MISMATCH', 'pose output: expected 12 values, got 11');
    expectKinematicsError(() => computeJacobian(ur5e, ws, q, resolveEndEffector(iiwa, { tip: 'iiwa_link_ee' }), J), 'INVALID_ARGUMENT',
      'resolved on robot "kuka_iiwa14"', 'not on robot "ur5e"');
    expectKinematicsError(() => computeEndEffectorPose(iiwa, new Float64Array(iiwa.model.dof), ee, new Float64Array(12)), 'INVALID_ARGUMENT', 'resolved on robot');
    expectKinematicsError(() => computeTwist(ur5e, ws, q, q, ee, new Float64Array(5)), 'DIMENSION_MISMATCH', 'twist output: expected 6 values, got 5');
    expectKinematicsError(() => computeJointEfforts(ur5e, ws, q, new Float64Array(6), ee, new Float64Array(5)), 'DIMENSION_MISMATCH', 'efforts output: expected 6');
    const links = ur5e.model.linkNames.length;
    expectKinematicsError(() => computePose(ur5e, q, 0, links, new Float64Array(12)), 'UNKNOWN_LINK', `tip index ${links}`, `from 0 to ${links - 1}`);
    expectKinematicsError(() => computePose(ur5e, q, -1, 2, new Float64Array(12)), 'UNKNOWN_LINK', 'base index -1');
    expectKinematicsError(() => computePose(ur5e, q, 0, 2, new Float64Array(9)), 'DIMENSION_MISMATCH', 'pose output');
    expectKinematicsError(() => computeLinkPosesInBase(ur5e, ws, q, 1.5, new Float64Array(12 * links)), 'UNKNOWN_LINK', 'base index 1.5');
    expectKinematicsError(() => computeLinkPosesInBase(ur5e, ws, q, 2, new Float64Array(12)), 'DIMENSION_MISMATCH', 'link poses output');
  });
});
