/**
 * URDF text -> compiled kinematic model, in one call.
 */
import { buildModel, type BuildModelOptions, type KinematicModel } from '../core/model.js';
import { DEFAULT_URDF_LIMITS, parseUrdf, type UrdfLimits } from './urdf-parser.js';

/** Options of {@link loadUrdf}. */
export interface LoadUrdfOptions extends BuildModelOptions {
  /** Caps on the document; default {@link DEFAULT_URDF_LIMITS}. */
  limits?: UrdfLimits;
}

/**
 * Parses and compiles a URDF document.
 * @throws KinematicsError `URDF_SYNTAX` (not safe, well-formed XML) or `URDF_INVALID` (not a
 *   valid kinematic tree), with a message that names the problem.
 */
export function loadUrdf(text: string, options: LoadUrdfOptions = {}): KinematicModel {
  return buildModel(parseUrdf(text, options.limits ?? DEFAULT_URDF_LIMITS), options);
}
