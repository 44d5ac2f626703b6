/**
 * Forward kinematics, Jacobians, tip velocity and statics, single and batch.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { computeJointEfforts } from '../../core/statics.js';
import { computeTwist } from '../../core/velocity.js';
import type { AppConfig } from '../../config.js';
import type { RobotRegistry } from '../../robots/registry.js';
import { float64Stride } from '../../workers/batch-tasks.js';
import { taskRobotOf } from '../../workers/robot-contexts.js';
import type { BatchRunner } from '../../workers/batch-runner.js';
import { fkTargets } from '../heavy-requests.js';
import type { HeavyAnswer } from '../heavy-runner.js';
import { BATCH_BODY_LIMIT_HINT } from '../problem.js';
import {
  ROW_ORDER, assertBatchOutput, assertFinite, endEffectorOf, jointVectorOf, packJointVectors, wantsBinary,
} from '../robot-request.js';
import { HEAVY_PROBLEMS, KINEMATICS_PROBLEMS, RobotIdParams, problemResponses } from '../schemas/common.js';
import {
  FkRequest, FkBatchResponse, FkResponse, JacobianBatchResponse, JacobianRequest, JacobianResponse,
  StaticsRequest, StaticsResponse, VelocityRequest, VelocityResponse, fkBatchRequest, jacobianBatchRequest,
} from '../schemas/kinematics.js';

export interface KinematicsRoutesOptions {
  registry: RobotRegistry;
  config: AppConfig;
  batches: BatchRunner;
  /** Answers fk and jacobian where the cost model says: a robot of many links has a large answer (heavy-runner.ts). */
  answer: HeavyAnswer;
}

/**
 * Sends a body that is already JSON, as the batch routes assemble it from fragments that were
 * serialised where they were computed: Fastify sends bytes as they are, so the response schema
 * documents the body without serialising it again.
 */
function sendJsonParts(reply: FastifyReply, parts: (string | Uint8Array | Uint8Array[])[]): FastifyReply {
  const buffers = parts.flat().map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p));
  return reply.type('application/json; charset=utf-8').send(Buffer.concat(buffers)); // the one copy
}

/** Numbers in a pose of the answer: position (3), quaternion (4) and rotation (9). */
const POSE_VALUES = 16;

