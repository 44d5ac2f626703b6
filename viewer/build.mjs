// Builds the viewer page (GET /viewer) into dist/viewer/: its TypeScript, three.js and
// urdf-loader bundled by esbuild into one script, with the page and its style sheet beside it.
// Run by `npm run build` (so by `npm start` and the container build) and by the viewer's tests.
//
//   node viewer/build.mjs [outDir]
/* global process, console */
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_OUT_DIR = resolve(HERE, '..', 'dist', 'viewer');

/** Bundles the page into `outDir` and returns the folder. */
export async function buildViewer(outDir = DEFAULT_OUT_DIR) {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(HERE, 'src', 'main.ts')],
    outfile: join(outDir, 'viewer.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    // three.js and urdf-loader are MIT and Apache-2.0 licensed: their notices stay in the bundle
    legalComments: 'eof',
    logLevel: 'warning',
  });
  await copyFile(join(HERE, 'index.html'), join(outDir, 'index.html'));
  for (const file of ['viewer.css', 'favicon.svg']) await copyFile(join(HERE, file), join(outDir, file));
  return outDir;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const outDir = await buildViewer(process.argv[2] ? resolve(process.argv[2]) : DEFAULT_OUT_DIR);
  console.log(`viewer built into ${outDir}`);
}
