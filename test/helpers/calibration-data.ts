/**
 * Calibration test data: a robot's URDF with every joint origin perturbed (the "real" robot), and
 * measurements of it: its FK at random joint readings, optionally with noise.
 */
import { compileRobot, type CompiledRobot } from '../../src/core/compiled-robot.js';
import type { CalibrationSample } from '../../src/core/calibration.js';
import { SeededRandom } from '../../src/core/ik/random.js';
import { computeEndEffectorPose, resolveEndEffector, type EndEffectorSpec } from '../../src/core/jacobian.js';
import { composeTransforms, setFromXyzRpy } from '../../src/core/se3.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { editJoints } from '../../src/urdf/urdf-edit.js';
import { randomInLimits } from './robots.js';

/** The URDF with each joint's origin xyz moved by up to `dxyz` (m) and rpy by up to `drpy` (rad) per component. */
export function perturbOrigins(urdf: string, dxyz: number, drpy: number, seed: number): string {
  const rng = new SeededRandom(seed);
  const u = (): number => 2 * rng.next() - 1;
  const model = loadUrdf(urdf);
  return editJoints(urdf, new Map(model.description.joints.map((j) => [j.name, {
    xyz: j.xyz.map((x) => x + dxyz * u()), rpy: j.rpy.map((x) => x + drpy * u()),
  }])));
}

function gaussian(rng: SeededRandom): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * `count` measurements of `truth`: poses (or positions) at readings in the limits, with Gaussian
 * noise of σ `noisePosition` per axis (m) and a rotation exp(ε) R with ε ~ N(0, noiseOrientation² I).
 */
export function measure(
  truth: CompiledRobot, spec: EndEffectorSpec, count: number, seed: number, kind: 'pose' | 'position',
  noisePosition = 0, noiseOrientation = 0,
): CalibrationSample[] {
  const ee = resolveEndEffector(truth, spec);
  const rng = new SeededRandom(seed);
  return Array.from({ length: count }, () => {
    const q = randomInLimits(truth.model, rng);
    const X = computeEndEffectorPose(truth, q, ee, new Float64Array(12));
    for (let a = 0; a < 3; a++) X[9 + a]! += noisePosition * gaussian(rng);
    if (noiseOrientation > 0) {
      // exp(ε) as an rpy rotation is exact enough here: the noise is what it is, the test compares to its level
      const E = new Float64Array(12), Y = new Float64Array(12);
      setFromXyzRpy(E, 0, [0, 0, 0], [noiseOrientation * gaussian(rng), noiseOrientation * gaussian(rng), noiseOrientation * gaussian(rng)]);
      composeTransforms(Y, 0, E, 0, X, 0);
      for (let k = 0; k < 9; k++) X[k] = Y[k]!;
    }
    return kind === 'pose' ? { q, position: X.subarray(9, 12), rotation: X.subarray(0, 9) } : { q, position: X.subarray(9, 12) };
  });
}

/** Compiles a URDF text. */
export function robotOf(urdf: string): CompiledRobot {
  return compileRobot(loadUrdf(urdf));
}
