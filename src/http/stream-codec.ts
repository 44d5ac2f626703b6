/**
 * The binary frames of the control stream: little-endian float64 values in the layouts that
 * schemas/stream.ts names (and documents). Commands are read into preallocated arrays; a result
 * is written into a new buffer, the answer itself (ws may still hold it after send returns).
 */
import { IK_STEP_STATUSES } from '../core/ik/damped-step.js';
import { VELOCITY_CONTROL_STATUSES } from '../core/ik/velocity-control.js';
import { KinematicsError } from '../core/errors.js';
import { MAX_MAGNITUDE_TEXT, withinMagnitude } from '../core/magnitude.js';
import type { runIkStep, runIkVelocity } from './ik-commands.js';
import {
  BINARY_STEP_COMMAND, BINARY_STEP_RESULT_HEAD, BINARY_VELOCITY_COMMAND, BINARY_VELOCITY_RESULT_HEAD,
} from './schemas/stream.js';

export type StreamMode = 'velocity' | 'step';
type VelocityAnswer = ReturnType<typeof runIkVelocity>;
type StepAnswer = ReturnType<typeof runIkStep>;

const FLOAT64 = 8;
/** Values after q in a command: the twist (6), or the target position and quaternion (3 + 4). */
const TAIL: Record<StreamMode, number> = { velocity: 6, step: 7 };
const LAYOUT: Record<StreamMode, readonly string[]> = { velocity: BINARY_VELOCITY_COMMAND, step: BINARY_STEP_COMMAND };

/** How many float64 values a binary command of a session of `dof` joints holds. */
export function binaryCommandValues(mode: StreamMode, dof: number): number {
  return 1 + dof + TAIL[mode];
}

/** Whether a binary frame's length is whole float64 values (else it is not float64 data: 1007). */
export function isFloat64Frame(data: Buffer): boolean {
  return data.length % FLOAT64 === 0;
}

/** The name of value i of a command (seq, q[3], vx, ...), for error messages. */
function valueName(mode: StreamMode, dof: number, i: number): string {
  if (i === 0) return 'seq';
  if (i <= dof) return `q[${i - 1}]`;
  return LAYOUT[mode][i - dof + 1]!;
}

/**
 * Reads a binary command into `out` (binaryCommandValues long) and returns its seq.
 * @throws KinematicsError when the count of values is wrong, a value is not finite or beyond
 *   ±MAX_MAGNITUDE, or seq is not a whole number >= 0; `out` may then be partly written.
 */
export function readBinaryCommand(data: Buffer, mode: StreamMode, dof: number, out: Float64Array): number {
  const expected = binaryCommandValues(mode, dof);
  const count = data.length / FLOAT64;
  if (count !== expected) {
    throw new KinematicsError('DIMENSION_MISMATCH',
      `a binary ${mode} command of this session holds ${expected} float64 values [${LAYOUT[mode].join(', ')}] with n = ${dof}; got ${count}`);
  }
  for (let i = 0; i < expected; i++) {
    const v = data.readDoubleLE(FLOAT64 * i);
    if (!withinMagnitude(v)) {
      throw new KinematicsError('INVALID_VALUE', `value ${i} (${valueName(mode, dof, i)}) of the binary command is ${v}; it must be a finite number within ±${MAX_MAGNITUDE_TEXT}`);
    }
    out[i] = v;
  }
  const seq = out[0]!;
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new KinematicsError('INVALID_VALUE', `seq (value 0 of the binary command) is ${seq}; it must be a whole number from 0`);
  }
  return seq;
}

function writeAll(view: DataView, at: number, values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++, at += FLOAT64) view.setFloat64(at, values[i]!, true);
  return at;
}

/** A velocity result as a binary frame. */
export function encodeVelocityResult(seq: number, computeUs: number, skipped: readonly number[], r: VelocityAnswer): Uint8Array {
  const bytes = new Uint8Array(FLOAT64 * (BINARY_VELOCITY_RESULT_HEAD.length + r.qdot.length + skipped.length));
  const view = new DataView(bytes.buffer);
  const head = [
    seq, computeUs, skipped.length, VELOCITY_CONTROL_STATUSES.indexOf(r.status), r.scale, r.analysis.minSingularValue,
    r.analysis.conditionNumber ?? Infinity, r.analysis.manipulability, r.nullspace?.applied ?? 0, r.nullspace?.objectiveRate ?? 0,
  ];
  writeAll(view, writeAll(view, writeAll(view, 0, head), r.qdot), skipped);
  return bytes;
}

/** A step result as a binary frame. */
export function encodeStepResult(seq: number, computeUs: number, skipped: readonly number[], r: StepAnswer): Uint8Array {
  const bytes = new Uint8Array(FLOAT64 * (BINARY_STEP_RESULT_HEAD.length + 2 * r.q.length + skipped.length));
  const view = new DataView(bytes.buffer);
  const head = [
    seq, computeUs, skipped.length, IK_STEP_STATUSES.indexOf(r.status), r.damping, r.error.position, r.error.orientation,
    r.errorAfter.position, r.errorAfter.orientation, r.analysis.minSingularValue, r.analysis.conditionNumber ?? Infinity,
    r.analysis.manipulability,
  ];
  writeAll(view, writeAll(view, writeAll(view, writeAll(view, 0, head), r.q), r.dq), skipped);
  return bytes;
}
