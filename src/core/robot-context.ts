/**
 * Everything one thread needs to compute for one robot: the compiled robot (model and kernels)
 * and its workspaces. The registry keeps one per robot on the main thread and each batch worker
 * one per robot it has been given, so no other per-robot state exists (Pinocchio's ModelPool:
 * one Model, one Data per thread).
 */
import { compileRobot, type CompiledRobot, type CompileRobotOptions } from './compiled-robot.js';
import { createIkWorkspace, type IkWorkspace } from './ik/ik-workspace.js';
import type { KinematicModel } from './model.js';
import { createSecondOrderWorkspace, type SecondOrderWorkspace } from './second-order-workspace.js';
import { createUncertaintyWorkspace, type UncertaintyWorkspace } from './uncertainty.js';
import { createWorkspace, type KinematicWorkspace } from './workspace.js';

/** A compiled robot and the workspaces of this thread. */
export interface RobotContext {
  readonly robot: CompiledRobot;
  /** FK, Jacobian, velocity and statics scratch. */
  readonly kinematics: KinematicWorkspace;
  /** Inverse kinematics state. */
  readonly ik: IkWorkspace;
  /** J̇, Hessian and manipulability scratch. */
  readonly secondOrder: SecondOrderWorkspace;
  /** Joint covariance propagation scratch. */
  readonly uncertainty: UncertaintyWorkspace;
}

/** Compiles `model` and allocates its workspaces. */
export function createRobotContext(model: KinematicModel, options: CompileRobotOptions = {}): RobotContext {
  return Object.freeze({
    robot: compileRobot(model, options), kinematics: createWorkspace(model), ik: createIkWorkspace(model),
    secondOrder: createSecondOrderWorkspace(model), uncertainty: createUncertaintyWorkspace(model),
  });
}
