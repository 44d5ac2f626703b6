/**
 * Preallocated scratch memory of second-order kinematics (jacobian-derivative.ts, hessian.ts,
 * manipulability.ts) for one model, so that J̇ and the Hessian allocate nothing per call.
 */
import { KinematicsError } from './errors.js';
import { JointCode, type KinematicModel } from './model.js';
import { SE3_SIZE } from './se3.js';

/** Scratch arrays sized from a model. */
export interface SecondOrderWorkspace {
  readonly model: KinematicModel;
  /** X_BE of the tip point. */
  readonly X_BE: Float64Array;
  /** The unit twists of a path's joints (6 x P, P at most the model's moving joints). */
  readonly T: Float64Array;
  /** The Jacobian (LOCAL_WORLD_ALIGNED, 6 x dof) and its derivative, before a change of frame. */
  readonly J: Float64Array;
  readonly Jdot: Float64Array;
  /** The Jacobian in the end effector's frame (manipulability.ts). */
  readonly J_F: Float64Array;
  /** A Hessian, dof x 6 x dof. */
  readonly H: Float64Array;
  /** One 6-vector. */
  readonly V: Float64Array;
  /** The SVD of a selection of the Jacobian's rows and moving columns (manipulability.ts). */
  readonly A: Float64Array;
  readonly sigma: Float64Array;
  readonly svdV: Float64Array;
  readonly order: Int32Array;
}

/**
 * Allocates a workspace for `model`. The arrays that grow with the square of the joints (H, svdV)
 * are made on first use: 56 MB for a chain of 999 joints, which a robot that is never asked for
 * its Hessian or manipulability should not cost (nor the event loop the time to zero them).
 */
export function createSecondOrderWorkspace(model: KinematicModel): SecondOrderWorkspace {
  let joints = 0;
  for (let link = 1; link < model.linkNames.length; link++) if (model.jointCode[link] !== JointCode.FIXED) joints++;
  const dof = model.dof, k = Math.max(dof, 6);
  let H: Float64Array | undefined, svdV: Float64Array | undefined;
  return {
    model,
    X_BE: new Float64Array(SE3_SIZE),
    T: new Float64Array(6 * joints),
    J: new Float64Array(6 * dof),
    Jdot: new Float64Array(6 * dof),
    J_F: new Float64Array(6 * dof),
    get H() { return (H ??= new Float64Array(6 * dof * dof)); },
    V: new Float64Array(6),
    A: new Float64Array(6 * k),
    sigma: new Float64Array(k),
    get svdV() { return (svdV ??= new Float64Array(k * k)); },
    order: new Int32Array(k),
  };
}

/**
 * Checks that `ws` was made for `model`.
 * @throws KinematicsError `INVALID_ARGUMENT` otherwise.
 */
export function assertSecondOrderWorkspaceOf(model: KinematicModel, ws: SecondOrderWorkspace): void {
  if (ws.model !== model) {
    throw new KinematicsError('INVALID_ARGUMENT',
      `the second-order workspace was made for robot "${ws.model.name}", not for robot "${model.name}": make one with createSecondOrderWorkspace(robot.model)`);
  }
}
