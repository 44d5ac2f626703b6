/**
 * Uncertainty and sensitivity: joint covariance propagated to the tip, the identification
 * Jacobian of the kinematic parameters, and calibration from measured poses or positions.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { calibrate, calibratedJoints, type CalibrationSample } from '../../core/calibration.js';
import { KinematicsError } from '../../core/errors.js';
import { createParameterChain, type ParameterChain, type ParameterGroup } from '../../core/kinematic-parameters.js';
import { transformFromPose } from '../../core/pose.js';
import { SE3_SIZE } from '../../core/se3.js';
import { analyzeIdentifiability, computeIdentificationJacobian, rowsOf } from '../../core/sensitivity.js';
import { propagateUncertainty, setJointCovariance, setJointStdDev, type Ellipsoid } from '../../core/uncertainty.js';
import type { AppConfig } from '../../config.js';
import type { RobotEntry, RobotRegistry } from '../../robots/registry.js';
import { editJoints, type JointTextEdit } from '../../urdf/urdf-edit.js';
import { requireAdmin } from '../access-control.js';
import { ROW_ORDER, assertBatchOutput, assertFinite, endEffectorOf, jointVectorOf, toRows } from '../robot-request.js';
import { KINEMATICS_PROBLEMS, RobotIdParams, problemResponses } from '../schemas/common.js';
import {
  CalibrateResponse, SensitivityResponse, UncertaintyRequest, UncertaintyResponse, calibrateRequest, sensitivityRequest,
} from '../schemas/uncertainty.js';
import type { Static } from 'typebox';

export interface UncertaintyRoutesOptions {
  registry: RobotRegistry;
  config: AppConfig;
}

function ellipsoidJson(e: Ellipsoid, confidence: number) {
  return {
    stdDev: Array.from(e.stdDev),
    ellipsoid: { axes: toRows(e.axes, 3, 3), radii: Array.from(e.radii), confidence },
  };
}

/** Reads the joint covariance of a request into the robot's uncertainty workspace. */
function readJointCovariance(entry: RobotEntry, body: Static<typeof UncertaintyRequest>): void {
  const ws = entry.context.uncertainty, { model } = entry.context.robot, n = model.dof;
  const { jointStdDev, jointCovariance } = body;
  if ((jointStdDev === undefined) === (jointCovariance === undefined)) {
    throw new KinematicsError('INVALID_ARGUMENT',
      `give exactly one of jointStdDev (${n} standard deviations) and jointCovariance (${n} x ${n}), ${jointStdDev === undefined ? 'not neither' : 'not both'}`);
  }
  if (jointStdDev) {
    if (jointStdDev.length !== n) {
      throw new KinematicsError('DIMENSION_MISMATCH', `jointStdDev has ${jointStdDev.length} values but robot "${entry.id}" has ${n} active joints: ${model.jointNames.join(', ')}`);
    }
    setJointStdDev(ws, jointStdDev);
    return;
  }
  const rows = jointCovariance!;
  const bad = rows.findIndex((row) => row.length !== n);
  if (rows.length !== n || bad >= 0) {
    throw new KinematicsError('DIMENSION_MISMATCH', rows.length !== n
      ? `jointCovariance has ${rows.length} rows but robot "${entry.id}" has ${n} active joints (${model.jointNames.join(', ')}): give ${n} rows of ${n}`
      : `jointCovariance[${bad}] has ${rows[bad]!.length} values; every row needs ${n}, one per active joint`);
  }
  setJointCovariance(ws, rows.flat());
}

function chainOf(entry: RobotEntry, body: { tip?: string; base?: string; tipOffset?: number[]; parameters?: ParameterGroup[] }): ParameterChain {
  return createParameterChain(entry.context.robot, endEffectorOf(entry, body), body.parameters);
}

type SampleBody = { q: unknown; pose?: Parameters<typeof transformFromPose>[0]; position?: number[] };

