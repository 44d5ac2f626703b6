/**
 * The requests whose work can be heavy: FK of every link and the Jacobian (answers that grow with
 * the robot: a 999-joint Jacobian is 6,000 numbers to write), the Hessian and manipulability
 * gradient (with the square of the joints), uncertainty by sigma points or the Hessian, the
 * identification Jacobian and calibration (with the configurations and parameters). Each is a
 * function of a robot handle and the request body, with no Fastify in it, so that the same code
 * answers on the event loop (small work) or on a worker thread (workers/request-tasks.ts), as the
 * cost model of work-cost.ts decides. Each returns the response object of its route.
 */
import type { Static } from 'typebox';
import { calibrate, calibratedJoints, type CalibrationSample } from '../core/calibration.js';
import { analyzeJacobian } from '../core/analysis.js';
import { KinematicsError } from '../core/errors.js';
import { computeLinkPosesInBase } from '../core/forward-kinematics.js';
import { computeJacobian } from '../core/jacobian.js';
import { linkIndexOf } from '../core/model.js';
import { computeHessian } from '../core/jacobian-derivative.js';
import { createParameterChain, type ParameterChain, type ParameterGroup } from '../core/kinematic-parameters.js';
import { computeManipulability } from '../core/manipulability.js';
import { poseFromTransform, transformFromPose, type Pose } from '../core/pose.js';
import { SE3_SIZE } from '../core/se3.js';
import { analyzeIdentifiability, computeIdentificationJacobian, rowsOf } from '../core/sensitivity.js';
import { propagateUncertainty, setJointCovariance, setJointStdDev, type Ellipsoid } from '../core/uncertainty.js';
import { editJoints, type JointTextEdit } from '../urdf/urdf-edit.js';
import { ROW_ORDER, assertBatchOutput, assertFinite, endEffectorOf, jointVectorOf, toRows, type RobotHandle } from './robot-request.js';
import type { FkRequest, JacobianRequest } from './schemas/kinematics.js';
import type { HessianRequest, ManipulabilityRequest } from './schemas/second-order.js';
import type { UncertaintyRequest, calibrateRequest, sensitivityRequest } from './schemas/uncertainty.js';

/** What the handlers need of the configuration. */
export interface HeavyLimits {
  batchMaxOutputValues: number;
}

export type FkBody = Static<typeof FkRequest>;
export type JacobianBody = Static<typeof JacobianRequest>;
export type HessianBody = Static<typeof HessianRequest>;
export type ManipulabilityBody = Static<typeof ManipulabilityRequest>;
export type UncertaintyBody = Static<typeof UncertaintyRequest>;
export type SensitivityBody = Static<ReturnType<typeof sensitivityRequest>>;
export type CalibrateBody = Static<ReturnType<typeof calibrateRequest>>;

/** The base and links of an fk request, as indices (all links by default). */
export function fkTargets(entry: RobotHandle, body: { links?: string[] | undefined; base?: string | undefined }): { base: number; links: number[] } {
  const { model } = entry.context.robot;
  return {
    base: body.base === undefined ? 0 : linkIndexOf(model, body.base, 'base'),
    links: body.links === undefined ? model.linkNames.map((_, i) => i) : body.links.map((name) => linkIndexOf(model, name)),
  };
}

export function fkAnswer(entry: RobotHandle, body: FkBody) {
  const { robot, kinematics } = entry.context;
  const { model } = robot;
  const { base, links } = fkTargets(entry, body);
  const q = jointVectorOf(entry, body.q, 'q');
  const X_BL = new Float64Array(SE3_SIZE * model.linkNames.length);
  computeLinkPosesInBase(robot, kinematics, q, base, X_BL);
  const poses: Record<string, Pose> = {};
  for (const link of links) {
    const o = SE3_SIZE * link;
    assertFinite(X_BL.subarray(o, o + SE3_SIZE), 'pose');
    poses[model.linkNames[link]!] = poseFromTransform(X_BL, o);
  }
  return { base: model.linkNames[base]!, poses };
}

export function jacobianAnswer(entry: RobotHandle, body: JacobianBody) {
  const { robot, kinematics } = entry.context;
  const { model } = robot;
  const ee = endEffectorOf(entry, body);
  const q = jointVectorOf(entry, body.q, 'q');
  const J = computeJacobian(robot, kinematics, q, ee, kinematics.J, kinematics.X_BE);
  assertFinite(J, 'Jacobian');
  assertFinite(kinematics.X_BE, 'pose');
  return {
    base: ee.baseName, tip: ee.tipName, referenceFrame: ee.referenceFrame, rowOrder: ROW_ORDER, joints: model.jointNames as string[],
    jacobian: toRows(J, 6, model.dof),
    pose: poseFromTransform(kinematics.X_BE),
    ...(body.analysis ? { analysis: analyzeJacobian(J, model.dof, ee.path.movingJoints) } : {}),
  };
}

export function hessianAnswer(entry: RobotHandle, body: HessianBody, limits: HeavyLimits) {
  const { robot, secondOrder } = entry.context;
  const { model } = robot;
  const dof = model.dof;
  assertBatchOutput(dof, 6 * dof, limits.batchMaxOutputValues, `a 6 x ${dof} slice per joint`, 'ask for the Jacobian derivative along qdot instead (POST /robots/{id}/jacobian/derivative)');
  const ee = endEffectorOf(entry, body);
  const H = computeHessian(robot, secondOrder, jointVectorOf(entry, body.q, 'q'), ee, secondOrder.H);
  assertFinite(H, 'Hessian');
  return {
    base: ee.baseName, tip: ee.tipName, referenceFrame: ee.referenceFrame, rowOrder: ROW_ORDER, joints: model.jointNames as string[],
    hessian: Array.from({ length: dof }, (_, k) => toRows(H.subarray(k * 6 * dof, (k + 1) * 6 * dof), 6, dof)),
  };
}

