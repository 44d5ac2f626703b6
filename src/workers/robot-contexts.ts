/**
 * The robots this thread computes for, by content: a task names its robot by the SHA-256 of its
 * URDF and carries the text, and the first task of a robot compiles it here. (The main thread
 * passes the context its registry already has instead.)
 */
import { createRobotContext, type RobotContext } from '../core/robot-context.js';
import { warmUp } from '../core/warm-up.js';
import { loadUrdf } from '../urdf/load-urdf.js';
import type { UrdfLimits } from '../urdf/urdf-parser.js';

/**
 * A robot as a task carries it: its URDF as UTF-8 bytes in a SharedArrayBuffer (a task is cloned
 * to its worker, and a shared buffer is passed by reference: a 999-link URDF of 213 KB would
 * otherwise be copied with every task), and the SHA-256 of the text, which keys the contexts.
 */
export interface TaskRobot {
  readonly sha256: string;
  readonly urdf: Uint8Array;
}

/** What a registry entry gives: its URDF text and the hash of it. */
export interface RobotSource {
  readonly sha256: string;
  readonly urdf: string;
}

const taskRobots = new WeakMap<RobotSource, TaskRobot>();

/** The task form of a robot (made once per entry, on the main thread). */
export function taskRobotOf(source: RobotSource): TaskRobot {
  let robot = taskRobots.get(source);
  if (!robot) {
    const bytes = Buffer.from(source.urdf, 'utf8');
    const urdf = new Uint8Array(new SharedArrayBuffer(bytes.length));
    urdf.set(bytes);
    robot = { sha256: source.sha256, urdf };
    taskRobots.set(source, robot);
  }
  return robot;
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
const contexts = new Map<string, { context: RobotContext; urdf: string }>();

/** The text of a task's URDF (copied out of the shared buffer: TextDecoder reads no shared memory). */
function textOf(robot: TaskRobot): string {
  return Buffer.from(robot.urdf).toString('utf8');
}

function entryOf(robot: TaskRobot): { context: RobotContext; urdf: string } {
  let entry = contexts.get(robot.sha256);
  if (!entry) {
    const urdf = textOf(robot);
    const context = createRobotContext(loadUrdf(urdf, { limits: ACCEPTED }));
    warmUp(context);
    if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value!);
    entry = { context, urdf };
    contexts.set(robot.sha256, entry);
  }
  return entry;
}

/**
 * The context of a task's robot on this thread, compiled and warmed (core/warm-up.ts) on first
 * use. The main thread sends every worker its robots to warm when they are loaded or uploaded
 * (BatchRunner.warm), so that the first batch does not pay for it.
 */
export function contextOf(robot: TaskRobot): RobotContext {
  return entryOf(robot).context;
}

/** The URDF text of a task's robot (kept with its context). */
export function urdfOf(robot: TaskRobot): string {
  return entryOf(robot).urdf;
}
