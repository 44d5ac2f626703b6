/**
 * The plain description of a robot that the core compiles into a {@link KinematicModel}: what a
 * URDF says about kinematics, already parsed into numbers (SI units), with nothing derived yet.
 * The URDF loader produces it; a program can also build one directly.
 */

/** URDF joint types the core supports. `floating` and `planar` are rejected by the loader. */
export type JointKind = 'revolute' | 'continuous' | 'prismatic' | 'fixed';

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

/** A `<mimic>` element: this joint's value is `multiplier * value(joint) + offset`. */
export interface MimicDescription {
  /** The joint this one follows (which may itself mimic another). */
  joint: string;
  multiplier: number;
  offset: number;
}

/** One `<joint>`. */
export interface JointDescription {
  name: string;
  type: JointKind;
  parent: string;
  child: string;
  /** Translation of the joint frame in the parent link frame (m). */
  xyz: [number, number, number];
  /** Fixed-axis roll, pitch, yaw of the joint frame in the parent link frame (rad). */
  rpy: [number, number, number];
  /** Joint axis in the joint frame, as written (not yet normalised). Ignored for fixed joints. */
  axis: [number, number, number];
  limits: JointLimits;
  mimic?: MimicDescription;
}

/** One `<link>`; only its name matters for kinematics. */
export interface LinkDescription {
  name: string;
}

/** A robot: its links and the joints that connect them into a tree. */
export interface RobotDescription {
  name: string;
  links: LinkDescription[];
  joints: JointDescription[];
}
