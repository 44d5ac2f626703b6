/**
 * Warming a robot on the event loop without holding it: the units of core/warm-up.ts run in
 * slices of at most WARM_SLICE_MS, with a turn of the event loop between slices, so that requests
 * for other robots are answered while a new one warms.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { RobotContext } from '../core/robot-context.js';
import { warmUpUnits } from '../core/warm-up.js';

/** The longest the event loop runs warming work without answering anything else (ms). */
export const WARM_SLICE_MS = 2;

/** Warms `context` in slices; resolves with the time the work itself took (ms). */
export async function warmInSlices(context: RobotContext): Promise<number> {
  let busyMs = 0;
  // the first slice in a turn of its own: the caller may have just spent its own slice (the
  // model of a large upload arriving from a worker is deserialised in the turn that receives it)
  await nextTurn();
  let sliceStart = performance.now();
  for (const unit of warmUpUnits(context)) {
    unit();
    const now = performance.now();
    if (now - sliceStart >= WARM_SLICE_MS) {
      busyMs += now - sliceStart;
      await nextTurn();
      sliceStart = performance.now();
    }
  }
  return busyMs + (performance.now() - sliceStart);
}
