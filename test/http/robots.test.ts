import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appsClosedAfterEach, createTestApp, expectProblem, postJson, type TestApp } from '../helpers/app.js';
import { isLoopbackHost } from '../../src/http/access-control.js';
import { BUILTIN_ROBOTS, readBuiltinUrdf } from '../helpers/paths.js';

const TWO_LINK = (name = 'two_link', reach = 0.5): string => `<robot name="${name}"><link name="base"/><link name="upper"/><link name="tool"/>`
  + '<joint name="shoulder" type="revolute"><parent link="base"/><child link="upper"/><axis xyz="0 0 1"/><limit lower="-3" upper="3" effort="10" velocity="2"/></joint>'
  + `<joint name="elbow" type="revolute"><origin xyz="${reach} 0 0"/><parent link="upper"/><child link="tool"/><axis xyz="0 0 1"/><limit lower="-3" upper="3" effort="10" velocity="2"/></joint></robot>`;

const TOKEN = 'a-long-admin-token-for-tests-0123';

async function uploadXml(t: TestApp, urdf: string, query = '', headers: Record<string, string> = {}) {
  const r = await t.app.inject({ method: 'POST', url: `/robots${query}`, payload: urdf, headers: { 'content-type': 'application/xml', ...headers } });
  return { status: r.statusCode, body: r.json(), headers: r.headers };
}

