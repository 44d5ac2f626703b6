/**
 * Batch computations that may run on a worker thread: each takes a plain, cloneable task (the
 * robot as URDF text, joint vectors packed in one Float64Array) and returns its results already
 * serialised as a JSON fragment (the elements of an array, without the brackets). Formatting
 * doubles dominates a large batch (about 200 ns per number here), so it is done where the
 * computation runs, in parallel across workers.
 */
import { computeLinkPosesInBase } from '../core/forward-kinematics.js';
import { IK_SOLVE_STATUSES, solveIk, type IkSolveOptions, type IkSolveResult } from '../core/ik/solve.js';
import { computeJacobian, resolveEndEffector, type EndEffectorSpec } from '../core/jacobian.js';
import { poseFromTransform } from '../core/pose.js';
import type { RobotContext } from '../core/robot-context.js';
import { SE3_SIZE } from '../core/se3.js';
import { contextOf, type TaskRobot } from './robot-contexts.js';

export type { TaskRobot };

interface BatchBase {
  robot: TaskRobot;
  /** count x dof joint values, row after row. */
  q: Float64Array;
  count: number;
}

/** Options of a batch of IK solves, as plain data (the solver's options, weights as arrays). */
export type IkBatchOptions = Pick<IkSolveOptions, 'tolerance' | 'maxIterations' | 'maxRestarts' | 'timeoutMs'> & {
  taskWeights?: number[];
  jointWeights?: number[];
  /** Target i restarts from randomSeed + i (i counted over the whole request). */
  randomSeed: number;
};

/** One solve of a batch as JSON: the solver's result with q as an array. */
export type IkSolveResultJson = Omit<IkSolveResult, 'q'> & { q: number[] };

export interface IkSolveBatchTask {
  kind: 'ik-solve';
  robot: TaskRobot;
  count: number;
  /** count target poses, 12 doubles each (see se3.ts). */
  targets: Float64Array;
  /** count x dof seeds. */
  seeds: Float64Array;
  /** Index of this task's first target in the request. */
  first: number;
  endEffector: EndEffectorSpec;
  options: IkBatchOptions;
  /**
   * 'json': the results as JSON text. 'float64': written in place into `out`, ikResultStride(dof)
   * doubles per result from index `first` (see IK_BINARY_RESULT_FIELDS in the HTTP schemas); then
   * targets, seeds and out are views of SharedArrayBuffers of the whole request, which the
   * threads share without copies, each reading and writing only its own range.
   */
  encoding: 'json' | 'float64';
  out?: Float64Array;
}

/** Values per result of the float64 encoding of IK: 7 fields, then q. */
export function ikResultStride(dof: number): number {
  return 7 + dof;
}

export interface JacobianBatchTask extends BatchBase {
  kind: 'jacobian';
  endEffector: EndEffectorSpec;
  includePose: boolean;
  /**
   * 'json': JSON text. 'float64': per configuration the 6 x dof Jacobian row-major, then (with
   * includePose) the 12 doubles of the pose (rotation row-major, then position), little-endian.
   */
  encoding: 'json' | 'float64';
}

export interface FkBatchTask extends BatchBase {
  kind: 'fk';
  base: number;
  links: number[];
}

export type BatchTask = JacobianBatchTask | FkBatchTask | IkSolveBatchTask;

/**
 * The result: the JSON text of the elements, joined by commas, as UTF-8 bytes (jacobians, and
 * poses when asked). Bytes rather than strings: a worker's buffer is transferred to the main
 * thread without a copy and written to the socket without being encoded again.
 */
export interface BatchResult {
  items: Uint8Array;
  poses?: Uint8Array;
  /** Numbers about the work, for metrics: for IK, per solve its outcome code and iterations. */
  stats?: Float64Array;
}

/** The outcome code of an IK solve in BatchResult.stats: its index in IK_SOLVE_STATUSES. */
const IK_STATUS_CODES = Object.fromEntries(IK_SOLVE_STATUSES.map((status, code) => [status, code])) as Record<IkSolveResult['status'], number>;

const HEADER_BYTES = 16;

/**
 * One buffer for a result, so that it can be transferred without a copy:
 * [stats bytes, items bytes, poses bytes as uint32, padding][stats][items][poses]
 * (the stats first, where a 16-byte header keeps them aligned for a Float64Array view).
 */
