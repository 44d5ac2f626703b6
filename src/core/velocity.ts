/**
 * Differential kinematics: the tip twist produced by joint velocities.
 */
import { assertLength } from './errors.js';
import { computeJacobian, type EndEffector } from './jacobian.js';
import type { KinematicModel } from './model.js';
import type { KinematicWorkspace } from './workspace.js';

/**
 * Writes the twist V = J(q) q̇ of the end effector, [vx vy vz wx wy wz] in its reference frame,
 * into `out` (6 doubles) and returns it. The Jacobian is formed in the workspace only.
 */
export function computeTwist(
  model: KinematicModel, ws: KinematicWorkspace, q: Float64Array, qdot: Float64Array,
  ee: EndEffector, out: Float64Array,
): Float64Array {
  assertLength('qdot', model.dof, qdot.length);
  assertLength('twist output', 6, out.length);
  const dof = model.dof;
  const J = computeJacobian(model, ws, q, ee, ws.J);
  for (let row = 0; row < 6; row++) {
    let sum = 0;
    for (let k = 0; k < dof; k++) sum += J[row * dof + k]! * qdot[k]!;
    out[row] = sum;
  }
  return out;
}
