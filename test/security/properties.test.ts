/**
 * Property-based robustness tests (fast-check), with fixed seeds so that CI is reproducible:
 * - random URDF-like documents uploaded to POST /robots never produce a 5xx: always a 2xx or an
 *   RFC 9457 problem (4xx, application/problem+json, non-empty detail);
 * - random JSON bodies (any JSON, raw text, and bodies built near the real schemas) posted to
 *   every kinematics and IK route never produce a 5xx and never throw out of app.inject;
 * - random joint vectors within and beyond the limits answer jacobian and ik/step with 200 and
 *   finite numbers everywhere (a NaN or an Infinity would show as a null).
 *
 * Numbers in the schema-shaped bodies are mostly of moderate size, so that many bodies get a 200,
 * but include the extremes of double precision (1e308, subnormals), which must be refused.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KinematicModel } from '../../src/core/model.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { readBuiltinUrdf } from '../helpers/paths.js';

/** Seeds of the properties: change one to explore, but commit fixed values. */
const SEED = { urdf: 0x5eed_0001, jsonValue: 0x5eed_0002, rawText: 0x5eed_0003, structured: 0x5eed_0004, jacobian: 0x5eed_0005, ikStep: 0x5eed_0006 };

/** Small caps keep the worst case of a random IK request short. */
const APP_LIMITS = { ikMaxTimeoutMs: 20, ikBatchMaxWorkMs: 60, maxBatch: 20 };

// ---------------------------------------------------------------------------------------------
// answers

interface Answer { status: number; contentType: string; text: string }

async function inject(t: TestApp, method: 'POST' | 'GET' | 'DELETE', url: string, payload?: string, contentType = 'application/json'): Promise<Answer> {
  const r = await t.app.inject({
    method, url, ...(payload !== undefined ? { payload, headers: { 'content-type': contentType } } : {}),
  });
  return { status: r.statusCode, contentType: String(r.headers['content-type'] ?? ''), text: r.body };
}

/** A 2xx, or a problem+json 4xx whose detail is not empty; never a 5xx. */
function expectAnswerOrProblem(a: Answer, context: string): void {
  const where = `${context} -> ${a.status} ${a.contentType} ${a.text.slice(0, 300)}`;
  expect(a.status, where).toBeGreaterThanOrEqual(200);
  expect(a.status, where).toBeLessThan(500);
  if (a.status >= 300) {
    expect(a.status, where).toBeGreaterThanOrEqual(400);
    expect(a.contentType, where).toMatch(/^application\/problem\+json/);
    const p = JSON.parse(a.text) as { type: unknown; title: unknown; status: unknown; detail: unknown };
    expect(typeof p.type, where).toBe('string');
    expect(typeof p.title, where).toBe('string');
    expect(p.status, where).toBe(a.status);
    expect(typeof p.detail, where).toBe('string');
    expect((p.detail as string).trim(), where).not.toBe('');
  } else if (a.contentType.startsWith('application/json')) {
    JSON.parse(a.text);
  }
}

/** Paths of every null or non-finite number in a parsed JSON value. */
function nonFinitePaths(value: unknown, path = '$', out: string[] = []): string[] {
  if (value === null || (typeof value === 'number' && !Number.isFinite(value))) out.push(path);
  else if (Array.isArray(value)) value.forEach((v, i) => nonFinitePaths(v, `${path}[${i}]`, out));
  else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) nonFinitePaths(v, `${path}.${k}`, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// random URDF-like documents

const NAMES = ['base', 'a', 'b', 'c', 'tool', 'j1', 'j2', 'j3'];
const JOINT_TYPES = ['revolute', 'continuous', 'prismatic', 'fixed', 'floating', 'planar', 'spherical', 'REVOLUTE', ''];

const numberText = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: -4000, max: 4000 }).map((i) => String(i / 1000)) },
  { weight: 2, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('0', '-0', '1', '1e308', '-1e308', '1e999', '5e-324', 'NaN', 'Infinity', '-Infinity', '0x10', '1.', '.5',
      '+1e-5', '1_000', '1,5', ' 2 ', '${pi}', '1e', 'e1', '--1', `${'9'.repeat(400)}x`),
  },
);
const triple = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(numberText, numberText, numberText).map((t) => t.join(' ')) },
  { weight: 1, arbitrary: fc.tuple(fc.array(numberText, { maxLength: 5 }), fc.constantFrom(' ', '  ', '\t', ',', '\n')).map(([t, sep]) => t.join(sep)) },
);
const garbage = fc.string({ maxLength: 12 });
const unicodeText = fc.string({ unit: 'grapheme', maxLength: 8 });
const entityText = fc.constantFrom('&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '&foo;', '&#x41;', '&#65;', '&#0;', '&#xD800;', '&#x110000;', '&', '&;', '&lol9;');
const hugeText = fc.constantFrom('x'.repeat(70_000), '9'.repeat(5000), 'ab '.repeat(3000));
const attrValue = fc.oneof(
  { weight: 4, arbitrary: numberText },
  { weight: 3, arbitrary: triple },
  { weight: 1, arbitrary: garbage },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: unicodeText },
  { weight: 1, arbitrary: entityText },
  { weight: 1, arbitrary: fc.oneof({ weight: 20, arbitrary: fc.constant('x') }, { weight: 1, arbitrary: hugeText }) },
);
const nameValue = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...NAMES) }, { weight: 1, arbitrary: attrValue });

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
/** ` key="value"`, the value escaped or (to make malformed documents too) raw. */
const attribute = (key: string | fc.Arbitrary<string>, value: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(typeof key === 'string' ? fc.constant(key) : key, value, fc.boolean())
    .map(([k, v, escaped]) => ` ${k}="${escaped ? escapeXml(v) : v}"`);
const optional = (arb: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.option(arb, { nil: '' });
const tagName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('visual', 'collision', 'inertial', 'material', 'gazebo', 'transmission', 'x:y', 'robot', 'link', 'joint', 'origin') },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z_][\w.-]{0,8}$/) },
);

