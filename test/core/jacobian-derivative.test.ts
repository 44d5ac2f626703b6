/**
 * Second-order kinematics (core/jacobian-derivative.ts) against Orocos KDL's
 * ChainJntToJacDotSolver (test/fixtures/kdl-jacdot, made by scripts/make-kdl-jacdot-fixtures.ts),
 * against central finite differences of the Jacobian, and against its own properties.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileRobot, type CompiledRobot } from '../../src/core/compiled-robot.js';
import { computeHessian, computeJacobianDerivative, computeTipAcceleration } from '../../src/core/jacobian-derivative.js';
import { REFERENCE_FRAMES, computeJacobian, resolveEndEffector, type EndEffector, type ReferenceFrame } from '../../src/core/jacobian.js';
import { buildModel } from '../../src/core/model.js';
import { createSecondOrderWorkspace } from '../../src/core/second-order-workspace.js';
import { createWorkspace } from '../../src/core/workspace.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { maxAbsDifference } from '../helpers/finite-differences.js';
import { BUILTIN_ROBOTS, CORPUS_DIR, FIXTURES_DIR, readBuiltinUrdf, skipWithoutCorpus } from '../helpers/paths.js';
import { Random } from '../helpers/random.js';
import { randomRobot } from '../helpers/random-robot.js';

/** Agreement with KDL per entry: both compute the same products in a different order (rounding ~1e-15). */
const KDL_TOLERANCE = 1e-9;
/**
 * Central differences of the Jacobian with step h: truncation h²/6·|∂³J| (about 1e-10 for the
 * robots' sizes at h = 1e-5) plus rounding ε·|J|/h (about 1e-11): 1e-7 leaves room for long arms.
 */
const FD_STEP = 1e-5;
const FD_TOLERANCE = 1e-7;
/** Two exact ways of computing the same numbers. */
const EXACT = 1e-12;

interface JacDotCase { q: number[]; qdot: number[]; jacobianDerivative: Record<ReferenceFrame, number[][]> }
interface JacDotConvention { variables: string[]; cases: JacDotCase[]; unit: { q: number[]; joint: number; jacobianDerivative: number[][] }[] }
interface JacDotFixture { robot: string; base: string; tip: string; raw: JacDotConvention; mimic_expanded?: JacDotConvention }

const FIXTURES = join(FIXTURES_DIR, 'kdl-jacdot');
const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as JacDotFixture);

/** The largest difference from KDL over every case, frame and entry, and over the Hessian's columns. */
function worstKdlDifference(urdf: string, fixture: JacDotFixture, convention: 'raw' | 'mimic_expanded'): number {
  const robot = compileRobot(loadUrdf(urdf, { mimic: convention === 'raw' ? 'independent' : 'follow' }));
  const { model } = robot;
  const data = fixture[convention]!;
  const columns = data.variables.map((name) => model.jointIndex.get(name)!);
  const dof = model.dof;
  const ws = createSecondOrderWorkspace(model);
  const Jdot = new Float64Array(6 * dof), H = new Float64Array(6 * dof * dof);
  const toQ = (values: number[]): Float64Array => {
    const q = new Float64Array(dof);
    columns.forEach((k, i) => { q[k] = values[i]!; });
    return q;
  };
  const compare = (ours: Float64Array, o: number, theirs: number[][]): number => {
    let worst = 0;
    for (let r = 0; r < 6; r++) columns.forEach((k, i) => { worst = Math.max(worst, Math.abs(ours[o + r * dof + k]! - theirs[r]![i]!)); });
    return worst;
  };
  let worst = 0;
  for (const frame of REFERENCE_FRAMES) {
    const ee = resolveEndEffector(robot, { base: fixture.base, tip: fixture.tip, referenceFrame: frame });
    for (const c of data.cases) {
      worst = Math.max(worst, compare(computeJacobianDerivative(robot, ws, toQ(c.q), toQ(c.qdot), ee, Jdot), 0, c.jacobianDerivative[frame]));
    }
  }
  // the Hessian's slice k is J̇ along the unit velocity of joint k
  const ee = resolveEndEffector(robot, { base: fixture.base, tip: fixture.tip });
  for (const u of data.unit) {
    computeHessian(robot, ws, toQ(u.q), ee, H);
    worst = Math.max(worst, compare(H, columns[u.joint]! * 6 * dof, u.jacobianDerivative));
  }
  return worst;
}

