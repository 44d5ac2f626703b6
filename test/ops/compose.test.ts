/**
 * compose.yaml, the local trial of the shared registry: valid against the Compose Specification's
 * JSON schema (vendored in test/fixtures/compose-spec, see its README for the source), and what it
 * promises: two replicas of the service on one PostgreSQL, uploads enabled on both, each
 * replica's environment a configuration the service accepts, its database URL reaching the
 * postgres service with the credentials that service is given.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { FIXTURES_DIR, REPO_ROOT } from '../helpers/paths.js';

// the file names its dialect as https://json-schema.org/draft-07/schema, which Ajv knows (as draft 7,
// its default) under the http:// id only: the reference is dropped and the default used
const { $schema: _draft7, ...schema } = JSON.parse(readFileSync(join(FIXTURES_DIR, 'compose-spec', 'compose-spec.json'), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(schema);
// YAML merge keys (<<) resolved, as Compose does
const compose = parse(readFileSync(join(REPO_ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, { image?: string; build?: unknown; environment?: Record<string, string>; ports?: string[]; depends_on?: Record<string, { condition: string }> }>;
};

function errorsOf(document: unknown): string[] {
  return validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

describe('compose.yaml', () => {
  it('is valid against the Compose Specification schema', () => {
    expect(errorsOf(compose)).toEqual([]);
  });

  it('the schema check rejects broken files', () => {
    const broken = structuredClone(compose) as any;
    broken.services['kinematics-a'].ports = 8081;
    expect(errorsOf(broken).join()).toMatch(/ports/);
    const misspelt = structuredClone(compose) as any;
    misspelt.services.postgres.enviroment = {};
    expect(errorsOf(misspelt).join()).toMatch(/additional properties/);
  });

  it('runs two replicas of the service on one PostgreSQL, with uploads enabled, on different host ports', () => {
    const replicas = Object.entries(compose.services).filter(([, s]) => s.environment?.DATABASE_URL !== undefined);
    expect(replicas.map(([name]) => name).sort()).toEqual(['kinematics-a', 'kinematics-b']);
    const postgres = compose.services.postgres!;
    expect(postgres.image).toMatch(/^postgres:/);
    const hostPorts = new Set<string>();
    for (const [name, service] of replicas) {
      const config = loadConfig(service.environment!);
      const url = new URL(config.databaseUrl!);
      expect(url.hostname, name).toBe('postgres');
      expect(decodeURIComponent(url.username)).toBe(postgres.environment!.POSTGRES_USER);
      expect(decodeURIComponent(url.password)).toBe(postgres.environment!.POSTGRES_PASSWORD);
      expect(url.pathname).toBe(`/${postgres.environment!.POSTGRES_DB}`);
      expect(config.adminToken, `${name}: uploads need the admin token on a non-loopback HOST`).toBeDefined();
      expect(config.host).toBe('0.0.0.0');
      expect(service.depends_on?.postgres?.condition).toBe('service_healthy');
      for (const port of service.ports ?? []) hostPorts.add(port.split(':')[0]!);
    }
    expect(hostPorts.size).toBe(2);
  });
});