export function manipulabilityAnswer(entry: RobotHandle, body: ManipulabilityBody) {
  const { robot, secondOrder } = entry.context;
  const ee = endEffectorOf(entry, body);
  const measure = body.measure ?? 'yoshikawa', axes = body.axes ?? 'all';
  const gradient = new Float64Array(robot.model.dof);
  const r = computeManipulability(robot, secondOrder, jointVectorOf(entry, body.q, 'q'), ee, measure, axes, gradient);
  assertFinite(gradient, 'gradient');
  assertFinite([r.value], 'measure');
  return {
    measure, axes, referenceFrame: ee.referenceFrame, joints: robot.model.jointNames as string[], value: r.value,
    gradient: Array.from(gradient), differentiable: r.differentiable, singularValues: r.singularValues,
  };
}

function ellipsoidJson(e: Ellipsoid, confidence: number) {
  return {
    stdDev: Array.from(e.stdDev),
    ellipsoid: { axes: toRows(e.axes, 3, 3), radii: Array.from(e.radii), confidence },
  };
}

/** Reads the joint covariance of a request into the robot's uncertainty workspace. */
function readJointCovariance(entry: RobotHandle, body: UncertaintyBody): void {
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

export function uncertaintyAnswer(entry: RobotHandle, body: UncertaintyBody) {
  const { robot, kinematics, secondOrder, uncertainty } = entry.context;
  const ee = endEffectorOf(entry, body);
  const q = jointVectorOf(entry, body.q, 'q');
  readJointCovariance(entry, body);
  const method = body.method ?? 'linear', confidence = body.confidence ?? 0.95;
  const r = propagateUncertainty(robot, uncertainty, kinematics, secondOrder, q, ee, method, confidence);
  assertFinite(r.covariance, 'covariance');
  assertFinite(r.meanShift, 'mean shift');
  return {
    base: ee.baseName, tip: ee.tipName, method, referenceFrame: ee.referenceFrame, rowOrder: ROW_ORDER,
    covariance: toRows(r.covariance, 6, 6),
    ...(method === 'linear' ? {} : { meanShift: Array.from(r.meanShift) }),
    position: ellipsoidJson(r.position, confidence), orientation: ellipsoidJson(r.orientation, confidence),
  };
}

/** The kinematic parameters a sensitivity or calibration request names. */
export function chainOf(entry: RobotHandle, body: { tip?: string; base?: string; tipOffset?: number[]; parameters?: ParameterGroup[] }): ParameterChain {
  return createParameterChain(entry.context.robot, endEffectorOf(entry, body), body.parameters);
}

export function sensitivityAnswer(entry: RobotHandle, body: SensitivityBody, limits: HeavyLimits) {
  const chain = chainOf(entry, body);
  const measure = body.measure ?? 'pose', rows = rowsOf(measure), p = chain.parameters.length;
  assertBatchOutput(body.qs.length, rows * p, limits.batchMaxOutputValues, `${rows} rows of ${p} parameters per configuration`,
    'send fewer configurations, or ask for fewer parameters');
  const qs = body.qs.map((q, i) => jointVectorOf(entry, q, `qs[${i}]`));
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
}

type SampleBody = { q: unknown; pose?: Parameters<typeof transformFromPose>[0]; position?: number[] };

function samplesOf(entry: RobotHandle, list: SampleBody[], what: string): CalibrationSample[] {
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
function textEdits(entry: RobotHandle, chain: ParameterChain, estimates: Float64Array): Map<string, JointTextEdit> {
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

/** The calibration and the calibrated URDF (the route registers it when asked to: saveAs). */
export function calibrationAnswer(entry: RobotHandle, body: CalibrateBody) {
  const chain = chainOf(entry, body);
  const samples = samplesOf(entry, body.samples, 'samples');
  const holdout = body.holdout ? samplesOf(entry, body.holdout, 'holdout') : undefined;
  const result = calibrate(chain, samples, holdout);
  assertFinite(result.estimates, 'estimates');
  return {
    base: chain.ee.baseName, tip: chain.ee.tipName, converged: result.converged, iterations: result.iterations,
    parameters: chain.parameters.map(({ joint, kind }, i) => ({
      joint, kind, identifiable: result.identifiable[i]!, estimate: result.estimates[i]!,
      ...(result.identifiable[i] && Number.isFinite(result.stdErrors[i]) ? { stdError: result.stdErrors[i]! } : {}),
    })),
    rank: result.analysis.rank, residual: result.residual, ...(result.holdout ? { holdout: result.holdout } : {}),
    urdf: editJoints(entry.urdf, textEdits(entry, chain, result.estimates)),
  };
}

/** The heavy requests by name, as a worker task names them. */
export const HEAVY_REQUESTS = {
  fk: fkAnswer,
  jacobian: jacobianAnswer,
  hessian: hessianAnswer,
  manipulability: manipulabilityAnswer,
  uncertainty: uncertaintyAnswer,
  sensitivity: sensitivityAnswer,
  calibrate: calibrationAnswer,
} as const;

export type HeavyRequestName = keyof typeof HEAVY_REQUESTS;
