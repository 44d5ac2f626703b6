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

/** Layers may depend only on the layers listed (dependencies point one way). */
const LAYERS: Record<string, { local: string[]; packages: RegExp }> = {
  'src/core': { local: ['src/core'], packages: /^ml-matrix$/ },
  'src/urdf': { local: ['src/core', 'src/urdf'], packages: /^saxes$/ },
  'src/robots': { local: ['src/core', 'src/urdf', 'src/robots'], packages: /^node:/ },
  'src/workers': { local: ['src/core', 'src/urdf', 'src/workers'], packages: /^(piscina|node:os)$/ },
};

describe('architecture', () => {
  for (const [layer, allowed] of Object.entries(LAYERS)) {
    it(`${layer} imports only ${allowed.local.join(', ')} and ${allowed.packages.source}`, () => {
      const offending: string[] = [];
      for (const file of sourceFiles(join(REPO_ROOT, layer))) {
        for (const spec of imports(file)) {
          if (spec.startsWith('.')) {
            const target = relative(REPO_ROOT, join(file, '..', spec));
            if (!allowed.local.some((l) => target.startsWith(`${l}/`))) offending.push(`${relative(REPO_ROOT, file)} -> ${spec}`);
          } else if (!allowed.packages.test(spec)) {
            offending.push(`${relative(REPO_ROOT, file)} -> ${spec}`);
          }
        }
      }
      expect(offending).toEqual([]);
    });
  }

  it('finds every kind of import (the check above cannot pass by missing one)', () => {
    const text = "import a from './a.js';\nimport './side-effect.js';\nexport * from './b.js';\nconst c = await import('./c.js');\nconst d = require('fs');\n";
    const file = join(mkdtempSync(join(tmpdir(), 'imports-')), 'sample.ts');
    writeFileSync(file, text);
    expect(imports(file).sort()).toEqual(['./a.js', './b.js', './c.js', './side-effect.js', 'fs']);
  });
});
