/**
 * Checks a {@link RobotDescription} before it is compiled: names, references, numbers, the tree
 * shape and mimic relations. Every problem found is collected (not only the first), each with the
 * element it is about, so that one refusal lists everything to fix.
 */
import { KinematicsError, type DescriptionElement, type DescriptionProblem } from './errors.js';
import { MAX_MAGNITUDE_TEXT, withinMagnitude } from './magnitude.js';
import { JOINT_TYPES, JOINT_TYPES_TEXT, type JointLimits, type JointType, type RobotDescription } from './robot-description.js';

/** The tree of a valid description. */
export interface ValidatedTree {
  /** joint description index by child link name */
  readonly jointOfChild: ReadonlyMap<string, number>;
  /** child link names by parent link name, in description order */
  readonly children: ReadonlyMap<string, readonly string[]>;
  readonly root: string;
}

/** A mimic joint resolved to the root of its chain of mimics: value = multiplier * q[leader] + offset. */
export interface MimicMap {
  readonly leader: string;
  readonly multiplier: number;
  readonly offset: number;
}

/** Axes shorter than this are taken for a mistake rather than a direction. */
const MIN_AXIS_LENGTH = 1e-12;

/**
 * Names that cannot be keys of the JSON objects the contract uses (poses by link name, q by joint
 * name): JSON parsers refuse `__proto__` as a key, and as a property it changes an object's
 * prototype instead of adding an entry.
 */
const RESERVED_NAMES = new Set(['__proto__']);

/** Problems listed in an error's message; `problems` holds all of them. */
const PROBLEMS_IN_MESSAGE = 10;

/** Throws INVALID_DESCRIPTION with every problem. */
function fail(problems: DescriptionProblem[]): never {
  const shown = problems.slice(0, PROBLEMS_IN_MESSAGE).map((p) => p.message).join('; ');
  const more = problems.length > PROBLEMS_IN_MESSAGE ? `; and ${problems.length - PROBLEMS_IN_MESSAGE} more problems` : '';
  throw new KinematicsError('INVALID_DESCRIPTION', `robot is not a valid kinematic tree: ${shown}${more}`, problems);
}

const ROBOT: DescriptionElement = { kind: 'robot' };

/** |a|, without the overflow of Math.hypot for components near the largest double. */
export function axisLength(a: readonly number[]): number {
  const largest = Math.max(Math.abs(a[0]!), Math.abs(a[1]!), Math.abs(a[2]!));
  return largest === 0 ? 0 : largest * Math.hypot(a[0]! / largest, a[1]! / largest, a[2]! / largest);
}

function isFiniteTriple(v: readonly number[]): boolean {
  return v.length === 3 && Number.isFinite(v[0]) && Number.isFinite(v[1]) && Number.isFinite(v[2]);
}

/**
 * Checks names, references, numbers and the tree shape, and returns the tree.
 * @throws KinematicsError `INVALID_DESCRIPTION` listing every problem found.
 */