const { node } = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 5, depthSize: 'small' },
    fc.tuple(tagName, fc.array(attribute(fc.constantFrom('name', 'xyz', 'rpy', 'link', 'value', 'filename'), attrValue), { maxLength: 3 }))
      .map(([tag, attrs]) => `<${tag}${attrs.join('')}/>`),
    fc.tuple(tagName, fc.array(attribute(fc.constantFrom('name', 'xyz', 'type'), attrValue), { maxLength: 2 }), fc.array(tie('node'), { maxLength: 4 }))
      .map(([tag, attrs, kids]) => `<${tag}${attrs.join('')}>${kids.join('')}</${tag}>`),
    fc.constantFrom('text', '<!-- a comment -->', '<![CDATA[ <x> ]]>', '<?pi x?>', '&amp;', '&foo;', '<', ']]>'),
  ),
}));

const originElement = fc.tuple(optional(attribute('xyz', triple)), optional(attribute('rpy', triple))).map(([x, r]) => `<origin${x}${r}/>`);
const axisElement = optional(attribute('xyz', triple)).map((x) => `<axis${x}/>`);
const limitElement = fc.tuple(...['lower', 'upper', 'effort', 'velocity'].map((k) => optional(attribute(k, numberText))))
  .map((attrs) => `<limit${attrs.join('')}/>`);
const mimicElement = fc.tuple(optional(attribute('joint', nameValue)), optional(attribute('multiplier', numberText)), optional(attribute('offset', numberText)))
  .map(([j, m, o]) => `<mimic${j}${m}${o}/>`);
const parentElement = optional(attribute('link', nameValue)).map((l) => `<parent${l}/>`);
const childElement = optional(attribute('link', nameValue)).map((l) => `<child${l}/>`);

const jointElement = fc.tuple(
  optional(attribute('name', nameValue)),
  optional(attribute('type', fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...JOINT_TYPES) }, { weight: 1, arbitrary: attrValue }))),
  fc.subarray([0, 1, 2, 3, 4, 5, 6]),
  fc.tuple(parentElement, childElement, originElement, axisElement, limitElement, mimicElement, node),
).chain(([name, type, chosen, parts]) => fc.shuffledSubarray(chosen.map((i) => parts[i]!), { minLength: chosen.length, maxLength: chosen.length })
  .map((children) => `<joint${name}${type}>${children.join('')}</joint>`));

const linkElement = fc.tuple(optional(attribute('name', nameValue)), fc.option(fc.array(node, { maxLength: 2 }), { nil: undefined }))
  .map(([name, kids]) => (kids === undefined ? `<link${name}/>` : `<link${name}>${kids.join('')}</link>`));

const robotChildren = fc.array(
  fc.oneof({ weight: 4, arbitrary: linkElement }, { weight: 4, arbitrary: jointElement }, { weight: 1, arbitrary: node }),
  { maxLength: 12 },
);

const PROLOGUES = [
  '', '', '', '', '<?xml version="1.0"?>\n', '<?xml version="1.0" encoding="UTF-8"?>', '\uFEFF', '<!-- robot -->', '  \n',
  '<!DOCTYPE robot>', '<!DOCTYPE robot [<!ENTITY a "b">]>', '<!doctype robot SYSTEM "file:///etc/passwd">',
  '<!DOCTYPE robot [<!ENTITY % p SYSTEM "http://x/y.dtd"> %p;]>',
];

