/**
 * Forward kinematics, Jacobians, tip velocity and statics, single and batch.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { analyzeJacobian } from '../../core/analysis.js';
import { computeLinkPosesInBase } from '../../core/forward-kinematics.js';
import { computeJacobian } from '../../core/jacobian.js';
import type { JointValues } from '../../core/joint-vector.js';
import { linkIndexOf } from '../../core/model.js';
import { poseFromTransform, type Pose } from '../../core/pose.js';
import { SE3_SIZE } from '../../core/se3.js';
import { computeJointEfforts } from '../../core/statics.js';
import { computeTwist } from '../../core/velocity.js';
import type { AppConfig } from '../../config.js';
import type { RobotEntry, RobotRegistry } from '../../robots/registry.js';
import {
  ROW_ORDER, assertFinite, endEffectorOf, jointVectorOf, toRows,
} from '../robot-request.js';
import { KINEMATICS_PROBLEMS, RobotIdParams, problemResponses } from '../schemas/common.js';
import {
  FkRequest, FkBatchResponse, FkResponse, JacobianBatchResponse, JacobianRequest, JacobianResponse,
  StaticsRequest, StaticsResponse, VelocityRequest, VelocityResponse, fkBatchRequest, jacobianBatchRequest,
} from '../schemas/kinematics.js';

export interface KinematicsRoutesOptions {
  registry: RobotRegistry;
  config: AppConfig;
}

/** Poses of the requested links (all by default) in the base frame. */
function linkPoses(entry: RobotEntry, q: Float64Array, base: number, links: number[], out: Float64Array): Record<string, Pose> {
  const { model, workspace } = entry;
  computeLinkPosesInBase(model, workspace, q, base, out);
  const poses: Record<string, Pose> = {};
  for (const link of links) {
    const o = SE3_SIZE * link;
    assertFinite(out.subarray(o, o + SE3_SIZE), 'pose');
    poses[model.linkNames[link]!] = poseFromTransform(out, o);
  }
  return poses;
}

function fkTargets(entry: RobotEntry, body: { links?: string[] | undefined; base?: string | undefined }): { base: number; links: number[] } {
  const { model } = entry;
  return {
    base: body.base === undefined ? 0 : linkIndexOf(model, body.base, 'base'),
    links: body.links === undefined ? model.linkNames.map((_, i) => i) : body.links.map((name) => linkIndexOf(model, name)),
  };
}

export const kinematicsRoutes: FastifyPluginAsyncTypebox<KinematicsRoutesOptions> = async (app, { registry, config }) => {
  const problems = problemResponses(...KINEMATICS_PROBLEMS);
  const batch = { bodyLimit: config.batchBodyLimit };

  app.post('/robots/:id/fk', {
    schema: {
      tags: ['kinematics'], summary: 'Forward kinematics',
      description: 'Poses of links (all when `links` is absent) in the base frame (the root link unless `base` names another).',
      params: RobotIdParams, body: FkRequest, response: { 200: FkResponse, ...problems },
    },
  }, async (request) => {
    const entry = registry.get(request.params.id);
    const { base, links } = fkTargets(entry, request.body);
    const q = jointVectorOf(entry, request.body.q, 'q');
    const out = new Float64Array(SE3_SIZE * entry.model.linkNames.length);
    return { base: entry.model.linkNames[base]!, poses: linkPoses(entry, q, base, links, out) };
  });

  app.post('/robots/:id/fk/batch', {
    ...batch,
    schema: {
      tags: ['kinematics'], summary: 'Forward kinematics of many configurations',
      description: `Like fk for each configuration of \`qs\` (at most ${config.maxBatch}), answered in the same order.`,
      params: RobotIdParams, body: fkBatchRequest(config.maxBatch), response: { 200: FkBatchResponse, ...problems },
    },
  }, async (request) => {
    const entry = registry.get(request.params.id);
    const { base, links } = fkTargets(entry, request.body);
    const out = new Float64Array(SE3_SIZE * entry.model.linkNames.length);
    const results = request.body.qs.map((values: JointValues, i: number) => ({
      poses: linkPoses(entry, jointVectorOf(entry, values, `qs[${i}]`), base, links, out),
    }));
    return { base: entry.model.linkNames[base]!, results };
  });

  app.post('/robots/:id/jacobian', {
    schema: {
      tags: ['kinematics'], summary: 'Jacobian',
      description: 'The 6 x dof Jacobian of the tip point relative to the base, rows linear first, one column per active joint '
        + '(zero for joints that do not move the tip; a mimic joint folded into its leader), and the tip pose. '
        + '`analysis: true` adds singular values, manipulability, condition number and rank.',
      params: RobotIdParams, body: JacobianRequest, response: { 200: JacobianResponse, ...problems },
    },
  }, async (request) => {
    const entry = registry.get(request.params.id);
    const { model, workspace } = entry;
    const ee = endEffectorOf(entry, request.body);
    const q = jointVectorOf(entry, request.body.q, 'q');
    const J = computeJacobian(model, workspace, q, ee, workspace.J, workspace.X_BE);
    assertFinite(J, 'Jacobian');
    assertFinite(workspace.X_BE, 'pose');
    return {
      base: ee.baseName, tip: ee.tipName, referenceFrame: ee.referenceFrame, rowOrder: ROW_ORDER, joints: model.jointNames as string[],
      jacobian: toRows(J, 6, model.dof),
      pose: poseFromTransform(workspace.X_BE),
      ...(request.body.analysis ? { analysis: analyzeJacobian(J, model.dof, ee.path.movingJoints) } : {}),
    };
  });

  app.post('/robots/:id/jacobian/batch', {
    ...batch,
    schema: {
      tags: ['kinematics'], summary: 'Jacobians of many configurations',
      description: `Like jacobian for each configuration of \`qs\` (at most ${config.maxBatch}), answered in the same order.`,
      params: RobotIdParams, body: jacobianBatchRequest(config.maxBatch), response: { 200: JacobianBatchResponse, ...problems },
    },
  }, async (request) => {
    const entry = registry.get(request.params.id);
    const { model, workspace } = entry;
    const ee = endEffectorOf(entry, request.body);
    const jacobians: number[][][] = [];
    const poses: Pose[] = [];
    request.body.qs.forEach((values: JointValues, i: number) => {
      const J = computeJacobian(model, workspace, jointVectorOf(entry, values, `qs[${i}]`), ee, workspace.J, workspace.X_BE);
      assertFinite(J, 'Jacobian');
      jacobians.push(toRows(J, 6, model.dof));
      if (request.body.includePose) poses.push(poseFromTransform(workspace.X_BE));
    });
    return {
      base: ee.baseName, tip: ee.tipName, referenceFrame: ee.referenceFrame, rowOrder: ROW_ORDER, joints: model.jointNames as string[],
      jacobians, ...(request.body.includePose ? { poses } : {}),
    };
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
    const twist = computeTwist(entry.model, entry.workspace, jointVectorOf(entry, request.body.q, 'q'),
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
    const efforts = computeJointEfforts(entry.model, entry.workspace, jointVectorOf(entry, request.body.q, 'q'),
      Float64Array.of(...force, ...torque), ee, new Float64Array(entry.model.dof));
    assertFinite(efforts, 'efforts');
    return { joints: entry.model.jointNames as string[], efforts: Array.from(efforts) };
  });
};