describe('robots routes', () => {
  const app = appsClosedAfterEach();

  it('lists the builtin robots and describes each', async () => {
    const t = await app();
    const list = (await t.app.inject('/robots')).json();
    expect(list.robots.map((r: { id: string }) => r.id).sort()).toEqual([...BUILTIN_ROBOTS].sort());
    const ur5e = list.robots.find((r: { id: string }) => r.id === 'ur5e');
    expect(ur5e).toMatchObject({ dof: 6, baseLink: 'base_link', defaultTip: 'tool0', tipLinks: ['tool0'], source: 'builtin' });
    const panda = (await t.app.inject('/robots/franka_panda')).json();
    expect(panda.defaultTip).toBeUndefined();
    expect(panda.joints.map((j: { name: string }) => j.name)).toEqual([...Array(7).keys()].map((i) => `panda_joint${i + 1}`).concat('panda_finger_joint1'));
    expect(panda.joints[0]).toMatchObject({ type: 'revolute', parentLink: 'panda_link0', childLink: 'panda_link1', axis: [0, 0, 1], origin: { xyz: [0, 0, 0.333], rpy: [0, 0, 0] }, limits: { lower: -2.8973, upper: 2.8973, velocity: 2.175, effort: 87 } });
    expect(panda.mimicJoints).toEqual([{ name: 'panda_finger_joint2', leader: 'panda_finger_joint1', multiplier: 1, offset: 0 }]);
    expect(panda.links[0]).toEqual({ name: 'panda_link0' });
    expect(panda.links.find((l: { name: string }) => l.name === 'panda_hand_tcp')).toEqual({ name: 'panda_hand_tcp', parentLink: 'panda_hand', parentJoint: 'panda_hand_tcp_joint' });
    const gen3 = (await t.app.inject('/robots/kinova_gen3')).json();
    expect(gen3.joints[0].type).toBe('continuous');
    expect(gen3.joints[0].limits.lower).toBeUndefined();
    const urdf = await t.app.inject('/robots/ur5e/urdf');
    expect(urdf.headers['content-type']).toContain('application/xml');
    expect(urdf.body).toBe(readBuiltinUrdf('ur5e'));
  });

  it('uploads as XML (id from ?id= or the robot name) and as JSON; same content is 200, other content 409', async () => {
    const t = await app();
    const created = await uploadXml(t, TWO_LINK());
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/robots/two_link');
    expect(created.body).toMatchObject({ id: 'two_link', source: 'uploaded', dof: 2, defaultTip: 'tool' });
    expect((await uploadXml(t, TWO_LINK())).status).toBe(200);
    expectProblem(await uploadXml(t, TWO_LINK('two_link', 0.7)), 409, 'already exists with different content');
    const named = await uploadXml(t, TWO_LINK('two_link', 0.7), '?id=longer_arm');
    expect(named.status).toBe(201);
    expect(named.body.id).toBe('longer_arm');
    const json = await postJson(t.app, '/robots', { id: 'json_arm', urdf: TWO_LINK() });
    expect(json.status).toBe(201);
    const fk = await postJson(t.app, '/robots/longer_arm/fk', { q: [0, 0], links: ['tool'] });
    expect(fk.body.poses.tool.position).toEqual([0.7, 0, 0]);
    expect((await uploadXml(t, readBuiltinUrdf('ur5e'))).status).toBe(200); // identical to a builtin robot: unchanged
  });

  it('refuses invalid URDFs, ids and media types with what to change', async () => {
    const t = await app();
    expectProblem(await uploadXml(t, '<robot name="x"><link name="a"/><link name="b"/><joint name="j" type="revolute"><parent link="a"/><child link="b"/></joint></robot>'),
      422, 'joint "j" is of type revolute without a <limit> element');
    expectProblem(await uploadXml(t, '<!DOCTYPE robot [<!ENTITY x SYSTEM "file:///etc/passwd">]><robot name="&x;"/>'), 400, 'DOCTYPE');
    expectProblem(await uploadXml(t, '<robot name="x"><link name="a">'), 400, 'not well-formed');
    expectProblem(await uploadXml(t, TWO_LINK('has space')), 400, 'cannot serve as an id', '?id=');
    expectProblem(await uploadXml(t, TWO_LINK(), '?id=../etc'), 400, 'id');
    expectProblem(await uploadXml(t, readBuiltinUrdf('ur5e').replace('0.1625', '0.2')), 409, 'builtin robot');
    const r = await t.app.inject({ method: 'POST', url: '/robots', payload: TWO_LINK(), headers: { 'content-type': 'text/plain' } });
    expectProblem({ status: r.statusCode, body: r.json(), headers: r.headers }, 415);
    expectProblem(await postJson(t.app, '/robots', { urdf: TWO_LINK(), extra: 1 }), 400, 'extra');
  });

  it('keeps uploads across a restart and deletes them durably; builtin robots cannot be deleted', async () => {
    const t = await createTestApp();
    expect((await uploadXml(t, TWO_LINK())).status).toBe(201);
    const stored = readFileSync(join(t.config.dataDir, 'two_link.urdf'), 'utf8');
    expect(stored).toBe(TWO_LINK());
    await t.close(true);
    const again = await app({}, {}, t.root);
    expect((await again.app.inject('/robots/two_link')).json().source).toBe('uploaded');
    expect((await again.app.inject({ method: 'DELETE', url: '/robots/two_link' })).statusCode).toBe(204);
    const gone = await again.app.inject('/robots/two_link');
    expectProblem({ status: gone.statusCode, body: gone.json(), headers: gone.headers }, 404, 'no robot "two_link"');
    const builtin = await again.app.inject({ method: 'DELETE', url: '/robots/ur5e' });
    expectProblem({ status: builtin.statusCode, body: builtin.json(), headers: builtin.headers }, 409, 'builtin');
    const missing = await again.app.inject({ method: 'DELETE', url: '/robots/nothing' });
    expect(missing.statusCode).toBe(404);
  });

  it('needs the bearer token when one is configured: 401 without, 403 with another', async () => {
    const t = await app({ adminToken: TOKEN });
    expectProblem(await uploadXml(t, TWO_LINK()), 401, 'Authorization: Bearer');
    expectProblem(await uploadXml(t, TWO_LINK(), '', { authorization: 'Bearer wrong-token' }), 403, 'not the admin token');
    expect((await uploadXml(t, TWO_LINK(), '', { authorization: `Bearer ${TOKEN}` })).status).toBe(201);
    const del = await t.app.inject({ method: 'DELETE', url: '/robots/two_link' });
    expect(del.statusCode).toBe(401);
    expect((await t.app.inject({ method: 'DELETE', url: '/robots/two_link', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(204);
    expect((await t.app.inject('/robots')).statusCode).toBe(200); // reads stay open
  });

  it('refuses a caller without the right before reading the body: no validation, no size check', async () => {
    const t = await app({ adminToken: TOKEN });
    expectProblem(await postJson(t.app, '/robots', { urdf: 5 }), 401, 'Authorization: Bearer');
    expectProblem(await uploadXml(t, 'x'.repeat(2 * 1024 * 1024)), 401, 'Authorization: Bearer');
    expectProblem(await uploadXml(t, TWO_LINK(), '?id=../etc', { authorization: 'Bearer wrong-token' }), 403, 'not the admin token');
    const del = await t.app.inject({ method: 'DELETE', url: '/robots/..bad' });
    expect(del.statusCode).toBe(401);
    const closed = await app({ host: '0.0.0.0' });
    expectProblem(await postJson(closed.app, '/robots', { urdf: 5 }), 403, 'set ADMIN_TOKEN');
  });

  it('without a token, allows changes only on a loopback address', async () => {
    const t = await app({ host: '0.0.0.0' });
    expectProblem(await uploadXml(t, TWO_LINK()), 403, 'set ADMIN_TOKEN');
    expect((await t.app.inject('/robots/ur5e')).statusCode).toBe(200);
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '127.example.com', '127.0.0.1.nip.io', '::ffff:10.0.0.1', 'localhost.example.com']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('refuses a JSON upload whose body and query name different ids', async () => {
    const t = await app();
    const url = '/robots?id=one';
    const r = await t.app.inject({ method: 'POST', url, payload: { id: 'two', urdf: TWO_LINK() } });
    expectProblem({ status: r.statusCode, body: r.json(), headers: r.headers }, 400, 'id "two"', '?id="one"');
    const same = await t.app.inject({ method: 'POST', url, payload: { id: 'one', urdf: TWO_LINK() } });
    expect(same.statusCode).toBe(201);
  });

  it('serialises concurrent uploads of one id: exactly one 201, the other 409', async () => {
    const t = await app();
    const [a, b] = await Promise.all([uploadXml(t, TWO_LINK('racer', 0.5)), uploadXml(t, TWO_LINK('racer', 0.6))]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const winner = a.status === 201 ? 0.5 : 0.6;
    expect(readFileSync(join(t.config.dataDir, 'racer.urdf'), 'utf8')).toBe(TWO_LINK('racer', winner));
  });
});

describe('upload refusals: a type and title per kind, and every problem with its element', () => {
  const app = appsClosedAfterEach();
  const joint = (i: number, body: string): string => `<link name="l${i}"/><joint name="j${i}" type="revolute"><parent link="l${i - 1}"/><child link="l${i}"/>${body}</joint>`;
  const good = '<limit lower="-1" upper="1" effort="1" velocity="1"/>';

  it('tells malformed XML, a DOCTYPE, a cap, bad elements and a bad tree apart', async () => {
    const t = await app({ urdfMaxLinks: 50 });
    const cases: [string, number, string, string][] = [
      ['<robot name="r"><link name="a"></robot>', 400, 'urdf-malformed-xml', 'URDF is not well-formed XML'],
      ['<!DOCTYPE robot [<!ENTITY a "b">]><robot name="r"><link name="a"/></robot>', 400, 'urdf-doctype', 'URDF has a document type declaration, which is not accepted'],
      [`<robot name="r">${'<a>'.repeat(70)}${'</a>'.repeat(70)}<link name="a"/></robot>`, 400, 'urdf-xml-limit', 'URDF exceeds the limits of the XML reader'],
      [`<robot name="r"><link name="l0"/>${Array.from({ length: 60 }, (_, i) => `<link name="m${i}"/>`).join('')}</robot>`, 413, 'urdf-too-large', 'URDF too large'],
      [`<robot name="r"><link name="l0"/>${joint(1, '<limit lower="x" upper="1" effort="1" velocity="1"/>')}</robot>`, 422, 'urdf-invalid-element', 'URDF elements are not valid'],
      [`<robot name="r"><link name="l0"/><link name="other"/>${joint(1, good)}</robot>`, 422, 'urdf-invalid-tree', 'URDF is not a valid kinematic tree'],
    ];
    for (const [urdf, status, type, title] of cases) {
      const r = await uploadXml(t, urdf, '?id=refused');
      expect(r.status, type).toBe(status);
      expect(r.body.type).toBe(`urn:kinematics-service:problem:${type}`);
      expect(r.body.title).toBe(title);
      expect(r.body.errors.length, type).toBeGreaterThan(0);
    }
  });

  it('lists every bad element, each with its path, not one at a time', async () => {
    const t = await app();
    // 30 joints with a bad limit among good ones, and a link without a name
    const joints = Array.from({ length: 60 }, (_, i) => joint(i + 1, i % 3 === 0 || i >= 45 ? '<limit lower="-1" upper="1" velocity="1"/>' : good));
    const r = await uploadXml(t, `<robot name="r"><link name="l0"/><link/>${joints.join('')}</robot>`, '?id=bad_elements');
    expectProblem(r, 422, 'has no effort attribute', 'and 21 more problems');
    expect(r.body.errors).toHaveLength(31);
    expect(r.body.errors[0]).toEqual({ path: '/robot/link[2]', message: 'the <link> on line 1 has no name attribute' });
    expect(r.body.errors[1]).toEqual({ path: '/robot/joint[@name="j1"]', message: 'joint "j1" <limit> has no effort attribute (required for revolute joints)' });
    expect(r.body.errors.every((e: { path: string }) => e.path.startsWith('/robot/'))).toBe(true);
  });

  it('lists every tree problem with the element it is about', async () => {
    const t = await app();
    const urdf = '<robot name="r"><link name="a"/><link name="a"/><link name="b"/>'
      + `<joint name="j" type="revolute"><parent link="a"/><child link="nowhere"/><axis xyz="0 0 1"/>${good}</joint>`
      + '<joint name="k" type="revolute"><parent link="a"/><child link="b"/><axis xyz="0 0 1"/><limit lower="1" upper="-1" effort="1" velocity="1"/></joint></robot>';
    const r = await uploadXml(t, urdf, '?id=bad_tree');
    expectProblem(r, 422, 'link "a" is defined twice');
    expect(r.body.errors).toEqual([
      { path: '/robot/link[@name="a"]', message: 'link "a" is defined twice' },
      { path: '/robot/joint[@name="j"]/child', message: 'joint "j" names child link "nowhere", which is not defined' },
      { path: '/robot/joint[@name="k"]/limit', message: 'joint "k" has lower limit 1 above upper limit -1' },
    ]);
  });

  it('caps the list at 100 and says so', async () => {
    const t = await app({ urdfMaxLinks: 1000 });
    const joints = Array.from({ length: 150 }, (_, i) => joint(i + 1, '<limit lower="-1" upper="1" effort="1"/>'));
    const r = await uploadXml(t, `<robot name="r"><link name="l0"/>${joints.join('')}</robot>`, '?id=many');
    expectProblem(r, 422, 'errors lists the first 100 of 150');
    expect(r.body.errors).toHaveLength(100);
  });
});
