/**
 * Builds the app the way the service does, on a temporary data folder, for app.inject tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { configFor, type AppConfig } from '../../src/config.js';
import { buildApp, type App, type BuildAppOptions } from '../../src/http/app.js';
import { ROBOTS_DIR } from './paths.js';

export interface TestApp {
  app: App;
  config: AppConfig;
  root: string;
  /** Closes the app and removes the temporary folder (unless `keep`). */
  close(keep?: boolean): Promise<void>;
}

export async function createTestApp(overrides: Partial<AppConfig> = {}, options: BuildAppOptions = {}, root?: string): Promise<TestApp> {
  const folder = root ?? mkdtempSync(join(tmpdir(), 'kinematics-test-'));
  const config = configFor(folder, { robotsDir: ROBOTS_DIR, ...overrides });
  const app = await buildApp(config, options);
  await app.ready();
  return {
    app, config, root: folder,
    close: async (keep = false) => {
      await app.close();
      if (!keep) rmSync(folder, { recursive: true, force: true });
    },
  };
}

/**
 * Makes apps on demand inside the tests of a describe block and closes them after each test:
 * `const app = appsClosedAfterEach();` then `const t = await app({ maxBatch: 5 });`.
 */
export function appsClosedAfterEach(): (...args: Parameters<typeof createTestApp>) => Promise<TestApp> {
  const apps: TestApp[] = [];
  afterEach(async () => { for (const t of apps.splice(0)) await t.close(); });
  return async (...args) => {
    const t = await createTestApp(...args);
    apps.push(t);
    return t;
  };
}

/** POSTs JSON and returns status, parsed body and headers. */
export async function postJson(
  app: App, url: string, body: unknown, headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  const response = await app.inject({
    method: 'POST', url, payload: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: response.statusCode, body: response.body ? response.json() : undefined, headers: response.headers };
}

/** Asserts the shape of an RFC 9457 problem and returns it. */
export function expectProblem(response: { status: number; body: any; headers: Record<string, unknown> }, status: number, ...fragments: string[]): any {
  const problem = response.body;
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${JSON.stringify(problem)}`);
  if (!String(response.headers['content-type']).startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${String(response.headers['content-type'])}`);
  }
  if (problem.status !== status || typeof problem.type !== 'string' || typeof problem.title !== 'string' || typeof problem.detail !== 'string') {
    throw new Error(`not a problem document: ${JSON.stringify(problem)}`);
  }
  for (const fragment of fragments) {
    if (!problem.detail.includes(fragment)) throw new Error(`detail ${JSON.stringify(problem.detail)} does not mention ${JSON.stringify(fragment)}`);
  }
  return problem;
}
