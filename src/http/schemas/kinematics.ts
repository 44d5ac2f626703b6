/**
 * Schemas of the kinematics routes: fk, jacobian, velocity, statics and their batch forms.
 * The examples are for the builtin UR5e, so that "Try it out" in Swagger UI works at once.
 */
import { Type } from 'typebox';
import {
  JointValues, LinkName, Pose, ReferenceFrame, RowOrder, Vector3, Vector3Input, endEffectorFields,
} from './common.js';

const UR5E_Q = [0, -1.2, 1.5, -1.9, -1.57, 0];

export const AnalysisResult = Type.Object({
  singularValues: Type.Array(Type.Number(), { description: 'the min(6, n) largest singular values, largest first; n counts the joints that move the tip' }),
  manipulability: Type.Number({ description: 'their product: sqrt(det(J Jᵀ)) for n >= 6, sqrt(det(Jᵀ J)) below' }),
  conditionNumber: Type.Optional(Type.Number({ description: 'σmax / σmin; absent when σmin is 0' })),
  inverseCondition: Type.Number({ description: 'σmin / σmax in [0, 1]; 0 at a singularity' }),
  minSingularValue: Type.Number(),
  rank: Type.Integer({ description: 'singular values above rankTolerance' }),
  rankTolerance: Type.Number({ description: 'max(6, n) · 2.2e-16 · σmax' }),
});

export const FkRequest = Type.Object({
  q: JointValues,
  links: Type.Optional(Type.Array(LinkName, { maxItems: 1000, description: 'links to return; default all' })),
  base: endEffectorFields.base,
}, { additionalProperties: false, examples: [{ q: UR5E_Q, links: ['tool0', 'wrist_3_link'] }] });

export const FkResponse = Type.Object({
  base: Type.String(),
  poses: Type.Record(Type.String(), Pose, { description: 'pose of each link in the base frame' }),
});

/** Configurations of a batch request: at most `maxBatch` (the MAX_BATCH setting). */
function configurations(maxBatch: number) {
  return Type.Array(JointValues, {
    minItems: 1, maxItems: maxBatch, description: `configurations, answered in the same order (at most ${maxBatch})`,
  });
}

export function fkBatchRequest(maxBatch: number) {
  return Type.Object({
    qs: configurations(maxBatch),
    links: FkRequest.properties.links,
    base: endEffectorFields.base,
  }, { additionalProperties: false, examples: [{ qs: [UR5E_Q, [0, 0, 0, 0, 0, 0]], links: ['tool0'] }] });
}

export const FkBatchResponse = Type.Object({
  base: Type.String(),
  results: Type.Array(Type.Object({ poses: FkResponse.properties.poses })),
});

export const JacobianRequest = Type.Object({
  q: JointValues,
  ...endEffectorFields,
  referenceFrame: Type.Optional(ReferenceFrame),
  analysis: Type.Optional(Type.Boolean({ description: 'add singular values, manipulability, condition number and rank' })),
}, { additionalProperties: false, examples: [{ q: UR5E_Q, tip: 'tool0', referenceFrame: 'LOCAL_WORLD_ALIGNED', analysis: true }] });

const jacobianHeader = {
  base: Type.String(),
  tip: Type.String(),
  referenceFrame: ReferenceFrame,
  rowOrder: RowOrder,
  joints: Type.Array(Type.String(), { description: 'the column order: active joints in q order' }),
};

const JacobianMatrix = Type.Array(Type.Array(Type.Number()), { description: '6 rows (linear first) of one column per active joint' });

export const JacobianResponse = Type.Object({
  ...jacobianHeader,
  jacobian: JacobianMatrix,
  pose: Pose,
  analysis: Type.Optional(AnalysisResult),
});

export function jacobianBatchRequest(maxBatch: number) {
  return Type.Object({
    qs: configurations(maxBatch),
    ...endEffectorFields,
    referenceFrame: Type.Optional(ReferenceFrame),
    includePose: Type.Optional(Type.Boolean({ description: 'also return the tip pose of each configuration' })),
  }, { additionalProperties: false, examples: [{ qs: [UR5E_Q, [0, -1.57, 1.57, 0, 0, 0]], tip: 'tool0' }] });
}

export const JacobianBatchResponse = Type.Object({
  ...jacobianHeader,
  jacobians: Type.Array(JacobianMatrix),
  poses: Type.Optional(Type.Array(Pose)),
});

const Twist = Type.Object({ linear: Vector3, angular: Vector3 }, { description: 'linear (m/s) and angular (rad/s) velocity' });

export const VelocityRequest = Type.Object({
  q: JointValues,
  qdot: JointValues,
  ...endEffectorFields,
  referenceFrame: Type.Optional(ReferenceFrame),
}, { additionalProperties: false, examples: [{ q: UR5E_Q, qdot: [0.1, 0, 0, 0, 0, 0.2], tip: 'tool0' }] });

export const VelocityResponse = Type.Object({
  base: Type.String(),
  tip: Type.String(),
  referenceFrame: ReferenceFrame,
  twist: Twist,
});

export const StaticsRequest = Type.Object({
  q: JointValues,
  wrench: Type.Object({
    force: Vector3Input,
    torque: Vector3Input,
  }, { additionalProperties: false, description: 'force (N) and torque (N·m) the tip exerts, expressed like the Jacobian of referenceFrame (LOCAL_WORLD_ALIGNED: at the tip point, base axes)' }),
  ...endEffectorFields,
  referenceFrame: Type.Optional(ReferenceFrame),
}, { additionalProperties: false, examples: [{ q: UR5E_Q, wrench: { force: [0, 0, -10], torque: [0, 0, 0] }, tip: 'tool0' }] });

export const StaticsResponse = Type.Object({
  joints: Type.Array(Type.String()),
  efforts: Type.Array(Type.Number(), { description: 'joint torques (N·m) or forces (N), Jᵀ w, in q order' }),
});
