/**
 * Content identity (API.md 1.1): every robot summary carries the hex SHA-256 of its URDF text as
 * stored, and GET /robots/{id} and GET /robots/{id}/urdf send it as a strong ETag, answering 304
 * without a body when If-None-Match names it. The digest is recomputed here with node:crypto from
 * the text the service serves, an independent check of what it claims.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { BUILTIN_ROBOTS } from '../helpers/paths.js';

const UPLOAD = '<robot name="etag_arm"><link name="a"/><link name="b"/><joint name="j" type="prismatic"><parent link="a"/><child link="b"/>'
  + '<axis xyz="1 0 0"/><limit lower="0" upper="1" effort="1" velocity="1"/></joint></robot>';

const hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

describe('content identity', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    const r = await t.app.inject({ method: 'POST', url: '/robots?id=etag_arm', payload: UPLOAD, headers: { 'content-type': 'application/xml' } });
    expect(r.statusCode).toBe(201);
    expect(r.json().sha256).toBe(hex(UPLOAD));
  });
  afterAll(async () => t.close());

  it('gives every robot in the list and in its summary the SHA-256 of the URDF it serves', async () => {
    const list = (await t.app.inject('/robots')).json().robots as { id: string; sha256: string }[];
    expect(list.map((r) => r.id).sort()).toEqual([...BUILTIN_ROBOTS, 'etag_arm'].sort());
    for (const { id, sha256 } of list) {
      const text = (await t.app.inject(`/robots/${id}/urdf`)).body;
      expect(sha256, id).toBe(hex(text));
      expect((await t.app.inject(`/robots/${id}`)).json().sha256, id).toBe(sha256);
    }
  });

  it.each(['/robots/etag_arm', '/robots/etag_arm/urdf'])('%s: strong ETag, 304 on If-None-Match, 200 otherwise', async (url) => {
    const etag = `"${hex(UPLOAD)}"`;
    const first = await t.app.inject(url);
    expect(first.statusCode).toBe(200);
    expect(first.headers.etag).toBe(etag);
    for (const header of [etag, `W/${etag}`, `"0000", ${etag}`, '*']) {
      const again = await t.app.inject({ method: 'GET', url, headers: { 'if-none-match': header } });
      expect(again.statusCode, header).toBe(304);
      expect(again.body, header).toBe('');
      expect(again.headers.etag).toBe(etag);
    }
    const other = await t.app.inject({ method: 'GET', url, headers: { 'if-none-match': `"${hex('another model')}"` } });
    expect(other.statusCode).toBe(200);
    expect(other.body.length).toBeGreaterThan(0);
  });

  it('answers an unknown robot 404 whatever If-None-Match says', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/robots/nope/urdf', headers: { 'if-none-match': '*' } });
    expect(r.statusCode).toBe(404);
  });
});
