/**
 * Inverse kinematics: one damped step, resolved-rate velocities, full solves and batches of them.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { KinematicsError } from '../../core/errors.js';
import { DEFAULT_RANDOM_SEED, DEFAULT_TIMEOUT_MS, IK_SOLVE_STATUSES, middleOfLimits, solveIk } from '../../core/ik/solve.js';
import { checkRotation, type PoseInput } from '../../core/pose.js';
import type { AppConfig } from '../../config.js';
import type { RobotEntry, RobotRegistry } from '../../robots/registry.js';
import { ikOutcomesOf, ikResultStride, type IkBatchOptions, type IkSolveResultJson } from '../../workers/batch-tasks.js';
import type { BatchRunner } from '../../workers/batch-runner.js';
import { taskRobotOf } from '../../workers/robot-contexts.js';
import { prepareIkStep, prepareIkVelocity, runIkStep, runIkVelocity, targetOf } from '../ik-commands.js';
import type { ServiceMetrics } from '../metrics.js';
import { BATCH_BODY_LIMIT_HINT } from '../problem.js';
import {
  assertBatchOutput, assertFinite, endEffectorOf, float64sOf, jointVectorOf, jointWeightsOf, packJointVectors, taskWeightsOf, wantsBinary,
} from '../robot-request.js';
import { KINEMATICS_PROBLEMS, RobotIdParams, problemResponses } from '../schemas/common.js';
import {
  IK_BINARY_RESULT_FIELDS, IkSolveBatchResponse, IkSolveResponse, IkStepRequest, IkStepResponse, IkVelocityRequest, IkVelocityResponse,
  ikSolveBatchRequest, ikSolveRequest, type SolveOptionFields,
} from '../schemas/ik.js';

/** Numbers in an IK result besides q: converged, status, two errors, iterations, restarts, elapsedMs (and room). */
const IK_RESULT_VALUES = 8;

export interface IkRoutesOptions {
  registry: RobotRegistry;
  config: AppConfig;
  batches: BatchRunner;
  metrics: ServiceMetrics;
}

/** Records the IK outcomes a batch's workers reported. */
function recordBatchStats(metrics: ServiceMetrics, stats: Float64Array[]): void {
  for (const part of stats) for (const [outcome, iterations] of ikOutcomesOf(part)) metrics.observeIkSolve(outcome, iterations);
}

/** The solver options of a request, as plain data a worker can take. */
function solveOptionsOf(entry: RobotEntry, body: SolveOptionFields): IkBatchOptions {
  const taskWeights = taskWeightsOf(body.weights);
  const jointWeights = jointWeightsOf(entry, body.jointWeights);
  return {
    ...(body.tolerance ? { tolerance: body.tolerance } : {}),
    ...(taskWeights ? { taskWeights } : {}),
    ...(jointWeights ? { jointWeights: Array.from(jointWeights) } : {}),
    ...(body.maxIterations !== undefined ? { maxIterations: body.maxIterations } : {}),
    ...(body.maxRestarts !== undefined ? { maxRestarts: body.maxRestarts } : {}),
    ...(body.timeoutMs !== undefined ? { timeoutMs: body.timeoutMs } : {}),
    randomSeed: body.randomSeed ?? DEFAULT_RANDOM_SEED,
  };
}

function targetsOf(targets: PoseInput[], taskWeights: ArrayLike<number> | undefined, packed: Float64Array = new Float64Array(12 * targets.length)): Float64Array {
  targets.forEach((target, i) => targetOf(target, taskWeights, packed, 12 * i, `targets[${i}]`));
  return packed;
}

/** The start configuration of a solve: the one given, or the middle of the limits. */
function seedOf(entry: RobotEntry, seed: SolveSeed | undefined): Float64Array {
  return seed === undefined ? middleOfLimits(entry.context.robot.model, new Float64Array(entry.context.robot.model.dof)) : jointVectorOf(entry, seed, 'seed');
}
type SolveSeed = Parameters<typeof jointVectorOf>[1];

