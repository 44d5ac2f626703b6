/**
 * The library entry point: every export documented, and the README's example runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { computeJacobian, resolveEndEffector } from '../src/core/jacobian.js';
import { createWorkspace } from '../src/core/workspace.js';
import { loadUrdf } from '../src/urdf/load-urdf.js';
import { REPO_ROOT, readBuiltinUrdf } from './helpers/paths.js';
import { compileRobot } from '../src/core/compiled-robot.js';

const INDEX = join(REPO_ROOT, 'src', 'index.ts');

/** Exports of src/index.ts without a documentation comment where they are declared. */
function undocumentedExports(): string[] {
  const program = ts.createProgram([INDEX], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true });
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(INDEX)!;
  const missing: string[] = [];
  for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(index)!)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const documented = ts.displayPartsToString(target.getDocumentationComment(checker)).trim() !== '';
    if (!documented) missing.push(symbol.getName());
  }
  return missing.sort();
}

/** The ```ts block of the README's library section, importing the sources instead of the package. */
function readmeExample(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use it as a library'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('no ```ts block in the README\'s library section');
  return block[1]!.replace(/from 'kinematics-service'/g, `from ${JSON.stringify(pathToFileURL(INDEX).href)}`);
}

describe('the library entry point', () => {
  it('documents every export (TSDoc where it is declared)', () => {
    expect(undocumentedExports()).toEqual([]);
  }, 60_000);

  it('runs the README example, which computes the Jacobian the library does', () => {
    const script = join(mkdtempSync(join(tmpdir(), 'readme-example-')), 'example.ts');
    writeFileSync(script, `${readmeExample()}\nconsole.log(JSON.stringify(Array.from(J)));\n`);
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    const J = JSON.parse(run.stdout) as number[];
    const robot = compileRobot(loadUrdf(readBuiltinUrdf('ur5e')));
    const { model } = robot;
    const expected = computeJacobian(robot, createWorkspace(model), new Float64Array(6), resolveEndEffector(robot, { tip: 'tool0' }), new Float64Array(36));
    // JSON writes -0 as 0: compare the values, not their signs of zero
    expect(J.map((x, i) => Math.abs(x - expected[i]!))).toEqual(new Array(36).fill(0));
  });
});