const urdfDocument = fc.tuple(
  fc.constantFrom(...PROLOGUES),
  fc.oneof({ weight: 9, arbitrary: fc.constant('robot') }, { weight: 1, arbitrary: tagName }),
  optional(attribute('name', fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/) }, { weight: 1, arbitrary: attrValue }))),
  robotChildren,
  fc.oneof({ weight: 9, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) }),
).map(([prologue, root, name, children, keep]) => {
  const text = `${prologue}<${root}${name}>${children.join('')}</${root}>`;
  return keep >= 1 ? text : text.slice(0, Math.floor(text.length * keep)); // sometimes truncated
});

/**
 * URDFs that are valid to begin with (a random tree of 1 to 8 links with every joint type, limits,
 * mimics and ignored elements), then now and then mutated: one attribute value replaced by any
 * attribute value (unescaped), or one element removed.
 */
const goodNumber = fc.integer({ min: -3000, max: 3000 }).map((i) => String(i / 1000));
const goodTriple = fc.tuple(goodNumber, goodNumber, goodNumber).map((t) => t.join(' '));
const goodJoint = fc.record({
  type: fc.constantFrom('revolute', 'revolute', 'continuous', 'prismatic', 'fixed'),
  parent: fc.nat(),
  xyz: goodTriple,
  rpy: goodTriple,
  axis: fc.oneof(fc.constantFrom('0 0 1', '1 0 0', '0 -1 0'), goodTriple.filter((t) => t.split(' ').some((x) => Number(x) !== 0))),
  lower: fc.integer({ min: 0, max: 3000 }).map((i) => -i / 1000),
  upper: fc.integer({ min: 0, max: 3000 }).map((i) => i / 1000),
  mimic: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.tuple(goodNumber, goodNumber) }),
  extra: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('<dynamics damping="0.1"/>', '<calibration rising="0"/>', '<!-- j -->') }),
});
/** Elements a URDF may carry that the service ignores. */
const ignoredElement = fc.constantFrom(
  '<material name="m"><color rgba="1 0 0 1"/></material>', '<gazebo reference="l0"><mu1>0.2</mu1></gazebo>',
  '<transmission name="t"><type>x</type></transmission>', '<!-- comment -->', '<ros2_control name="c" type="system"/>',
  '<xacro:property xmlns:xacro="http://www.ros.org/wiki/xacro" name="p" value="1"/>',
);
const validishUrdf = fc.tuple(
  fc.array(goodJoint, { maxLength: 7 }),
  fc.array(ignoredElement, { maxLength: 2 }),
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.tuple(fc.constant('attribute' as const), fc.nat(), attrValue) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('element' as const), fc.nat(), fc.constant('')) },
  ),
).map(([joints, extras, mutation]) => {
  const parts = ['<link name="l0"/>'];
  joints.forEach((j, i) => {
    const k = i + 1;
    const limit = j.type === 'fixed' ? '' : `<limit lower="${j.lower}" upper="${j.upper}" effort="10" velocity="2"/>`;
    // a mimic follows an earlier movable joint; the first joint has none to follow
    const leader = joints.slice(0, i).map((x, index) => ({ x, index })).filter(({ x }) => x.type !== 'fixed').pop();
    const mimic = j.mimic && leader && j.type !== 'fixed' ? `<mimic joint="j${leader.index + 1}" multiplier="${j.mimic[0]}" offset="${j.mimic[1]}"/>` : '';
    parts.push(`<link name="l${k}"><visual><origin xyz="${j.xyz}"/></visual></link>`);
    parts.push(`<joint name="j${k}" type="${j.type}"><parent link="l${j.parent % k}"/><child link="l${k}"/>`
      + `<origin xyz="${j.xyz}" rpy="${j.rpy}"/><axis xyz="${j.axis}"/>${limit}${mimic}${j.extra}</joint>`);
  });
  let text = `<robot name="chain">${parts.join('')}${extras.join('')}</robot>`;
  if (mutation?.[0] === 'attribute') {
    const values = [...text.matchAll(/="[^"]*"/g)];
    const target = values[mutation[1] % values.length]!;
    text = `${text.slice(0, target.index)}="${mutation[2]}"${text.slice(target.index + target[0].length)}`;
  } else if (mutation?.[0] === 'element') {
    const elements = [...text.matchAll(/<(origin|axis|limit|parent|child|mimic)[^>]*\/>/g)];
    const target = elements[mutation[1] % Math.max(1, elements.length)];
    if (target) text = `${text.slice(0, target.index)}${text.slice(target.index + target[0].length)}`;
  }
  return text;
});

/** How a document is sent: as XML (two media types, id from ?id= or the name) or as JSON. */
const uploadForm = fc.record({
  as: fc.constantFrom('application/xml', 'text/xml', 'json'),
  id: fc.oneof({ weight: 6, arbitrary: fc.constant('fresh') }, { weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: garbage }),
});

// ---------------------------------------------------------------------------------------------
// bodies near the real schemas

const ROBOTS = ['ur5e', 'franka_panda', 'kinova_gen3', 'scara', 'kuka_iiwa14', 'abb_irb2400', 'baxter'] as const;
const MODELS = new Map<string, KinematicModel>(ROBOTS.map((id) => [id, loadUrdf(readBuiltinUrdf(id))]));
const model = (id: string): KinematicModel => MODELS.get(id)!;

/** Finite numbers, mostly of moderate size, some exact, some anywhere in double precision. */
const num = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -400_000, max: 400_000 }).map((i) => i / 100_000) },
  { weight: 1, arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1, -1, 1e-6, 1e6, 1e9, -1e9, 1e200, 1e308, -1.7e308, 5e-324, Math.PI, -Math.PI / 2) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
);
/** Numbers the service accepts (within ±1e9, see core/magnitude.ts), for properties that expect a 200. */
const accepted = num.filter((x) => Math.abs(x) <= 1e9);
const positive = fc.integer({ min: 1, max: 1_000_000 }).map((i) => i / 10_000);
const vector = (length: number, element = num): fc.Arbitrary<number[]> => fc.array(element, { minLength: length, maxLength: length });
const wrongVector = fc.array(num, { maxLength: 8 });
const anyJson = fc.jsonValue({ maxDepth: 2 });
const stringy = fc.string({ maxLength: 12 });

