/**
 * The identification Jacobian against central finite differences of the pose of robots rebuilt
 * from perturbed URDF text (each origin attribute ± h, each joint reading ± h for offsets), and the
 * identifiability analysis on cases whose answer is known.
 *
 * Tolerance: with h = FD_STEP = 1e-5 the central difference's truncation error is h²/6 |x'''|,
 * below 1e-10 for these arms, and rounding adds ε/h ≈ 1e-11; FD_TOLERANCE (1e-7) leaves room.
 */
import { describe, expect, it } from 'vitest';
import { compileRobot, type CompiledRobot } from '../../src/core/compiled-robot.js';
import { computeEndEffectorPose, resolveEndEffector } from '../../src/core/jacobian.js';
import { createParameterChain, evaluateParameterChain, PARAMETER_KINDS } from '../../src/core/kinematic-parameters.js';
import { buildModel } from '../../src/core/model.js';
import { RANK_RELATIVE_TOLERANCE, analyzeIdentifiability, computeIdentificationJacobian, identifiableSubset } from '../../src/core/sensitivity.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { editJoints } from '../../src/urdf/urdf-edit.js';
import { FD_STEP, FD_TOLERANCE } from '../helpers/finite-differences.js';
import { readBuiltinUrdf } from '../helpers/paths.js';
import { contractPoseError } from '../helpers/pose-error.js';
import { randomRobot, toUrdf } from '../helpers/random-robot.js';
import { Random } from '../helpers/random.js';
import { builtinRobot, randomInLimits } from '../helpers/robots.js';

interface Case { name: string; urdf: string; robot: CompiledRobot; spec: { tip: string; base?: string; tipOffset?: number[] } }

/** A random tree and a base that is not an ancestor of the tip, so that the path has a base side. */
function randomTreeCase(): Case {
  for (let seed = 1; ; seed++) {
    const urdf = toUrdf(randomRobot(new Random(100 + seed), { links: 10, mimicProbability: 0.25 }));
    const robot = compileRobot(loadUrdf(urdf));
    const { model } = robot;
    for (const tip of model.tipLinks) {
      for (const base of model.linkNames) {
        const ee = resolveEndEffector(robot, { tip, base });
        const baseMoves = ee.path.baseSide.some((l) => model.qIndex[l]! >= 0);
        if (baseMoves && ee.path.tipSide.length >= 3 && model.mimics.length > 0) return { name: `random tree ${model.name}, base ${base}`, urdf, robot, spec: { tip, base, tipOffset: [0.1, 0.05, -0.2] } };
      }
    }
  }
}

const CASES: Case[] = [
  { name: 'franka_panda to the TCP', urdf: readBuiltinUrdf('franka_panda'), robot: builtinRobot('franka_panda'), spec: { tip: 'panda_hand_tcp' } },
  { name: 'ur5e from shoulder_link with a tool offset', urdf: readBuiltinUrdf('ur5e'), robot: builtinRobot('ur5e'), spec: { tip: 'tool0', base: 'shoulder_link', tipOffset: [0, 0.02, 0.15] } },
  randomTreeCase(),
];

const SLOT = { x: 0, y: 1, z: 2, roll: 0, pitch: 1, yaw: 2 } as const;

describe.each(CASES)('identification Jacobian: $name', (c) => {
  const { robot } = c;
  const chain = createParameterChain(robot, resolveEndEffector(robot, c.spec));
  const p = chain.parameters.length;

  it('the parametric FK at zero is the robot\'s FK', () => {
    const rng = new Random(3);
    for (let i = 0; i < 5; i++) {
      const q = randomInLimits(robot.model, rng);
      const X = computeEndEffectorPose(robot, q, chain.ee, new Float64Array(12));
      const Y = evaluateParameterChain(chain, q, new Float64Array(p), new Float64Array(12));
      for (let k = 0; k < 12; k++) expect(Math.abs(X[k]! - Y[k]!)).toBeLessThan(1e-13);
    }
  });

  it('every column is the central finite difference of the pose of the URDF with that parameter perturbed', () => {
    const rng = new Random(5);
    const qs = [randomInLimits(robot.model, rng), randomInLimits(robot.model, rng)];
    const A = computeIdentificationJacobian(chain, qs, 'pose');
    const joints = robot.model.description.joints;
    const poseOf = (urdf: string, q: Float64Array): Float64Array => {
      const r = compileRobot(loadUrdf(urdf), { implementation: 'reference' });
      return computeEndEffectorPose(r, q, resolveEndEffector(r, c.spec), new Float64Array(12));
    };
    let worst = 0;
    chain.parameters.forEach((param, j) => {
      const plus: Float64Array[] = [], minus: Float64Array[] = [];
      if (param.kind === 'offset') {
        for (const q of qs) {
          const qp = Float64Array.from(q), qm = Float64Array.from(q);
          qp[param.qIndex]! += FD_STEP; qm[param.qIndex]! -= FD_STEP;
          plus.push(poseOf(c.urdf, qp)); minus.push(poseOf(c.urdf, qm));
        }
      } else {
        const joint = joints.find((d) => d.name === param.joint)!;
        const field = param.kind === 'x' || param.kind === 'y' || param.kind === 'z' ? 'xyz' : 'rpy';
        for (const sign of [1, -1]) {
          const values = [...joint[field]];
          values[SLOT[param.kind]]! += sign * FD_STEP;
          const urdf = editJoints(c.urdf, new Map([[param.joint, { [field]: values }]]));
          for (const q of qs) (sign > 0 ? plus : minus).push(poseOf(urdf, q));
        }
      }
      qs.forEach((_, i) => {
        // (e(X₊) - e(X₋)) / 2h with e the LOCAL_WORLD_ALIGNED error against X₋: log(R₊ R₋ᵀ) / 2h
        const d = contractPoseError('LOCAL_WORLD_ALIGNED', minus[i]!, plus[i]!, new Float64Array(6));
        for (let r = 0; r < 6; r++) worst = Math.max(worst, Math.abs(d[r]! / (2 * FD_STEP) - A[(6 * i + r) * p + j]!));
      });
    });
    expect(worst).toBeLessThan(FD_TOLERANCE);
    expect(PARAMETER_KINDS.every((k) => chain.parameters.some((x) => x.kind === k))).toBe(true);
  });
});

