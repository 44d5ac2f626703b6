/**
 * The plain description of a robot that the core compiles into a {@link KinematicModel}: links,
 * and joints that connect them into a tree, already in numbers (SI units), with nothing derived
 * yet. The URDF loader produces it; a program can also build one directly.
 */

/** The joint types the core supports (URDF's `floating` and `planar` are not among them). */
export const JOINT_TYPES = ['revolute', 'continuous', 'prismatic', 'fixed'] as const;
/** A joint type (one of JOINT_TYPES). */
export type JointType = (typeof JOINT_TYPES)[number];
/** JOINT_TYPES in words, for messages. */
export const JOINT_TYPES_TEXT = `${JOINT_TYPES.slice(0, -1).join(', ')} and ${JOINT_TYPES[JOINT_TYPES.length - 1]}`;

/** Position, velocity and effort limits of a joint; absent values are unlimited. */
export interface JointLimits {
  /** Lowest position (rad or m). Absent on continuous joints. */
  lower?: number;
  /** Highest position (rad or m). Absent on continuous joints. */
  upper?: number;
  /** Largest speed (rad/s or m/s). */
  velocity?: number;
  /** Largest effort (N·m or N). */
  effort?: number;
}

/** A mimic relation: this joint's value is `multiplier * value(joint) + offset`. */
export interface MimicDescription {
  /** The joint this one follows (which may itself mimic another). */
  joint: string;
  multiplier: number;
  offset: number;
}

/** One joint: it places its child link in its parent link and moves it along or about its axis. */
export interface JointDescription {
  name: string;
  type: JointType;
  parent: string;
  child: string;
  /** Translation of the joint frame in the parent link frame (m). */
  xyz: [number, number, number];
  /** Fixed-axis roll, pitch, yaw of the joint frame in the parent link frame (rad): R = Rz(yaw) Ry(pitch) Rx(roll). */
  rpy: [number, number, number];
  /** Joint axis in the joint frame, as written (not yet normalised). Ignored for fixed joints. */
  axis: [number, number, number];
  limits: JointLimits;
  mimic?: MimicDescription;
}

/** One link; only its name matters for kinematics. */
export interface LinkDescription {
  name: string;
}

/** A robot: its links and the joints that connect them into a tree. */
export interface RobotDescription {
  name: string;
  links: LinkDescription[];
  joints: JointDescription[];
}
