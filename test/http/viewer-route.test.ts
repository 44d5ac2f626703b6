/**
 * GET /viewer and its assets through app.inject: what is served, with which headers, and the
 * answers for an unknown asset and for a service whose page was never built. (The page itself
 * is tested in a browser by viewer.test.ts.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import problems from '../../src/http/plugins/problems.js';
import { viewerRoutes } from '../../src/http/routes/viewer.js';
import { appsClosedAfterEach, expectProblem } from '../helpers/app.js';

/** The viewer's routes over a folder of stand-in files (or none), with the service's problem handling. */
async function viewerApp(assetsDir: string): Promise<ReturnType<typeof Fastify>> {
  const app = Fastify({ logger: false });
  await app.register(problems);
  await app.register(viewerRoutes, { assetsDir });
  await app.ready();
  return app;
}

describe('the viewer routes', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'viewer-route-'));
    mkdirSync(join(root, 'built'));
    writeFileSync(join(root, 'built', 'index.html'), '<!doctype html><title>viewer</title>');
    writeFileSync(join(root, 'built', 'viewer.js'), 'console.log(1);');
    writeFileSync(join(root, 'built', 'viewer.css'), 'body{}');
    writeFileSync(join(root, 'built', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('serves the page and its assets with their media types, and only them', async () => {
    const app = await viewerApp(join(root, 'built'));
    const page = await app.inject('/viewer?robot=ur5e');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<title>viewer</title>');
    expect((await app.inject('/viewer/assets/viewer.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await app.inject('/viewer/assets/viewer.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await app.inject('/viewer/assets/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
    for (const name of ['index.html', '..%2F..%2Fpackage.json', 'constructor', 'toString']) {
      const response = await app.inject(`/viewer/assets/${name}`);
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    await app.close();
  });

  it('answers 503 saying how to build the page when it was not built', async () => {
    const app = await viewerApp(join(root, 'nothing-here'));
    for (const url of ['/viewer', '/viewer/assets/viewer.js']) {
      const response = await app.inject(url);
      expectProblem({ status: response.statusCode, body: response.json(), headers: response.headers }, 503, 'npm run build');
    }
    await app.close();
  });
});

describe('the viewer in the service', () => {
  const app = appsClosedAfterEach();

  it('gets a content security policy of its own: scripts, styles and calls from this origin only, nothing inline', async () => {
    const t = await app();
    const page = await t.app.inject('/viewer');
    // 200 once `npm run build` has run, 503 before: the headers are the same either way
    expect([200, 503]).toContain(page.statusCode);
    const policy = String(page.headers['content-security-policy']);
    const directives = Object.fromEntries(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values.join(' ')]));
    expect(directives).toEqual({
      'default-src': "'none'", 'script-src': "'self'", 'style-src': "'self'", 'connect-src': "'self'", 'img-src': "'self'",
      'base-uri': "'none'", 'form-action': "'none'", 'frame-ancestors': "'none'",
    });
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    // the API's own answers keep theirs
    expect((await t.app.inject('/robots')).headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect((await t.app.inject('/viewerx')).headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});
