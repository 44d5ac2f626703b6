/**
 * TypeBox schemas shared by the routes: vectors, poses, joint values, frames and problems.
 * They validate requests, make response serialisation fast and generate the OpenAPI document.
 */
import { Type, type Static, type TNumber, type TSchema } from 'typebox';
import { REFERENCE_FRAMES } from '../../core/jacobian.js';
import { MAX_MAGNITUDE, MAX_MAGNITUDE_TEXT } from '../../core/magnitude.js';
import { ROBOT_ID_PATTERN, ROBOT_ID_RULE } from '../../robots/robot-id.js';

/** A number of a request within ±MAX_MAGNITUDE, so that no result overflows (see core/magnitude.ts). */
export function Magnitude(options: { minimum?: number; description?: string } = {}): TNumber {
  return Type.Number({ minimum: -MAX_MAGNITUDE, maximum: MAX_MAGNITUDE, ...options });
}

/** A 3-vector of a response. */
export const Vector3 = Type.Array(Type.Number(), { minItems: 3, maxItems: 3, description: '[x, y, z]' });

/** A 3-vector of a request. */
export const Vector3Input = Type.Array(Magnitude(), { minItems: 3, maxItems: 3, description: `[x, y, z], each within ±${MAX_MAGNITUDE_TEXT}` });

export const Quaternion = Type.Array(Type.Number(), {
  minItems: 4, maxItems: 4, description: 'unit quaternion [x, y, z, w], scalar last (as in ROS and SciPy)',
});

export const RotationMatrix = Type.Array(Type.Array(Type.Number(), { minItems: 3, maxItems: 3 }), {
  minItems: 3, maxItems: 3, description: 'rotation matrix as 3 rows; its columns are the frame axes in the base frame',
});

export const Pose = Type.Object({
  position: Vector3,
  quaternion: Type.Array(Type.Number(), { minItems: 4, maxItems: 4, description: 'unit quaternion [x, y, z, w] with w >= 0' }),
  rotation: RotationMatrix,
}, { description: 'pose of a frame in the base frame (metres)' });

export const PoseInput = Type.Object({
  position: Vector3Input,
  quaternion: Type.Optional(Quaternion),
  rotation: Type.Optional(RotationMatrix),
}, {
  additionalProperties: false,
  description: 'a pose: position (m) and an orientation as `quaternion` or `rotation` (a non-unit quaternion or a non-orthonormal matrix is a 400)',
});

/** Most joints a request may name; larger than any robot the service loads. */
export const MAX_JOINTS = 1000;

const JOINT_VALUES_FORMS = 'an array of numbers in the robot\'s active-joint order (the `joints` of GET /robots/{id}), or an object naming every active joint: { "<joint>": value }';

/** One value per active joint, as an array or by name, each value matching `value`. */
export function jointValues(value: TNumber, description: string) {
  return Type.Union([
    Type.Array(value, { maxItems: MAX_JOINTS }),
    Type.Record(Type.String({ maxLength: 256 }), value, { maxProperties: MAX_JOINTS }),
  ], { description: `${description}: ${JOINT_VALUES_FORMS}` });
}

export const JointValues = jointValues(Magnitude(), `joint values (rad or m), each within ±${MAX_MAGNITUDE_TEXT}`);

export const ReferenceFrame = Type.Enum(REFERENCE_FRAMES, {
  description: 'LOCAL_WORLD_ALIGNED (default): tip-point velocity in base axes (KDL, jacob0); LOCAL: in tip axes (body Jacobian, jacobe); WORLD: spatial twist at the base origin (space Jacobian)',
});

export const LinkName = Type.String({ minLength: 1, maxLength: 256 });

export const RowOrder = Type.Array(Type.String(), { description: 'the row order of 6-vectors and Jacobians: ["vx", "vy", "vz", "wx", "wy", "wz"]' });

/** The fields that pick the end effector, shared by Jacobian, velocity, statics and IK. */
export const endEffectorFields = {
  tip: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'tip link; default the robot\'s defaultTip (required for trees)' })),
  base: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'base link: poses and Jacobians are relative to it; default the root link. It need not be an ancestor of the tip.' })),
  tipOffset: Type.Optional({ ...Vector3Input, description: 'point of interest in the tip frame (m), e.g. a tool centre point; default [0, 0, 0]' }),
};

/** The end effector of a request: its fields, and the reference frame where a route takes one. */
export const EndEffectorSelection = Type.Object({ ...endEffectorFields, referenceFrame: Type.Optional(ReferenceFrame) });
export type EndEffectorSelection = Static<typeof EndEffectorSelection>;

export const RobotIdParams = Type.Object({
  id: Type.String({ pattern: ROBOT_ID_PATTERN, description: `robot id: ${ROBOT_ID_RULE}`, examples: ['ur5e'] }),
});

export const Problem = Type.Object({
  type: Type.String({ description: 'problem type URI' }),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String({ description: 'what is wrong and what to change' }),
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
    description: 'every problem found: for a request, the field at fault (path such as q[3]); for a refused URDF, the element '
      + 'it is about (path such as /robot/joint[@name="elbow"]/limit), at most 100 (the detail counts them all)',
  })),
}, { description: 'RFC 9457 problem details (application/problem+json)' });

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'malformed or invalid request, unknown link or joint; for an upload: a URDF that is not well-formed XML (type urdf-malformed-xml), has a DOCTYPE (urdf-doctype) or exceeds the XML reader\'s limits (urdf-xml-limit)',
  401: 'authentication required',
  403: 'not allowed',
  404: 'unknown robot',
  409: 'conflict',
  413: 'request body too large, or an uploaded URDF beyond URDF_MAX_BYTES or URDF_MAX_LINKS (type urdf-too-large)',
  415: 'unsupported media type',
  426: 'upgrade required: the route is a WebSocket (GET with Upgrade: websocket)',
  422: 'a URDF that is well-formed XML but whose elements are not a usable URDF (type urdf-invalid-element) or do not form a valid kinematic tree (urdf-invalid-tree); errors lists every problem with its element; '
    + 'or a heavy request whose estimated computation is beyond MAX_REQUEST_WORK_MS (type too-much-work), refused before it runs',
  429: 'rate limited: retry after the Retry-After header',
  500: 'an internal error: logged with the request id (x-request-id), no details sent',
  503: 'overloaded, shutting down, not ready, or storage unavailable: retry after the Retry-After header, or on another instance',
};

/** Statuses that every route can answer: an internal error, and overload or shutdown. */
const ALWAYS_POSSIBLE = [500, 503];

/** Response schemas of problem statuses (and those of ALWAYS_POSSIBLE), served as application/problem+json. */
export function problemResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries([...new Set([...statuses, ...ALWAYS_POSSIBLE])].map((status) => [status, {
    description: PROBLEM_DESCRIPTIONS[status] ?? 'problem',
    content: { 'application/problem+json': { schema: Problem } },
  }]));
}

/** Problems every kinematics route can answer. */
export const KINEMATICS_PROBLEMS = [400, 404, 413, 415, 429];

/**
 * Problems of the heavy routes (http/work-cost.ts): 422 too-much-work beyond MAX_REQUEST_WORK_MS,
 * 503 when the workers are saturated.
 */
export const HEAVY_PROBLEMS = [...KINEMATICS_PROBLEMS, 422, 503];
