/**
 * Preallocated scratch memory for one model. Algorithms write their intermediate results here so
 * that the hot paths allocate nothing. A workspace is not safe to share between computations that
 * interleave (it is in single-threaded JavaScript as long as nothing awaits in between).
 */
import type { KinematicModel } from './model.js';
import { SE3_SIZE } from './se3.js';

/** Scratch arrays sized from a model. */
export interface KinematicWorkspace {
  /** X_WL of every link (12 per link). */
  readonly X_WL: Float64Array;
  /** One relative pose, X_BE. */
  readonly X_BE: Float64Array;
  /** One 6 x dof Jacobian, row-major. */
  readonly J: Float64Array;
  /** One wrench or twist [linear, angular]. */
  readonly V: Float64Array;
}

/** Allocates a workspace for `model`. */
export function createWorkspace(model: KinematicModel): KinematicWorkspace {
  return {
    X_WL: new Float64Array(SE3_SIZE * model.linkNames.length),
    X_BE: new Float64Array(SE3_SIZE),
    J: new Float64Array(6 * model.dof),
    V: new Float64Array(6),
  };
}
