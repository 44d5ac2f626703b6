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
import { KinematicsError } from './errors.js';
import { MAX_MAGNITUDE_TEXT, withinMagnitude } from './magnitude.js';
import type { JointKind, JointLimits, RobotDescription } from './robot-description.js';
import { SE3_SIZE, setFromXyzRpy } from './se3.js';

/** Joint type codes stored in {@link KinematicModel.jointType}. */
export const JointType = { FIXED: 0, REVOLUTE: 1, CONTINUOUS: 2, PRISMATIC: 3 } as const;
/** The numeric code of a joint type, as stored in {@link KinematicModel.jointType}. */
export type JointTypeCode = (typeof JointType)[keyof typeof JointType];

const JOINT_TYPE_CODES: Record<JointKind, JointTypeCode> = {
  fixed: JointType.FIXED,
  revolute: JointType.REVOLUTE,
  continuous: JointType.CONTINUOUS,
  prismatic: JointType.PRISMATIC,
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
  /** Joint type code ({@link JointType}) of the link's joint; FIXED for the root. */
  readonly jointType: Uint8Array;
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
   * gives 0 (files write velocity="0" for "not set", as Atlas's does; MoveIt reads it so too).
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

interface ValidatedTree {
  /** joint description index by child link name */
  jointOfChild: Map<string, number>;
  /** child link names by parent link name, in description order */
  children: Map<string, string[]>;
  root: string;
}

function fail(problems: string[]): never {
  const shown = problems.slice(0, 10).join('; ');
  const more = problems.length > 10 ? `; and ${problems.length - 10} more problems` : '';
  throw new KinematicsError('URDF_INVALID', `robot is not a valid kinematic tree: ${shown}${more}`);
}

/** Axes shorter than this are taken for a mistake rather than a direction. */
const MIN_AXIS_LENGTH = 1e-12;

/** |a|, without the overflow of Math.hypot for components near the largest double. */
function axisLength(a: readonly number[]): number {
  const largest = Math.max(Math.abs(a[0]!), Math.abs(a[1]!), Math.abs(a[2]!));
  return largest === 0 ? 0 : largest * Math.hypot(a[0]! / largest, a[1]! / largest, a[2]! / largest);
}

function isFiniteTriple(v: readonly number[]): boolean {
  return v.length === 3 && Number.isFinite(v[0]) && Number.isFinite(v[1]) && Number.isFinite(v[2]);
}

/**
 * Names that cannot be keys of the JSON objects the contract uses (poses by link name, q by joint
 * name): JSON parsers refuse `__proto__` as a key, and as a property it changes an object's
 * prototype instead of adding an entry.
 */
const RESERVED_NAMES = new Set(['__proto__']);

/** Checks names, references, numbers and the tree shape; collects every problem it finds. */
function validateTree(d: RobotDescription): ValidatedTree {
  const problems: string[] = [];
  if (d.links.length === 0) fail(['it has no links']);
  const links = new Set<string>();
  for (const link of d.links) {
    if (!link.name) problems.push('a link has an empty name');
    else if (RESERVED_NAMES.has(link.name)) problems.push(`link name "${link.name}" is reserved (it cannot be a JSON key); rename the link`);
    else if (links.has(link.name)) problems.push(`link "${link.name}" is defined twice`);
    links.add(link.name);
  }
  const jointNames = new Set<string>();
  const jointOfChild = new Map<string, number>();
  const children = new Map<string, string[]>();
  d.joints.forEach((j, index) => {
    const where = `joint "${j.name}"`;
    if (!j.name) problems.push('a joint has an empty name');
    else if (RESERVED_NAMES.has(j.name)) problems.push(`joint name "${j.name}" is reserved (it cannot be a JSON key); rename the joint`);
    else if (jointNames.has(j.name)) problems.push(`${where} is defined twice`);
    jointNames.add(j.name);
    if (!(j.type in JOINT_TYPE_CODES)) {
      problems.push(`${where} has type "${String(j.type)}"; supported types are revolute, continuous, prismatic and fixed`);
    }
    if (!links.has(j.parent)) problems.push(`${where} names parent link "${j.parent}", which is not defined`);
    if (!links.has(j.child)) problems.push(`${where} names child link "${j.child}", which is not defined`);
    if (j.parent === j.child) problems.push(`${where} connects link "${j.child}" to itself`);
    const other = jointOfChild.get(j.child);
    if (other !== undefined) {
      problems.push(`link "${j.child}" has two parent joints ("${d.joints[other]!.name}" and "${j.name}")`);
    } else {
      jointOfChild.set(j.child, index);
      const siblings = children.get(j.parent) ?? [];
      siblings.push(j.child);
      children.set(j.parent, siblings);
    }
    if (!isFiniteTriple(j.xyz)) problems.push(`${where} has a non-finite origin xyz`);
    else if (!j.xyz.every(withinMagnitude)) problems.push(`${where} has origin xyz "${j.xyz.join(' ')}"; lengths must be within ±${MAX_MAGNITUDE_TEXT} m`);
    if (!isFiniteTriple(j.rpy)) problems.push(`${where} has a non-finite origin rpy`);
    if (j.type !== 'fixed') {
      if (!isFiniteTriple(j.axis)) problems.push(`${where} has a non-finite axis`);
      else if (axisLength(j.axis) < MIN_AXIS_LENGTH) {
        problems.push(`${where} has a zero axis; give a direction such as <axis xyz="0 0 1"/>`);
      }
    }
    validateLimits(where, j.type, j.limits, problems);
  });
  const roots = [...links].filter((name) => !jointOfChild.has(name));
  if (roots.length === 0) {
    problems.push('every link is the child of a joint, so the joints form a cycle and there is no root link');
  } else if (roots.length > 1) {
    const shown = roots.slice(0, 8).map((r) => `"${r}"`).join(', ');
    problems.push(
      `found ${roots.length} root links (${shown}${roots.length > 8 ? ', …' : ''}); ` +
        'every link but one must be the child of a joint',
    );
  }
  if (problems.length > 0) fail(problems);
  const root = roots[0]!;
  // with one root and one parent per link, a link unreachable from the root lies on a cycle
  const reached = new Set<string>([root]);
  const stack = [root];
  while (stack.length > 0) {
    for (const child of children.get(stack.pop()!) ?? []) {
      if (!reached.has(child)) { reached.add(child); stack.push(child); }
    }
  }
  if (reached.size !== links.size) {
    const cyclic = [...links].filter((l) => !reached.has(l));
    fail([`the joints between links ${cyclic.slice(0, 8).map((l) => `"${l}"`).join(', ')} form a cycle`]);
  }
  return { jointOfChild, children, root };
}

function validateLimits(where: string, type: JointKind, limits: JointLimits, problems: string[]): void {
  for (const key of ['lower', 'upper', 'velocity', 'effort'] as const) {
    const v = limits[key];
    if (v !== undefined && !Number.isFinite(v)) problems.push(`${where} has a non-finite limit ${key}`);
  }
  for (const key of ['lower', 'upper'] as const) {
    const v = limits[key];
    if (v !== undefined && Number.isFinite(v) && !withinMagnitude(v)) {
      problems.push(`${where} has limit ${key} ${v}; limits must be within ±${MAX_MAGNITUDE_TEXT} (a revolute joint without limits is type "continuous")`);
    }
  }
  if ((type === 'revolute' || type === 'prismatic') && limits.lower !== undefined && limits.upper !== undefined
    && limits.lower > limits.upper) {
    problems.push(`${where} has lower limit ${limits.lower} above upper limit ${limits.upper}`);
  }
  if (limits.velocity !== undefined && limits.velocity < 0) problems.push(`${where} has a negative velocity limit`);
  if (limits.effort !== undefined && limits.effort < 0) problems.push(`${where} has a negative effort limit`);
}

/** Resolves every mimic joint to the root of its chain of mimics, composing the affine maps. */
function resolveMimics(d: RobotDescription): Map<string, { leader: string; multiplier: number; offset: number }> {
  const byName = new Map(d.joints.map((j) => [j.name, j]));
  const resolved = new Map<string, { leader: string; multiplier: number; offset: number }>();
  const problems: string[] = [];
  for (const joint of d.joints) {
    if (!joint.mimic || joint.type === 'fixed') continue;
    let multiplier = 1;
    let offset = 0;
    let current = joint;
    const seen = [joint.name];
    let ok = true;
    while (current.mimic) {
      const m = current.mimic;
      if (!Number.isFinite(m.multiplier) || !Number.isFinite(m.offset)) {
        problems.push(`joint "${current.name}" has a non-finite mimic multiplier or offset`);
        ok = false; break;
      }
      const target = byName.get(m.joint);
      if (!target) {
        problems.push(`joint "${current.name}" mimics joint "${m.joint}", which is not defined`);
        ok = false; break;
      }
      if (target.type === 'fixed') {
        problems.push(`joint "${current.name}" mimics joint "${m.joint}", which is fixed`);
        ok = false; break;
      }
      // value(current) = m.multiplier * value(target) + m.offset, substituted into the running map
      offset += multiplier * m.offset;
      multiplier *= m.multiplier;
      if (!withinMagnitude(multiplier) || !withinMagnitude(offset)) {
        problems.push(`joint "${joint.name}" follows "${target.name}" through mimic joints whose multipliers or offsets compose to ${multiplier} and ${offset}; both must be within ±${MAX_MAGNITUDE_TEXT}`);
        ok = false; break;
      }
      if (seen.includes(target.name)) {
        // every joint on or leading into the cycle finds it: name it the same way from each
        const cycle = seen.slice(seen.indexOf(target.name));
        const first = cycle.indexOf([...cycle].sort()[0]!);
        const named = [...cycle.slice(first), ...cycle.slice(0, first)];
        problems.push(`mimic joints form a cycle: ${[...named, named[0]!].map((n) => `"${n}"`).join(' -> ')}`);
        ok = false; break;
      }
      seen.push(target.name);
      current = target;
    }
    if (ok) resolved.set(joint.name, { leader: current.name, multiplier, offset });
  }
  // joints that follow the same broken chain meet the same problem
  if (problems.length > 0) fail([...new Set(problems)]);
  return resolved;
}

/** A URDF velocity or effort limit: 0 or absent means none. */
function positiveOrUnlimited(limit: number | undefined): number {
  return limit !== undefined && limit > 0 ? limit : Infinity;
}

/**
 * Compiles a robot description into a frozen {@link KinematicModel}.
 *
 * @throws KinematicsError `URDF_INVALID` naming every problem found: duplicate names, joints that
 *   reference undefined links, links with two parents, several roots, cycles, zero axes,
 *   non-finite numbers, inverted limits, mimic joints that reference unknown or fixed joints or
 *   form a cycle.
 */
export function buildModel(description: RobotDescription, options: BuildModelOptions = {}): KinematicModel {
  const mimicMode = options.mimic ?? 'follow';
  const tree = validateTree(description);
  // mimic references are checked in both modes, so that a document's validity does not depend on it
  const resolvedMimics = resolveMimics(description);
  const mimicOf = mimicMode === 'follow' ? resolvedMimics : new Map<string, { leader: string; multiplier: number; offset: number }>();

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
  const jointType = new Uint8Array(n);
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
    jointType[i] = JOINT_TYPE_CODES[joint.type];
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
    jointType,
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
