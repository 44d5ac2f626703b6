/**
 * Schemas of the inverse kinematics routes. Examples are for the builtin UR5e.
 */
import { Type, type Static } from 'typebox';
import { IK_STEP_STATUSES } from '../../core/ik/damped-step.js';
import { NULLSPACE_OBJECTIVES } from '../../core/ik/nullspace.js';
import { IK_SOLVE_STATUSES } from '../../core/ik/solve.js';
import { VELOCITY_CONTROL_STATUSES } from '../../core/ik/velocity-control.js';
import { MAX_MAGNITUDE } from '../../core/magnitude.js';
import { JointValues, Magnitude, PoseInput, ReferenceFrame, Vector3Input, endEffectorFields, jointValues } from './common.js';

const UR5E_Q = [0, -1.2, 1.5, -1.9, -1.57, 0];
/** A pose of the UR5e's tool0 reachable from UR5E_Q (the tool pointing down). */
const UR5E_TARGET = { position: [0.45, 0.15, 0.35], quaternion: [0.7071068, 0.7071068, 0, 0] };

/** A target pose of IK: PoseInput, whose orientation may be left out for position-only IK. */
const IkTarget = Type.Object(PoseInput.properties, {
  additionalProperties: false,
  description: 'the target pose of the tip: position (m) and an orientation as `quaternion` or `rotation` (a non-unit quaternion '
    + 'or a non-orthonormal matrix is a 400); with the orientation weights 0 (`weights: [1, 1, 1, 0, 0, 0]`) the orientation '
    + 'may be left out: position-only IK',
});

const Tolerance = Type.Object({
  position: Type.Number({ exclusiveMinimum: 0, description: 'm' }),
  orientation: Type.Number({ exclusiveMinimum: 0, description: 'rad' }),
}, { additionalProperties: false, description: 'when the pose counts as reached; default 1e-5 m and 1e-5 rad' });

const TaskWeights = Type.Array(Magnitude({ minimum: 0 }), {
  minItems: 6, maxItems: 6,
  description: 'six task weights, linear first, each >= 0; a 0 frees that axis ([1,1,1,0,0,0] is position-only IK); default all 1',
});

const JointWeights = jointValues(
  Magnitude({ minimum: 1 / MAX_MAGNITUDE }),
  'one weight per active joint, each in [1e-9, 1e9] (a larger weight moves the joint less); default all 1',
);

const ErrorNorms = Type.Object({
  position: Type.Number({ description: 'm' }),
  orientation: Type.Number({ description: 'rad' }),
});

const SingularityMeasures = Type.Object({
  minSingularValue: Type.Number(),
  conditionNumber: Type.Optional(Type.Number({ description: 'absent at an exact singularity' })),
  manipulability: Type.Number(),
}, { description: 'of the (weighted) Jacobian of the joints that move the tip' });

const Joints = Type.Array(Type.String(), { description: 'the active joints: the order of q, dq, qdot' });

export const IkStepRequest = Type.Object({
  q: JointValues,
  target: IkTarget,
  ...endEffectorFields,
  damping: Type.Optional(Magnitude({ minimum: 0, description: 'fixed damping λ; default adaptive: λ² = 0.05² (1 - (σmin/0.05)²) below σmin = 0.05, 0 above' })),
  weights: Type.Optional(TaskWeights),
  jointWeights: Type.Optional(JointWeights),
  maxStep: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'largest change of any joint in the step (rad or m); the step is shortened to it, keeping its direction' })),
  respectLimits: Type.Optional(Type.Boolean({ description: 'default true: the result stays within the joint limits (joints at a limit are taken out of the step, then the step is shortened)' })),
  tolerance: Type.Optional(Tolerance),
}, { additionalProperties: false, examples: [{ q: UR5E_Q, target: UR5E_TARGET }] });

export const IkStepResponse = Type.Object({
  joints: Joints,
  q: Type.Array(Type.Number(), { description: 'the configuration after the step' }),
  dq: Type.Array(Type.Number(), { description: 'the step: returned q minus the given q' }),
  error: ErrorNorms,
  errorAfter: ErrorNorms,
  damping: Type.Number({ description: 'λ used' }),
  analysis: SingularityMeasures,
  status: Type.Enum(IK_STEP_STATUSES, {
    description: 'converged: the error after the step is within tolerance; at-limit: joints were taken out of the step or the step shortened at a limit; near-singular: σmin < 0.05, damped',
  }),
});

export const IkVelocityRequest = Type.Object({
  q: JointValues,
  twist: Type.Object({ linear: Vector3Input, angular: Vector3Input }, { additionalProperties: false, description: 'desired tip twist: m/s and rad/s, in referenceFrame' }),
  ...endEffectorFields,
  referenceFrame: Type.Optional(ReferenceFrame),
  dt: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10, description: 'control period (s): no joint passes a position limit within it; default 0.01' })),
  lowerSingularityThreshold: Type.Optional(Type.Number({ minimum: 1, description: 'condition number where slowing down starts; default 17 (MoveIt Servo)' })),
  hardStopSingularityThreshold: Type.Optional(Type.Number({ minimum: 1, description: 'condition number where motion toward the singularity stops; default 30 (MoveIt Servo)' })),
  respectLimits: Type.Optional(Type.Boolean({ description: 'default true: scale so that no position or velocity limit is exceeded' })),
  nullspace: Type.Optional(Type.Object({
    objective: Type.Enum(NULLSPACE_OBJECTIVES, {
      description: 'manipulability (Yoshikawa\'s measure of the Jacobian in referenceFrame), sigmaMin (its smallest singular value) or '
        + 'jointCentering (-½ Σ ((q - mid)/half-range)² over the joints with limits)',
    }),
    gain: Magnitude({ minimum: 0, description: 'joint rate per unit of the objective\'s gradient (1/s for jointCentering)' }),
  }, {
    additionalProperties: false,
    description: 'a secondary motion (I - V_r V_rᵀ) gain ∇objective in the null space of the Jacobian of the joints that move the tip: '
      + 'the commanded twist is unchanged (to rounding); it needs more such joints than task rows to do anything. It is cut (nullspace.applied '
      + '< 1) so that no joint exceeds its velocity limit or passes a position limit within dt, and is added even when the command is '
      + 'halted at a singularity',
  })),
}, { additionalProperties: false, examples: [{ q: UR5E_Q, twist: { linear: [0.05, 0, 0], angular: [0, 0, 0] } }] });

