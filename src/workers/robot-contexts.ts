/**
 * The robots this thread computes for, by content: a task names its robot by the SHA-256 of its
 * URDF and carries the text, and the first task of a robot compiles it here. (The main thread
 * passes the context its registry already has instead.)
 */
import { createRobotContext, type RobotContext } from '../core/robot-context.js';
import { warmUp } from '../core/warm-up.js';
import { loadUrdf } from '../urdf/load-urdf.js';
import type { UrdfLimits } from '../urdf/urdf-parser.js';

/** A robot as a task carries it: the URDF text and its hash, which keys the contexts. */
export interface TaskRobot {
  readonly sha256: string;
  readonly urdf: string;
}

/**
 * No caps: a task's robot was accepted by the registry under the caps configured there, which
 * may be larger than the defaults.
 */
const ACCEPTED: UrdfLimits = {
  maxBytes: Infinity, maxDepth: Infinity, maxElements: Infinity, maxAttributeLength: Infinity,
  maxAttributesPerElement: Infinity, maxLinks: Infinity, maxJoints: Infinity,
};

/** Robots kept per thread; beyond this the least recently added is dropped. */
export const MAX_CONTEXTS = 32;
const contexts = new Map<string, RobotContext>();

/**
 * The context of a task's robot on this thread, compiled and warmed (core/warm-up.ts) on first
 * use. The main thread sends every worker its robots to warm when they are loaded or uploaded
 * (BatchRunner.warm), so that the first batch does not pay for it.
 */
export function contextOf(robot: TaskRobot): RobotContext {
  let context = contexts.get(robot.sha256);
  if (!context) {
    context = createRobotContext(loadUrdf(robot.urdf, { limits: ACCEPTED }));
    warmUp(context);
    if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value!);
    contexts.set(robot.sha256, context);
  }
  return context;
}