export function packResult(result: BatchResult): Uint8Array {
  const stats = result.stats ? new Uint8Array(result.stats.buffer, result.stats.byteOffset, result.stats.byteLength) : new Uint8Array(0);
  const poses = result.poses ?? new Uint8Array(0);
  const packed = new Uint8Array(HEADER_BYTES + stats.length + result.items.length + poses.length);
  const header = new DataView(packed.buffer);
  header.setUint32(0, stats.length, true);
  header.setUint32(4, result.items.length, true);
  header.setUint32(8, poses.length, true);
  packed.set(stats, HEADER_BYTES);
  packed.set(result.items, HEADER_BYTES + stats.length);
  packed.set(poses, HEADER_BYTES + stats.length + result.items.length);
  return packed;
}

export function unpackResult(packed: Uint8Array): BatchResult {
  const header = new DataView(packed.buffer, packed.byteOffset, HEADER_BYTES);
  const statsBytes = header.getUint32(0, true), itemsBytes = header.getUint32(4, true), posesBytes = header.getUint32(8, true);
  const at = packed.byteOffset + HEADER_BYTES;
  const result: BatchResult = { items: packed.subarray(HEADER_BYTES + statsBytes, HEADER_BYTES + statsBytes + itemsBytes) };
  if (posesBytes > 0) result.poses = packed.subarray(HEADER_BYTES + statsBytes + itemsBytes);
  if (statsBytes > 0) result.stats = new Float64Array(packed.buffer.slice(at, at + statsBytes));
  return result;
}

/** The part [start, end) of a task's items, as a task of its own. */
export function sliceTask(task: BatchTask, start: number, end: number, dof: number): BatchTask {
  if (task.kind === 'ik-solve' && task.encoding === 'float64') {
    // shared buffers: the part is a range of the same memory, not a copy
    return { ...task, count: end - start, first: task.first + start };
  }
  if (task.kind === 'ik-solve') {
    return {
      ...task, count: end - start, first: task.first + start,
      targets: task.targets.slice(12 * start, 12 * end), seeds: task.seeds.slice(start * dof, end * dof),
    };
  }
  return { ...task, count: end - start, q: task.q.slice(start * dof, end * dof) };
}

/** The buffers of a task that can be moved to a worker instead of copied (shared ones are neither). */
export function transferablesOf(task: BatchTask): ArrayBuffer[] {
  const buffers = task.kind === 'ik-solve' ? [task.targets.buffer, task.seeds.buffer] : [task.q.buffer];
  return buffers.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}

function assertFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`non-finite ${what} computed`);
  }
}

/** The elements of a JSON array, without its brackets, as UTF-8. */
function elements(values: unknown[]): Uint8Array {
  const text = JSON.stringify(values);
  return Buffer.from(text.slice(1, -1), 'utf8');
}

/** Doubles per configuration of the float64 encoding. */
export function float64Stride(dof: number, includePose: boolean): number {
  return 6 * dof + (includePose ? SE3_SIZE : 0);
}

function jacobianBatchFloat64(task: JacobianBatchTask, context: RobotContext): BatchResult {
  const { robot, kinematics } = context;
  const ee = resolveEndEffector(robot, task.endEffector);
  const dof = robot.model.dof;
  const stride = float64Stride(dof, task.includePose);
  const out = new Float64Array(task.count * stride);
  for (let i = 0; i < task.count; i++) {
    const J = out.subarray(i * stride, i * stride + 6 * dof);
    const X = task.includePose ? out.subarray(i * stride + 6 * dof, (i + 1) * stride) : kinematics.X_BE;
    computeJacobian(robot, kinematics, task.q.subarray(i * dof, (i + 1) * dof), ee, J, X);
  }
  assertFinite(out, 'Jacobian');
  // typed arrays are in the platform's byte order: every platform Node supports is little-endian
  return { items: new Uint8Array(out.buffer) };
}

function jacobianBatch(task: JacobianBatchTask, context: RobotContext): BatchResult {
  if (task.encoding === 'float64') return jacobianBatchFloat64(task, context);
  const { robot, kinematics } = context;
  const ee = resolveEndEffector(robot, task.endEffector);
  const dof = robot.model.dof;
  const jacobians: number[][][] = [];
  const poses: unknown[] = [];
  for (let i = 0; i < task.count; i++) {
    const J = computeJacobian(robot, kinematics, task.q.subarray(i * dof, (i + 1) * dof), ee, kinematics.J, kinematics.X_BE);
    assertFinite(J, 'Jacobian');
    const rows: number[][] = [];
    for (let r = 0; r < 6; r++) {
      // filled by push, the array stays packed: JSON.stringify is about a quarter faster on packed
      // arrays than on the holey ones that new Array(n) makes
      const row: number[] = [];
      for (let k = 0; k < dof; k++) row.push(J[r * dof + k]!);
      rows.push(row);
    }
    jacobians.push(rows);
    if (task.includePose) {
      assertFinite(kinematics.X_BE, 'pose');
      poses.push(poseFromTransform(kinematics.X_BE));
    }
  }
  return { items: elements(jacobians), ...(task.includePose ? { poses: elements(poses) } : {}) };
}