const unitQuaternion = fc.tuple(accepted, accepted, accepted, accepted)
  .filter((q) => Math.hypot(...q) > 0.1)
  .map((q) => { const n = Math.hypot(...q); return q.map((x) => x / n); });

function rotationOf([x, y, z, w]: number[]): number[][] {
  return [
    [1 - 2 * (y! * y! + z! * z!), 2 * (x! * y! - z! * w!), 2 * (x! * z! + y! * w!)],
    [2 * (x! * y! + z! * w!), 1 - 2 * (x! * x! + z! * z!), 2 * (y! * z! - x! * w!)],
    [2 * (x! * z! - y! * w!), 2 * (y! * z! + x! * w!), 1 - 2 * (x! * x! + y! * y!)],
  ];
}

const pose = fc.oneof(
  { weight: 5, arbitrary: fc.record({ position: vector(3), quaternion: unitQuaternion }) },
  { weight: 2, arbitrary: fc.record({ position: vector(3), rotation: unitQuaternion.map(rotationOf) }) },
  { weight: 1, arbitrary: fc.record({ position: vector(3), quaternion: vector(4), rotation: fc.array(vector(3), { minLength: 3, maxLength: 3 }) }, { requiredKeys: ['position'] }) },
  { weight: 1, arbitrary: fc.record({ position: wrongVector, quaternion: wrongVector, extra: anyJson }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: anyJson },
);

function jointValues(id: string, values: fc.Arbitrary<number> = num): fc.Arbitrary<unknown> {
  const m = model(id);
  const names = [...m.jointNames, ...m.mimics.map((x) => x.name), 'foo'];
  return fc.oneof(
    { weight: 8, arbitrary: fc.array(values, { minLength: m.dof, maxLength: m.dof }) },
    { weight: 2, arbitrary: fc.record(Object.fromEntries(m.jointNames.map((n) => [n, values]))) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...names), values, { maxKeys: m.dof + 2 }) },
    { weight: 1, arbitrary: wrongVector },
    { weight: 1, arbitrary: anyJson },
  );
}

function linkName(id: string): fc.Arbitrary<unknown> {
  const m = model(id);
  return fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...m.linkNames) }, { weight: 1, arbitrary: stringy }, { weight: 1, arbitrary: anyJson });
}

function tipName(id: string): fc.Arbitrary<unknown> {
  const m = model(id);
  return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...m.tipLinks) }, { weight: 2, arbitrary: linkName(id) });
}

/** A field's usual value, or now and then (in noisy bodies) any JSON instead. */
const maybe = <T>(arb: fc.Arbitrary<T>, other: fc.Arbitrary<unknown> = anyJson): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 8, arbitrary: arb }, { weight: 1, arbitrary: other });

const validPose = fc.oneof(
  { weight: 3, arbitrary: fc.record({ position: vector(3), quaternion: unitQuaternion }) },
  { weight: 1, arbitrary: fc.record({ position: vector(3), rotation: unitQuaternion.map(rotationOf) }) },
);
const taskWeights = fc.array(fc.oneof(positive, fc.constant(0)), { minLength: 6, maxLength: 6 }).filter((w) => w.some((x) => x > 0));

/** Poses as the base64 of their float64 values, 12 per pose (targetsFloat64). */
function packedPoses(poses: ({ position: number[]; quaternion: number[] } | { position: number[]; rotation: number[][] })[]): string {
  const values = new Float64Array(12 * poses.length);
  poses.forEach((p, i) => {
    const rotation = 'rotation' in p ? p.rotation : rotationOf(p.quaternion);
    values.set([...rotation.flat(), ...p.position], 12 * i);
  });
  return Buffer.from(values.buffer).toString('base64');
}

