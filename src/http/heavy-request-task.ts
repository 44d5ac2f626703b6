/**
 * Heavy single requests computed on a worker thread (see work-cost.ts for when): the same
 * handler code as on the event loop (heavy-requests.ts), on this thread's context of the robot,
 * answered as JSON text (written here, in parallel, rather than on the event loop). A
 * KinematicsError, the caller's mistake, comes back as its fields, to be thrown again on the main
 * thread and answered 400 as it would have been there.
 *
 * The file is a worker entry of its own (the pool runs a task with the file it names:
 * BatchRunner.runFile), so that the worker layer does not depend on the HTTP layer's handlers.
 */
import { KinematicsError, type KinematicsErrorCode } from '../core/errors.js';
import { contextOf, urdfOf, type TaskRobot } from '../workers/robot-contexts.js';
import { HEAVY_REQUESTS, type HeavyLimits, type HeavyRequestName } from './heavy-requests.js';

export interface RequestTask {
  kind: 'request';
  name: HeavyRequestName;
  /** The robot's id, for messages. */
  id: string;
  robot: TaskRobot;
  body: unknown;
  limits: HeavyLimits;
}

export type RequestOutcome = { json: string } | { error: { code: KinematicsErrorCode; message: string } };

const fromSource = import.meta.url.endsWith('.ts');

/** This file, as the pool loads it (the sources under tsx, else the build). */
export const HEAVY_REQUEST_TASK_FILE = new URL(`./heavy-request-task.${fromSource ? 'ts' : 'js'}`, import.meta.url).href;

/** Runs on the worker (the pool calls the default export). */
export default function runRequestTask(task: RequestTask): RequestOutcome {
  const handle = { id: task.id, context: contextOf(task.robot), urdf: urdfOf(task.robot) };
  try {
    const answer = (HEAVY_REQUESTS[task.name] as (h: typeof handle, body: unknown, limits: HeavyLimits) => unknown)(handle, task.body, task.limits);
    return { json: JSON.stringify(answer) };
  } catch (error) {
    if (!(error instanceof KinematicsError)) throw error;
    return { error: { code: error.code, message: error.message } };
  }
}

/** On the main thread: the JSON text of an outcome, or its KinematicsError thrown. */
export function answerOf(outcome: RequestOutcome): string {
  if ('json' in outcome) return outcome.json;
  throw new KinematicsError(outcome.error.code, outcome.error.message);
}