describe('J̇ and the Hessian equal Orocos KDL\'s ChainJntToJacDotSolver', () => {
  describe('on the builtin robots (the chains of the corpus they share)', () => {
    for (const fixture of fixtures.filter((f) => (BUILTIN_ROBOTS as readonly string[]).includes(f.robot))) {
      for (const convention of ['raw', 'mimic_expanded'] as const) {
        if (!fixture[convention]) continue;
        it(`${fixture.robot}: ${fixture.base} -> ${fixture.tip} (${convention})`, () => {
          expect(worstKdlDifference(readBuiltinUrdf(fixture.robot), fixture, convention)).toBeLessThan(KDL_TOLERANCE);
        });
      }
    }
  });

  describe('on every chain of the corpus', () => {
    if (skipWithoutCorpus()) return;
    let worst = 0, chains = 0;
    for (const fixture of fixtures) {
      for (const convention of ['raw', 'mimic_expanded'] as const) {
        if (!fixture[convention]) continue;
        it(`${fixture.robot}: ${fixture.base} -> ${fixture.tip} (${convention})`, () => {
          const urdf = readFileSync(join(CORPUS_DIR, `${fixture.robot}.urdf`), 'utf8');
          const difference = worstKdlDifference(urdf, fixture, convention);
          worst = Math.max(worst, difference);
          chains++;
          expect(difference).toBeLessThan(KDL_TOLERANCE);
        });
      }
    }
    afterAll(() => console.log(`J̇ and Hessian against KDL: ${chains} chains (raw and mimic-expanded), worst entry difference ${worst.toExponential(2)}`));
  });
});

/** J at q + t·d, in the end effector's frame. */
function jacobianAt(robot: CompiledRobot, ee: EndEffector, q: Float64Array, d: Float64Array, t: number): Float64Array {
  const qt = q.map((x, k) => x + t * d[k]!);
  return computeJacobian(robot, createWorkspace(robot.model), qt, ee, new Float64Array(6 * robot.model.dof));
}

function robots(): CompiledRobot[] {
  const rng = new Random(2027);
  return [
    ...BUILTIN_ROBOTS.map((id) => compileRobot(loadUrdf(readBuiltinUrdf(id)))),
    ...Array.from({ length: 25 }, () => compileRobot(buildModel(randomRobot(rng, { links: 3 + rng.int(12), mimicProbability: 0.3 })))),
  ];
}