export const kinematicsRoutes: FastifyPluginAsyncTypebox<KinematicsRoutesOptions> = async (app, { registry, config, batches, answer }) => {
  const problems = problemResponses(...KINEMATICS_PROBLEMS);
  const heavyProblems = problemResponses(...HEAVY_PROBLEMS);
  const batch = { bodyLimit: config.batchBodyLimit, config: { bodyLimitHint: BATCH_BODY_LIMIT_HINT } };

  app.post('/robots/:id/fk', {
    schema: {
      tags: ['kinematics'], summary: 'Forward kinematics',
      description: 'Poses of links (all when `links` is absent) in the base frame (the root link unless `base` names another).',
      params: RobotIdParams, body: FkRequest, response: { 200: FkResponse, ...heavyProblems },
    },
  }, async (request, reply) => answer('fk', registry.get(request.params.id), request.body, reply));

  app.post('/robots/:id/fk/batch', {
    ...batch,
    schema: {
      tags: ['kinematics'], summary: 'Forward kinematics of many configurations',
      description: `Like fk for each configuration of \`qs\` (at most ${config.maxBatch}), answered in the same order. `
        + `The answer may hold at most ${config.batchMaxOutputValues} numbers (16 per pose; BATCH_MAX_OUTPUT_VALUES).`,
      params: RobotIdParams, body: fkBatchRequest(config.maxBatch), response: { 200: FkBatchResponse, ...problems },
    },
  }, async (request, reply) => {
    const entry = registry.get(request.params.id);
    const { base, links } = fkTargets(entry, request.body);
    const count = request.body.qs.length;
    assertBatchOutput(count, POSE_VALUES * links.length, config.batchMaxOutputValues, `a pose of 16 numbers for each of ${links.length} links`,
      'name fewer links in "links" or send fewer configurations per request');
    const q = packJointVectors(entry, request.body.qs, 'qs');
    const result = await batches.run(entry.context, { kind: 'fk', robot: taskRobotOf(entry), q, count, base, links });
    // already JSON: the fragments were serialised where they were computed
    return sendJsonParts(reply, [`{"base":${JSON.stringify(entry.context.robot.model.linkNames[base])},"results":[`, result.items, ']}']);
  });

  app.post('/robots/:id/jacobian', {
    schema: {
      tags: ['kinematics'], summary: 'Jacobian',
      description: 'The 6 x dof Jacobian of the tip point relative to the base, rows linear first, one column per active joint '
        + '(zero for joints that do not move the tip; a mimic joint folded into its leader), and the tip pose. '
        + '`analysis: true` adds singular values, manipulability, condition number and rank.',
      params: RobotIdParams, body: JacobianRequest, response: { 200: JacobianResponse, ...heavyProblems },
    },
  }, async (request, reply) => answer('jacobian', registry.get(request.params.id), request.body, reply));

  app.post('/robots/:id/jacobian/batch', {
    ...batch,
    schema: {
      tags: ['kinematics'], summary: 'Jacobians of many configurations',
      description: `Like jacobian for each configuration of \`qs\` (at most ${config.maxBatch}), answered in the same order; `
        + `the answer may hold at most ${config.batchMaxOutputValues} numbers (6 x dof per Jacobian, 16 per pose; BATCH_MAX_OUTPUT_VALUES). `
        + 'With `Accept: application/octet-stream` the answer is binary instead of JSON, exact and several times faster to '
        + 'produce and read: little-endian float64 values, per configuration the 6 x dof Jacobian row by row, followed with '
        + '`includePose` by the 12 values of the pose (rotation row by row, then position). The headers x-configurations, '
        + 'x-jacobian-rows, x-jacobian-columns, x-values-per-configuration, x-joints (the column order: joint names, each '
        + 'percent-encoded as by encodeURIComponent, comma-separated), x-row-order and x-reference-frame describe the layout.',
      params: RobotIdParams, body: jacobianBatchRequest(config.maxBatch),
      response: {
        200: {
          description: 'the Jacobians, in the order of qs',
          content: {
            'application/json': { schema: JacobianBatchResponse },
            'application/octet-stream': { schema: Type.String({ format: 'binary', description: 'little-endian float64 values (see the description)' }) },
          },
        } as never,
        ...problems,
      },
    },
  }, async (request, reply) => {
    const entry = registry.get(request.params.id);
    const { model } = entry.context.robot;
    const ee = endEffectorOf(entry, request.body);
    const q = packJointVectors(entry, request.body.qs, 'qs');
    const includePose = request.body.includePose === true;
    const binary = wantsBinary(request.headers.accept);
    const count = request.body.qs.length;
    assertBatchOutput(count, 6 * model.dof + (includePose ? POSE_VALUES : 0), config.batchMaxOutputValues,
      `a 6 x ${model.dof} Jacobian${includePose ? ' and a pose' : ''} per configuration`, 'send fewer configurations per request');
    const result = await batches.run(entry.context, {
      kind: 'jacobian', robot: taskRobotOf(entry), q, count, includePose, encoding: binary ? 'float64' : 'json',
      endEffector: {
        tip: ee.tipName, base: ee.baseName, referenceFrame: ee.referenceFrame,
        ...(ee.tipOffset ? { tipOffset: Array.from(ee.tipOffset) } : {}),
      },
    });
    if (binary) {
      return reply.type('application/octet-stream').headers({
        'x-configurations': String(count), 'x-jacobian-rows': '6', 'x-jacobian-columns': String(model.dof),
        'x-values-per-configuration': String(float64Stride(model.dof, includePose)), 'x-joints': model.jointNames.map(encodeURIComponent).join(','),
        'x-row-order': ROW_ORDER.join(','), 'x-reference-frame': ee.referenceFrame,
      }).send(Buffer.concat(result.items));
    }
    const header = JSON.stringify({
      base: ee.baseName, tip: ee.tipName, referenceFrame: ee.referenceFrame, rowOrder: ROW_ORDER, joints: model.jointNames,
    }).slice(0, -1);
    return sendJsonParts(reply, [`${header},"jacobians":[`, result.items,
      ...(includePose ? ['],"poses":[', result.poses ?? []] : []), ']}']);
  });

  app.post('/robots/:id/velocity', {
    schema: {
      tags: ['kinematics'], summary: 'Tip twist for joint velocities',
      description: 'The twist J(q) q̇ of the tip point: linear (m/s) and angular (rad/s) velocity in the reference frame.',
      params: RobotIdParams, body: VelocityRequest, response: { 200: VelocityResponse, ...problems },
    },
  }, async (request) => {
    const entry = registry.get(request.params.id);
    const ee = endEffectorOf(entry, request.body);
    const { robot, kinematics } = entry.context;
    const twist = computeTwist(robot, kinematics, jointVectorOf(entry, request.body.q, 'q'),
      jointVectorOf(entry, request.body.qdot, 'qdot'), ee, new Float64Array(6));
    assertFinite(twist, 'twist');
    return {
      base: ee.baseName, tip: ee.tipName, referenceFrame: ee.referenceFrame,
      twist: { linear: [twist[0]!, twist[1]!, twist[2]!], angular: [twist[3]!, twist[4]!, twist[5]!] },
    };
  });

  app.post('/robots/:id/statics', {
    schema: {
      tags: ['kinematics'], summary: 'Joint efforts for a tip wrench',
      description: 'The joint efforts Jᵀ(q) w that balance the wrench w exerted by the tip, in q order.',
      params: RobotIdParams, body: StaticsRequest, response: { 200: StaticsResponse, ...problems },
    },
  }, async (request) => {
    const entry = registry.get(request.params.id);
    const ee = endEffectorOf(entry, request.body);
    const { force, torque } = request.body.wrench;
    const { robot, kinematics } = entry.context;
    const efforts = computeJointEfforts(robot, kinematics, jointVectorOf(entry, request.body.q, 'q'),
      Float64Array.of(...force, ...torque), ee, new Float64Array(robot.model.dof));
    assertFinite(efforts, 'efforts');
    return { joints: robot.model.jointNames as string[], efforts: Array.from(efforts) };
  });
};
