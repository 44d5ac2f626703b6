import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, DEFAULT_ROBOTS_DIR, loadConfig, redactDatabaseUrl } from '../src/config.js';
import { REPO_ROOT } from './helpers/paths.js';

describe('configuration from the environment', () => {
  it('has the documented defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080, host: '127.0.0.1', logLevel: 'info', adminToken: undefined, robotsDir: DEFAULT_ROBOTS_DIR,
      dataDir: resolve('./data'), rateLimitMax: 0, corsOrigins: [],
    });
    expect(DEFAULT_ROBOTS_DIR).toBe(join(REPO_ROOT, 'robots'));
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000', HOST: '0.0.0.0', ROBOTS_DIR: '/srv/robots', DATA_DIR: '/srv/data', LOG_LEVEL: 'WARN',
      ADMIN_TOKEN: ' 0123456789abcdef0123 ', MAX_BATCH: '50', CORS_ORIGINS: 'https://a.example, https://b.example',
      RATE_LIMIT_MAX: '100', SHUTDOWN_DELAY_MS: '1000',
    });
    expect(config).toMatchObject({
      port: 9000, host: '0.0.0.0', robotsDir: '/srv/robots', dataDir: '/srv/data', logLevel: 'warn',
      adminToken: '0123456789abcdef0123', maxBatch: 50, corsOrigins: ['https://a.example', 'https://b.example'],
      rateLimitMax: 100, shutdownDelayMs: 1000,
    });
  });

  it.each([
    [{ PORT: '80000' }, 'PORT="80000" must be a whole number from 0 to 65535'],
    [{ PORT: 'http' }, 'PORT="http"'],
    [{ MAX_BATCH: '1.5' }, 'MAX_BATCH="1.5" must be a whole number'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL="loud" must be one of fatal, error'],
    [{ ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN must be at least 16 characters'],
    [{ ADMIN_TOKEN: 'two words that are long enough' }, 'ADMIN_TOKEN must not contain spaces'],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('documents every variable it reads in the README, with its default', () => {
    const source = readFileSync(join(REPO_ROOT, 'src', 'config.ts'), 'utf8');
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const names = [...new Set([...source.matchAll(/env(?:, |\.)'?([A-Z_]{3,})'?/g)].map((m) => m[1]!))];
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) expect(readme, `${name} in the README's configuration table`).toMatch(new RegExp(`\\| \`${name}\` \\|`));
    expect(DEFAULT_CONFIG.port).toBe(8080);
  });

  it('takes a postgres:// DATABASE_URL, refuses others without echoing the password, and redacts it for logs', () => {
    const url = 'postgres://kin:s3cret-pw@db.example:5432/robots';
    expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(loadConfig({ DATABASE_URL: 'postgresql://kin@db/robots' }).databaseUrl).toBe('postgresql://kin@db/robots');
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    for (const bad of ['mysql://kin:s3cret-pw@db/robots', 'kin:s3cret-pw@db', 'postgres://kin:s3cret-pw@/robots']) {
      let message = '';
      try {
        loadConfig({ DATABASE_URL: bad });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        message = (error as Error).message;
      }
      expect(message, bad).toMatch(/DATABASE_URL/);
      expect(message, bad).not.toContain('s3cret-pw');
    }
    expect(redactDatabaseUrl(url)).toBe('postgres://kin:***@db.example:5432/robots');
    expect(() => loadConfig({ REGISTRY_SYNC_INTERVAL_MS: '10' })).toThrow(/REGISTRY_SYNC_INTERVAL_MS/);
  });
});