function samplesOf(entry: RobotEntry, list: SampleBody[], what: string): CalibrationSample[] {
  return list.map((s, i) => {
    const where = `${what}[${i}]`;
    const q = jointVectorOf(entry, s.q as never, `${where}.q`);
    if ((s.pose === undefined) === (s.position === undefined)) {
      throw new KinematicsError('INVALID_ARGUMENT', `${where} needs exactly one of "pose" (a measured pose) and "position" (a measured point), ${s.pose === undefined ? 'not neither' : 'not both'}`);
    }
    if (s.position) {
      if (!s.position.every(Number.isFinite)) throw new KinematicsError('INVALID_VALUE', `${where}.position has a value that is not a finite number`);
      return { q, position: Float64Array.from(s.position) };
    }
    const X = transformFromPose(s.pose!, new Float64Array(SE3_SIZE), 0, `${where}.pose`);
    return { q, position: X.subarray(9, 12), rotation: X.subarray(0, 9) };
  });
}

/** The URDF text edits of the estimates: only the attributes whose values change. */
function textEdits(entry: RobotEntry, chain: ParameterChain, estimates: Float64Array): Map<string, JointTextEdit> {
  const joints = entry.context.robot.model.description.joints;
  const edits = new Map<string, JointTextEdit>();
  for (const [name, edit] of calibratedJoints(chain, estimates)) {
    const nominal = joints.find((j) => j.name === name)!;
    const same = (a: readonly number[] | undefined, b: readonly number[]) => !a || a.every((x, i) => x === b[i]);
    edits.set(name, {
      ...(same(edit.xyz, nominal.xyz) ? {} : { xyz: edit.xyz }),
      ...(same(edit.rpy, nominal.rpy) ? {} : { rpy: edit.rpy }),
      ...(edit.limitShift !== undefined ? { limitShift: edit.limitShift } : {}),
    });
  }
  return edits;
}

