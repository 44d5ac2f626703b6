/**
 * `npm run openapi`: writes the OpenAPI document the app generates from its route schemas to
 * openapi/openapi.json (committed; a test fails when the two differ).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFor } from '../src/config.js';
import { buildApp } from '../src/http/app.js';

export const OPENAPI_FILE = join(import.meta.dirname, '..', 'openapi', 'openapi.json');

/** The document as the app generates it with the default configuration, as committed text. */
export async function generateOpenApi(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'openapi-'));
  try {
    const app = await buildApp(configFor(root));
    await app.ready();
    const text = `${JSON.stringify(app.swagger(), null, 2)}\n`;
    await app.close();
    return text;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  writeFileSync(OPENAPI_FILE, await generateOpenApi());
  console.log(`wrote ${OPENAPI_FILE}`);
}
