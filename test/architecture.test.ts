import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/paths.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Every module a file names: static imports and re-exports (also side-effect ones, `import 'x'`),
 * dynamic import() and require(), as TypeScript's own pre-processor finds them.
 */
function imports(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/**
 * Layers may depend only on the layers listed (dependencies point one way: core <- urdf <-
 * robots, workers <- http <- server.ts; docs/architecture.md draws it). Within the core, the
 * code generators and the IK sit above the model: codegen must not reach into ik.
 */
const LAYERS: Record<string, { local: string[]; packages: RegExp }> = {
  'src/core/codegen': { local: ['src/core/codegen', 'src/core/model.ts', 'src/core/se3.ts', 'src/core/robot-description.ts', 'src/core/errors.ts', 'src/core/magnitude.ts'], packages: /^$/ },
  'src/core': { local: ['src/core'], packages: /^ml-matrix$/ },
  'src/urdf': { local: ['src/core', 'src/urdf'], packages: /^saxes$/ },
  'src/robots': { local: ['src/core', 'src/urdf', 'src/robots'], packages: /^(node:|pg$)/ },
  'src/workers': { local: ['src/core', 'src/urdf', 'src/workers'], packages: /^(piscina|node:(os|events))$/ },
  'src/http': {
    local: ['src/core', 'src/urdf', 'src/robots', 'src/workers', 'src/http', 'src/config.ts', 'src/version.ts'],
    packages: /^(fastify|fastify-plugin|@fastify\/[a-z-]+|typebox|helmet|prom-client|secure-json-parse|node:[a-z_]+)$/,
  },
  'src/config.ts': { local: [], packages: /^node:(os|v8|path|url)$/ },
  'src/version.ts': { local: [], packages: /^node:module$/ },
  // the browser page is a client of the API: three.js, urdf-loader and the generated API types
  // (examples/typescript/api.d.ts, imported as api.js), never the service's code
  'viewer/src': { local: ['viewer/src', 'examples/typescript/api.ts'], packages: /^(three|three\/examples\/jsm\/[A-Za-z/]+\.js|urdf-loader)$/ },
};

/** Whether a repository path lies in a layer (a folder, or one file). */
function inLayer(target: string, layer: string): boolean {
  return layer.endsWith('.ts') ? target === layer : target.startsWith(`${layer}/`);
}

function filesOf(layer: string): string[] {
  const path = join(REPO_ROOT, layer);
  return layer.endsWith('.ts') ? [path] : sourceFiles(path);
}

describe('architecture', () => {
  for (const [layer, allowed] of Object.entries(LAYERS)) {
    it(`${layer} imports only ${allowed.local.join(', ')} and ${allowed.packages.source}`, () => {
      const offending: string[] = [];
      for (const file of filesOf(layer)) {
        for (const spec of imports(file)) {
          if (spec.startsWith('.')) {
            const target = relative(REPO_ROOT, join(file, '..', spec)).replace(/\.js$/, '.ts');
            if (!allowed.local.some((l) => inLayer(target, l))) offending.push(`${relative(REPO_ROOT, file)} -> ${spec}`);
          } else if (!allowed.packages.test(spec)) {
            offending.push(`${relative(REPO_ROOT, file)} -> ${spec}`);
          }
        }
      }
      expect(offending).toEqual([]);
    });
  }

  it('nothing imports server.ts, the process entry point', () => {
    const importers = sourceFiles(join(REPO_ROOT, 'src')).filter((file) =>
      imports(file).some((spec) => spec.startsWith('.') && relative(REPO_ROOT, join(file, '..', spec)) === 'src/server.js'));
    expect(importers).toEqual([]);
  });

  it('finds every kind of import (the check above cannot pass by missing one)', () => {
    const text = "import a from './a.js';\nimport './side-effect.js';\nexport * from './b.js';\nconst c = await import('./c.js');\nconst d = require('fs');\n";
    const file = join(mkdtempSync(join(tmpdir(), 'imports-')), 'sample.ts');
    writeFileSync(file, text);
    expect(imports(file).sort()).toEqual(['./a.js', './b.js', './c.js', './side-effect.js', 'fs']);
  });
});
