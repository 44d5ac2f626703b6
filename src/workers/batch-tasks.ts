/**
 * Batch computations that may run on a worker thread: each takes a plain, cloneable task (the
 * robot as URDF text, joint vectors packed in one Float64Array) and returns its results already
 * serialised as a JSON fragment (the elements of an array, without the brackets). Formatting
 * doubles dominates a large batch (about 200 ns per number here), so it is done where the
 * computation runs, in parallel across workers.
 */
import { computeLinkPosesInBase } from '../core/forward-kinematics.js';
import { computeJacobian, resolveEndEffector, type EndEffectorSpec } from '../core/jacobian.js';
import type { KinematicModel } from '../core/model.js';
import { poseFromTransform } from '../core/pose.js';
import { SE3_SIZE } from '../core/se3.js';
import { createIkWorkspace, type IkWorkspace } from '../core/ik/ik-workspace.js';
import { solveIk } from '../core/ik/solve.js';
import { createWorkspace, type KinematicWorkspace } from '../core/workspace.js';
import { loadUrdf } from '../urdf/load-urdf.js';

/** A robot as a task carries it: the URDF text and its hash, which keys the compiled-model cache. */
export interface TaskRobot {
  sha256: string;
  urdf: string;
}

interface BatchBase {
  robot: TaskRobot;
  /** count x dof joint values, row after row. */
  q: Float64Array;
  count: number;
}

/** Options of a batch of IK solves, as plain data. */
export interface IkBatchOptions {
  tolerance?: { position: number; orientation: number };
  taskWeights?: number[];
  jointWeights?: number[];
  maxIterations?: number;
  maxRestarts?: number;
  timeoutMs?: number;
  /** Target i restarts from randomSeed + i (i counted over the whole request). */
  randomSeed: number;
}

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

/** Outcome codes of IK solves in BatchResult.stats. */
export const IK_STATUS_CODES = { converged: 0, timeout: 1, 'max-restarts': 2 } as const;

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

const MAX_CACHED_MODELS = 32;
interface CachedModel { model: KinematicModel; workspace: KinematicWorkspace; ik?: IkWorkspace }
const models = new Map<string, CachedModel>();

/** The compiled model of a task's robot, cached per thread by URDF hash. */
export function modelOf(robot: TaskRobot): CachedModel {
  let entry = models.get(robot.sha256);
  if (!entry) {
    const model = loadUrdf(robot.urdf);
    entry = { model, workspace: createWorkspace(model) };
    if (models.size >= MAX_CACHED_MODELS) models.delete(models.keys().next().value!);
    models.set(robot.sha256, entry);
  }
  return entry;
}

/** Registers a model compiled elsewhere on this thread (the main thread's registry). */
export function rememberModel(sha256: string, model: KinematicModel, workspace: KinematicWorkspace): void {
  if (!models.has(sha256)) models.set(sha256, { model, workspace });
}

/** The IK workspace of a cached model, made on first use. */
export function ikWorkspaceOf(robot: TaskRobot): { model: KinematicModel; ik: IkWorkspace } {
  const entry = modelOf(robot);
  entry.ik ??= createIkWorkspace(entry.model);
  return { model: entry.model, ik: entry.ik };
}

/** The part [start, end) of a task's items, as a task of its own. */
export function sliceTask(task: BatchTask, start: number, end: number, dof: number): BatchTask {
  if (task.kind === 'ik-solve') {
    return {
      ...task, count: end - start, first: task.first + start,
      targets: task.targets.slice(12 * start, 12 * end), seeds: task.seeds.slice(start * dof, end * dof),
    };
  }
  return { ...task, count: end - start, q: task.q.slice(start * dof, end * dof) };
}

/** The buffers of a task that can be moved to a worker instead of copied. */
export function transferablesOf(task: BatchTask): ArrayBuffer[] {
  return (task.kind === 'ik-solve' ? [task.targets.buffer, task.seeds.buffer] : [task.q.buffer]) as ArrayBuffer[];
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

function jacobianBatchFloat64(task: JacobianBatchTask, model: KinematicModel, workspace: KinematicWorkspace): BatchResult {
  const ee = resolveEndEffector(model, task.endEffector);
  const dof = model.dof;
  const stride = float64Stride(dof, task.includePose);
  const out = new Float64Array(task.count * stride);
  for (let i = 0; i < task.count; i++) {
    const J = out.subarray(i * stride, i * stride + 6 * dof);
    const X = task.includePose ? out.subarray(i * stride + 6 * dof, (i + 1) * stride) : workspace.X_BE;
    computeJacobian(model, workspace, task.q.subarray(i * dof, (i + 1) * dof), ee, J, X);
  }
  assertFinite(out, 'Jacobian');
  // typed arrays are in the platform's byte order: every platform Node supports is little-endian
  return { items: new Uint8Array(out.buffer) };
}

function jacobianBatch(task: JacobianBatchTask): BatchResult {
  const { model, workspace } = modelOf(task.robot);
  if (task.encoding === 'float64') return jacobianBatchFloat64(task, model, workspace);
  const ee = resolveEndEffector(model, task.endEffector);
  const dof = model.dof;
  const jacobians: number[][][] = [];
  const poses: unknown[] = [];
  for (let i = 0; i < task.count; i++) {
    const J = computeJacobian(model, workspace, task.q.subarray(i * dof, (i + 1) * dof), ee, workspace.J, workspace.X_BE);
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
      assertFinite(workspace.X_BE, 'pose');
      poses.push(poseFromTransform(workspace.X_BE));
    }
  }
  return { items: elements(jacobians), ...(task.includePose ? { poses: elements(poses) } : {}) };
}

function fkBatch(task: FkBatchTask): BatchResult {
  const { model, workspace } = modelOf(task.robot);
  const dof = model.dof;
  const X = new Float64Array(SE3_SIZE * model.linkNames.length);
  const results: unknown[] = [];
  for (let i = 0; i < task.count; i++) {
    computeLinkPosesInBase(model, workspace, task.q.subarray(i * dof, (i + 1) * dof), task.base, X);
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

function ikSolveBatch(task: IkSolveBatchTask): BatchResult {
  const { model, ik } = ikWorkspaceOf(task.robot);
  const ee = resolveEndEffector(model, task.endEffector);
  const dof = model.dof;
  const { randomSeed, ...options } = task.options;
  const results: unknown[] = [];
  const stats = new Float64Array(2 * task.count);
  for (let i = 0; i < task.count; i++) {
    ik.X_target.set(task.targets.subarray(12 * i, 12 * (i + 1)));
    const r = solveIk(ik, ee, { ...options, seed: task.seeds.subarray(i * dof, (i + 1) * dof), randomSeed: (randomSeed + task.first + i) >>> 0 });
    assertFinite(r.q, 'IK solution');
    results.push({ converged: r.converged, status: r.status, q: Array.from(r.q), error: r.error, iterations: r.iterations, restarts: r.restarts, elapsedMs: r.elapsedMs });
    stats[2 * i] = IK_STATUS_CODES[r.status];
    stats[2 * i + 1] = r.iterations;
  }
  return { items: elements(results), stats };
}

export function computeBatch(task: BatchTask): BatchResult {
  switch (task.kind) {
    case 'jacobian': return jacobianBatch(task);
    case 'fk': return fkBatch(task);
    case 'ik-solve': return ikSolveBatch(task);
  }
}
