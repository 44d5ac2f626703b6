/**
 * What every kinematics handler does with a request: find the robot, read joint vectors and the
 * end effector, and turn the core's typed arrays into JSON, refusing non-finite results.
 */
import { KinematicsError } from '../core/errors.js';
import { resolveEndEffector, type EndEffector } from '../core/jacobian.js';
import { readJointVector, type JointValues } from '../core/joint-vector.js';
import type { RobotEntry } from '../robots/registry.js';
import type { EndEffectorSelection } from './schemas/common.js';

/**
 * What a handler needs of a robot: its id (for messages), its context on this thread and its URDF.
 * A registry entry on the main thread, or a worker's own (workers/request-tasks.ts).
 */
export type RobotHandle = Pick<RobotEntry, 'id' | 'context' | 'urdf'>;

/** The row order of every 6-vector and Jacobian. */
export const ROW_ORDER = ['vx', 'vy', 'vz', 'wx', 'wy', 'wz'];

/** The end effector a request names (tip, base, tipOffset, referenceFrame), resolved on the robot. */
export function endEffectorOf(entry: RobotHandle, fields: EndEffectorSelection): EndEffector {
  return resolveEndEffector(entry.context.robot, fields);
}

/** A joint vector of a request, read and checked against the robot (see readJointVector). */
export function jointVectorOf(entry: RobotHandle, values: JointValues, what: string): Float64Array {
  return readJointVector(entry.context.robot.model, values, what);
}

/** Joint weights (each > 0) in q order. */
export function jointWeightsOf(entry: RobotHandle, values: JointValues | undefined): Float64Array | undefined {
  if (values === undefined) return undefined;
  const { model } = entry.context.robot;
  const weights = readJointVector(model, values, 'jointWeights');
  const k = weights.findIndex((w) => !(w > 0));
  if (k >= 0) throw new KinematicsError('INVALID_VALUE', `jointWeights for joint "${model.jointNames[k]}" is ${weights[k]}; joint weights must be greater than 0`);
  return weights;
}

/** Task weights: six values >= 0, not all 0. */
export function taskWeightsOf(weights: number[] | undefined): number[] | undefined {
  if (weights !== undefined && weights.every((w) => w === 0)) {
    throw new KinematicsError('INVALID_VALUE', 'weights are all 0: at least one of the six axes needs a weight (for example [1, 1, 1, 0, 0, 0] for position only)');
  }
  return weights;
}

/** Joint vectors of a batch, read and checked in order, packed row after row. */
export function packJointVectors(entry: RobotHandle, list: JointValues[], what: string): Float64Array {
  const { model } = entry.context.robot;
  const dof = model.dof;
  const packed = new Float64Array(list.length * dof);
  list.forEach((values, i) => readJointVector(model, values, `${what}[${i}]`, packed.subarray(i * dof, (i + 1) * dof)));
  return packed;
}

/**
 * Refuses a batch whose answer would hold more than `limit` numbers (BATCH_MAX_OUTPUT_VALUES),
 * saying how big it would be and what to ask for instead.
 */
export function assertBatchOutput(count: number, valuesEach: number, limit: number, each: string, smaller: string): void {
  const total = count * valuesEach;
  if (total > limit) {
    throw new KinematicsError('INVALID_ARGUMENT',
      `the answer would hold ${count} x ${valuesEach} = ${total} numbers (${each}), more than the ${limit} one batch `
      + `request may produce (BATCH_MAX_OUTPUT_VALUES); ${smaller}`);
  }
}

/** A computed result that is not finite is a defect of ours, never a `null` in a response. */
export function assertFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`non-finite ${what} computed (entry ${i})`);
  }
}

/** Rows of a row-major matrix as nested arrays. */
export function toRows(M: Float64Array, rows: number, columns: number): number[][] {
  const out: number[][] = new Array<number[]>(rows);
  for (let r = 0; r < rows; r++) {
    const row = new Array<number>(columns);
    for (let c = 0; c < columns; c++) row[c] = M[r * columns + c]!;
    out[r] = row;
  }
  return out;
}

/** Whether the caller asked for the binary (float64) answer of a batch route. */
export function wantsBinary(accept: string | undefined): boolean {
  return accept !== undefined && /(^|,)\s*application\/octet-stream\s*(;|,|$)/i.test(accept);
}

/**
 * The little-endian float64 values of a base64 field, `per` values per item for `count` items.
 * @throws KinematicsError INVALID_ARGUMENT when the length or a value is wrong.
 */
export function float64sOf(base64: string, per: number, field: string, what: string): { values: Float64Array; count: number } {
  const bytes = Buffer.from(base64, 'base64');
  const itemBytes = 8 * per;
  if (bytes.length === 0 || bytes.length % itemBytes !== 0) {
    throw new KinematicsError('INVALID_ARGUMENT', `${field} holds ${bytes.length} bytes once decoded; it must be a whole number of ${what} `
      + `of ${per} little-endian float64 values (${itemBytes} bytes each), base64-encoded`);
  }
  const count = bytes.length / itemBytes;
  // a shared buffer: batch workers read it in place (workers/batch-tasks.ts)
  const values = new Float64Array(new SharedArrayBuffer(bytes.length));
  new Uint8Array(values.buffer).set(bytes);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new KinematicsError('INVALID_ARGUMENT', `${field}: value ${i} (${what.slice(0, -1)} ${Math.floor(i / per)}) is ${values[i]}; every value must be finite`);
    }
  }
  return { values, count };
}
