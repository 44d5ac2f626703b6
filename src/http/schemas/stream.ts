/**
 * Schemas of the control stream (GET /robots/{id}/stream): the frames of a session, built from
 * the request and response schemas of ik/velocity and ik/step so that the stream and the HTTP
 * routes accept and answer the same fields, and the layout of the optional binary frames.
 */
import { Type, type TProperties, type TSchema } from 'typebox';
import { IK_STEP_STATUSES } from '../../core/ik/damped-step.js';
import { VELOCITY_CONTROL_STATUSES } from '../../core/ik/velocity-control.js';
import { IkStepRequest, IkStepResponse, IkVelocityRequest, IkVelocityResponse } from './ik.js';
import { Problem } from './common.js';

/** Default and largest command timeout (ms): MoveIt Servo's default is 0.1 s. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 100;
export const MAX_COMMAND_TIMEOUT_MS = 60_000;

/** `properties` without the named keys. */
function without(properties: TProperties, ...keys: string[]): TProperties {
  return Object.fromEntries<TSchema>(Object.entries(properties).filter(([key]) => !keys.includes(key)));
}

const commandTimeoutMs = Type.Optional(Type.Integer({
  minimum: 1, maximum: MAX_COMMAND_TIMEOUT_MS,
  description: `the command watchdog (ms): no command for this long after the last one and the server sends one halt frame (a zero command); default ${DEFAULT_COMMAND_TIMEOUT_MS}`,
}));

const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'the client\'s sequence number of the command, echoed in its result (any integer from 0; increasing is the convention)' });

/** configure, mode velocity: the fields of an ik/velocity request but q and twist. */
export const StreamConfigureVelocity = Type.Object({
  type: Type.Literal('configure'),
  mode: Type.Literal('velocity'),
  ...without(IkVelocityRequest.properties, 'q', 'twist'),
  commandTimeoutMs,
}, { additionalProperties: false, description: 'configures a velocity session: the options of POST /robots/{id}/ik/velocity (tip, base, tipOffset, referenceFrame, dt, singularity thresholds, respectLimits, nullspace), once for every command' });

/** configure, mode step: the fields of an ik/step request but q and target. */
export const StreamConfigureStep = Type.Object({
  type: Type.Literal('configure'),
  mode: Type.Literal('step'),
  ...without(IkStepRequest.properties, 'q', 'target'),
  commandTimeoutMs,
}, { additionalProperties: false, description: 'configures a step session: the options of POST /robots/{id}/ik/step (tip, base, tipOffset, damping, weights, jointWeights, maxStep, respectLimits, tolerance), once for every command' });

export const StreamConfigured = Type.Object({
  type: Type.Literal('configured'),
  mode: Type.Union([Type.Literal('velocity'), Type.Literal('step')]),
  joints: Type.Array(Type.String(), { description: 'the active joints: the order of q in commands and of qdot, q, dq in results' }),
  dof: Type.Integer(),
  commandTimeoutMs: Type.Integer(),
  binaryCommandValues: Type.Integer({ description: 'how many float64 values a binary command of this session holds' }),
});

export const StreamVelocityCommand = Type.Object({
  type: Type.Literal('command'),
  seq: Seq,
  q: IkVelocityRequest.properties.q,
  twist: IkVelocityRequest.properties.twist,
}, { additionalProperties: false, description: 'one velocity command: the q and twist of an ik/velocity request' });

export const StreamStepCommand = Type.Object({
  type: Type.Literal('command'),
  seq: Seq,
  q: IkStepRequest.properties.q,
  target: IkStepRequest.properties.target,
}, { additionalProperties: false, description: 'one step command: the q and target of an ik/step request' });

const resultFields = {
  type: Type.Literal('result'),
  seq: Seq,
  skipped: Type.Optional(Type.Array(Seq, { description: 'commands that arrived while this one waited and were superseded by it, never computed (latest wins); absent when none' })),
  computeUs: Type.Number({ description: 'the server\'s time (µs) to compute the answer, from reading q to the answer\'s numbers' }),
};

export const StreamVelocityResult = Type.Object({ ...resultFields, ...IkVelocityResponse.properties }, {
  description: 'the answer of POST /robots/{id}/ik/velocity for the command\'s q and twist, with seq, skipped and computeUs',
});
export const StreamStepResult = Type.Object({ ...resultFields, ...IkStepResponse.properties }, {
  description: 'the answer of POST /robots/{id}/ik/step for the command\'s q and target, with seq, skipped and computeUs',
});