export function validateTree(d: RobotDescription): ValidatedTree {
  const problems: DescriptionProblem[] = [];
  const add = (element: DescriptionElement, message: string): void => { problems.push({ element, message }); };
  if (d.links.length === 0) fail([{ element: ROBOT, message: 'it has no links' }]);
  const links = new Set<string>();
  for (const link of d.links) {
    const element: DescriptionElement = { kind: 'link', name: link.name };
    if (!link.name) add(element, 'a link has an empty name');
    else if (RESERVED_NAMES.has(link.name)) add(element, `link name "${link.name}" is reserved (it cannot be a JSON key); rename the link`);
    else if (links.has(link.name)) add(element, `link "${link.name}" is defined twice`);
    links.add(link.name);
  }
  const jointNames = new Set<string>();
  const jointOfChild = new Map<string, number>();
  const children = new Map<string, string[]>();
  d.joints.forEach((j, index) => {
    const where = `joint "${j.name}"`;
    const at = (part?: 'name' | 'type' | 'parent' | 'child' | 'origin' | 'axis' | 'limit' | 'mimic'): DescriptionElement =>
      (part ? { kind: 'joint', name: j.name, part } : { kind: 'joint', name: j.name });
    if (!j.name) add(at('name'), 'a joint has an empty name');
    else if (RESERVED_NAMES.has(j.name)) add(at('name'), `joint name "${j.name}" is reserved (it cannot be a JSON key); rename the joint`);
    else if (jointNames.has(j.name)) add(at(), `${where} is defined twice`);
    jointNames.add(j.name);
    if (!(JOINT_TYPES as readonly string[]).includes(j.type)) {
      add(at('type'), `${where} has type "${String(j.type)}"; supported types are ${JOINT_TYPES_TEXT}`);
    }
    if (!links.has(j.parent)) add(at('parent'), `${where} names parent link "${j.parent}", which is not defined`);
    if (!links.has(j.child)) add(at('child'), `${where} names child link "${j.child}", which is not defined`);
    if (j.parent === j.child) add(at('child'), `${where} connects link "${j.child}" to itself`);
    const other = jointOfChild.get(j.child);
    if (other !== undefined) {
      add(at('child'), `link "${j.child}" has two parent joints ("${d.joints[other]!.name}" and "${j.name}")`);
    } else {
      jointOfChild.set(j.child, index);
      const siblings = children.get(j.parent) ?? [];
      siblings.push(j.child);
      children.set(j.parent, siblings);
    }
    if (!isFiniteTriple(j.xyz)) add(at('origin'), `${where} has a non-finite origin xyz`);
    else if (!j.xyz.every(withinMagnitude)) add(at('origin'), `${where} has origin xyz "${j.xyz.join(' ')}"; lengths must be within ±${MAX_MAGNITUDE_TEXT} m`);
    if (!isFiniteTriple(j.rpy)) add(at('origin'), `${where} has a non-finite origin rpy`);
    if (j.type !== 'fixed') {
      if (!isFiniteTriple(j.axis)) add(at('axis'), `${where} has a non-finite axis`);
      else if (axisLength(j.axis) < MIN_AXIS_LENGTH) add(at('axis'), `${where} has a zero axis; give it a direction`);
    }
    for (const message of limitProblems(where, j.type, j.limits)) add(at('limit'), message);
  });
  const roots = [...links].filter((name) => !jointOfChild.has(name));
  if (roots.length === 0) {
    add(ROBOT, 'every link is the child of a joint, so the joints form a cycle and there is no root link');
  } else if (roots.length > 1) {
    const shown = roots.slice(0, 8).map((r) => `"${r}"`).join(', ');
    add(ROBOT, `found ${roots.length} root links (${shown}${roots.length > 8 ? ', …' : ''}); every link but one must be the child of a joint`);
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
    fail([{ element: ROBOT, message: `the joints between links ${cyclic.slice(0, 8).map((l) => `"${l}"`).join(', ')} form a cycle` }]);
  }
  return { jointOfChild, children, root };
}

function limitProblems(where: string, type: JointType, limits: JointLimits): string[] {
  const problems: string[] = [];
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
  // a velocity or effort of 0 or below is "not set" (files write 0 or -1 for it), not a problem: see model.ts
  return problems;
}

/**
 * Resolves every mimic joint to the root of its chain of mimics, composing the affine maps.
 * @throws KinematicsError `INVALID_DESCRIPTION` for mimics of unknown or fixed joints, cycles of
 *   mimics, and non-finite or oversized multipliers and offsets.
 */
export function resolveMimics(d: RobotDescription): Map<string, MimicMap> {
  const byName = new Map(d.joints.map((j) => [j.name, j]));
  const resolved = new Map<string, MimicMap>();
  const problems = new Map<string, DescriptionProblem>();
  const add = (joint: string, message: string): void => {
    // joints that follow the same broken chain meet the same problem: listed once
    if (!problems.has(message)) problems.set(message, { element: { kind: 'joint', name: joint, part: 'mimic' }, message });
  };
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
        add(current.name, `joint "${current.name}" has a non-finite mimic multiplier or offset`);
        ok = false; break;
      }
      const target = byName.get(m.joint);
      if (!target) {
        add(current.name, `joint "${current.name}" mimics joint "${m.joint}", which is not defined`);
        ok = false; break;
      }
      if (target.type === 'fixed') {
        add(current.name, `joint "${current.name}" mimics joint "${m.joint}", which is fixed`);
        ok = false; break;
      }
      // value(current) = m.multiplier * value(target) + m.offset, substituted into the running map
      offset += multiplier * m.offset;
      multiplier *= m.multiplier;
      if (!withinMagnitude(multiplier) || !withinMagnitude(offset)) {
        add(joint.name, `joint "${joint.name}" follows "${target.name}" through mimic joints whose multipliers or offsets compose to ${multiplier} and ${offset}; both must be within ±${MAX_MAGNITUDE_TEXT}`);
        ok = false; break;
      }
      if (seen.includes(target.name)) {
        // every joint on or leading into the cycle finds it: name it the same way from each
        const cycle = seen.slice(seen.indexOf(target.name));
        const first = cycle.indexOf([...cycle].sort()[0]!);
        const named = [...cycle.slice(first), ...cycle.slice(0, first)];
        add(named[0]!, `mimic joints form a cycle: ${[...named, named[0]!].map((n) => `"${n}"`).join(' -> ')}`);
        ok = false; break;
      }
      seen.push(target.name);
      current = target;
    }
    if (ok) resolved.set(joint.name, { leader: current.name, multiplier, offset });
  }
  if (problems.size > 0) fail([...problems.values()]);
  return resolved;
}