describe('J̇ and the Hessian against central finite differences of the Jacobian', () => {
  const rng = new Random(12);
  const all = robots();

  it('in every frame, with tip offsets and bases that are not ancestors of the tip, on builtin and random robots', () => {
    for (const robot of all) {
      const { model } = robot;
      const dof = model.dof;
      const ws = createSecondOrderWorkspace(model);
      for (let trial = 0; trial < 3; trial++) {
        const base = rng.pick(model.linkNames), tip = rng.pick(model.linkNames);
        const tipOffset = trial === 0 ? undefined : [rng.uniform(-0.2, 0.2), rng.uniform(-0.2, 0.2), rng.uniform(-0.2, 0.2)];
        const q = rng.vector(dof, -1.5, 1.5), qdot = rng.vector(dof);
        for (const referenceFrame of REFERENCE_FRAMES) {
          const ee = resolveEndEffector(robot, { base, tip, referenceFrame, ...(tipOffset ? { tipOffset } : {}) });
          const where = `${model.name} ${base}->${tip} ${referenceFrame}`;
          const Jdot = computeJacobianDerivative(robot, ws, q, qdot, ee, new Float64Array(6 * dof));
          const fdJdot = jacobianAt(robot, ee, q, qdot, FD_STEP).map((x, i) => (x - jacobianAt(robot, ee, q, qdot, -FD_STEP)[i]!) / (2 * FD_STEP));
          expect(maxAbsDifference(Jdot, fdJdot), where).toBeLessThan(FD_TOLERANCE);
          const H = computeHessian(robot, ws, q, ee, new Float64Array(6 * dof * dof));
          for (let k = 0; k < dof; k++) {
            const e = new Float64Array(dof); e[k] = 1;
            const plus = jacobianAt(robot, ee, q, e, FD_STEP), minus = jacobianAt(robot, ee, q, e, -FD_STEP);
            const fd = plus.map((x, i) => (x - minus[i]!) / (2 * FD_STEP));
            expect(maxAbsDifference(H.subarray(k * 6 * dof, (k + 1) * 6 * dof), fd), `${where} slice ${k}`).toBeLessThan(FD_TOLERANCE);
          }
        }
      }
    }
  });

  it('J̇ = Σ_k H_k q̇_k, and the bias acceleration is J̇ q̇, with J q̈ added', () => {
    for (const robot of all) {
      const { model } = robot;
      const dof = model.dof;
      const ws = createSecondOrderWorkspace(model);
      const q = rng.vector(dof, -1.5, 1.5), qdot = rng.vector(dof), qddot = rng.vector(dof);
      for (const referenceFrame of REFERENCE_FRAMES) {
        const ee = resolveEndEffector(robot, { base: rng.pick(model.linkNames), tip: rng.pick(model.linkNames), tipOffset: [0.05, 0, 0.1], referenceFrame });
        const Jdot = Float64Array.from(computeJacobianDerivative(robot, ws, q, qdot, ee, new Float64Array(6 * dof)));
        const H = computeHessian(robot, ws, q, ee, new Float64Array(6 * dof * dof));
        const sum = new Float64Array(6 * dof);
        for (let k = 0; k < dof; k++) for (let i = 0; i < 6 * dof; i++) sum[i] = sum[i]! + H[k * 6 * dof + i]! * qdot[k]!;
        expect(maxAbsDifference(Jdot, sum), `${model.name} ${referenceFrame}`).toBeLessThan(EXACT);
        const J = computeJacobian(robot, createWorkspace(model), q, ee, new Float64Array(6 * dof));
        const expected = Array.from({ length: 6 }, (_, r) => qdot.reduce((s, v, k) => s + Jdot[r * dof + k]! * v + J[r * dof + k]! * qddot[k]!, 0));
        expect(maxAbsDifference(computeTipAcceleration(robot, ws, q, qdot, qddot, ee, new Float64Array(6)), expected)).toBeLessThan(EXACT);
        const bias = Array.from({ length: 6 }, (_, r) => qdot.reduce((s, v, k) => s + Jdot[r * dof + k]! * v, 0));
        expect(maxAbsDifference(computeTipAcceleration(robot, ws, q, qdot, undefined, ee, new Float64Array(6)), bias)).toBeLessThan(EXACT);
      }
    }
  });

  it('has the structure of a Hessian: symmetric linear part, angular part only above the diagonal, zero slices off the path', () => {
    // the UR5e and the iiwa are serial chains of revolute joints, in q order from the base
    for (const id of ['ur5e', 'kuka_iiwa14']) {
      const robot = compileRobot(loadUrdf(readBuiltinUrdf(id)));
      const dof = robot.model.dof;
      const H = computeHessian(robot, createSecondOrderWorkspace(robot.model), rng.vector(dof, -1.5, 1.5),
        resolveEndEffector(robot, {}), new Float64Array(6 * dof * dof));
      const at = (k: number, r: number, c: number): number => H[k * 6 * dof + r * dof + c]!;
      for (let k = 0; k < dof; k++) {
        for (let c = 0; c < dof; c++) {
          for (let r = 0; r < 3; r++) expect(Math.abs(at(k, r, c) - at(c, r, k)), `${id} linear ${k} ${c}`).toBeLessThan(EXACT);
          if (k >= c) for (let r = 3; r < 6; r++) expect(at(k, r, c), `${id} angular ${k} ${c}`).toBe(0);
        }
      }
    }
    // the Panda's finger does not move the hand: its slice and its column are zero
    const panda = compileRobot(loadUrdf(readBuiltinUrdf('franka_panda')));
    const dof = panda.model.dof, finger = panda.model.jointIndex.get('panda_finger_joint1')!;
    const H = computeHessian(panda, createSecondOrderWorkspace(panda.model), rng.vector(dof, -1, 1),
      resolveEndEffector(panda, { tip: 'panda_hand_tcp' }), new Float64Array(6 * dof * dof));
    for (let i = 0; i < 6 * dof; i++) expect(H[finger * 6 * dof + i]).toBe(0);
    for (let k = 0; k < dof; k++) for (let r = 0; r < 6; r++) expect(H[k * 6 * dof + r * dof + finger]).toBe(0);
  });

  it('fuses the joint twists with J̇ and the Hessian (LOCAL_WORLD_ALIGNED, no tip offset) to the numbers of the reference loops', () => {
    const robots = [...BUILTIN_ROBOTS.map((id) => compileRobot(loadUrdf(readBuiltinUrdf(id)))),
      ...Array.from({ length: 20 }, () => compileRobot(buildModel(randomRobot(rng, { links: 3 + rng.int(12), mimicProbability: 0.4 }))))];
    for (const compiled of robots) {
      const reference = compileRobot(compiled.model, { implementation: 'reference' });
      const { model } = compiled, dof = model.dof, ws = createSecondOrderWorkspace(model);
      const spec = { base: rng.pick(model.linkNames), tip: rng.pick(model.linkNames) };
      const [eeA, eeB] = [resolveEndEffector(compiled, spec), resolveEndEffector(reference, spec)];
      const q = rng.vector(dof, -1, 1), qdot = rng.vector(dof), where = `${model.name} ${spec.base}->${spec.tip}`;
      const Jdot = computeJacobianDerivative(compiled, ws, q, qdot, eeA, new Float64Array(6 * dof));
      const X_A = Float64Array.from(ws.X_BE);
      expect(maxAbsDifference(Jdot, computeJacobianDerivative(reference, ws, q, qdot, eeB, new Float64Array(6 * dof))), where).toBeLessThan(EXACT);
      expect(maxAbsDifference(X_A, ws.X_BE), `${where}: the tip pose`).toBeLessThan(EXACT);
      const H = computeHessian(compiled, ws, q, eeA, new Float64Array(6 * dof * dof));
      expect(maxAbsDifference(H, computeHessian(reference, ws, q, eeB, new Float64Array(6 * dof * dof))), where).toBeLessThan(EXACT);
    }
  });

  it('works without code generation, with the same numbers (the reference loops)', () => {
    // generated and loop kernels do the same arithmetic in another order: they agree to rounding
    const robots = [compileRobot(loadUrdf(readBuiltinUrdf('baxter'))),
      ...Array.from({ length: 20 }, () => compileRobot(buildModel(randomRobot(rng, { links: 3 + rng.int(12), mimicProbability: 0.4 }))))];
    const specs = (robot: CompiledRobot): { base: string; tip: string; tipOffset: number[]; referenceFrame: ReferenceFrame }[] =>
      robot.model.name === 'baxter'
        ? [{ base: 'left_gripper', tip: 'right_gripper', tipOffset: [0, 0.02, 0.1], referenceFrame: 'WORLD' }]
        : REFERENCE_FRAMES.map((referenceFrame) => ({ base: rng.pick(robot.model.linkNames), tip: rng.pick(robot.model.linkNames), tipOffset: [0.05, 0, 0.1], referenceFrame }));
    for (const compiled of robots) {
      const reference = compileRobot(compiled.model, { implementation: 'reference' });
      const dof = compiled.model.dof, ws = createSecondOrderWorkspace(compiled.model);
      for (const spec of specs(compiled)) {
        const q = rng.vector(dof, -1, 1), qdot = rng.vector(dof);
        const [eeA, eeB] = [resolveEndEffector(compiled, spec), resolveEndEffector(reference, spec)];
        const where = `${compiled.model.name} ${spec.base}->${spec.tip} ${spec.referenceFrame}`;
        const Jdot = computeJacobianDerivative(compiled, ws, q, qdot, eeA, new Float64Array(6 * dof));
        expect(maxAbsDifference(Jdot, computeJacobianDerivative(reference, ws, q, qdot, eeB, new Float64Array(6 * dof))), where).toBeLessThan(EXACT);
        const H = computeHessian(compiled, ws, q, eeA, new Float64Array(6 * dof * dof));
        expect(maxAbsDifference(H, computeHessian(reference, ws, q, eeB, new Float64Array(6 * dof * dof))), where).toBeLessThan(EXACT);
      }
    }
  });
});
