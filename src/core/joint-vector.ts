/**
 * Reading joint vectors from callers: an array in active-joint order or an object by joint name.
 */
import { KinematicsError } from './errors.js';
import { MAX_MAGNITUDE_TEXT, withinMagnitude } from './magnitude.js';
import type { KinematicModel } from './model.js';

/** Joint values as callers give them: in `model.jointNames` order, or by name. */
export type JointValues = ArrayLike<number> | Readonly<Record<string, number>>;

function listNames(names: readonly string[]): string {
  return names.length > 24 ? `${names.slice(0, 24).join(', ')}, … (${names.length})` : names.join(', ');
}

function isArrayLike(v: JointValues): v is ArrayLike<number> {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}

/**
 * Copies joint values into `out` in active-joint order and returns it.
 * @param what the name of the vector in error messages (q, qdot, seed)
 * @throws KinematicsError naming the wrong length with the expected joints, unknown or mimic
 *   joint names, missing joints, and non-finite values or values beyond ±MAX_MAGNITUDE.
 */
export function readJointVector(
  model: KinematicModel, values: JointValues, what = 'q', out = new Float64Array(model.dof),
): Float64Array {
  const dof = model.dof;
  if (isArrayLike(values)) {
    if (values.length !== dof) {
      throw new KinematicsError('DIMENSION_MISMATCH',
        `${what} has ${values.length} values but robot "${model.name}" has ${dof} active joints: ${listNames(model.jointNames)}`);
    }
    for (let k = 0; k < dof; k++) out[k] = values[k]!;
  } else {
    const unknown: string[] = [];
    const seen = new Uint8Array(dof);
    for (const name of Object.keys(values)) {
      const k = model.jointIndex.get(name);
      if (k === undefined) { unknown.push(name); continue; }
      out[k] = values[name]!;
      seen[k] = 1;
    }
    if (unknown.length > 0) {
      const mimic = model.mimics.find((m) => unknown.includes(m.name));
      const hint = mimic ? ` ("${mimic.name}" is a mimic joint that follows "${mimic.leader}"; give "${mimic.leader}" instead)` : '';
      throw new KinematicsError('UNKNOWN_JOINT',
        `${what} names ${unknown.length === 1 ? 'a joint' : 'joints'} that robot "${model.name}" does not have as active joints: ` +
        `${listNames(unknown)}${hint}; its active joints are: ${listNames(model.jointNames)}`);
    }
    const missing = model.jointNames.filter((_, k) => !seen[k]);
    if (missing.length > 0) {
      throw new KinematicsError('DIMENSION_MISMATCH',
        `${what} is missing ${missing.length === 1 ? 'joint' : 'joints'} ${listNames(missing)} of robot "${model.name}"; name every active joint`);
    }
  }
  for (let k = 0; k < dof; k++) {
    if (!Number.isFinite(out[k])) {
      throw new KinematicsError('INVALID_VALUE', `${what} value for joint "${model.jointNames[k]}" is not a finite number`);
    }
    if (!withinMagnitude(out[k]!)) {
      throw new KinematicsError('INVALID_VALUE',
        `${what} value for joint "${model.jointNames[k]}" is ${out[k]}; values must be within ±${MAX_MAGNITUDE_TEXT}`);
    }
  }
  return out;
}
