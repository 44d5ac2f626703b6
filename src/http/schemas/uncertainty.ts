/**
 * Schemas of uncertainty propagation, sensitivity (the identification Jacobian) and calibration.
 * Examples are for the builtin UR5e.
 */
import { Type } from 'typebox';
import { PARAMETER_GROUPS, PARAMETER_KINDS } from '../../core/kinematic-parameters.js';
import { MEASURES, RANK_RELATIVE_TOLERANCE } from '../../core/sensitivity.js';
import { DEFAULT_CONFIDENCE, UNCERTAINTY_METHODS } from '../../core/uncertainty.js';
import { ROBOT_ID_PATTERN, ROBOT_ID_RULE } from '../../robots/robot-id.js';
import { JointValues, MAX_JOINTS, Magnitude, PoseInput, ReferenceFrame, RowOrder, Vector3, Vector3Input, endEffectorFields } from './common.js';
import { RobotSummary } from './robots.js';

const UR5E_Q = [0, -1.2, 1.5, -1.9, -1.57, 0];
const UR5E_QS = [UR5E_Q, [0.5, -1.0, 1.2, -1.5, -1.2, 0.4], [-0.6, -1.6, 1.9, -2.2, -1.9, -0.5]];

const header = {
  base: Type.String(),
  tip: Type.String(),
};

export const UncertaintyRequest = Type.Object({
  q: JointValues,
  jointStdDev: Type.Optional(Type.Array(Magnitude({ minimum: 0 }), {
    maxItems: MAX_JOINTS, description: 'per-joint standard deviations (rad or m) in q order: Σq = diag(σ²). Give this or jointCovariance.',
  })),
  jointCovariance: Type.Optional(Type.Array(Type.Array(Magnitude(), { maxItems: MAX_JOINTS }), {
    maxItems: MAX_JOINTS,
    description: 'the joint covariance Σq (dof x dof rows in q order; rad², m²): symmetric and positive semi-definite, else a 400 that says which. Give this or jointStdDev.',
  })),
  ...endEffectorFields,
  referenceFrame: Type.Optional(ReferenceFrame),
  method: Type.Optional(Type.Enum(UNCERTAINTY_METHODS, {
    description: 'linear (default): Σx = J Σq Jᵀ; unscented: sigma points through the real forward kinematics (scaled unscented transform, '
      + 'α = 1, β = 2, κ = 0), for errors too large for the linearisation; secondOrder: J Σq Jᵀ and the mean shift ½ Σ_kl H_kl Σq_kl from the Hessian',
  })),
  confidence: Type.Optional(Type.Number({
    exclusiveMinimum: 0, exclusiveMaximum: 1,
    description: `probability of the ellipsoids (default ${DEFAULT_CONFIDENCE}): radii are √(χ²₃(confidence) λ), with the exact χ² quantile of 3 degrees of freedom (7.8147 at 0.95)`,
  })),
}, { additionalProperties: false, examples: [{ q: UR5E_Q, jointStdDev: [1e-3, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3], tip: 'tool0' }] });

const EllipsoidSchema = Type.Object({
  axes: Type.Array(Type.Array(Type.Number()), { description: 'principal axes as rows: unit vectors in the frame\'s axes, largest radius first' }),
  radii: Type.Array(Type.Number(), { description: 'semi-axis lengths at the confidence, largest first (m or rad)' }),
  confidence: Type.Number(),
});

const Block = (what: string) => Type.Object({
  stdDev: { ...Vector3, description: `standard deviation of each ${what} component, √Σ_ii` },
  ellipsoid: EllipsoidSchema,
});

export const UncertaintyResponse = Type.Object({
  ...header,
  method: Type.Enum(UNCERTAINTY_METHODS),
  referenceFrame: ReferenceFrame,
  rowOrder: RowOrder,
  covariance: Type.Array(Type.Array(Type.Number()), {
    description: 'Σx (6 x 6, linear first) of the first-order twist error δx = J δq in referenceFrame. In LOCAL_WORLD_ALIGNED: δp = p(q+δq) − p(q) and '
      + 'δθ = log(R(q+δq) R(q)ᵀ), both in base axes; in LOCAL: the same in tip axes, δθ = log(R(q)ᵀ R(q+δq)); in WORLD: [δp − δθ × p; δθ]',
  }),
  meanShift: Type.Optional(Type.Array(Type.Number(), {
    description: 'E[δx] (6, linear first) for secondOrder (½ Σ_kl H_kl Σq_kl, of the LOCAL_WORLD_ALIGNED Hessian, moved to referenceFrame) and unscented (the sigma points\' mean)',
  })),
  position: Block('position (m)'),
  orientation: Block('orientation (rad)'),
});

const Parameters = Type.Array(Type.Enum(PARAMETER_GROUPS), {
  uniqueItems: true, minItems: 1,
  description: 'what may be wrong (default all): jointOffset, a constant added to each active joint\'s reading; originXyz and originRpy, the xyz and rpy '
    + 'of each joint origin (fixed joints included) on the way from base to tip',
});

const ParameterId = Type.Object({
  joint: Type.String(),
  kind: Type.Enum(PARAMETER_KINDS, { description: 'offset (rad or m) | x y z (m, of the origin in the parent link) | roll pitch yaw (rad, of the origin)' }),
});