export const uncertaintyRoutes: FastifyPluginAsyncTypebox<UncertaintyRoutesOptions> = async (app, { registry, config }) => {
  const problems = problemResponses(...KINEMATICS_PROBLEMS);
  const admin = requireAdmin(config.adminToken, config.host);

  app.post('/robots/:id/uncertainty', {
    schema: {
      tags: ['uncertainty'], summary: 'Tip pose uncertainty from joint uncertainty',
      description: 'Propagates a joint covariance (per-joint standard deviations or a full positive semi-definite matrix) to the covariance of the '
        + 'tip\'s pose error in the reference frame: linear (J Σq Jᵀ), unscented (sigma points through the forward kinematics) or secondOrder '
        + '(adds the Hessian\'s mean shift), with the position and orientation ellipsoids at the confidence (exact χ² quantile, 3 degrees of freedom).',
      params: RobotIdParams, body: UncertaintyRequest, response: { 200: UncertaintyResponse, ...problems },
    },
  }, async (request) => {
    const entry = registry.get(request.params.id);
    const { robot, kinematics, secondOrder, uncertainty } = entry.context;
    const ee = endEffectorOf(entry, request.body);
    const q = jointVectorOf(entry, request.body.q, 'q');
    readJointCovariance(entry, request.body);
    const method = request.body.method ?? 'linear', confidence = request.body.confidence ?? 0.95;
    const r = propagateUncertainty(robot, uncertainty, kinematics, secondOrder, q, ee, method, confidence);
    assertFinite(r.covariance, 'covariance');
    assertFinite(r.meanShift, 'mean shift');
    return {
      base: ee.baseName, tip: ee.tipName, method, referenceFrame: ee.referenceFrame, rowOrder: ROW_ORDER,
      covariance: toRows(r.covariance, 6, 6),
      ...(method === 'linear' ? {} : { meanShift: Array.from(r.meanShift) }),
      position: ellipsoidJson(r.position, confidence), orientation: ellipsoidJson(r.orientation, confidence),
    };
  });

  app.post('/robots/:id/sensitivity', {
    schema: {
      tags: ['uncertainty'], summary: 'Identification Jacobian of the kinematic parameters',
      description: 'The derivative of the tip pose (or position) with respect to joint offsets and joint origins on the way from base to tip, stacked '
        + 'over the configurations, with its singular values, rank, the O1 observability index and a largest identifiable subset (QR with column pivoting).',
      params: RobotIdParams, body: sensitivityRequest(config.maxBatch), response: { 200: SensitivityResponse, ...problems },
    },
  }, async (request) => {
    const entry = registry.get(request.params.id);
    const chain = chainOf(entry, request.body);
    const measure = request.body.measure ?? 'pose', rows = rowsOf(measure), p = chain.parameters.length;
    assertBatchOutput(request.body.qs.length, rows * p, config.batchMaxOutputValues, `${rows} rows of ${p} parameters per configuration`,
      'send fewer configurations, or ask for fewer parameters');
    const qs = request.body.qs.map((q, i) => jointVectorOf(entry, q, `qs[${i}]`));
    const A = computeIdentificationJacobian(chain, qs, measure);
    assertFinite(A, 'identification Jacobian');
    const analysis = analyzeIdentifiability(A, qs.length * rows, p, qs.length);
    return {
      base: chain.ee.baseName, tip: chain.ee.tipName, measure, rowOrder: ROW_ORDER.slice(0, rows),
      parameters: chain.parameters.map(({ joint, kind }) => ({ joint, kind })),
      jacobian: toRows(A, qs.length * rows, p),
      singularValues: analysis.singularValues, rank: analysis.rank, rankTolerance: analysis.rankTolerance,
      observabilityIndex: analysis.observabilityIndex, observabilityMeasure: 'O1' as const, identifiable: analysis.identifiable,
    };
  });

  app.post('/robots/:id/calibrate', {
    schema: {
      tags: ['uncertainty'], summary: 'Calibrate the kinematic parameters from measurements',
      description: 'Estimates the identifiable joint offsets and origin errors from measured tip poses or positions at known joint readings '
        + '(Levenberg–Marquardt), with standard errors and residuals before and after (and on held-out samples), and returns the robot\'s URDF '
        + 'with the estimates applied. With saveAs the result is also registered (the access rules of POST /robots: Authorization: Bearer <ADMIN_TOKEN> '
        + 'when one is configured).',
      params: RobotIdParams, body: calibrateRequest(config.maxBatch),
      response: { 200: CalibrateResponse, ...problemResponses(...KINEMATICS_PROBLEMS, 401, 403, 409) },
    },
  }, async (request) => {
    const body = request.body;
    if (body.saveAs !== undefined) await admin(request);
    const entry = registry.get(request.params.id);
    const chain = chainOf(entry, body);
    const samples = samplesOf(entry, body.samples, 'samples');
    const holdout = body.holdout ? samplesOf(entry, body.holdout, 'holdout') : undefined;
    const result = calibrate(chain, samples, holdout);
    assertFinite(result.estimates, 'estimates');
    const urdf = editJoints(entry.urdf, textEdits(entry, chain, result.estimates));
    const saved = body.saveAs !== undefined ? (await registry.add(body.saveAs, urdf)).entry : undefined;
    return {
      base: chain.ee.baseName, tip: chain.ee.tipName, converged: result.converged, iterations: result.iterations,
      parameters: chain.parameters.map(({ joint, kind }, i) => ({
        joint, kind, identifiable: result.identifiable[i]!, estimate: result.estimates[i]!,
        ...(result.identifiable[i] && Number.isFinite(result.stdErrors[i]) ? { stdError: result.stdErrors[i]! } : {}),
      })),
      rank: result.analysis.rank, residual: result.residual, ...(result.holdout ? { holdout: result.holdout } : {}),
      urdf, ...(saved ? { robot: saved.summary } : {}),
    };
  });
};
