/**
 * Schemas of the robots routes.
 */
import { Type } from 'typebox';
import { ROBOT_ID_PATTERN } from '../../robots/robot-id.js';
import { Vector3 } from './common.js';

/** The content identity of a robot (API 1.1, "Shared registry and content identity"). */
const Sha256 = Type.String({
  pattern: '^[0-9a-f]{64}$',
  description: 'hex SHA-256 of the robot\'s URDF text as stored: two replicas answer with the same model exactly when these agree; '
    + 'GET /robots/{id} and GET /robots/{id}/urdf send it, quoted, as their ETag',
});

/*
 * Choices of the answers are enums, not unions of literals: fast-json-stringify picks a union's
 * branch with a validator it compiles on first use, about 20 ms on the event loop at a route's
 * first answer (issue 17); an enum is written as the string it is.
 */
const JointType = Type.Enum(['revolute', 'continuous', 'prismatic', 'fixed'], { type: 'string' });
const Source = Type.Enum(['builtin', 'uploaded'], { type: 'string' });

export const RobotListItem = Type.Object({
  id: Type.String(),
  name: Type.String({ description: 'the URDF robot name' }),
  dof: Type.Integer({ description: 'number of active joints: the length of q' }),
  joints: Type.Array(Type.String(), { description: 'active joints in q order' }),
  baseLink: Type.String(),
  tipLinks: Type.Array(Type.String(), { description: 'leaf links that joints move' }),
  defaultTip: Type.Optional(Type.String({ description: 'the single tip of a serial chain; absent for trees' })),
  source: Source,
  sha256: Sha256,
});

export const RobotList = Type.Object({ robots: Type.Array(RobotListItem) });

export const RobotSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  source: Source,
  sha256: Sha256,
  dof: Type.Integer(),
  baseLink: Type.String(),
  defaultTip: Type.Optional(Type.String()),
  tipLinks: Type.Array(Type.String()),
  joints: Type.Array(Type.Object({
    name: Type.String(),
    type: JointType,
    parentLink: Type.String(),
    childLink: Type.String(),
    axis: Type.Array(Type.Number(), { description: 'unit axis in the joint frame' }),
    origin: Type.Object({ xyz: Vector3, rpy: Type.Array(Type.Number(), { description: 'roll, pitch, yaw (rad)' }) }),
    limits: Type.Object({
      lower: Type.Optional(Type.Number()),
      upper: Type.Optional(Type.Number()),
      velocity: Type.Optional(Type.Number()),
      effort: Type.Optional(Type.Number()),
    }, { description: 'as the URDF gives them; a velocity or effort of 0 or below (files write 0 or -1 for "not set") is no limit to ik/velocity' }),
  }), { description: 'active joints, in q order' }),
  mimicJoints: Type.Array(Type.Object({
    name: Type.String(), leader: Type.String(), multiplier: Type.Number(), offset: Type.Number(),
  }), { description: 'joints that follow a leader: value = multiplier * leader + offset; not in q' }),
  links: Type.Array(Type.Object({
    name: Type.String(), parentLink: Type.Optional(Type.String()), parentJoint: Type.Optional(Type.String()),
  }), { description: 'every link, parents before children' }),
});

/** A two-joint planar arm: the example of uploads in Swagger UI (then deleted by DELETE's example). */
export const EXAMPLE_URDF = '<robot name="two_link"><link name="base"/><link name="upper"/><link name="tool"/>'
  + '<joint name="shoulder" type="revolute"><parent link="base"/><child link="upper"/><axis xyz="0 0 1"/>'
  + '<limit lower="-3" upper="3" effort="10" velocity="2"/></joint>'
  + '<joint name="elbow" type="revolute"><origin xyz="0.5 0 0"/><parent link="upper"/><child link="tool"/><axis xyz="0 0 1"/>'
  + '<limit lower="-3" upper="3" effort="10" velocity="2"/></joint></robot>';

export const UploadJson = Type.Object({
  id: Type.Optional(Type.String({ pattern: ROBOT_ID_PATTERN, description: 'robot id; default the URDF robot name' })),
  urdf: Type.String({ minLength: 1, description: 'the URDF document' }),
}, { additionalProperties: false, examples: [{ id: 'two_link', urdf: EXAMPLE_URDF }] });

export const UploadQuery = Type.Object({
  id: Type.Optional(Type.String({ pattern: ROBOT_ID_PATTERN, description: 'robot id for XML uploads; default the URDF robot name' })),
}, { additionalProperties: false });
