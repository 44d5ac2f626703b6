/**
 * Differential kinematics: the tip twist produced by joint velocities.
 */
import { assertLength } from './errors.js';
import { changeFrame, computeJacobian, type EndEffector } from './jacobian.js';
import type { CompiledRobot } from './compiled-robot.js';
import type { KinematicWorkspace } from './workspace.js';

/**
 * Writes the twist V = J(q) q̇ of the end effector, [vx vy vz wx wy wz] in its reference frame,
 * into `out` (6 doubles) and returns it. The Jacobian is formed in the workspace only, in
 * LOCAL_WORLD_ALIGNED: the twist alone is then moved to the end effector's frame.
 */
export function computeTwist(
  robot: CompiledRobot, ws: KinematicWorkspace, q: Float64Array, qdot: Float64Array,
  ee: EndEffector, out: Float64Array,
): Float64Array {
  assertLength('qdot', robot.model.dof, qdot.length);
  assertLength('twist output', 6, out.length);
  const dof = robot.model.dof;
  const J = computeJacobian(robot, ws, q, ee, ws.J, ws.X_BE, 'LOCAL_WORLD_ALIGNED');
  for (let row = 0; row < 6; row++) {
    let sum = 0;
    for (let k = 0; k < dof; k++) sum += J[row * dof + k]! * qdot[k]!;
    out[row] = sum;
  }
  changeFrame(ee.referenceFrame, 1, ws.X_BE, out);
  return out;
}