describe('identifiability', () => {
  it('finds the known rank of a planar 2R arm\'s offsets and origin xyz from positions: 7 of 11', () => {
    const urdf = `<robot name="planar"><link name="a"/><link name="b"/><link name="c"/><link name="tip"/>
      <joint name="j1" type="revolute"><parent link="a"/><child link="b"/><axis xyz="0 0 1"/><limit lower="-3" upper="3" effort="1" velocity="1"/></joint>
      <joint name="j2" type="revolute"><parent link="b"/><child link="c"/><origin xyz="1 0 0"/><axis xyz="0 0 1"/><limit lower="-3" upper="3" effort="1" velocity="1"/></joint>
      <joint name="t" type="fixed"><parent link="c"/><child link="tip"/><origin xyz="0.5 0 0"/></joint></robot>`;
    const robot = compileRobot(loadUrdf(urdf));
    const chain = createParameterChain(robot, resolveEndEffector(robot, {}), ['jointOffset', 'originXyz']);
    const rng = new Random(2);
    const qs = Array.from({ length: 10 }, () => randomInLimits(robot.model, rng));
    const A = computeIdentificationJacobian(chain, qs, 'position');
    const analysis = analyzeIdentifiability(A, qs.length * 3, chain.parameters.length, qs.length);
    // the tip is p_xy = b + L2 Rz(θ1 + α) x̂ + Lt Rz(θ1 + θ2 + β) x̂ and p_z = z1 + z2 + zt, with b = (x1, y1),
    // L2, α = off1 + atan2(y2, x2), Lt, β = off1 + off2 + atan2(yt, xt): 7 functions of the 11 parameters
    expect(analysis.rank).toBe(7);
    expect(analysis.identifiable).toHaveLength(7);
    expect(analysis.singularValues).toHaveLength(chain.parameters.length);
    expect(analysis.singularValues[6]! > analysis.rankTolerance && analysis.singularValues[7]! <= analysis.rankTolerance).toBe(true);
    expect(analysis.observabilityIndex).toBeGreaterThan(0);
    // the chosen columns are independent: their own analysis has full rank
    const chosen = new Float64Array(qs.length * 3 * 7);
    for (let r = 0; r < qs.length * 3; r++) analysis.identifiable.forEach((j, k) => { chosen[r * 7 + k] = A[r * chain.parameters.length + j]!; });
    expect(analyzeIdentifiability(chosen, qs.length * 3, 7, qs.length).rank).toBe(7);
  });

  it('a parameter that does not move the tip has a zero column and is never identifiable', () => {
    const robot = compileRobot(buildModel(randomRobot(new Random(4), { links: 6 })));
    const tip = robot.model.tipLinks[0]!;
    const chain = createParameterChain(robot, resolveEndEffector(robot, { tip }), ['originRpy']);
    const qs = [randomInLimits(robot.model, new Random(1)), randomInLimits(robot.model, new Random(2)), randomInLimits(robot.model, new Random(3))];
    const A = computeIdentificationJacobian(chain, qs, 'position');
    const analysis = analyzeIdentifiability(A, qs.length * 3, chain.parameters.length, qs.length);
    // the tip frame's own rotation does not move its origin
    const last = chain.parameters.map((x, i) => [x, i] as const).filter(([x]) => x.link === chain.tipSide[chain.tipSide.length - 1]);
    for (const [, i] of last) {
      expect(analysis.columnNorms[i]).toBeLessThan(1e-15);
      expect(analysis.identifiable).not.toContain(i);
    }
  });

  it('identifiableSubset picks analyzeIdentifiability\'s subset, by bounds or by its SVD, and gives that analysis on demand', () => {
    for (const c of CASES) {
      const chain = createParameterChain(c.robot, resolveEndEffector(c.robot, c.spec));
      const p = chain.parameters.length, rng = new Random(8);
      for (const [measure, count] of [['pose', 30], ['position', 40], ['pose', 4]] as const) {
        const qs = Array.from({ length: count }, () => randomInLimits(c.robot.model, rng));
        const A = computeIdentificationJacobian(chain, qs, measure), rows = qs.length * (measure === 'pose' ? 6 : 3);
        const reference = analyzeIdentifiability(A, rows, p, qs.length);
        const subset = identifiableSubset(A, rows, p, qs.length);
        expect(subset.identifiable, `${c.name} ${measure} x ${count}`).toEqual(reference.identifiable);
        expect(subset.analysis()).toEqual(reference);
      }
    }
    // a column dependent on another to 1e-8 of RANK_RELATIVE_TOLERANCE's scale: no bound can decide, the SVD does
    const rows = 12, A = new Float64Array(rows * 3), rng = new Random(9);
    for (let r = 0; r < rows; r++) {
      const a = rng.uniform(-1, 1), b = rng.uniform(-1, 1);
      A[r * 3] = a; A[r * 3 + 1] = b; A[r * 3 + 2] = a + 3 * RANK_RELATIVE_TOLERANCE * rng.uniform(-1, 1);
    }
    const reference = analyzeIdentifiability(A, rows, 3, 2);
    expect(identifiableSubset(A, rows, 3, 2).identifiable).toEqual(reference.identifiable);
  });
});
