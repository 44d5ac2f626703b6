/**
 * Where the tests find the project's files and the shared corpus. The corpus folder sits beside
 * the repository in CI; a fresh clone without it runs every test that does not need it and
 * reports the others as skipped, saying why.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { it } from 'vitest';
import { REPO_ROOT } from './builtin-urdf.js';

export { BUILTIN_ROBOTS, FIXTURES_DIR, REPO_ROOT, ROBOTS_DIR, readBuiltinUrdf } from './builtin-urdf.js';

/** The shared folder (corpus, KDL reference): KINEMATICS_SHARED_DIR or the repository's sibling. */
export const SHARED_DIR = process.env.KINEMATICS_SHARED_DIR ?? resolve(REPO_ROOT, '..', 'shared');
export const CORPUS_DIR = join(SHARED_DIR, 'urdf-corpus');
export const KDL_REFERENCE_DIR = join(SHARED_DIR, 'kdl-reference');
export const CORPUS_AVAILABLE = existsSync(join(CORPUS_DIR, 'chains.json')) && existsSync(KDL_REFERENCE_DIR);
export const CORPUS_SKIP_REASON = `skipped: the URDF corpus was not found at ${CORPUS_DIR} (set KINEMATICS_SHARED_DIR to run these)`;

if (!CORPUS_AVAILABLE) console.warn(CORPUS_SKIP_REASON);

/**
 * In CI the corpus sits beside the repository: a missing corpus there is a broken checkout, and
 * the proofs against KDL must not quietly turn into a skip.
 */
const CORPUS_REQUIRED = process.env.CI === 'true';

/**
 * In a describe block of corpus tests: when the corpus is missing, records one skipped test whose
 * name says why, and returns true so that the block registers nothing else.
 */
export function skipWithoutCorpus(): boolean {
  if (CORPUS_AVAILABLE) return false;
  if (CORPUS_REQUIRED) {
    it(`finds the URDF corpus (CI=true): ${CORPUS_SKIP_REASON}`, () => {
      throw new Error(`CI=true, but the URDF corpus was not found at ${CORPUS_DIR}; CI must run with ../shared beside the repository`);
    });
    return true;
  }
  it.skipIf(true)(CORPUS_SKIP_REASON, () => {});
  return true;
}