/** Fields whose values are of the right form (they may still be refused: an unknown base, a tree without tip). */
function cleanFieldsOf(id: string): Record<string, fc.Arbitrary<unknown>> {
  const m = model(id);
  const q = fc.oneof(
    { weight: 4, arbitrary: vector(m.dof) },
    { weight: 1, arbitrary: fc.record(Object.fromEntries(m.jointNames.map((n) => [n, num]))) },
  );
  return {
    q, qdot: q, seed: q, qddot: q,
    qs: fc.array(q, { minLength: 1, maxLength: 5 }),
    seeds: fc.array(q, { minLength: 1, maxLength: 4 }),
    jointWeights: fc.array(positive, { minLength: m.dof, maxLength: m.dof }),
    measure: fc.constantFrom('yoshikawa', 'sigmaMin', 'inverseCondition', 'logDet', 'pose', 'position'),
    axes: fc.constantFrom('all', 'translation', 'rotation'),
    jointStdDev: fc.array(positive.map((x) => x / 100), { minLength: m.dof, maxLength: m.dof }),
    jointCovariance: fc.array(positive.map((x) => x / 100), { minLength: m.dof, maxLength: m.dof })
      .map((d) => d.map((v, i) => d.map((_, j) => (i === j ? v : 0)))),
    method: fc.constantFrom('linear', 'unscented', 'secondOrder'),
    confidence: fc.double({ min: 0.01, max: 0.999, noNaN: true }),
    parameters: fc.subarray(['jointOffset', 'originXyz', 'originRpy'], { minLength: 1 }),
    samples: fc.array(fc.oneof(fc.record({ q, position: vector(3) }), fc.record({ q, pose: validPose })), { minLength: 1, maxLength: 12 }),
    holdout: fc.array(fc.record({ q, position: vector(3) }), { maxLength: 3 }),
    saveAs: fc.constantFrom('calibrated_prop'),
    nullspace: fc.record({ objective: fc.constantFrom('manipulability', 'sigmaMin', 'jointCentering'), gain: positive }),
    tip: fc.constantFrom(...m.tipLinks), base: fc.constantFrom(...m.linkNames),
    links: fc.array(fc.constantFrom(...m.linkNames), { maxLength: 4 }),
    tipOffset: vector(3).map((v) => v.map((x) => x / 10)),
    referenceFrame: fc.constantFrom('LOCAL_WORLD_ALIGNED', 'LOCAL', 'WORLD'),
    analysis: fc.boolean(), includePose: fc.boolean(), respectLimits: fc.boolean(),
    target: validPose,
    targets: fc.array(validPose, { minLength: 1, maxLength: 4 }),
    targetsFloat64: fc.array(validPose, { minLength: 1, maxLength: 4 }).map(packedPoses),
    weights: taskWeights,
    twist: fc.record({ linear: vector(3), angular: vector(3) }),
    wrench: fc.record({ force: vector(3), torque: vector(3) }),
    damping: fc.oneof(fc.constant(0), positive.map((x) => x / 100)), maxStep: positive, dt: positive.map((x) => x / 100),
    lowerSingularityThreshold: fc.integer({ min: 1, max: 20 }), hardStopSingularityThreshold: fc.integer({ min: 21, max: 60 }),
    tolerance: fc.record({ position: positive, orientation: positive }),
    timeoutMs: fc.integer({ min: 1, max: 3 }),
    maxIterations: fc.integer({ min: 1, max: 200 }), maxRestarts: fc.integer({ min: 0, max: 50 }),
    randomSeed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  };
}

