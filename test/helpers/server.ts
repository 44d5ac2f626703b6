/**
 * The real service for a describe block: started once before its tests with a fresh DATA_DIR,
 * stopped and cleaned up after them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startServer, type ServerProcess } from '../../scripts/server-process.js';

export interface SuiteServer {
  /** The running service (set once beforeAll has run). */
  readonly server: ServerProcess;
  /** Its DATA_DIR, removed after the suite. */
  readonly dataDir: string;
}

/**
 * Registers beforeAll / afterAll hooks that start the service with `env` (plus a fresh DATA_DIR)
 * and, after the suite, kill it and remove the folder.
 */
export function serverForSuite(name: string, env: Record<string, string> = {}): SuiteServer {
  const suite = {} as { server: ServerProcess; dataDir: string };
  beforeAll(async () => {
    suite.dataDir = mkdtempSync(join(tmpdir(), `kinematics-${name}-`));
    suite.server = await startServer({ ...env, DATA_DIR: suite.dataDir });
  });
  afterAll(async () => {
    if (suite.server && suite.server.child.exitCode === null) {
      suite.server.child.kill('SIGKILL');
      await suite.server.exited;
    }
    if (suite.dataDir) rmSync(suite.dataDir, { recursive: true, force: true });
  });
  return suite;
}