export const StreamHalt = Type.Object({
  type: Type.Literal('halt'),
  reason: Type.Literal('command-timeout'),
  seq: Type.Optional(Type.Integer({ description: 'the last command\'s seq' })),
  qdot: Type.Optional(Type.Array(Type.Number(), { description: 'velocity sessions: all zeros' })),
  dq: Type.Optional(Type.Array(Type.Number(), { description: 'step sessions: all zeros' })),
}, { description: 'no command for commandTimeoutMs: stop (a zero command), sent once until the next command' });

export const StreamError = Type.Object({
  type: Type.Literal('error'),
  seq: Type.Optional(Type.Integer({ description: 'the seq of the refused command, when it could be read' })),
  skipped: Type.Optional(Type.Array(Seq, { description: 'as in a result: commands superseded by the refused one' })),
  problem: Problem,
}, { description: 'a refused frame: the problem document POST ik/velocity or ik/step would answer (or 429 beyond the command rate, 409 for a second configure, 400 for a command before configure); the session goes on' });

// ---------------------------------------------------------------------------------------------
// binary frames: little-endian float64 values, the layouts named here (the codec reads them)

/** The values of a binary velocity command, n = dof. */
export const BINARY_VELOCITY_COMMAND = ['seq', 'q[n]', 'vx', 'vy', 'vz', 'wx', 'wy', 'wz'] as const;
/** The values of a binary step command: target position and unit quaternion [x, y, z, w]. */
export const BINARY_STEP_COMMAND = ['seq', 'q[n]', 'px', 'py', 'pz', 'qx', 'qy', 'qz', 'qw'] as const;
/** The fixed values at the head of a binary velocity result, then qdot[n], then skipped[skippedCount]. */
export const BINARY_VELOCITY_RESULT_HEAD = [
  'seq', 'computeUs', 'skippedCount', 'status', 'scale', 'minSingularValue', 'conditionNumber', 'manipulability',
  'nullspaceApplied', 'nullspaceObjectiveRate',
] as const;
/** The fixed values at the head of a binary step result, then q[n], dq[n], then skipped[skippedCount]. */
export const BINARY_STEP_RESULT_HEAD = [
  'seq', 'computeUs', 'skippedCount', 'status', 'damping', 'errorPosition', 'errorOrientation', 'errorAfterPosition',
  'errorAfterOrientation', 'minSingularValue', 'conditionNumber', 'manipulability',
] as const;

const statusCodes = (statuses: readonly string[]): string => statuses.map((s, i) => `${i} ${s}`).join(', ');

/** The binary protocol in words, for the route's description and the README. */
export const BINARY_LAYOUT = [
  'Binary frames (optional; JSON is always accepted): after a JSON configure, a binary frame is a command of little-endian',
  `float64 values, answered by a binary result (errors and halts stay JSON text frames). Velocity command: [${BINARY_VELOCITY_COMMAND.join(', ')}];`,
  `step command: [${BINARY_STEP_COMMAND.join(', ')}] (give a unit quaternion; with orientation weights 0 it is not looked at).`,
  `Velocity result: [${BINARY_VELOCITY_RESULT_HEAD.join(', ')}, qdot[n], skipped[skippedCount]], status ${statusCodes(VELOCITY_CONTROL_STATUSES)},`,
  'nullspaceApplied and nullspaceObjectiveRate 0 without nullspace in the configuration.',
  `Step result: [${BINARY_STEP_RESULT_HEAD.join(', ')}, q[n], dq[n], skipped[skippedCount]], status ${statusCodes(IK_STEP_STATUSES)}.`,
  'conditionNumber is +Infinity where JSON leaves it out (an exact singularity). n is the dof of the robot (the length of joints in the configured frame).',
].join(' ');

/** Every frame of the protocol, by direction, for the OpenAPI document (x-stream-frames). */
export const STREAM_FRAMES: { client: Record<string, TSchema>; server: Record<string, TSchema> } = {
  client: {
    configureVelocity: StreamConfigureVelocity, configureStep: StreamConfigureStep,
    velocityCommand: StreamVelocityCommand, stepCommand: StreamStepCommand,
  },
  server: {
    configured: StreamConfigured, velocityResult: StreamVelocityResult, stepResult: StreamStepResult,
    halt: StreamHalt, error: StreamError,
  },
};