/** Fields of any form: wrong lengths, wrong types, unknown names, out-of-range options. */
function noisyFieldsOf(id: string): Record<string, fc.Arbitrary<unknown>> {
  const q = jointValues(id);
  return {
    q, qdot: q, seed: q, qddot: q,
    qs: fc.array(q, { minLength: 1, maxLength: 5 }),
    seeds: fc.array(q, { maxLength: 5 }),
    measure: maybe(fc.constantFrom('yoshikawa', 'sigmaMin', 'inverseCondition', 'logDet', 'pose', 'position'), stringy),
    jointStdDev: maybe(fc.array(num, { maxLength: 9 }), wrongVector),
    jointCovariance: maybe(fc.array(fc.array(num, { maxLength: 9 }), { maxLength: 9 })),
    method: maybe(fc.constantFrom('linear', 'unscented', 'secondOrder'), stringy),
    confidence: maybe(num),
    parameters: maybe(fc.array(fc.constantFrom('jointOffset', 'originXyz', 'originRpy', 'x'), { maxLength: 4 })),
    samples: maybe(fc.array(fc.record({ q, position: maybe(vector(3), wrongVector), pose: maybe(pose) }, { requiredKeys: ['q'] }), { maxLength: 12 })),
    holdout: maybe(fc.array(fc.record({ q, position: vector(3) }), { maxLength: 3 })),
    saveAs: maybe(fc.constantFrom('calibrated_prop', 'x'), stringy),
    axes: maybe(fc.constantFrom('all', 'translation', 'rotation'), stringy),
    nullspace: maybe(fc.record({ objective: fc.constantFrom('manipulability', 'sigmaMin', 'jointCentering', 'x'), gain: num }, { requiredKeys: [] })),
    jointWeights: maybe(jointValues(id, positive), jointValues(id)),
    tip: tipName(id), base: linkName(id),
    links: fc.array(linkName(id), { maxLength: 4 }),
    tipOffset: maybe(vector(3), wrongVector),
    referenceFrame: maybe(fc.constantFrom('LOCAL_WORLD_ALIGNED', 'LOCAL', 'WORLD'), stringy),
    analysis: maybe(fc.boolean()), includePose: maybe(fc.boolean()), respectLimits: maybe(fc.boolean()),
    target: pose,
    targets: fc.array(pose, { minLength: 1, maxLength: 4 }),
    targetsFloat64: fc.oneof(
      fc.array(validPose, { minLength: 1, maxLength: 4 }).map(packedPoses),
      fc.array(fc.oneof(num, fc.constantFrom(NaN, Infinity)), { maxLength: 30 }).map((v) => Buffer.from(Float64Array.from(v).buffer).toString('base64')),
      stringy,
    ),
    weights: maybe(fc.array(fc.oneof(positive, fc.constant(0)), { minLength: 6, maxLength: 6 }), wrongVector),
    twist: maybe(fc.record({ linear: vector(3), angular: vector(3) })),
    wrench: maybe(fc.record({ force: vector(3), torque: vector(3) })),
    damping: maybe(fc.oneof(fc.constant(0), positive)), maxStep: maybe(positive), dt: maybe(positive.map((x) => x / 10)),
    lowerSingularityThreshold: maybe(fc.integer({ min: 1, max: 40 })), hardStopSingularityThreshold: maybe(fc.integer({ min: 1, max: 60 })),
    tolerance: maybe(fc.record({ position: positive, orientation: positive })),
    timeoutMs: maybe(fc.oneof(fc.integer({ min: 1, max: 3 }), fc.double({ min: 0.01, max: 30, noNaN: true }))),
    maxIterations: maybe(fc.integer({ min: 0, max: 200 })), maxRestarts: maybe(fc.integer({ min: 0, max: 50 })),
    randomSeed: maybe(fc.integer({ min: -1, max: 2 ** 32 })),
  };
}

const FIELDS = {
  clean: new Map(ROBOTS.map((id) => [id, cleanFieldsOf(id)])),
  noisy: new Map(ROBOTS.map((id) => [id, noisyFieldsOf(id)])),
};

/** Route (the path after /robots/{id}/) -> [required fields, optional fields]. */
type Routes = Record<string, [string[], string[]]>;

interface OpenApiDocument {
  paths: Record<string, { post?: { requestBody?: { content?: Record<string, { schema?: { required?: string[]; properties?: object } }> } } }>;
}

/**
 * The route table, read from the OpenAPI document (which the route schemas generate): every
 * POST /robots/{id}/... with a JSON body, its required fields and its optional ones. A route
 * added to the service is tested here without being listed.
 */
function routesOf(document: OpenApiDocument): Routes {
  const routes: Routes = {};
  for (const [path, item] of Object.entries(document.paths)) {
    const route = /^\/robots\/\{id\}\/(.+)$/.exec(path)?.[1];
    const schema = item.post?.requestBody?.content?.['application/json']?.schema;
    if (route === undefined || !schema?.properties) continue;
    const required = schema.required ?? [];
    routes[route] = [required, Object.keys(schema.properties).filter((field) => !required.includes(field))];
  }
  return routes;
}

/**
 * A body for a route of a robot: its required fields (left out of about one body in ten) and
 * some of its optional ones, of the right form (clean) or of any form (noisy, sometimes with one
 * more field).
 */