export const IkVelocityResponse = Type.Object({
  joints: Joints,
  qdot: Type.Array(Type.Number(), { description: 'joint velocities (rad/s or m/s)' }),
  scale: Type.Number({ description: 'in [0, 1]: the slow-down applied to J⁺V, as a whole so that the direction is kept' }),
  status: Type.Enum(VELOCITY_CONTROL_STATUSES, {
    description: 'decelerating-singularity / halted-singularity: the condition number is in / beyond the band and the command approaches the singularity; joint-limit: scaled for a position or velocity limit',
  }),
  analysis: SingularityMeasures,
  nullspace: Type.Optional(Type.Object({
    applied: Type.Number({ description: 'the fraction in [0, 1] of the null-space motion added to qdot (less than 1 when a joint limit cut it)' }),
    objectiveRate: Type.Number({ description: 'd(objective)/dt under the applied null-space motion (>= 0)' }),
  }, { description: 'with nullspace in the request' })),
});

/** Fields shared by a single solve and a batch of solves. */
function solveOptionFields(maxTimeoutMs: number) {
  return {
    ...endEffectorFields,
    tolerance: Type.Optional(Tolerance),
    weights: Type.Optional(TaskWeights),
    jointWeights: Type.Optional(JointWeights),
    maxIterations: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'damped steps per attempt; default 100' })),
    maxRestarts: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'random restarts after the first attempt; default 500' })),
    timeoutMs: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: maxTimeoutMs, description: `time budget per target (ms), checked inside the iteration loop (every 4th step, a few µs apart); default 5, at most ${maxTimeoutMs}` })),
    randomSeed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295, description: 'seed of the random restarts; the same seed gives the same answer unless timeoutMs cuts the search short (default 1)' })),
  };
}

export function ikSolveRequest(maxTimeoutMs: number) {
  return Type.Object({
    target: IkTarget,
    seed: Type.Optional(jointValues(Magnitude(), 'start configuration (rad or m); default the middle of the joint limits')),
    ...solveOptionFields(maxTimeoutMs),
  }, { additionalProperties: false, examples: [{ target: UR5E_TARGET, seed: UR5E_Q }] });
}

/** The solver options of a solve or batch request (the fields they share). */
export const SolveOptionFields = Type.Object(solveOptionFields(1));
export type SolveOptionFields = Static<typeof SolveOptionFields>;

const SolveResult = {
  converged: Type.Boolean(),
  status: Type.Enum(IK_SOLVE_STATUSES),
  q: Type.Array(Type.Number(), { description: 'the solution, or the best configuration found; always within the joint limits, continuous joints nearest the seed' }),
  error: ErrorNorms,
  iterations: Type.Integer(),
  restarts: Type.Integer(),
  elapsedMs: Type.Number(),
};

export const IkSolveResponse = Type.Object({ joints: Joints, ...SolveResult });

/** Bytes of one target in targetsFloat64: 12 float64 values. */
export const IK_TARGET_BYTES = 96;

export function ikSolveBatchRequest(maxBatch: number, maxTimeoutMs: number, maxWorkMs: number) {
  return Type.Object({
    targets: Type.Optional(Type.Array(IkTarget, { minItems: 1, maxItems: maxBatch, description: `target poses, answered in the same order (at most ${maxBatch}); or targetsFloat64` })),
    targetsFloat64: Type.Optional(Type.String({
      contentEncoding: 'base64', minLength: 1, maxLength: Math.ceil((maxBatch * IK_TARGET_BYTES) / 3) * 4,
      description: 'the targets in binary instead of "targets": base64 of little-endian float64 values, 12 per target: '
        + 'the rotation matrix row by row, then the position (m) — the layout of a pose in the binary answers. '
        + `Give exactly one of targets and targetsFloat64 (at most ${maxBatch} targets).`,
    })),
    seed: Type.Optional(jointValues(Magnitude(), 'one start configuration (rad or m) for every target')),
    seeds: Type.Optional(Type.Array(JointValues, { maxItems: maxBatch, description: 'a start configuration per target' })),
    ...solveOptionFields(maxTimeoutMs),
  }, {
    additionalProperties: false,
    description: `The total work of a request is capped: targets x timeoutMs may be at most ${maxWorkMs} ms. Target i restarts from randomSeed + i.`,
    examples: [{ targets: [UR5E_TARGET, { position: [0.3, -0.2, 0.5], quaternion: [1, 0, 0, 0] }], seed: UR5E_Q }],
  });
}

export const IkSolveBatchResponse = Type.Object({
  joints: Joints,
  results: Type.Array(Type.Object(SolveResult)),
});

/**
 * The values per result of the binary answer of ik/solve/batch, before q (dof values): converged
 * (1 or 0), the status as its index in IK_SOLVE_STATUSES, iterations, restarts, elapsedMs, the
 * position error (m) and the orientation error (rad).
 */
export const IK_BINARY_RESULT_FIELDS = ['converged', 'status', 'iterations', 'restarts', 'elapsedMs', 'positionError', 'orientationError'] as const;
