/**
 * The compiled kinematic model: built once from a {@link RobotDescription}, validated, frozen.
 *
 * Links are stored in depth-first pre-order from the root (parents before children, each subtree
 * contiguous), children in the order their joints appear in the description. Every per-link array
 * is indexed by that order; the joint of link L is the joint whose child is L (none for the root).
 *
 * Active joints are the revolute, continuous and prismatic joints that are not mimic joints; their
 * order (the order of their child links) is the order of `q`. For serial arms that is the order
 * from base to tip whatever the order in the file. A mimic joint is driven by the root of its
 * mimic chain: value = multiplier * q[leader] + offset.
 */
import { resolveMimics, validateTree, type MimicMap } from './description-validation.js';
import { KinematicsError } from './errors.js';
import type { JointType, RobotDescription } from './robot-description.js';
import { SE3_SIZE, setFromXyzRpy } from './se3.js';

/** The numeric joint type codes stored in {@link KinematicModel.jointCode}, for the kernels. */
export const JointCode = { FIXED: 0, REVOLUTE: 1, CONTINUOUS: 2, PRISMATIC: 3 } as const;
/** A numeric joint type code, as stored in {@link KinematicModel.jointCode}. */
export type JointCode = (typeof JointCode)[keyof typeof JointCode];

const JOINT_CODES: Record<JointType, JointCode> = {
  fixed: JointCode.FIXED,
  revolute: JointCode.REVOLUTE,
  continuous: JointCode.CONTINUOUS,
  prismatic: JointCode.PRISMATIC,
};

/** How mimic joints enter `q`. */
export type MimicMode =
  /** Mimic joints follow their leader and are not in `q` (the URDF meaning; the default). */
  | 'follow'
  /** Mimic joints are ordinary independent joints in `q` (what kdl_parser does). */
  | 'independent';

/** Options of {@link buildModel}. */
export interface BuildModelOptions {
  /** How mimic joints enter `q`; default `'follow'`. */
  mimic?: MimicMode;
}

/** A mimic joint, resolved to the root of its mimic chain. */
export interface ResolvedMimic {
  /** The mimic joint. */
  readonly name: string;
  /** The active joint that drives it (the root of the chain of mimics). */
  readonly leader: string;
  /** value = multiplier * q[leader] + offset, composed along the chain. */
  readonly multiplier: number;
  readonly offset: number;
}

/**
 * A compiled, immutable kinematic model. See the module comment for the conventions. The object
 * is frozen; its typed arrays and maps cannot be (JavaScript has no frozen typed arrays) and must
 * be treated as read-only: the compiled kernels bake their values in on first use, so a change
 * made afterwards would make them disagree with the loop-based kinematics.
 */
export interface KinematicModel {
  /** The robot name from the description. */
  readonly name: string;
  /** How mimic joints were compiled. */
  readonly mimicMode: MimicMode;
  /** Link names in depth-first order; index 0 is the root. */
  readonly linkNames: readonly string[];
  /** Link name to index. */
  readonly linkIndex: ReadonlyMap<string, number>;
  /** Parent link of each link; -1 for the root. */
  readonly parent: Int32Array;
  /** Depth of each link (root 0). */
  readonly depth: Int32Array;
  /** Name of the joint whose child is the link ('' for the root). */
  readonly jointNameOfLink: readonly string[];
  /** Joint type code ({@link JointCode}) of the link's joint; FIXED for the root. */
  readonly jointCode: Uint8Array;
  /** The fixed placement X_PJ of the joint frame in the parent link frame, 12 per link. */
  readonly X_PJ: Float64Array;
  /** Unit joint axis in the joint frame, 3 per link (zero for fixed joints and the root). */
  readonly axis: Float64Array;
  /** Active-joint index that drives the link's joint; -1 for fixed joints and the root. */
  readonly qIndex: Int32Array;
  /** Joint value = qMultiplier * q[qIndex] + qOffset (1 and 0 for active joints). */
  readonly qMultiplier: Float64Array;
  readonly qOffset: Float64Array;
  /** Number of active joints: the length of `q`. */
  readonly dof: number;
  /** Active joint names, in `q` order. */
  readonly jointNames: readonly string[];
  /** Active joint name to index in `q`. */
  readonly jointIndex: ReadonlyMap<string, number>;
  /** Child link of each active joint. */
  readonly jointLink: Int32Array;
  /** Position limits per active joint; -Infinity / Infinity where unlimited (continuous). */
  readonly qLower: Float64Array;
  readonly qUpper: Float64Array;
  /**
   * Velocity and effort limits per active joint; Infinity where the description has none, or
   * gives 0 or a negative value (files write velocity="0" or effort="-1" for "not set").
   */
  readonly velocityLimit: Float64Array;
  readonly effortLimit: Float64Array;
  /** 1 for continuous joints (never clamped, wrapped instead), per active joint. */
  readonly continuous: Uint8Array;
  /** Mimic joints, resolved to their leaders. */
  readonly mimics: readonly ResolvedMimic[];
  /** Leaf links moved by at least one active joint, in link order. */
  readonly tipLinks: readonly string[];
  /** The single tip link of a serial chain; undefined for a tree. */
  readonly defaultTip: string | undefined;
  /** The description the model was built from. */
  readonly description: RobotDescription;
}

