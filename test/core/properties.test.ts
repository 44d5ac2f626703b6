import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { computeLinkPoses, computeLinkPosesInBase, computePose } from '../../src/core/forward-kinematics.js';
import { REFERENCE_FRAMES, computeEndEffectorPose, computeJacobian, resolveEndEffector } from '../../src/core/jacobian.js';
import { createKinematicPath } from '../../src/core/kinematic-path.js';
import { compileRobot, type CompiledRobot } from '../../src/core/compiled-robot.js';
import { buildModel } from '../../src/core/model.js';
import { referenceLinkPoses } from '../../src/core/reference-kinematics.js';
import { composeTransforms, invertTransform, rotationLog } from '../../src/core/se3.js';
import { computeJointEfforts } from '../../src/core/statics.js';
import { computeTwist } from '../../src/core/velocity.js';
import { createWorkspace } from '../../src/core/workspace.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { FD_STEP, FD_TOLERANCE, finiteDifferenceJacobian, maxAbsDifference } from '../helpers/finite-differences.js';
import { BUILTIN_ROBOTS, readBuiltinUrdf } from '../helpers/paths.js';
import { Random } from '../helpers/random.js';
import { randomRobot } from '../helpers/random-robot.js';

/** Rounding-level agreement for quantities computed two exact ways. */
const EXACT_TOLERANCE = 1e-12;

function robots(): CompiledRobot[] {
  const rng = new Random(7);
  return [
    ...BUILTIN_ROBOTS.map((id) => loadUrdf(readBuiltinUrdf(id))),
    ...Array.from({ length: 20 }, () => buildModel(randomRobot(rng, { links: 3 + rng.int(12), mimicProbability: 0.3 }))),
  ].map((model) => compileRobot(model));
}

function toMatrix(J: Float64Array, dof: number): Matrix {
  return new Matrix(Array.from({ length: 6 }, (_, r) => Array.from(J.subarray(r * dof, (r + 1) * dof))));
}

function rotationOf(X: Float64Array): Matrix {
  return new Matrix([[X[0]!, X[1]!, X[2]!], [X[3]!, X[4]!, X[5]!], [X[6]!, X[7]!, X[8]!]]);
}

function skew(p: ArrayLike<number>): Matrix {
  return new Matrix([[0, -p[2]!, p[1]!], [p[2]!, 0, -p[0]!], [-p[1]!, p[0]!, 0]]);
}

function block(a: Matrix, b: Matrix, c: Matrix, d: Matrix): Matrix {
  const m = new Matrix(6, 6);
  m.setSubMatrix(a, 0, 0); m.setSubMatrix(b, 0, 3); m.setSubMatrix(c, 3, 0); m.setSubMatrix(d, 3, 3);
  return m;
}