function structuredRequest(routes: Routes): fc.Arbitrary<{ url: string; body: Record<string, unknown> }> {
  return fc.tuple(fc.constantFrom(...ROBOTS), fc.constantFrom(...Object.keys(routes)), fc.constantFrom('clean', 'clean', 'noisy'))
    .chain(([id, route, flavour]) => {
      const [required, optionalFields] = routes[route]!;
      const fields = FIELDS[flavour].get(id)!;
      const pick = (names: string[]) => Object.fromEntries(names.map((n) => [n, fields[n]!]));
      return fc.tuple(
        fc.record(pick(required)),
        fc.record(pick(optionalFields), { requiredKeys: [] }),
        fc.nat(9).map((n) => n > 0),
        flavour === 'noisy'
          ? fc.oneof(
            { weight: 3, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: fc.tuple(fc.constantFrom('extra', 'Tip', 'qs', 'q', 'target', '__proto__x', ''), anyJson) },
          )
          : fc.constant(undefined),
      ).map(([req, opt, keepRequired, extra]) => {
        const body: Record<string, unknown> = { ...opt, ...(keepRequired ? req : {}) };
        if (extra) body[extra[0]] = extra[1];
        if (flavour === 'clean' && Array.isArray(body.seeds) && Array.isArray(body.targets)) {
          // one seed per target, and not with "seed" as well
          const seeds = body.seeds as unknown[];
          body.seeds = (body.targets as unknown[]).map((_, i) => seeds[i % seeds.length]);
          delete body.seed;
        }
        return { url: `/robots/${id}/${route}`, body };
      });
    });
}

// ---------------------------------------------------------------------------------------------
// joint vectors within and beyond the limits

function limitedQ(id: string): fc.Arbitrary<number[]> {
  const m = model(id);
  return fc.tuple(...Array.from({ length: m.dof }, (_, k) => {
    if (m.continuous[k]) return fc.integer({ min: -10_000, max: 10_000 }).map((i) => i / 100); // ±100 rad
    const lower = m.qLower[k]!, upper = m.qUpper[k]!;
    return fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: 1_000_000 }).map((i) => lower + (upper - lower) * (i / 1_000_000)) },
      { weight: 1, arbitrary: fc.constantFrom(lower, upper) },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: 1_000_000 }).map((i) => lower - i / 100_000) }, // up to 10 below
      { weight: 2, arbitrary: fc.integer({ min: 1, max: 1_000_000 }).map((i) => upper + i / 100_000) }, // up to 10 above
    );
  }));
}

const jacobianRequest = fc.constantFrom(...ROBOTS).chain((id) => fc.record({
  id: fc.constant(id),
  body: fc.record({
    q: limitedQ(id),
    tip: fc.constantFrom(...model(id).tipLinks),
    referenceFrame: fc.constantFrom('LOCAL_WORLD_ALIGNED', 'LOCAL', 'WORLD'),
    analysis: fc.boolean(),
    tipOffset: vector(3, accepted),
  }, { requiredKeys: ['q', 'tip'] }),
}));

const ikStepRequest = fc.constantFrom(...ROBOTS).chain((id) => fc.record({
  id: fc.constant(id),
  body: fc.record({
    q: limitedQ(id),
    target: fc.record({ position: vector(3, accepted), quaternion: unitQuaternion }),
    tip: fc.constantFrom(...model(id).tipLinks),
    respectLimits: fc.boolean(),
    damping: fc.oneof(fc.constant(0), positive.map((x) => x / 100)),
    maxStep: positive,
    weights: fc.array(fc.oneof(positive, fc.constant(0)), { minLength: 6, maxLength: 6 }).filter((w) => w.some((x) => x > 0)),
    jointWeights: fc.array(positive, { minLength: model(id).dof, maxLength: model(id).dof }),
  }, { requiredKeys: ['q', 'target', 'tip'] }),
}));

// ---------------------------------------------------------------------------------------------

