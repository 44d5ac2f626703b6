/**
 * The worker-thread entry of the batch pool (piscina calls the default export with each task).
 */
import { Piscina } from 'piscina';
import { computeBatch, packResult, type BatchTask } from './batch-tasks.js';

export default function run(task: BatchTask): unknown {
  // one buffer, handed over to the main thread without a copy
  return Piscina.move(packResult(computeBatch(task)));
}