function fkBatch(task: FkBatchTask, context: RobotContext): BatchResult {
  const { robot, kinematics } = context;
  const { model } = robot;
  const dof = model.dof;
  const X = new Float64Array(SE3_SIZE * model.linkNames.length);
  const results: unknown[] = [];
  for (let i = 0; i < task.count; i++) {
    computeLinkPosesInBase(robot, kinematics, task.q.subarray(i * dof, (i + 1) * dof), task.base, X);
    const poses: Record<string, unknown> = {};
    for (const link of task.links) {
      const o = SE3_SIZE * link;
      assertFinite(X.subarray(o, o + SE3_SIZE), 'pose');
      poses[model.linkNames[link]!] = poseFromTransform(X, o);
    }
    results.push({ poses });
  }
  return { items: elements(results) };
}

/**
 * IK in the float64 encoding: targets and seeds of the whole request, read at this task's range
 * (from task.first), results written in place into task.out. Only stats travel back.
 */
function ikSolveBatchFloat64(task: IkSolveBatchTask, context: RobotContext, out: Float64Array): BatchResult {
  const { robot, ik } = context;
  const ee = resolveEndEffector(robot, task.endEffector);
  const dof = robot.model.dof, stride = ikResultStride(dof);
  const { randomSeed, ...options } = task.options;
  const stats = new Float64Array(2 * task.count);
  for (let i = 0; i < task.count; i++) {
    const k = task.first + i;
    const r = solveIk(robot, ik, ee, task.targets.subarray(12 * k, 12 * (k + 1)), {
      ...options, seed: task.seeds.subarray(k * dof, (k + 1) * dof), randomSeed: (randomSeed + k) >>> 0,
    });
    assertFinite(r.q, 'IK solution');
    const o = k * stride, code = IK_STATUS_CODES[r.status];
    out[o] = r.converged ? 1 : 0; out[o + 1] = code; out[o + 2] = r.iterations; out[o + 3] = r.restarts;
    out[o + 4] = r.elapsedMs; out[o + 5] = r.error.position; out[o + 6] = r.error.orientation;
    out.set(r.q, o + 7);
    stats[2 * i] = code;
    stats[2 * i + 1] = r.iterations;
  }
  return { items: new Uint8Array(0), stats };
}

function ikSolveBatch(task: IkSolveBatchTask, context: RobotContext): BatchResult {
  if (task.encoding === 'float64') {
    if (!task.out) throw new Error('an IK task in the float64 encoding needs its output buffer');
    return ikSolveBatchFloat64(task, context, task.out);
  }
  const { robot, ik } = context;
  const ee = resolveEndEffector(robot, task.endEffector);
  const dof = robot.model.dof;
  const { randomSeed, ...options } = task.options;
  const results: IkSolveResultJson[] = [];
  const stats = new Float64Array(2 * task.count);
  for (let i = 0; i < task.count; i++) {
    const r = solveIk(robot, ik, ee, task.targets.subarray(12 * i, 12 * (i + 1)), {
      ...options, seed: task.seeds.subarray(i * dof, (i + 1) * dof), randomSeed: (randomSeed + task.first + i) >>> 0,
    });
    assertFinite(r.q, 'IK solution');
    results.push({ converged: r.converged, status: r.status, q: Array.from(r.q), error: r.error, iterations: r.iterations, restarts: r.restarts, elapsedMs: r.elapsedMs });
    stats[2 * i] = IK_STATUS_CODES[r.status];
    stats[2 * i + 1] = r.iterations;
  }
  return { items: elements(results), stats };
}

/** The IK outcomes of BatchResult.stats, for metrics: pairs of status and iterations. */
export function* ikOutcomesOf(stats: Float64Array): Generator<[IkSolveResult['status'], number]> {
  for (let i = 0; i + 1 < stats.length; i += 2) yield [IK_SOLVE_STATUSES[stats[i]!]!, stats[i + 1]!];
}

/**
 * Computes a task on this thread, with the robot's context on this thread (compiled from the
 * task's URDF on first use unless the caller, the main thread, passes the one it has).
 */
export function computeBatch(task: BatchTask, context: RobotContext = contextOf(task.robot)): BatchResult {
  switch (task.kind) {
    case 'jacobian': return jacobianBatch(task, context);
    case 'fk': return fkBatch(task, context);
    case 'ik-solve': return ikSolveBatch(task, context);
  }
}