describe('kinematic properties', () => {
  const rng = new Random(99);
  const all = robots();

  it('the three reference frames agree through the adjoint of X_BE', () => {
    for (const robot of all) {
      const { model } = robot;
      const ws = createWorkspace(model);
      const base = rng.pick(model.linkNames), tip = rng.pick(model.linkNames);
      const tipOffset = [0.05, -0.02, 0.1];
      const q = rng.vector(model.dof, -1.5, 1.5);
      const jacobian = (referenceFrame: 'LOCAL' | 'LOCAL_WORLD_ALIGNED' | 'WORLD'): { J: Matrix; X: Float64Array } => {
        const X = new Float64Array(12);
        const J = computeJacobian(robot, ws, q, resolveEndEffector(robot, { base, tip, tipOffset, referenceFrame }), new Float64Array(6 * model.dof), X);
        return { J: toMatrix(J, model.dof), X };
      };
      const local = jacobian('LOCAL'), aligned = jacobian('LOCAL_WORLD_ALIGNED'), world = jacobian('WORLD');
      const R = rotationOf(local.X), Z = Matrix.zeros(3, 3);
      const p = [local.X[9]!, local.X[10]!, local.X[11]!];
      // LOCAL_WORLD_ALIGNED = diag(R, R) · LOCAL
      expect(maxAbsDifference(block(R, Z, Z, R).mmul(local.J).to1DArray(), aligned.J.to1DArray())).toBeLessThan(EXACT_TOLERANCE);
      // WORLD = Ad(X_BE) · LOCAL, Ad = [[R, [p]× R], [0, R]] for linear-first twists
      expect(maxAbsDifference(block(R, skew(p).mmul(R), Z, R).mmul(local.J).to1DArray(), world.J.to1DArray())).toBeLessThan(EXACT_TOLERANCE);
    }
  });

  it('J q̇ equals the twist measured from FK along q̇', () => {
    for (const robot of all) {
      const { model } = robot;
      const ws = createWorkspace(model);
      const ee = resolveEndEffector(robot, { base: rng.pick(model.linkNames), tip: rng.pick(model.linkNames), tipOffset: [0.1, 0, 0] });
      const q = rng.vector(model.dof, -1.5, 1.5), qdot = rng.vector(model.dof);
      const twist = computeTwist(robot, ws, q, qdot, ee, new Float64Array(6));
      const qp = q.map((x, k) => x + FD_STEP * qdot[k]!), qm = q.map((x, k) => x - FD_STEP * qdot[k]!);
      const Xp = computeEndEffectorPose(robot, qp, ee, new Float64Array(12));
      const Xm = computeEndEffectorPose(robot, qm, ee, new Float64Array(12));
      const inv = new Float64Array(12), D = new Float64Array(12), w = new Float64Array(3);
      invertTransform(inv, 0, Xm, 0);
      composeTransforms(D, 0, Xp, 0, inv, 0);
      rotationLog(w, 0, D, 0);
      const measured = [0, 1, 2].map((i) => (Xp[9 + i]! - Xm[9 + i]!) / (2 * FD_STEP)).concat([...w].map((x) => x / (2 * FD_STEP)));
      expect(maxAbsDifference(twist, measured)).toBeLessThan(FD_TOLERANCE);
    }
  });

  it('J q̇ in every reference frame equals the finite-difference Jacobian of that frame times q̇', () => {
    for (const robot of all) {
      const { model } = robot;
      const ws = createWorkspace(model);
      const base = rng.pick(model.linkNames), tip = rng.pick(model.linkNames);
      const q = rng.vector(model.dof, -1.5, 1.5), qdot = rng.vector(model.dof);
      for (const referenceFrame of REFERENCE_FRAMES) {
        const ee = resolveEndEffector(robot, { base, tip, tipOffset: [0.1, -0.05, 0.2], referenceFrame });
        const twist = computeTwist(robot, ws, q, qdot, ee, new Float64Array(6));
        const measured = finiteDifferenceJacobian(robot, ee, q, referenceFrame);
        const expected = [0, 1, 2, 3, 4, 5].map((r) => qdot.reduce((s, v, k) => s + v * measured[r * model.dof + k]!, 0));
        const speed = qdot.reduce((s, v) => s + Math.abs(v), 0);
        expect(maxAbsDifference(twist, expected), `${model.name} ${referenceFrame}`).toBeLessThan(FD_TOLERANCE * Math.max(1, speed));
      }
    }
  });

  it('joint efforts equal Jᵀ w, and by virtual work the wrench times the twist each joint makes alone', () => {
    for (const robot of all) for (const frame of REFERENCE_FRAMES) {
      const { model } = robot;
      const ws = createWorkspace(model);
      const ee = resolveEndEffector(robot, { base: rng.pick(model.linkNames), tip: rng.pick(model.linkNames), tipOffset: [-0.1, 0.05, 0.1], referenceFrame: frame });
      const q = rng.vector(model.dof), wrench = rng.vector(6, -10, 10);
      const tau = computeJointEfforts(robot, ws, q, wrench, ee, new Float64Array(model.dof));
      const J = toMatrix(computeJacobian(robot, ws, q, ee, new Float64Array(6 * model.dof)), model.dof);
      expect(maxAbsDifference(tau, J.transpose().mmul(Matrix.columnVector([...wrench])).to1DArray())).toBeLessThan(EXACT_TOLERANCE);
      // independent of the Jacobian code: τ_k = w · V_k, with V_k the twist measured from FK when
      // joint k alone moves at unit speed (τ·q̇ = w·V for every q̇)
      const measured = finiteDifferenceJacobian(robot, ee, q, frame);
      const fromFk = Array.from({ length: model.dof }, (_, k) => wrench.reduce((s, f, r) => s + f * measured[r * model.dof + k]!, 0));
      expect(maxAbsDifference(tau, fromFk)).toBeLessThan(FD_TOLERANCE * 60); // |w| <= 60 (six entries of at most 10)
    }
  });

  it('FK of a chain composes: X_AC = X_AB · X_BC for any links A, B, C', () => {
    for (const robot of all) {
      const { model } = robot;
      for (let i = 0; i < 5; i++) {
        const [a, b, c] = [0, 1, 2].map(() => rng.int(model.linkNames.length)) as [number, number, number];
        const q = rng.vector(model.dof, -2, 2);
        const X_AB = computePose(robot, q, a, b, new Float64Array(12));
        const X_BC = computePose(robot, q, b, c, new Float64Array(12));
        const X_AC = computePose(robot, q, a, c, new Float64Array(12));
        const product = new Float64Array(12);
        composeTransforms(product, 0, X_AB, 0, X_BC, 0);
        expect(maxAbsDifference(product, X_AC)).toBeLessThan(EXACT_TOLERANCE);
      }
    }
  });

  it('all-link FK, FK in a base frame, path poses and the reference loops agree', () => {
    for (const robot of all) {
      const { model } = robot;
      const ws = createWorkspace(model);
      const n = model.linkNames.length;
      const q = rng.vector(model.dof, -2, 2);
      const compiled = computeLinkPoses(robot, q, new Float64Array(12 * n));
      const reference = new Float64Array(12 * n);
      referenceLinkPoses(model, q, reference);
      expect(maxAbsDifference(compiled, reference)).toBeLessThan(EXACT_TOLERANCE);
      const base = rng.int(n);
      const inBase = computeLinkPosesInBase(robot, ws, q, base, new Float64Array(12 * n));
      for (let link = 0; link < n; link++) {
        const X = computePose(robot, q, base, link, new Float64Array(12));
        expect(maxAbsDifference(inBase.subarray(12 * link, 12 * link + 12), X)).toBeLessThan(EXACT_TOLERANCE);
      }
    }
  });

  it('compiled and reference Jacobian kernels agree on random robots and paths', () => {
    for (const robot of all) {
      const { model } = robot;
      const base = rng.int(model.linkNames.length), tip = rng.int(model.linkNames.length);
      const compiled = createKinematicPath(model, base, tip, 'compiled');
      const reference = createKinematicPath(model, base, tip, 'reference');
      expect(compiled.implementation).toBe('compiled');
      const q = rng.vector(model.dof, -3, 3);
      const [X1, X2] = [new Float64Array(12), new Float64Array(12)];
      const [J1, J2] = [new Float64Array(6 * model.dof), new Float64Array(6 * model.dof)];
      compiled.jacobian(q, X1, J1);
      reference.jacobian(q, X2, J2);
      expect(maxAbsDifference(X1, X2)).toBeLessThan(EXACT_TOLERANCE);
      expect(maxAbsDifference(J1, J2)).toBeLessThan(EXACT_TOLERANCE);
    }
  });
});
