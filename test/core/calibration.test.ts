/**
 * Calibration recovers a robot: the joint origins of a builtin and of a random robot are
 * perturbed (up to 1 mm and 1 mrad per component), the perturbed robot's FK serves as the
 * measurements, and the nominal robot is calibrated. The calibrated URDF (the estimates written
 * into the nominal text and loaded again) must reproduce held-out poses of the perturbed robot.
 *
 * Tolerances: noise-free, the perturbed robot is exactly a nominal robot with parameters
 * changed (every origin xyz and rpy is a parameter), so the fit is exact to rounding and the
 * held-out error is bounded by 1e-6 m and 1e-6 rad with orders of magnitude to spare. With noise
 * of σ per axis, a least-squares fit of r parameters to m values predicts new poses with an RMS
 * error of about σ √(3 r / m) per point, below the noise's own RMS σ √3; the residuals after the
 * fit are about σ √3 √((m - r)/m).
 */
import { describe, expect, it } from 'vitest';
import { calibrate, calibratedJoints, type CalibrationSample } from '../../src/core/calibration.js';
import type { CompiledRobot } from '../../src/core/compiled-robot.js';
import { computeEndEffectorPose, resolveEndEffector, type EndEffectorSpec } from '../../src/core/jacobian.js';
import { createParameterChain } from '../../src/core/kinematic-parameters.js';
import { analyzeIdentifiability, computeIdentificationJacobian } from '../../src/core/sensitivity.js';
import { composeInverseTransform, rotationLog } from '../../src/core/se3.js';
import { editJoints } from '../../src/urdf/urdf-edit.js';
import { measure, perturbOrigins, robotOf } from '../helpers/calibration-data.js';
import { expectKinematicsError } from '../helpers/errors.js';
import { readBuiltinUrdf } from '../helpers/paths.js';
import { randomRobot, toUrdf } from '../helpers/random-robot.js';
import { Random } from '../helpers/random.js';

const EXACT = 1e-6;
const NOISE_POSITION = 1e-4, NOISE_ORIENTATION = 1e-4;

/** A random serial-ish robot with at least 5 moving joints to a tip. */
function randomCase(): { urdf: string; spec: EndEffectorSpec } {
  for (let seed = 1; ; seed++) {
    const urdf = toUrdf(randomRobot(new Random(500 + seed), { links: 9, mimicProbability: 0.15 }));
    const robot = robotOf(urdf);
    for (const tip of robot.model.tipLinks) {
      if (resolveEndEffector(robot, { tip }).path.movingJoints.length >= 5) return { urdf, spec: { tip } };
    }
  }
}

const CASES = [
  { name: 'franka_panda (TCP)', urdf: readBuiltinUrdf('franka_panda'), spec: { tip: 'panda_hand_tcp' } },
  { name: 'random robot', ...randomCase() },
];

/** Worst position (m) and orientation (rad) error of `robot`'s FK against the samples. */
function worstError(
  robot: CompiledRobot, spec: EndEffectorSpec, samples: readonly CalibrationSample[],
): { position: number; orientation: number; positionRms: number; orientationRms: number } {
  const ee = resolveEndEffector(robot, spec);
  let position = 0, orientation = 0, p2 = 0, o2 = 0;
  const X = new Float64Array(12), M = new Float64Array(12), D = new Float64Array(12), w = new Float64Array(3);
  for (const s of samples) {
    computeEndEffectorPose(robot, s.q, ee, X);
    const dp = Math.hypot(X[9]! - s.position[0]!, X[10]! - s.position[1]!, X[11]! - s.position[2]!);
    position = Math.max(position, dp); p2 += dp * dp;
    if (s.rotation) {
      M.set(s.rotation); M.set(s.position, 9);
      composeInverseTransform(D, 0, X, 0, M, 0);
      rotationLog(w, 0, D, 0);
      const dt = Math.hypot(w[0]!, w[1]!, w[2]!);
      orientation = Math.max(orientation, dt); o2 += dt * dt;
    }
  }
  return { position, orientation, positionRms: Math.sqrt(p2 / samples.length), orientationRms: Math.sqrt(o2 / samples.length) };
}

