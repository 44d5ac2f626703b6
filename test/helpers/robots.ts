/**
 * Robots for tests: the builtin ones, compiled once per test file, and the small things tests do
 * with them (a target pose from a configuration, a random configuration inside the limits).
 */
import { compileRobot, type CompiledRobot } from '../../src/core/compiled-robot.js';
import { randomConfiguration, type UniformSource } from '../../src/core/ik/random.js';
import { computeEndEffectorPose, type EndEffector } from '../../src/core/jacobian.js';
import type { KinematicModel } from '../../src/core/model.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { readBuiltinUrdf } from './builtin-urdf.js';

const compiled = new Map<string, CompiledRobot>();

/** A builtin robot (robots/<id>.urdf), compiled on first use. */
export function builtinRobot(id: string): CompiledRobot {
  let robot = compiled.get(id);
  if (!robot) { robot = compileRobot(loadUrdf(readBuiltinUrdf(id))); compiled.set(id, robot); }
  return robot;
}

/** X_BE of the end effector at q: a target pose that q reaches. */
export function poseAt(robot: CompiledRobot, ee: EndEffector, q: Float64Array): Float64Array {
  return computeEndEffectorPose(robot, q, ee, new Float64Array(12));
}

/** A random configuration inside the limits (continuous joints within ±π). */
export function randomInLimits(model: KinematicModel, random: UniformSource): Float64Array {
  return randomConfiguration(model, random, new Float64Array(model.dof));
}

/** Whether q is inside the limits (continuous joints always are). */
export function withinLimits(model: KinematicModel, q: ArrayLike<number>): boolean {
  return Array.from(q).every((x, k) => model.continuous[k] === 1 || (x >= model.qLower[k]! && x <= model.qUpper[k]!));
}
