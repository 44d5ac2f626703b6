/**
 * Schemas of the second-order routes: the Jacobian's derivative, the Hessian and manipulability
 * with its gradient. Examples are for the builtin UR5e.
 */
import { Type } from 'typebox';
import { MANIPULABILITY_AXES, MANIPULABILITY_MEASURES } from '../../core/manipulability.js';
import { JointValues, ReferenceFrame, RowOrder, Vector3, endEffectorFields } from './common.js';

const UR5E_Q = [0, -1.2, 1.5, -1.9, -1.57, 0];
const UR5E_QDOT = [0.1, 0.2, -0.1, 0.3, 0.1, -0.2];

const frameFields = {
  ...endEffectorFields,
  referenceFrame: Type.Optional(ReferenceFrame),
};

const header = {
  base: Type.String(),
  tip: Type.String(),
  referenceFrame: ReferenceFrame,
  rowOrder: RowOrder,
  joints: Type.Array(Type.String(), { description: 'the column order: active joints in q order' }),
};

const Acceleration = Type.Object({ linear: Vector3, angular: Vector3 }, {
  description: 'linear (m/s²) and angular (rad/s²), in referenceFrame (LOCAL_WORLD_ALIGNED: the tip point\'s acceleration relative to the base, in base axes)',
});

export const JacobianDerivativeRequest = Type.Object({
  q: JointValues,
  qdot: JointValues,
  qddot: Type.Optional(JointValues),
  ...frameFields,
}, { additionalProperties: false, examples: [{ q: UR5E_Q, qdot: UR5E_QDOT, tip: 'tool0' }] });

export const JacobianDerivativeResponse = Type.Object({
  ...header,
  jacobianDerivative: Type.Array(Type.Array(Type.Number()), {
    description: 'dJ/dt along qdot of the Jacobian in referenceFrame, 6 rows (linear first) of one column per active joint: '
      + 'Orocos KDL\'s ChainJntToJacDotSolver in its HYBRID, BODYFIXED and INERTIAL representations for LOCAL_WORLD_ALIGNED, LOCAL and WORLD',
  }),
  biasAcceleration: { ...Acceleration, description: 'J̇ q̇: the twist\'s derivative at q̈ = 0' },
  acceleration: Type.Optional({ ...Acceleration, description: 'with qddot: J q̈ + J̇ q̇, the time derivative of the twist J q̇' }),
});

export const HessianRequest = Type.Object({
  q: JointValues,
  ...frameFields,
}, { additionalProperties: false, examples: [{ q: UR5E_Q, tip: 'tool0' }] });

export const HessianResponse = Type.Object({
  ...header,
  hessian: Type.Array(Type.Array(Type.Array(Type.Number())), {
    description: 'hessian[k][r][c] = ∂J[r][c]/∂q_k of the Jacobian in referenceFrame (dof slices of 6 x dof), so that J̇ = Σ_k hessian[k] q̇_k; '
      + 'mimic joints are folded into their leaders by the chain rule, as in the Jacobian',
  }),
});

export const ManipulabilityRequest = Type.Object({
  q: JointValues,
  ...frameFields,
  measure: Type.Optional(Type.Enum(MANIPULABILITY_MEASURES, {
    description: 'yoshikawa (default; the manipulability of jacobian\'s analysis: the product of the singular values), sigmaMin, '
      + 'inverseCondition (σmin/σmax) or logDet (log det(J_a J_aᵀ), log det(J_aᵀ J_a) for fewer joints than rows; a 400 at a singularity, where it is -∞)',
  })),
  axes: Type.Optional(Type.Enum(MANIPULABILITY_AXES, {
    description: 'the rows J_a of the Jacobian the measure is taken over: all (default), translation (vx vy vz) or rotation (wx wy wz); '
      + 'the columns are those of the joints that move the tip',
  })),
}, { additionalProperties: false, examples: [{ q: UR5E_Q, tip: 'tool0', measure: 'yoshikawa', axes: 'all' }] });

export const ManipulabilityResponse = Type.Object({
  measure: Type.Enum(MANIPULABILITY_MEASURES),
  axes: Type.Enum(MANIPULABILITY_AXES),
  referenceFrame: ReferenceFrame,
  joints: Type.Array(Type.String(), { description: 'the order of gradient: active joints in q order' }),
  value: Type.Number(),
  gradient: Type.Array(Type.Number(), {
    description: '∂value/∂q_k, exact (from the Hessian: ∂σ_i/∂q_k = u_iᵀ H_k v_i); 0 for joints that do not move the tip. Where the measure is '
      + 'not differentiable (differentiable: false) it is 0 at a singularity, and for sigmaMin or inverseCondition with a repeated '
      + 'σmin (or σmax) the gradient of one of the repeated values',
  }),
  differentiable: Type.Boolean({
    description: 'false at a singularity (σmin = 0, where each measure behaves like |f(q)| for a smooth f through 0), and for sigmaMin '
      + 'and inverseCondition where σmin (or σmax) is repeated',
  }),
  singularValues: Type.Array(Type.Number(), { description: 'the singular values of J_a, largest first (0 below the rank tolerance)' }),
});
