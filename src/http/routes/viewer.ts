/**
 * The 3D viewer page (GET /viewer) and its assets, bundled at build time by
 * viewer/build.mjs (three.js, urdf-loader and the page's own code in one script) into
 * dist/viewer/. Every file the page loads comes from here: the page talks to the rest of the
 * service only through the public API, like any other client.
 *
 * The files are read once when the app is built; only these names are served, so no
 * request path ever reaches the file system. Without a build (`tsc` alone, no `npm run build`)
 * the routes answer 503 and say how to build the page.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { HttpProblem } from '../problem.js';

/** dist/viewer/ of the project: the same folder from src/http/routes/ (tsx) and dist/http/routes/ (compiled). */
export const VIEWER_ASSETS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'viewer');

/** The files of the page and their media types; anything else under /viewer/assets/ is a 404. */
const ASSETS: Record<string, string> = {
  'viewer.js': 'text/javascript; charset=utf-8',
  'viewer.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** The contents of a built file, or undefined when the page has not been built. */
function readAsset(dir: string, name: string): Buffer | undefined {
  try {
    return readFileSync(join(dir, name));
  } catch {
    return undefined;
  }
}

export const viewerRoutes: FastifyPluginAsyncTypebox<{ assetsDir?: string }> = async (app, { assetsDir = VIEWER_ASSETS_DIR }) => {
  const page = readAsset(assetsDir, 'index.html');
  const assets = new Map(Object.keys(ASSETS).map((name) => [name, readAsset(assetsDir, name)]));
  const notBuilt = (): HttpProblem => new HttpProblem(503, 'viewer-not-built', 'Viewer not built',
    `the viewer page has not been built into ${assetsDir}: run \`npm run build\` (or \`npm start\`, which builds first) and restart the service`);
  if (!page || [...assets.values()].some((content) => !content)) {
    app.log.warn({ assetsDir }, 'the viewer page is not built (npm run build): GET /viewer answers 503');
  }

  app.get('/viewer', { schema: { hide: true } }, async (_request, reply) => {
    if (!page) throw notBuilt();
    // the page is small and changes with every build: always revalidate
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
  });

  app.get('/viewer/assets/:name', {
    schema: { hide: true, params: Type.Object({ name: Type.String({ maxLength: 64 }) }) },
  }, async (request, reply) => {
    const { name } = request.params;
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!type) {
      throw new HttpProblem(404, 'not-found', 'Not found', `the viewer has no asset "${name}"; it serves ${Object.keys(ASSETS).join(', ')}`);
    }
    const content = assets.get(name);
    if (!content) throw notBuilt();
    return reply.type(type).header('cache-control', 'no-cache').send(content);
  });
};
