/**
 * Where the project's own files are, and the builtin robots' URDFs. Plain Node: no test runner
 * and no output, so that helper processes (the allocation probe) can import it too.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ROBOTS_DIR = join(REPO_ROOT, 'robots');
export const FIXTURES_DIR = join(REPO_ROOT, 'test', 'fixtures');

export function readBuiltinUrdf(id: string): string {
  return readFileSync(join(ROBOTS_DIR, `${id}.urdf`), 'utf8');
}

/** The builtin robot ids (the URDF files in robots/). */
export const BUILTIN_ROBOTS = [
  'franka_panda', 'ur5e', 'kuka_iiwa14', 'kinova_gen3', 'abb_irb2400', 'scara', 'baxter',
] as const;
