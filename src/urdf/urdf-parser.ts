/**
 * URDF text -> {@link RobotDescription}, following what urdfdom (the ROS reference parser)
 * accepts, with messages that name the element and the attribute at fault.
 *
 * Read: `<robot name>`, its `<link name>` and `<joint>` children in any order, and of each joint
 * `type`, `<parent link>`, `<child link>`, `<origin xyz rpy>` (default zero), `<axis xyz>`
 * (default 1 0 0), `<limit lower upper effort velocity>` and `<mimic joint multiplier offset>`.
 * Everything else (visual, collision, inertial, material, gazebo, transmission, ros2_control,
 * calibration, dynamics, safety_controller, unknown elements and namespaced attributes) is
 * ignored. As in urdfdom, revolute and prismatic joints need a `<limit>` with `effort` and
 * `velocity`; position limits of continuous joints are ignored.
 */
import {
  JOINT_TYPES, JOINT_TYPES_TEXT, type JointDescription, type JointLimits, type JointType, type LinkDescription, type MimicDescription, type RobotDescription,
} from '../core/robot-description.js';
import { UrdfError, summarizeProblems, type UrdfProblem } from './urdf-error.js';
import { DEFAULT_XML_LIMITS, parseXml, type XmlElement, type XmlLimits } from './xml-tree.js';

/** Caps on a URDF document: the XML caps plus counts of links and joints. */
export interface UrdfLimits extends XmlLimits {
  maxLinks: number;
  maxJoints: number;
}

/** The caps parseUrdf applies when given none: generous for real robots (the largest public URDFs are a few hundred KB). */
export const DEFAULT_URDF_LIMITS: Readonly<UrdfLimits> = Object.freeze({
  ...DEFAULT_XML_LIMITS,
  maxLinks: 1000,
  maxJoints: 1000,
});

const SUPPORTED_TYPES = new Set<string>(JOINT_TYPES);

/**
 * A plain decimal or scientific number; no NaN, Infinity, hex, or xacro expressions. Written so
 * that a run of digits can match only one way: an ambiguous pattern such as \d+\.?\d* takes
 * quadratic time to fail on a long run of digits followed by a letter.
 */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** An attribute value for a message, shortened when long. */
function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function invalid(message: string, path = '/robot'): UrdfError {
  return new UrdfError('URDF_INVALID_ELEMENT', message, [{ path, message }]);
}

/** `/robot/joint[@name="j1"]`, or by position among its kind when it has no name: `/robot/joint[3]`. */
function elementPath(element: XmlElement, position: number): string {
  const name = element.attributes.get('name');
  return name !== undefined && name.trim() !== '' ? `/robot/${element.name}[@name=${JSON.stringify(name)}]` : `/robot/${element.name}[${position}]`;
}

function parseNumber(text: string, where: string): number {
  const token = text.trim();
  const value = NUMBER.test(token) ? Number(token) : NaN;
  if (!Number.isFinite(value)) throw invalid(`${where} is ${quote(text)}, which is not a finite number`);
  return value;
}

function parseTriple(text: string | undefined, fallback: [number, number, number], where: string): [number, number, number] {
  if (text === undefined) return fallback;
  const tokens = text.trim().split(/\s+/).filter((t) => t.length > 0);
  if (tokens.length !== 3) throw invalid(`${where} is ${quote(text)}; it needs three numbers separated by spaces`);
  return [parseNumber(tokens[0]!, where), parseNumber(tokens[1]!, where), parseNumber(tokens[2]!, where)];
}

function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

function requiredName(element: XmlElement, attribute: string, where: string): string {
  const value = element.attributes.get(attribute);
  if (value === undefined || value.trim() === '') throw invalid(`${where} has no ${attribute} attribute`);
  return value;
}

function parseLimits(joint: XmlElement, name: string, type: JointType): JointLimits {
  const limit = child(joint, 'limit');
  const where = `joint "${name}" <limit>`;
  if (!limit) {
    if (type === 'revolute' || type === 'prismatic') {
      throw invalid(`joint "${name}" is of type ${type} without a <limit> element; add <limit lower="…" upper="…" effort="…" velocity="…"/>`);
    }
    return {};
  }
  const read = (attribute: string): number | undefined => {
    const text = limit.attributes.get(attribute);
    return text === undefined ? undefined : parseNumber(text, `${where} ${attribute}`);
  };
  const limits: JointLimits = {};
  if (type === 'fixed') return limits;
  const velocity = read('velocity');
  const effort = read('effort');
  // read even where ignored (continuous joints), so that a malformed number is reported
  const lower = read('lower');
  const upper = read('upper');
  if (type === 'revolute' || type === 'prismatic') {
    if (effort === undefined) throw invalid(`${where} has no effort attribute (required for ${type} joints)`);
    if (velocity === undefined) throw invalid(`${where} has no velocity attribute (required for ${type} joints)`);
    limits.lower = lower ?? 0;
    limits.upper = upper ?? 0;
  }
  if (velocity !== undefined) limits.velocity = velocity;
  if (effort !== undefined) limits.effort = effort;
  return limits;
}

