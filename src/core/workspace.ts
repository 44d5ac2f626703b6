/**
 * Preallocated scratch memory for one model. Algorithms write their intermediate results here so
 * that the hot paths allocate nothing. A workspace is not safe to share between computations that
 * interleave (it is in single-threaded JavaScript as long as nothing awaits in between).
 */
import { KinematicsError } from './errors.js';
import type { KinematicModel } from './model.js';
import { SE3_SIZE } from './se3.js';

/** Scratch arrays sized from a model. */
export interface KinematicWorkspace {
  /** The model the arrays are sized for: the compute functions refuse a workspace of another. */
  readonly model: KinematicModel;
  /** X_WL of every link (12 per link). */
  readonly X_WL: Float64Array;
  /** X_PL, the placement of one link in its parent, and its inverse X_LP. */
  readonly X_PL: Float64Array;
  readonly X_LP: Float64Array;
  /** One mark per link (0 between calls), for walks over the tree. */
  readonly linkMarks: Uint8Array;
  /** X_BE, the pose of a tip point in a base frame. */
  readonly X_BE: Float64Array;
  /** One 6 x dof Jacobian, row-major. */
  readonly J: Float64Array;
  /** One wrench or twist [linear, angular]. */
  readonly V: Float64Array;
}

/** Allocates a workspace for `model`. */
export function createWorkspace(model: KinematicModel): KinematicWorkspace {
  return {
    model,
    X_WL: new Float64Array(SE3_SIZE * model.linkNames.length),
    X_PL: new Float64Array(SE3_SIZE),
    X_LP: new Float64Array(SE3_SIZE),
    linkMarks: new Uint8Array(model.linkNames.length),
    X_BE: new Float64Array(SE3_SIZE),
    J: new Float64Array(6 * model.dof),
    V: new Float64Array(6),
  };
}

/**
 * Checks that `ws` was made for `model` (its arrays are sized for it).
 * @throws KinematicsError `INVALID_ARGUMENT` otherwise.
 */
export function assertWorkspaceOf(model: KinematicModel, ws: KinematicWorkspace): void {
  if (ws.model !== model) {
    throw new KinematicsError('INVALID_ARGUMENT',
      `the workspace was made for robot "${ws.model.name}", not for robot "${model.name}": make one with createWorkspace(robot.model)`);
  }
}