describe('properties', () => {
  let t: TestApp;
  let routes: Routes;
  let routeNames: string[];
  beforeAll(async () => {
    t = await createTestApp(APP_LIMITS);
    routes = routesOf(t.app.swagger() as unknown as OpenApiDocument);
    routeNames = Object.keys(routes);
  });
  afterAll(async () => { await t.close(); });

  it('knows how to make every field of every route the OpenAPI document lists', () => {
    expect(routeNames).toEqual(expect.arrayContaining(['fk', 'fk/batch', 'jacobian', 'jacobian/batch', 'velocity', 'statics', 'ik/step', 'ik/velocity', 'ik/solve', 'ik/solve/batch']));
    for (const [route, [required, optionalFields]] of Object.entries(routes)) {
      for (const field of [...required, ...optionalFields]) {
        for (const flavour of ['clean', 'noisy'] as const) {
          expect(FIELDS[flavour].get('ur5e')![field], `no ${flavour} generator for field "${field}" of ${route}`).toBeDefined();
        }
      }
    }
  });

  it('random URDF-like documents: a 2xx or a problem 4xx, never a 5xx', async () => {
    let uploads = 0;
    await fc.assert(fc.asyncProperty(fc.oneof(urdfDocument, validishUrdf), uploadForm, async (urdf, form) => {
      const id = form.id === 'fresh' ? `prop_${uploads++}` : form.id;
      let answer: Answer;
      if (form.as === 'json') {
        answer = await inject(t, 'POST', '/robots', JSON.stringify(id === undefined ? { urdf } : { id, urdf }));
      } else {
        const query = id === undefined ? '' : `?id=${encodeURIComponent(id)}`;
        answer = await inject(t, 'POST', `/robots${query}`, urdf, form.as);
      }
      expectAnswerOrProblem(answer, `upload (${form.as}) of ${JSON.stringify(urdf.slice(0, 300))}`);
      if (answer.status < 300) {
        const created = JSON.parse(answer.text) as { id: string; source: string };
        expect(created.id).toBeTypeOf('string');
        const described = await inject(t, 'GET', `/robots/${created.id}`);
        expect(described.status).toBe(200);
        if (created.source === 'uploaded') expect((await inject(t, 'DELETE', `/robots/${created.id}`)).status).toBe(204);
      }
    }), { seed: SEED.urdf, numRuns: 400 });
  });

  it('random JSON values posted to every route: a 200 or a problem 4xx, never a 5xx', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...ROBOTS), fc.constantFrom(...routeNames, '<upload>'), fc.jsonValue(), async (id, route, value) => {
      const url = route === '<upload>' ? '/robots' : `/robots/${id}/${route}`;
      const payload = JSON.stringify(value) ?? 'null';
      expectAnswerOrProblem(await inject(t, 'POST', url, payload), `POST ${url} ${payload.slice(0, 300)}`);
    }), { seed: SEED.jsonValue, numRuns: 500 });
  });

  it('random text and mangled JSON posted to every route: a problem 4xx, never a 5xx', async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.tuple(fc.jsonValue(), fc.nat()).map(([v, cut]) => { const s = JSON.stringify(v) ?? ''; return s.slice(0, cut % (s.length + 1)); }),
      fc.tuple(fc.jsonValue(), fc.string({ maxLength: 4 })).map(([v, junk]) => `${JSON.stringify(v)}${junk}`),
    );
    await fc.assert(fc.asyncProperty(fc.constantFrom(...routeNames, '<upload>'), text, async (route, payload) => {
      const url = route === '<upload>' ? '/robots' : `/robots/ur5e/${route}`;
      expectAnswerOrProblem(await inject(t, 'POST', url, payload), `POST ${url} ${JSON.stringify(payload)}`);
    }), { seed: SEED.rawText, numRuns: 300 });
  });

  it('bodies near the real schemas: a 200 or a problem 4xx, never a 5xx', async () => {
    await fc.assert(fc.asyncProperty(structuredRequest(routes), async ({ url, body }) => {
      const payload = JSON.stringify(body);
      const answer = await inject(t, 'POST', url, payload);
      expectAnswerOrProblem(answer, `POST ${url} ${payload.slice(0, 400)}`);
      if (answer.status === 200) expect(nonFinitePaths(JSON.parse(answer.text)), `POST ${url} ${payload}`).toEqual([]);
    }), { seed: SEED.structured, numRuns: 1500 });
  });

  it('jacobian at joint vectors within and beyond the limits: 200 with finite numbers', async () => {
    await fc.assert(fc.asyncProperty(jacobianRequest, async ({ id, body }) => {
      const payload = JSON.stringify(body);
      const answer = await inject(t, 'POST', `/robots/${id}/jacobian`, payload);
      expect(answer.status, `${id} ${payload} -> ${answer.text.slice(0, 300)}`).toBe(200);
      expect(nonFinitePaths(JSON.parse(answer.text)), `${id} ${payload}`).toEqual([]);
    }), { seed: SEED.jacobian, numRuns: 400 });
  });

  it('ik/step from joint vectors within and beyond the limits: 200 with finite numbers, within the limits and maxStep', async () => {
    await fc.assert(fc.asyncProperty(ikStepRequest, async ({ id, body }) => {
      const payload = JSON.stringify(body);
      const answer = await inject(t, 'POST', `/robots/${id}/ik/step`, payload);
      expect(answer.status, `${id} ${payload} -> ${answer.text.slice(0, 300)}`).toBe(200);
      const result = JSON.parse(answer.text) as { q: number[]; dq: number[] };
      expect(nonFinitePaths(result), `${id} ${payload}`).toEqual([]);
      const m = model(id);
      if (body.respectLimits !== false) {
        result.q.forEach((x, k) => {
          expect(x, `${id} joint ${k} ${payload}`).toBeGreaterThanOrEqual(m.qLower[k]!);
          expect(x, `${id} joint ${k} ${payload}`).toBeLessThanOrEqual(m.qUpper[k]!);
        });
      }
      // dq is the returned q minus the given one: it holds the step alone when q is not first
      // brought into the limits
      if (body.maxStep !== undefined && body.respectLimits === false) {
        // rounding of the scaled step and of (q + step) - q
        const rounding = 4 * Number.EPSILON * Math.max(1, body.maxStep, ...body.q.map(Math.abs));
        expect(Math.max(...result.dq.map(Math.abs)), `${id} ${payload}`).toBeLessThanOrEqual(body.maxStep + rounding);
      }
    }), { seed: SEED.ikStep, numRuns: 400 });
  });
});