function calibratedRobot(urdf: string, spec: EndEffectorSpec, samples: CalibrationSample[], holdout?: CalibrationSample[]) {
  const nominal = robotOf(urdf);
  const chain = createParameterChain(nominal, resolveEndEffector(nominal, spec));
  const result = calibrate(chain, samples, holdout);
  const text = editJoints(urdf, calibratedJoints(chain, result.estimates));
  return { result, chain, text, robot: robotOf(text) };
}

describe.each(CASES)('calibration recovers $name', ({ urdf, spec }) => {
  const truth = robotOf(perturbOrigins(urdf, 1e-3, 1e-3, 42));

  it('from noise-free poses: the calibrated URDF reproduces held-out poses to 1e-6 m and 1e-6 rad', () => {
    const samples = measure(truth, spec, 40, 1, 'pose'), holdout = measure(truth, spec, 30, 2, 'pose');
    const { result, robot } = calibratedRobot(urdf, spec, samples, holdout);
    expect(result.converged).toBe(true);
    const before = worstError(robotOf(urdf), spec, holdout), after = worstError(robot, spec, holdout);
    expect(before.position).toBeGreaterThan(1e-3);
    expect(after.position).toBeLessThan(EXACT);
    expect(after.orientation).toBeLessThan(EXACT);
    expect(result.holdout!.after.positionMax).toBeLessThan(EXACT);
    expect(result.holdout!.after.orientationMax).toBeLessThan(EXACT);
    console.info(`${spec.tip} pose calibration: held-out worst ${before.position.toExponential(2)} m / ${before.orientation.toExponential(2)} rad before, `
      + `${after.position.toExponential(2)} m / ${after.orientation.toExponential(2)} rad after (URDF reloaded); ${result.iterations} iterations, `
      + `${result.analysis.rank} of ${result.estimates.length} parameters identifiable`);
  });

  it('from noise-free positions: held-out positions to 1e-6 m, and the tip frame\'s own rotation reported as not identifiable', () => {
    const samples = measure(truth, spec, 60, 3, 'position'), holdout = measure(truth, spec, 30, 4, 'pose');
    const { result, chain, robot } = calibratedRobot(urdf, spec, samples);
    expect(result.converged).toBe(true);
    const after = worstError(robot, spec, holdout);
    expect(after.position).toBeLessThan(EXACT);
    // positions cannot see a rotation about the measured point: the rpy of a fixed or revolute tip joint is not estimated
    const tipLink = chain.tipSide[chain.tipSide.length - 1]!;
    const rotatesAboutTip = robot.model.jointCode[tipLink] !== 3; // JointCode.PRISMATIC: its axis direction moves the tip
    let reported = 0;
    chain.parameters.forEach((p, i) => {
      if (rotatesAboutTip && p.link === tipLink && (p.kind === 'roll' || p.kind === 'pitch' || p.kind === 'yaw')) reported++;
      if (result.analysis.columnNorms[i] === 0 || (rotatesAboutTip && p.link === tipLink && (p.kind === 'roll' || p.kind === 'pitch' || p.kind === 'yaw'))) {
        expect(result.identifiable[i], `${p.joint} ${p.kind}`).toBe(false);
        expect(result.estimates[i]).toBe(0);
        expect(Number.isNaN(result.stdErrors[i])).toBe(true);
      }
    });
    if (rotatesAboutTip) expect(reported).toBe(3);
    console.info(`${spec.tip} position-only calibration: held-out worst ${after.position.toExponential(2)} m after; orientation `
      + `${after.orientation.toExponential(2)} rad (not observable from positions)`);
  });

  it('with 0.1 mm / 0.1 mrad noise: held-out errors about the noise level, residuals at it, positive standard errors', () => {
    const samples = measure(truth, spec, 80, 5, 'pose', NOISE_POSITION, NOISE_ORIENTATION);
    const holdoutTrue = measure(truth, spec, 40, 6, 'pose');
    const { result, robot } = calibratedRobot(urdf, spec, samples);
    expect(result.converged).toBe(true);
    const after = worstError(robot, spec, holdoutTrue);
    const noiseRms = Math.sqrt(3) * NOISE_POSITION;
    // the prediction error is below the noise RMS (σ √(3 r / m) < σ √3 since r < m)
    expect(after.positionRms).toBeLessThan(noiseRms);
    expect(after.orientationRms).toBeLessThan(Math.sqrt(3) * NOISE_ORIENTATION);
    // residuals: σ √3 √((m - r)/m), within ±30 % (a χ² of hundreds of degrees of freedom varies by a few %)
    const m = 6 * samples.length, r = result.analysis.rank;
    const expected = noiseRms * Math.sqrt((m - r) / m);
    expect(result.residual.after.positionRms).toBeGreaterThan(0.7 * expected);
    expect(result.residual.after.positionRms).toBeLessThan(1.3 * expected);
    for (let i = 0; i < result.estimates.length; i++) {
      if (result.identifiable[i]) expect(result.stdErrors[i]).toBeGreaterThan(0);
    }
    console.info(`${spec.tip} noisy calibration: held-out RMS ${after.positionRms.toExponential(2)} m / ${after.orientationRms.toExponential(2)} rad `
      + `against noise RMS ${noiseRms.toExponential(2)}; residual after ${result.residual.after.positionRms.toExponential(2)} m / ${result.residual.after.orientationRms!.toExponential(2)} rad`);
  });
});