export const ikRoutes: FastifyPluginAsyncTypebox<IkRoutesOptions> = async (app, { registry, config, batches, metrics }) => {
  const problems = problemResponses(...KINEMATICS_PROBLEMS);

  app.post('/robots/:id/ik/step', {
    schema: {
      tags: ['inverse kinematics'], summary: 'One damped-least-squares step toward a pose',
      description: 'dq = Wq⁻¹J̃ᵀ(J̃Wq⁻¹J̃ᵀ + λ²I)⁻¹ẽ with J̃ = √Wx J, ẽ = √Wx e; e is the position difference and the rotation '
        + 'vector of R_target R_tipᵀ, in base axes. The damping adapts to the smallest singular value unless given. A joint '
        + 'at a limit that the step would push outward is taken out of the step; the step is then shortened to stay within '
        + 'the limits. Continuous joints are never limited.',
      params: RobotIdParams, body: IkStepRequest, response: { 200: IkStepResponse, ...problems },
    },
  }, async (request) => {
    const { q, target, ...fields } = request.body;
    const entry = registry.get(request.params.id);
    const step = prepareIkStep(entry, fields);
    const { ik } = entry.context;
    return runIkStep(step, ik, jointVectorOf(entry, q, 'q'), targetOf(target, step.taskWeights, ik.solver.X_BT));
  });

  app.post('/robots/:id/ik/velocity', {
    schema: {
      tags: ['inverse kinematics'], summary: 'Joint velocities for a tip twist (resolved-rate control)',
      description: 'q̇ = J⁺V (damped near singularities), scaled as a whole (its direction kept): when the twist pushes toward a singularity (its '
        + 'exact joint motion shrinks the smallest singular value), by the condition-number band of MoveIt Servo (full '
        + 'speed below lowerSingularityThreshold, stopped at hardStopSingularityThreshold), while twists that back out are '
        + 'not slowed; and so that no joint passes a position limit within dt or exceeds its velocity limit.',
      params: RobotIdParams, body: IkVelocityRequest, response: { 200: IkVelocityResponse, ...problems },
    },
  }, async (request) => {
    const { q, twist, ...fields } = request.body;
    const entry = registry.get(request.params.id);
    return runIkVelocity(prepareIkVelocity(entry, fields), entry.context.ik, jointVectorOf(entry, q, 'q'),
      Float64Array.of(...twist.linear, ...twist.angular));
  });

  app.post('/robots/:id/ik/solve', {
    schema: {
      tags: ['inverse kinematics'], summary: 'Solve for a pose',
      description: 'Damped steps (Levenberg–Marquardt) from the seed, then random restarts inside the limits, until the '
        + 'tolerance is met, the iteration and restart budgets run out, or timeoutMs passes. Not converging is a 200 with '
        + 'converged: false and the best configuration found. Deterministic for a given randomSeed, unless timeoutMs stops '
        + 'the search before the iteration and restart budgets do.',
      params: RobotIdParams, body: ikSolveRequest(config.ikMaxTimeoutMs), response: { 200: IkSolveResponse, ...problems },
    },
  }, async (request) => {
    const body = request.body;
    const entry = registry.get(request.params.id);
    const ee = endEffectorOf(entry, { tip: body.tip, base: body.base, tipOffset: body.tipOffset });
    const options = solveOptionsOf(entry, body);
    const target = targetOf(body.target, options.taskWeights, new Float64Array(12));
    const seed = seedOf(entry, body.seed);
    const { robot, ik } = entry.context;
    const joints = robot.model.jointNames as string[];
    if (batches.ikRunsInline(options.timeoutMs ?? DEFAULT_TIMEOUT_MS)) {
      // a short budget while the event loop has room: inline, as cheap as the solve itself
      const r = batches.runIkInline(() => solveIk(robot, ik, ee, target, { ...options, seed }));
      assertFinite(r.q, 'IK solution');
      metrics.observeIkSolve(r.status, r.iterations);
      return { joints, converged: r.converged, status: r.status, q: Array.from(r.q), error: r.error, iterations: r.iterations, restarts: r.restarts, elapsedMs: r.elapsedMs };
    }
    // a long budget would hold the event loop: on a worker
    const result = await batches.run(entry.context, {
      kind: 'ik-solve', robot: taskRobotOf(entry), count: 1, targets: target, seeds: seed, first: 0,
      endEffector: { tip: ee.tipName, base: ee.baseName, ...(ee.tipOffset ? { tipOffset: Array.from(ee.tipOffset) } : {}) },
      options, encoding: 'json',
    });
    recordBatchStats(metrics, result.stats);
    return { joints, ...(JSON.parse(Buffer.concat(result.items).toString('utf8')) as IkSolveResultJson) };
  });

  app.post('/robots/:id/ik/solve/batch', {
    bodyLimit: config.batchBodyLimit,
    config: { bodyLimitHint: BATCH_BODY_LIMIT_HINT },
    schema: {
      tags: ['inverse kinematics'], summary: 'Solve for many poses',
      description: 'Like ik/solve for each target, answered in the same order, computed on worker threads so that the event loop '
        + `stays free for cheap requests. At most ${config.maxBatch} targets, (dof + 8) x targets at most ${config.batchMaxOutputValues} (BATCH_MAX_OUTPUT_VALUES), and at most ${config.ikBatchMaxWorkMs} ms of total `
        + 'budget (targets x timeoutMs) per request.',
      params: RobotIdParams, body: ikSolveBatchRequest(config.maxBatch, config.ikMaxTimeoutMs, config.ikBatchMaxWorkMs),
      response: { 200: IkSolveBatchResponse, ...problems },
    },
  }, async (request, reply) => {
    const body = request.body;
    const entry = registry.get(request.params.id);
    const { model } = entry.context.robot;
    const dof = model.dof;
    if ((body.targets === undefined) === (body.targetsFloat64 === undefined)) {
      throw new KinematicsError('INVALID_ARGUMENT', 'give the targets either as "targets" (poses) or as "targetsFloat64" (base64 of float64 values), exactly one of them');
    }
    const ee = endEffectorOf(entry, { tip: body.tip, base: body.base, tipOffset: body.tipOffset });
    const options = solveOptionsOf(entry, body);
    // targets and seeds in SharedArrayBuffers: the workers read their ranges in place
    let targets: Float64Array, count: number;
    if (body.targetsFloat64 !== undefined) {
      ({ values: targets, count } = float64sOf(body.targetsFloat64, 12, 'targetsFloat64', 'targets'));
      if (count > config.maxBatch) throw new KinematicsError('INVALID_ARGUMENT', `targetsFloat64 holds ${count} targets; at most ${config.maxBatch} per request`);
      for (let i = 0; i < count; i++) checkRotation(targets, `targetsFloat64 target ${i}`, 12 * i);
    } else {
      count = body.targets!.length;
      targets = targetsOf(body.targets!, options.taskWeights, new Float64Array(new SharedArrayBuffer(96 * count)));
    }
    const timeoutMs = body.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (count * timeoutMs > config.ikBatchMaxWorkMs) {
      throw new KinematicsError('INVALID_ARGUMENT',
        `${count} targets x timeoutMs ${timeoutMs} = ${count * timeoutMs} ms of solver budget; one request may ask for at most ${config.ikBatchMaxWorkMs} ms: send fewer targets or a smaller timeoutMs`);
    }
    assertBatchOutput(count, dof + IK_RESULT_VALUES, config.batchMaxOutputValues,
      `q of ${dof} joints and ${IK_RESULT_VALUES} more per result`, 'send fewer targets per request');
    if (body.seed !== undefined && body.seeds !== undefined) {
      throw new KinematicsError('INVALID_ARGUMENT', 'give either "seed" (one for every target) or "seeds" (one per target), not both');
    }
    if (body.seeds !== undefined && body.seeds.length !== count) {
      throw new KinematicsError('DIMENSION_MISMATCH', `seeds has ${body.seeds.length} entries but targets has ${count}; give one seed per target`);
    }
    const seeds = new Float64Array(new SharedArrayBuffer(8 * count * dof));
    if (body.seeds !== undefined) {
      seeds.set(packJointVectors(entry, body.seeds, 'seeds'));
    } else {
      const seed = seedOf(entry, body.seed);
      for (let i = 0; i < count; i++) seeds.set(seed, i * dof);
    }
    const binary = wantsBinary(request.headers.accept);
    const stride = ikResultStride(dof);
    const out = binary ? new Float64Array(new SharedArrayBuffer(8 * stride * count)) : undefined;
    const result = await batches.run(entry.context, {
      kind: 'ik-solve', robot: taskRobotOf(entry), count, targets, seeds, first: 0,
      endEffector: { tip: ee.tipName, base: ee.baseName, ...(ee.tipOffset ? { tipOffset: Array.from(ee.tipOffset) } : {}) },
      options, encoding: binary ? 'float64' : 'json', ...(out ? { out } : {}),
    });
    recordBatchStats(metrics, result.stats);
    if (out) {
      return (reply as FastifyReply).type('application/octet-stream').headers({
        'x-values-per-result': String(stride), 'x-result-fields': [...IK_BINARY_RESULT_FIELDS, 'q'].join(','),
        'x-ik-statuses': IK_SOLVE_STATUSES.join(','), 'x-joints': model.jointNames.map(encodeURIComponent).join(','),
      }).send(Buffer.from(out.buffer));
    }
    const header = `{"joints":${JSON.stringify(model.jointNames)},"results":[`;
    return (reply as FastifyReply).type('application/json; charset=utf-8')
      .send(Buffer.concat([Buffer.from(header), ...result.items, Buffer.from(']}')]));
  });
};
