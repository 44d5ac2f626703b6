/**
 * Parsing and building a robot's model on a worker thread: for a large URDF (a 999-link chain of
 * 213 KB takes about 30 ms warm, and up to 100 ms cold) that is work the event loop must not do.
 * The model comes back by structured clone (typed arrays, Maps and plain objects all survive it),
 * which costs the main thread a tenth of the parse (3 to 7 ms for that chain); a URDF that does
 * not load comes back as its UrdfError's fields, to be thrown again on the main thread.
 */
import type { KinematicModel } from '../core/model.js';
import { loadUrdf } from '../urdf/load-urdf.js';
import { UrdfError, type UrdfErrorCode, type UrdfProblem } from '../urdf/urdf-error.js';
import type { UrdfLimits } from '../urdf/urdf-parser.js';

export interface LoadTask {
  kind: 'load';
  urdf: string;
  limits: UrdfLimits;
}

export type LoadOutcome =
  | { model: KinematicModel }
  | { error: { code: UrdfErrorCode; message: string; problems: readonly UrdfProblem[] } };

/** Runs on the worker: the model, or the reason the URDF does not load. */
export function loadModelTask(task: LoadTask): LoadOutcome {
  try {
    return { model: loadUrdf(task.urdf, { limits: task.limits }) };
  } catch (error) {
    if (!(error instanceof UrdfError)) throw error;
    return { error: { code: error.code, message: error.message, problems: error.problems } };
  }
}

/** On the main thread: the model of an outcome, or its UrdfError thrown. */
export function modelOf(outcome: LoadOutcome): KinematicModel {
  if ('model' in outcome) return outcome.model;
  throw new UrdfError(outcome.error.code, outcome.error.message, outcome.error.problems);
}
