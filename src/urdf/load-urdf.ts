/**
 * URDF text -> compiled kinematic model, in one call.
 */
import { compileRobot, type CompiledRobot, type CompileRobotOptions } from '../core/compiled-robot.js';
import { KinematicsError } from '../core/errors.js';
import { buildModel, type BuildModelOptions, type KinematicModel } from '../core/model.js';
import { UrdfError, urdfProblemsOf } from './urdf-error.js';
import { DEFAULT_URDF_LIMITS, parseUrdf, type UrdfLimits } from './urdf-parser.js';

/** Options of {@link loadUrdf}. */
export interface LoadUrdfOptions extends BuildModelOptions {
  /** Caps on the document; default {@link DEFAULT_URDF_LIMITS}. */
  limits?: UrdfLimits;
}

/**
 * Parses a URDF document and builds its kinematic model.
 * @throws UrdfError (see UrdfErrorCode): not safe, well-formed XML; beyond the caps; elements that
 *   are not a usable URDF; or not a valid kinematic tree; with every problem found and its element.
 */
export function loadUrdf(text: string, options: LoadUrdfOptions = {}): KinematicModel {
  const description = parseUrdf(text, options.limits ?? DEFAULT_URDF_LIMITS);
  try {
    return buildModel(description, options);
  } catch (error) {
    if (error instanceof KinematicsError && error.code === 'INVALID_DESCRIPTION') {
      throw new UrdfError('URDF_INVALID_TREE', error.message, urdfProblemsOf(error.problems));
    }
    throw error;
  }
}

/** {@link loadUrdf}, then {@link compileRobot}: a robot ready to compute with. */
export function loadRobot(text: string, options: LoadUrdfOptions & CompileRobotOptions = {}): CompiledRobot {
  return compileRobot(loadUrdf(text, options), options);
}
