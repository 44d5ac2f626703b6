import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/paths.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
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
});
