/**
 * The batch computations as a worker runs them (workers/batch-tasks.ts), called on this thread:
 * the same numbers as the core, results that survive packing into one buffer, tasks that slice
 * into parts computing the same thing, and robots compiled by content on first use.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createIkWorkspace } from '../../src/core/ik/ik-workspace.js';
import { IK_SOLVE_STATUSES, solveIk } from '../../src/core/ik/solve.js';
import { computeJacobian, resolveEndEffector } from '../../src/core/jacobian.js';
import { createWorkspace } from '../../src/core/workspace.js';
import {
  ikResultStride, computeBatch, ikOutcomesOf, packResult, sliceTask, unpackResult, type IkSolveBatchTask, type JacobianBatchTask,
} from '../../src/workers/batch-tasks.js';
import { contextOf, taskRobotOf, urdfOf } from '../../src/workers/robot-contexts.js';
import { readBuiltinUrdf } from '../helpers/paths.js';
import { Random } from '../helpers/random.js';
import { builtinRobot, poseAt, randomInLimits } from '../helpers/robots.js';

const urdf = readBuiltinUrdf('franka_panda');
const robot = taskRobotOf({ sha256: createHash('sha256').update(urdf).digest('hex'), urdf });
const panda = builtinRobot('franka_panda');
const dof = panda.model.dof;

function configurations(count: number, seed: number): Float64Array {
  const rng = new Random(seed);
  const q = new Float64Array(count * dof);
  for (let i = 0; i < count; i++) q.set(randomInLimits(panda.model, rng), i * dof);
  return q;
}

describe('batch tasks', () => {
  it('compute each Jacobian as the core does, in binary and in JSON', () => {
    const count = 20, q = configurations(count, 1);
    const endEffector = { tip: 'panda_hand_tcp', tipOffset: [0, 0, 0.1], referenceFrame: 'WORLD' as const };
    const base: Omit<JacobianBatchTask, 'encoding'> = { kind: 'jacobian', robot, q, count, endEffector, includePose: true };
    const binary = unpackResult(packResult(computeBatch({ ...base, encoding: 'float64' })));
    const json = JSON.parse(`[${Buffer.from(computeBatch({ ...base, encoding: 'json' }).items).toString()}]`) as number[][][];
    const values = new Float64Array(binary.items.buffer.slice(binary.items.byteOffset, binary.items.byteOffset + binary.items.byteLength));
    const ee = resolveEndEffector(panda, endEffector), ws = createWorkspace(panda.model);
    const stride = 6 * dof + 12;
    for (let i = 0; i < count; i++) {
      const J = computeJacobian(panda, ws, q.subarray(i * dof, (i + 1) * dof), ee, new Float64Array(6 * dof));
      expect(Array.from(values.subarray(i * stride, i * stride + 6 * dof))).toEqual(Array.from(J));
      expect(json[i]!.flat()).toEqual(Array.from(J));
    }
  });

  it('solve each IK target as solveIk does, seeded by randomSeed + its index in the request', () => {
    const count = 12, goals = configurations(count, 2), seeds = configurations(count, 3);
    const ee = resolveEndEffector(panda, { tip: 'panda_hand_tcp' });
    const targets = new Float64Array(12 * count);
    for (let i = 0; i < count; i++) targets.set(poseAt(panda, ee, goals.subarray(i * dof, (i + 1) * dof)), 12 * i);
    const task: IkSolveBatchTask = {
      kind: 'ik-solve', robot, count, targets, seeds, first: 0, endEffector: { tip: 'panda_hand_tcp' }, options: { randomSeed: 40, timeoutMs: 1000 }, encoding: 'json',
    };
    const whole = unpackResult(packResult(computeBatch(task)));
    const results = JSON.parse(`[${Buffer.from(whole.items).toString()}]`) as { q: number[]; iterations: number; status: string; elapsedMs: number }[];
    const ik = createIkWorkspace(panda.model);
    results.forEach((r, i) => {
      const expected = solveIk(panda, ik, ee, targets.subarray(12 * i, 12 * (i + 1)), {
        seed: seeds.subarray(i * dof, (i + 1) * dof), randomSeed: 40 + i, timeoutMs: 1000,
      });
      expect(r.q).toEqual(Array.from(expected.q));
      expect(r.iterations).toBe(expected.iterations);
    });
    // the stats carry each solve's outcome and iterations, for the metrics
    expect([...ikOutcomesOf(whole.stats!)]).toEqual(results.map((r) => [r.status, r.iterations]));
    // a part of the task is the same part of the answer: the seeds follow the index in the request
    const part = sliceTask(task, 5, 9, dof) as IkSolveBatchTask;
    expect(part.first).toBe(5);
    const withoutTime = ({ elapsedMs: _, ...rest }: { elapsedMs?: number }): object => rest;
    const partResults = JSON.parse(`[${Buffer.from(computeBatch(part).items).toString()}]`) as { elapsedMs: number }[];
    expect(partResults.map(withoutTime)).toEqual(results.slice(5, 9).map(withoutTime));

    // float64: the same solves written in place into a shared buffer, each part only its range
    const shared = (values: Float64Array): Float64Array => {
      const copy = new Float64Array(new SharedArrayBuffer(values.byteLength));
      copy.set(values);
      return copy;
    };
    const stride = ikResultStride(dof);
    const out = new Float64Array(new SharedArrayBuffer(8 * stride * count)).fill(NaN);
    const binary: IkSolveBatchTask = { ...task, targets: shared(targets), seeds: shared(seeds), encoding: 'float64', out };
    const binaryPart = sliceTask(binary, 5, 9, dof) as IkSolveBatchTask;
    expect(binaryPart.targets).toBe(binary.targets); // a range of the same memory, no copy
    computeBatch(binaryPart);
    for (let i = 0; i < count; i++) {
      const row = out.subarray(i * stride, (i + 1) * stride);
      if (i < 5 || i >= 9) {
        expect(row.every(Number.isNaN)).toBe(true);
        continue;
      }
      const r = results[i] as unknown as {
        converged: boolean; status: string; iterations: number; restarts: number; error: { position: number; orientation: number }; q: number[];
      };
      expect([row[0], IK_SOLVE_STATUSES[row[1]!], row[2], row[3], row[5], row[6]])
        .toEqual([r.converged ? 1 : 0, r.status, r.iterations, r.restarts, r.error.position, r.error.orientation]);
      expect(Array.from(row.subarray(7))).toEqual(r.q);
    }
  });

  it('compile a robot once per thread, by the hash of its URDF, under no caps', () => {
    expect(contextOf(robot)).toBe(contextOf(robot));
    // a robot larger than the default caps (accepted by a registry configured for it)
    let big = '<robot name="long"><link name="l0"/>';
    for (let i = 1; i <= 1100; i++) {
      big += `<link name="l${i}"/><joint name="j${i}" type="continuous"><parent link="l${i - 1}"/><child link="l${i}"/><origin xyz="0 0 0.01"/><axis xyz="0 0 1"/></joint>`;
    }
    big += '</robot>';
    const task = taskRobotOf({ sha256: createHash('sha256').update(big).digest('hex'), urdf: big });
    // carried as UTF-8 in shared memory: passed to a worker by reference
    expect(task.urdf.buffer).toBeInstanceOf(SharedArrayBuffer);
    const context = contextOf(task);
    expect(context.robot.model.dof).toBe(1100);
    expect(urdfOf(task)).toBe(big);
  });
});