describe('the analysis a calibration reports', () => {
  it('is the identifiability analysis, singular values included, where the estimated subset was chosen', () => {
    for (const { urdf, spec } of CASES) {
      const truth = robotOf(perturbOrigins(urdf, 1e-3, 1e-3, 42)), nominal = robotOf(urdf);
      const chain = createParameterChain(nominal, resolveEndEffector(nominal, spec));
      for (const [kind, seed] of [['pose', 7], ['position', 8]] as const) {
        const samples = measure(truth, spec, 50, seed, kind);
        const result = calibrate(chain, samples);
        const chosen = result.identifiable.flatMap((x, i) => (x ? [i] : []));
        expect(result.analysis.identifiable).toEqual(chosen);
        // at the nominal robot when its subset was kept (else at the first estimate, which is not exposed)
        const A = computeIdentificationJacobian(chain, samples.map((s) => s.q), kind);
        const atNominal = analyzeIdentifiability(A, samples.length * (kind === 'pose' ? 6 : 3), chain.parameters.length, samples.length);
        if (atNominal.identifiable.join() === chosen.join()) expect(result.analysis).toEqual(atNominal);
        expect(result.analysis.singularValues).toHaveLength(chain.parameters.length);
        expect(result.analysis.singularValues[result.analysis.rank - 1]).toBeGreaterThan(result.analysis.rankTolerance);
        expect(result.analysis.singularValues[result.analysis.rank] ?? 0).toBeLessThanOrEqual(result.analysis.rankTolerance);
      }
    }
  });
});

describe('calibration input', () => {
  const urdf = readBuiltinUrdf('ur5e');
  const nominal = robotOf(urdf);
  const chain = createParameterChain(nominal, resolveEndEffector(nominal, {}));
  const samples = measure(nominal, {}, 10, 1, 'position');

  it('refuses too few samples for the parameters asked, saying how many are needed', () => {
    expectKinematicsError(() => calibrate(chain, samples), 'INVALID_ARGUMENT', 'too few samples', `${chain.parameters.length} parameters`, 'at least');
  });

  it('refuses a non-finite measurement', () => {
    const many = measure(nominal, {}, 40, 2, 'position');
    many[3] = { q: many[3]!.q, position: [0, NaN, 0] };
    expectKinematicsError(() => calibrate(chain, many), 'INVALID_VALUE', 'samples[3].position');
  });

  it('refuses a sample whose q has the wrong length', () => {
    const many = measure(nominal, {}, 40, 2, 'position');
    many[5] = { q: new Float64Array(5), position: [0, 0, 0] };
    expectKinematicsError(() => calibrate(chain, many), 'DIMENSION_MISMATCH', 'q');
  });
});