/**
 * A velocity or effort limit: absent, 0 or negative means none. Files write velocity="0" (Atlas)
 * or effort="-1.0" velocity="-1.0" (some manufacturers' exports) for "not set"; urdfdom and KDL
 * load them, and MoveIt reads 0 as no limit. FK, Jacobians and IK never use these limits; only
 * velocity control does, as unlimited.
 */
function positiveOrUnlimited(limit: number | undefined): number {
  return limit !== undefined && limit > 0 ? limit : Infinity;
}

/**
 * Builds a frozen {@link KinematicModel} from a robot description, once it passes the checks of
 * description-validation.ts.
 *
 * @throws KinematicsError `INVALID_DESCRIPTION` with every problem found: duplicate names, joints
 *   that reference undefined links, links with two parents, several roots, cycles, zero axes,
 *   non-finite numbers, inverted limits, mimic joints that reference unknown or fixed joints or
 *   form a cycle.
 */
export function buildModel(description: RobotDescription, options: BuildModelOptions = {}): KinematicModel {
  const mimicMode = options.mimic ?? 'follow';
  const tree = validateTree(description);
  // mimic references are checked in both modes, so that a document's validity does not depend on it
  const resolvedMimics = resolveMimics(description);
  const mimicOf = mimicMode === 'follow' ? resolvedMimics : new Map<string, MimicMap>();

  // depth-first pre-order from the root
  const linkNames: string[] = [];
  const stack = [tree.root];
  while (stack.length > 0) {
    const link = stack.pop()!;
    linkNames.push(link);
    const kids = tree.children.get(link) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
  const n = linkNames.length;
  const linkIndex = new Map(linkNames.map((name, i) => [name, i]));
  const parent = new Int32Array(n).fill(-1);
  const depth = new Int32Array(n);
  const jointCode = new Uint8Array(n);
  const X_PJ = new Float64Array(SE3_SIZE * n);
  const axis = new Float64Array(3 * n);
  const qIndex = new Int32Array(n).fill(-1);
  const qMultiplier = new Float64Array(n).fill(1);
  const qOffset = new Float64Array(n);
  const jointNameOfLink: string[] = new Array<string>(n).fill('');
  X_PJ[0] = X_PJ[4] = X_PJ[8] = 1;

  // active joints in link order
  const jointNames: string[] = [];
  const activeLinks: number[] = [];
  for (let i = 1; i < n; i++) {
    const joint = description.joints[tree.jointOfChild.get(linkNames[i]!)!]!;
    if (joint.type !== 'fixed' && !mimicOf.has(joint.name)) {
      jointNames.push(joint.name);
      activeLinks.push(i);
    }
  }
  const jointIndex = new Map(jointNames.map((name, i) => [name, i]));
  const dof = jointNames.length;
  const qLower = new Float64Array(dof);
  const qUpper = new Float64Array(dof);
  const velocityLimit = new Float64Array(dof);
  const effortLimit = new Float64Array(dof);
  const continuous = new Uint8Array(dof);

  for (let i = 1; i < n; i++) {
    const joint = description.joints[tree.jointOfChild.get(linkNames[i]!)!]!;
    parent[i] = linkIndex.get(joint.parent)!;
    depth[i] = depth[parent[i]!]! + 1;
    jointNameOfLink[i] = joint.name;
    jointCode[i] = JOINT_CODES[joint.type];
    setFromXyzRpy(X_PJ, SE3_SIZE * i, joint.xyz, joint.rpy);
    if (joint.type === 'fixed') continue;
    // scale by the largest component first: the norm of (1.5e308, 1.5e308, 0) overflows
    const largest = Math.max(Math.abs(joint.axis[0]), Math.abs(joint.axis[1]), Math.abs(joint.axis[2]));
    const [ax, ay, az] = joint.axis.map((a) => a / largest) as [number, number, number];
    const norm = Math.hypot(ax, ay, az);
    axis[3 * i] = ax / norm; axis[3 * i + 1] = ay / norm; axis[3 * i + 2] = az / norm;
    const mimic = mimicOf.get(joint.name);
    if (mimic) {
      qIndex[i] = jointIndex.get(mimic.leader)!;
      qMultiplier[i] = mimic.multiplier;
      qOffset[i] = mimic.offset;
    } else {
      const k = jointIndex.get(joint.name)!;
      qIndex[i] = k;
      const isContinuous = joint.type === 'continuous';
      continuous[k] = isContinuous ? 1 : 0;
      qLower[k] = isContinuous ? -Infinity : (joint.limits.lower ?? 0);
      qUpper[k] = isContinuous ? Infinity : (joint.limits.upper ?? 0);
      velocityLimit[k] = positiveOrUnlimited(joint.limits.velocity);
      effortLimit[k] = positiveOrUnlimited(joint.limits.effort);
    }
  }

  const mimics: ResolvedMimic[] = [...mimicOf].map(([name, m]) => Object.freeze({ name, ...m }));
  const tipLinks = findTipLinks(parent, qIndex);
  return Object.freeze({
    name: description.name,
    mimicMode,
    linkNames: Object.freeze(linkNames),
    linkIndex,
    parent,
    depth,
    jointNameOfLink: Object.freeze(jointNameOfLink),
    jointCode,
    X_PJ,
    axis,
    qIndex,
    qMultiplier,
    qOffset,
    dof,
    jointNames: Object.freeze(jointNames),
    jointIndex,
    jointLink: Int32Array.from(activeLinks),
    qLower,
    qUpper,
    velocityLimit,
    effortLimit,
    continuous,
    mimics: Object.freeze(mimics),
    tipLinks: Object.freeze(tipLinks.map((i) => linkNames[i]!)),
    defaultTip: tipLinks.length === 1 ? linkNames[tipLinks[0]!] : undefined,
    description,
  });
}

/** Leaves that at least one joint moves relative to the root (a fixed-only branch is not a tip). */
function findTipLinks(parent: Int32Array, qIndex: Int32Array): number[] {
  const n = parent.length;
  const hasChild = new Uint8Array(n);
  const moved = new Uint8Array(n);
  for (let i = 1; i < n; i++) {
    hasChild[parent[i]!] = 1;
    moved[i] = moved[parent[i]!]! | (qIndex[i]! >= 0 ? 1 : 0);
  }
  const tips: number[] = [];
  for (let i = 0; i < n; i++) if (!hasChild[i] && moved[i]) tips.push(i);
  return tips;
}

/**
 * The index of a link by name.
 * @throws KinematicsError `UNKNOWN_LINK` listing the links that exist.
 */
export function linkIndexOf(model: KinematicModel, name: string, role = 'link'): number {
  const index = model.linkIndex.get(name);
  if (index === undefined) {
    const names = model.linkNames;
    const shown = names.slice(0, 30).join(', ') + (names.length > 30 ? `, … (${names.length} links)` : '');
    throw new KinematicsError('UNKNOWN_LINK', `${role} "${name}" is not a link of robot "${model.name}"; its links are: ${shown}`);
  }
  return index;
}

/**
 * Checks that `index` is a link index of the model (an integer from 0 to links - 1).
 * @throws KinematicsError `UNKNOWN_LINK` otherwise, saying the valid range.
 */
export function assertLinkIndex(model: KinematicModel, index: number, role = 'link'): void {
  if (!(Number.isInteger(index) && index >= 0 && index < model.linkNames.length)) {
    throw new KinematicsError('UNKNOWN_LINK', `${role} index ${index} is not a link of robot "${model.name}": expected an integer from 0 to ${model.linkNames.length - 1}`);
  }
}
