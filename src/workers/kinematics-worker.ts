/**
 * The worker-thread entry of the batch pool (piscina calls the default export with each task).
 */
import { setPriority } from 'node:os';
import { Piscina } from 'piscina';
import { computeBatch, packResult, type BatchTask } from './batch-tasks.js';
import { contextOf, type TaskRobot } from './robot-contexts.js';
import { loadModelTask, type LoadTask } from './load-task.js';

/**
 * Nice value of batch workers: below the event loop's priority, so that the cheap requests of
 * control loops (an ik/step) are answered promptly while a large batch keeps the workers busy.
 * On Linux a thread's nice value is its own (setpriority(PRIO_PROCESS, 0) applies to the calling
 * thread); elsewhere it would apply to the whole process, so it is only set on Linux.
 */
const WORKER_NICE = 10;

if (process.platform === 'linux') {
  try {
    setPriority(WORKER_NICE);
  } catch {
    // not permitted here: run at the default priority
  }
}

/** A request to compile and warm robots on this thread ahead of their first batch. */
export interface WarmTask {
  kind: 'warm';
  robots: TaskRobot[];
}

export default function run(task: BatchTask | WarmTask | LoadTask): unknown {
  if (task.kind === 'load') return loadModelTask(task);
  if (task.kind === 'warm') {
    for (const robot of task.robots) contextOf(robot);
    return task.robots.length;
  }
  // one buffer, handed over to the main thread without a copy
  return Piscina.move(packResult(computeBatch(task)));
}
