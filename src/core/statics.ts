/**
 * Statics: the joint efforts that balance a wrench at the tip.
 */
import { assertLength } from './errors.js';
import { computeJacobian, wrenchToLocalWorldAligned, type EndEffector } from './jacobian.js';
import type { CompiledRobot } from './compiled-robot.js';
import type { KinematicWorkspace } from './workspace.js';

/**
 * Writes the joint efforts τ = J(q)ᵀ w into `out` (one per active joint) and returns it, where
 * w = [fx fy fz tx ty tz] is the wrench applied by the tip on its environment, expressed like the
 * end effector's Jacobian: LOCAL_WORLD_ALIGNED is a force at the tip point and a torque about it,
 * in base axes; LOCAL the same in tip axes; WORLD a force and a torque about the base origin, in
 * base axes. By virtual work τ·q̇ = w·V for every q̇, which is what makes Jᵀ the right map.
 * The Jacobian is formed in the workspace only, in LOCAL_WORLD_ALIGNED, and the wrench is moved
 * to that frame instead (one 6-vector rather than 6 x dof entries).
 */
export function computeJointEfforts(
  robot: CompiledRobot, ws: KinematicWorkspace, q: Float64Array, wrench: Float64Array,
  ee: EndEffector, out: Float64Array,
): Float64Array {
  assertLength('wrench', 6, wrench.length);
  assertLength('efforts output', robot.model.dof, out.length);
  const dof = robot.model.dof;
  const J = computeJacobian(robot, ws, q, ee, ws.J, ws.X_BE, 'LOCAL_WORLD_ALIGNED');
  const w = ws.V;
  w.set(wrench);
  wrenchToLocalWorldAligned(ee.referenceFrame, ws.X_BE, w);
  for (let k = 0; k < dof; k++) {
    let sum = 0;
    for (let row = 0; row < 6; row++) sum += J[row * dof + k]! * w[row]!;
    out[k] = sum;
  }
  return out;
}
