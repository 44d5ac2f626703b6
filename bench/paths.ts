/** Paths of the benchmarks, valid from sources (tsx) and compiled (build/bench). */
import { join } from 'node:path';
import { ROOT } from '../scripts/repo-root.js';

export { ROOT };
export const ROBOTS_DIR = join(ROOT, 'robots');
