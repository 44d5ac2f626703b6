/**
 * The kinematics library: load a URDF, then compute forward kinematics, Jacobians and their
 * analysis, and inverse kinematics, without any HTTP. Every function here is documented where it
 * is defined. For IK, set the target pose (12 doubles, see se3.ts) in `ik.X_target` of an
 * IkWorkspace (or with transformFromPose), then call computeIkStep, computeVelocityCommand or solveIk.
 *
 * @example
 * import { readFileSync } from 'node:fs';
 * import { loadUrdf, createWorkspace, resolveEndEffector, computeJacobian } from 'kinematics-service';
 * const model = loadUrdf(readFileSync('robots/ur5e.urdf', 'utf8'));
 * const ee = resolveEndEffector(model, { tip: 'tool0' });
 * const J = computeJacobian(model, createWorkspace(model), new Float64Array(model.dof), ee, new Float64Array(6 * model.dof));
 */
export { KinematicsError, type KinematicsErrorCode } from './core/errors.js';
export type {
  JointDescription, JointKind, JointLimits, LinkDescription, MimicDescription, RobotDescription,
} from './core/robot-description.js';
export {
  JointType, buildModel, linkIndexOf,
  type BuildModelOptions, type JointTypeCode, type KinematicModel, type MimicMode, type ResolvedMimic,
} from './core/model.js';
export { createWorkspace, type KinematicWorkspace } from './core/workspace.js';
export { readJointVector, type JointValues } from './core/joint-vector.js';
export { computeLinkPoses, computeLinkPosesInBase, computePose } from './core/forward-kinematics.js';
export {
  REFERENCE_FRAMES, computeEndEffectorPose, computeJacobian, resolveEndEffector, resolveTipName,
  type EndEffector, type EndEffectorSpec, type ReferenceFrame,
} from './core/jacobian.js';
export { getKinematicPath, createKinematicPath, type KinematicPath, type KernelImplementation } from './core/kinematic-path.js';
export { analyzeJacobian, type JacobianAnalysis } from './core/analysis.js';
export { computeTwist } from './core/velocity.js';
export { computeJointEfforts } from './core/statics.js';
export {
  POSE_INPUT_TOLERANCE, poseFromTransform, transformFromPose, type Pose, type PoseInput,
} from './core/pose.js';
export {
  SE3_SIZE, composeTransforms, composeInverseTransform, invertTransform, rotationLog,
  rotationToQuaternion, quaternionToRotation,
} from './core/se3.js';
export { createIkWorkspace, type IkWorkspace } from './core/ik/ik-workspace.js';
export {
  DEFAULT_TOLERANCE, computeIkStep, type IkStepOptions, type IkStepResult, type IkStepStatus, type SingularityMeasures,
  type Tolerance,
} from './core/ik/damped-step.js';
export {
  computeVelocityCommand, type VelocityControlOptions, type VelocityControlResult, type VelocityControlStatus,
} from './core/ik/velocity-control.js';
export { solveIk, middleOfLimits, type IkSolveOptions, type IkSolveResult, type IkSolveStatus } from './core/ik/solve.js';
export { parseUrdf, DEFAULT_URDF_LIMITS, type UrdfLimits } from './urdf/urdf-parser.js';
export { loadUrdf, type LoadUrdfOptions } from './urdf/load-urdf.js';
