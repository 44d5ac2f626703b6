/**
 * The kinematics library: load a URDF, then compute forward kinematics, Jacobians and their
 * analysis, and inverse kinematics, without any HTTP. Every function here is documented where it
 * is defined. A compiled robot (model and kernels) is made once; workspaces, one set per thread,
 * hold the scratch memory, so that the compute functions allocate nothing on their hot paths.
 *
 * @example
 * import { readFileSync } from 'node:fs';
 * import { loadRobot, createWorkspace, resolveEndEffector, computeJacobian } from 'kinematics-service';
 * const robot = loadRobot(readFileSync('robots/ur5e.urdf', 'utf8'));
 * const ee = resolveEndEffector(robot, { tip: 'tool0' });
 * const J = computeJacobian(robot, createWorkspace(robot.model), new Float64Array(robot.model.dof), ee, new Float64Array(6 * robot.model.dof));
 */
export { KinematicsError, type DescriptionElement, type DescriptionProblem, type KinematicsErrorCode } from './core/errors.js';
export {
  JOINT_TYPES, type JointDescription, type JointLimits, type JointType, type LinkDescription, type MimicDescription, type RobotDescription,
} from './core/robot-description.js';
export {
  JointCode, buildModel, linkIndexOf,
  type BuildModelOptions, type KinematicModel, type MimicMode, type ResolvedMimic,
} from './core/model.js';
export { compileRobot, type CompiledRobot, type CompileRobotOptions } from './core/compiled-robot.js';
export { createRobotContext, type RobotContext } from './core/robot-context.js';
export { createWorkspace, type KinematicWorkspace } from './core/workspace.js';
export { readJointVector, type JointValues } from './core/joint-vector.js';
export { computeLinkPoses, computeLinkPosesInBase, computePose } from './core/forward-kinematics.js';
export {
  REFERENCE_FRAMES, computeEndEffectorPose, computeJacobian, resolveEndEffector, resolveTipName,
  type EndEffector, type EndEffectorSpec, type ReferenceFrame,
} from './core/jacobian.js';
export { createKinematicPath, type KinematicPath, type KernelImplementation } from './core/kinematic-path.js';
export { analyzeJacobian, type JacobianAnalysis } from './core/analysis.js';
export { computeTwist } from './core/velocity.js';
export { computeJointEfforts } from './core/statics.js';
export { createSecondOrderWorkspace, type SecondOrderWorkspace } from './core/second-order-workspace.js';
export { computeHessian, computeJacobianDerivative, computeTipAcceleration } from './core/jacobian-derivative.js';
export {
  MANIPULABILITY_AXES, MANIPULABILITY_MEASURES, computeManipulability,
  type ManipulabilityAxes, type ManipulabilityMeasure, type ManipulabilityResult,
} from './core/manipulability.js';
export { NULLSPACE_OBJECTIVES, type NullspaceObjective, type NullspaceOptions } from './core/ik/nullspace.js';
export {
  POSE_INPUT_TOLERANCE, poseFromTransform, transformFromPose, type Pose, type PoseInput,
} from './core/pose.js';
export {
  SE3_SIZE, composeTransforms, composeInverseTransform, invertTransform, rotationLog,
  rotationToQuaternion, quaternionToRotation,
} from './core/se3.js';
export { createIkWorkspace, type IkWorkspace } from './core/ik/ik-workspace.js';
export { DEFAULT_TOLERANCE, type Tolerance } from './core/ik/tolerance.js';
export type { SingularityMeasures } from './core/ik/singularity-measures.js';
export {
  IK_STEP_STATUSES, computeIkStep, type IkStepOptions, type IkStepResult, type IkStepStatus,
} from './core/ik/damped-step.js';
export {
  VELOCITY_CONTROL_STATUSES, computeVelocityCommand, type VelocityControlOptions, type VelocityControlResult, type VelocityControlStatus,
} from './core/ik/velocity-control.js';
export {
  IK_SOLVE_STATUSES, middleOfLimits, solveIk, type IkSolveOptions, type IkSolveResult, type IkSolveStatus,
} from './core/ik/solve.js';
export { SeededRandom, randomConfiguration, type UniformSource } from './core/ik/random.js';
export { parseUrdf, DEFAULT_URDF_LIMITS, type UrdfLimits } from './urdf/urdf-parser.js';
export { loadRobot, loadUrdf, type LoadUrdfOptions } from './urdf/load-urdf.js';
export { UrdfError, type UrdfErrorCode, type UrdfProblem } from './urdf/urdf-error.js';