/** The sensitivity request; qs holds at most `maxBatch` configurations. */
export function sensitivityRequest(maxBatch: number) {
  return Type.Object({
    qs: Type.Array(JointValues, { minItems: 1, maxItems: maxBatch, description: `configurations (at most ${maxBatch}); rows are stacked in this order` }),
    ...endEffectorFields,
    parameters: Type.Optional(Parameters),
    measure: Type.Optional(Type.Enum(MEASURES, { description: 'pose (default; 6 rows per configuration, linear first) or position (3 rows: what a laser tracker measures)' })),
  }, { additionalProperties: false, examples: [{ qs: UR5E_QS, tip: 'tool0', parameters: ['jointOffset'], measure: 'pose' }] });
}

export const SensitivityResponse = Type.Object({
  ...header,
  measure: Type.Enum(MEASURES),
  rowOrder: Type.Array(Type.String(), { description: 'the rows of one configuration: vx vy vz wx wy wz, or vx vy vz for position' }),
  parameters: Type.Array(ParameterId, { description: 'the columns: base to tip, per joint its offset (active joints) then x y z roll pitch yaw' }),
  jacobian: Type.Array(Type.Array(Type.Number()), {
    description: 'd[δp; δθ]/dparameter at the nominal robot (δθ = log(R\' Rᵀ), base axes), rows per configuration in order, one column per parameter',
  }),
  singularValues: Type.Array(Type.Number(), { description: 'of the jacobian with its columns scaled to unit norm (independent of units), largest first' }),
  rank: Type.Integer({ description: 'singular values above rankTolerance' }),
  rankTolerance: Type.Number({ description: `${RANK_RELATIVE_TOLERANCE} x the largest singular value` }),
  observabilityIndex: Type.Number({
    description: 'Borm and Menq\'s O1 = (σ1 σ2 … σr)^(1/r) / √(configurations) over the identifiable columns (scaled): larger is better-spread poses',
  }),
  observabilityMeasure: Type.Literal('O1', { description: 'which observability index: O1 (Borm and Menq 1991)' }),
  identifiable: Type.Array(Type.Integer(), {
    description: 'indices into parameters of a largest set whose columns are independent over the configurations (the first rank pivots of QR with column pivoting); '
      + 'the others are combinations of these and cannot be told apart by these measurements',
  }),
});

const Sample = Type.Object({
  q: JointValues,
  pose: Type.Optional({ ...PoseInput, description: 'the measured tip pose in the base frame (position and quaternion or rotation)' }),
  position: Type.Optional({ ...Vector3Input, description: 'the measured tip point in the base frame (m), e.g. from a laser tracker' }),
}, { additionalProperties: false, description: 'joint readings q and exactly one of pose and position' });

/** The calibration request; samples and holdout hold at most `maxBatch` each. */
export function calibrateRequest(maxBatch: number) {
  return Type.Object({
    samples: Type.Array(Sample, { minItems: 1, maxItems: maxBatch, description: `measurements to fit (at most ${maxBatch}): more measured values (6 per pose, 3 per position) than parameters` }),
    holdout: Type.Optional(Type.Array(Sample, { maxItems: maxBatch, description: 'measurements not fitted, judged before and after the same way' })),
    ...endEffectorFields,
    parameters: Type.Optional(Parameters),
    saveAs: Type.Optional(Type.String({
      pattern: ROBOT_ID_PATTERN,
      description: `also register the calibrated robot under this id (${ROBOT_ID_RULE}); a change of robots, with the access rules of POST /robots`,
    })),
  }, { additionalProperties: false });
}

const Residual = Type.Object({
  positionRms: Type.Number({ description: 'RMS over samples of |δp| (m)' }),
  positionMax: Type.Number({ description: 'largest |δp| (m)' }),
  orientationRms: Type.Optional(Type.Number({ description: 'RMS over pose samples of |log(R_meas R_modelᵀ)| (rad)' })),
  orientationMax: Type.Optional(Type.Number({ description: 'largest |log(R_meas R_modelᵀ)| (rad)' })),
});

const BeforeAfter = Type.Object({ before: Residual, after: Residual });

export const CalibrateResponse = Type.Object({
  ...header,
  converged: Type.Boolean({ description: 'Levenberg–Marquardt stopped because a step no longer changed the fit (false: it ran out of iterations)' }),
  iterations: Type.Integer(),
  parameters: Type.Array(Type.Object({
    ...ParameterId.properties,
    identifiable: Type.Boolean({ description: 'false: the samples cannot determine it; it is left at its nominal value (estimate 0) and has no stdError' }),
    estimate: Type.Number({ description: 'the correction added to the nominal value (rad or m)' }),
    stdError: Type.Optional(Type.Number({ description: 'standard error of the estimate, from the residuals\' variances (position and orientation separately)' })),
  })),
  rank: Type.Integer({ description: 'how many parameters were estimated (identifiable over the samples)' }),
  residual: BeforeAfter,
  holdout: Type.Optional(BeforeAfter),
  urdf: Type.String({ description: 'the robot\'s URDF with the estimates applied: origins changed, offsets folded into origins and limits, everything else as it was' }),
  robot: Type.Optional({ ...RobotSummary, description: 'with saveAs: the summary of the registered robot' }),
});