function parseMimic(joint: XmlElement, name: string): MimicDescription | undefined {
  const mimic = child(joint, 'mimic');
  if (!mimic) return undefined;
  const where = `joint "${name}" <mimic>`;
  const multiplier = mimic.attributes.get('multiplier');
  const offset = mimic.attributes.get('offset');
  return {
    joint: requiredName(mimic, 'joint', where),
    multiplier: multiplier === undefined ? 1 : parseNumber(multiplier, `${where} multiplier`),
    offset: offset === undefined ? 0 : parseNumber(offset, `${where} offset`),
  };
}

function parseJoint(element: XmlElement): JointDescription {
  const name = requiredName(element, 'name', `the <joint> on line ${element.line}`);
  const where = `joint "${name}"`;
  const type = requiredName(element, 'type', where);
  if (type === 'floating' || type === 'planar') {
    throw invalid(`${where} is of type ${type}, which is not supported: only ${JOINT_TYPES_TEXT} joints are (a ${type} joint is not silently welded; make it fixed if that is what you mean)`);
  }
  if (!SUPPORTED_TYPES.has(type)) {
    throw invalid(`${where} has unknown type "${type}"; supported types are ${JOINT_TYPES_TEXT}`);
  }
  const kind = type as JointType;
  const parent = child(element, 'parent');
  const childLink = child(element, 'child');
  if (!parent) throw invalid(`${where} has no <parent link="…"/> element`);
  if (!childLink) throw invalid(`${where} has no <child link="…"/> element`);
  const origin = child(element, 'origin');
  const axis = child(element, 'axis');
  const joint: JointDescription = {
    name,
    type: kind,
    parent: requiredName(parent, 'link', `${where} <parent>`),
    child: requiredName(childLink, 'link', `${where} <child>`),
    xyz: parseTriple(origin?.attributes.get('xyz'), [0, 0, 0], `${where} origin xyz`),
    rpy: parseTriple(origin?.attributes.get('rpy'), [0, 0, 0], `${where} origin rpy`),
    axis: kind === 'fixed' ? [1, 0, 0] : parseTriple(axis?.attributes.get('xyz'), [1, 0, 0], `${where} axis xyz`),
    limits: parseLimits(element, name, kind),
  };
  if (kind !== 'fixed' && joint.axis.every((a) => a === 0)) {
    throw invalid(`${where} has a zero axis ${quote(axis?.attributes.get('xyz') ?? '')}; give a direction such as <axis xyz="0 0 1"/>`);
  }
  const mimic = kind === 'fixed' ? undefined : parseMimic(element, name);
  if (mimic) joint.mimic = mimic;
  return joint;
}

/**
 * Parses URDF text into a robot description. Every link and joint is read, and every one that
 * cannot be used is reported (the first problem of each, with its element); structural checks
 * (unique names, one root, no cycles, mimic targets) happen when the description is compiled by
 * `buildModel`.
 * @throws UrdfError `URDF_MALFORMED_XML`, `URDF_DOCTYPE` or `URDF_XML_LIMIT` for text that is not
 *   safe, well-formed XML; `URDF_INVALID_ELEMENT` for XML that is not a URDF this service can use;
 *   `URDF_TOO_LARGE` beyond the size, link or joint caps.
 */
export function parseUrdf(text: string, limits: UrdfLimits = DEFAULT_URDF_LIMITS): RobotDescription {
  const root = parseXml(text, limits);
  if (root.name !== 'robot') {
    throw invalid(`the root element is <${root.name}>; a URDF's root element is <robot name="…">`, `/${root.name}`);
  }
  const name = requiredName(root, 'name', 'the <robot> element');
  const links: LinkDescription[] = [];
  const joints: JointDescription[] = [];
  const problems: UrdfProblem[] = [];
  const counts = { link: 0, joint: 0 };
  for (const element of root.children) {
    if (element.name !== 'link' && element.name !== 'joint') continue;
    const position = ++counts[element.name];
    if (element.name === 'link' && position > limits.maxLinks) tooLarge(`the robot has more than ${limits.maxLinks} links`);
    if (element.name === 'joint' && position > limits.maxJoints) tooLarge(`the robot has more than ${limits.maxJoints} joints`);
    try {
      if (element.name === 'link') links.push({ name: requiredName(element, 'name', `the <link> on line ${element.line}`) });
      else joints.push(parseJoint(element));
    } catch (error) {
      if (!(error instanceof UrdfError && error.code === 'URDF_INVALID_ELEMENT')) throw error;
      problems.push({ path: elementPath(element, position), message: error.message });
    }
  }
  if (counts.link === 0) problems.push({ path: '/robot', message: 'the robot has no <link> elements' });
  if (problems.length > 0) throw new UrdfError('URDF_INVALID_ELEMENT', summarizeProblems(problems), problems);
  return { name, links, joints };
}

function tooLarge(message: string): never {
  throw new UrdfError('URDF_TOO_LARGE', message, [{ path: '/robot', message }]);
}
