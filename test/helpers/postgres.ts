/**
 * A throwaway PostgreSQL cluster for tests: initdb in a temporary folder, a free port on
 * 127.0.0.1 only, password authentication (so that the tests pass real credentials), stopped and
 * removed at the end. Run as root (as in the CI container), the cluster belongs to the `postgres`
 * user, since PostgreSQL refuses to run as root.
 *
 * `startPostgresOrSkip()` at the top of a test file starts one, or, when PostgreSQL is not
 * installed or will not start, registers one skipped test saying why; under CI (CI set) that
 * test fails instead, so that the PostgreSQL proofs cannot quietly turn into a skip there.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, it } from 'vitest';
import { freePort } from '../../scripts/server-process.js';

export interface PostgresCluster {
  /** postgres://kinematics:<password>@127.0.0.1:<port>/postgres */
  url: string;
  /** The password in `url`, for checking that it is never logged. */
  password: string;
  port: number;
  /** A URL of a new, empty database of this cluster (a test's own). */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown: sessions are cut off, as when a database goes away). */
  stop(): void;
  /** Starts it again on the same port and data. */
  start(): void;
  /** Stops the server and removes its folder. */
  destroy(): void;
}

const USER = 'kinematics';

/** The folder of initdb and pg_ctl: PG_BIN, else `pg_config --bindir`, else the newest Debian one. */
function binDir(): string | undefined {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const config = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const fromConfig = config.status === 0 ? config.stdout.trim() : '';
  if (fromConfig && existsSync(join(fromConfig, 'initdb'))) return fromConfig;
  const debian = '/usr/lib/postgresql';
  if (!existsSync(debian)) return undefined;
  const versions = readdirSync(debian).filter((v) => existsSync(join(debian, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(debian, versions[0], 'bin');
}

/** Runs a PostgreSQL program, as the `postgres` user when this process is root. */
function run(bin: string, program: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]] : [join(bin, program), args];
  execFileSync(command, argv, { stdio: 'pipe', cwd: tmpdir() });
}

/** Starts a cluster; throws with the reason when it cannot. */
export async function startPostgres(): Promise<PostgresCluster> {
  const bin = binDir();
  if (!bin) throw new Error('PostgreSQL was not found (no pg_config, no /usr/lib/postgresql/*/bin/initdb; set PG_BIN)');
  const root = mkdtempSync(join(tmpdir(), 'kinematics-pg-'));
  const data = join(root, 'data');
  const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
  const passwordFile = join(root, 'password');
  writeFileSync(passwordFile, `${password}\n`);
  if (process.getuid?.() === 0) {
    chmodSync(root, 0o755);
    const ids = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(root, Number(ids), Number(gid));
    chownSync(passwordFile, Number(ids), Number(gid));
  }
  const port = await freePort();
  const log = join(root, 'server.log');
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${root} -c fsync=on -c max_connections=100`;
  try {
    run(bin, 'initdb', ['-D', data, '-U', USER, '--pwfile', passwordFile, '-A', 'scram-sha-256', '--no-sync', '-E', 'UTF8', '--locale=C']);
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`, { cause: error });
  }
  let running = false;
  const start = (): void => {
    run(bin, 'pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '30', 'start']);
    running = true;
  };
  const stop = (): void => {
    if (!running) return;
    run(bin, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    running = false;
  };
  try {
    start();
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`pg_ctl start failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`, { cause: error });
  }
  // a test process that ends without its afterAll (a crash, a timeout) stops the cluster anyway
  process.once('exit', () => { try { stop(); } catch { /* already stopped */ } });
  const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return {
    url, password, port, start, stop,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return url.replace(/\/postgres$/, `/${name}`);
    },
    destroy() {
      try {
        stop();
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

/**
 * In a test file: a cluster stopped after the file's tests, or undefined after registering one
 * test that is skipped (or, under CI, fails) saying why PostgreSQL could not be started.
 */
export async function startPostgresOrSkip(): Promise<PostgresCluster | undefined> {
  let cluster: PostgresCluster;
  try {
    cluster = await startPostgres();
  } catch (error) {
    const reason = `PostgreSQL could not be started (${(error as Error).message.split('\n')[0]}): install postgresql (Debian: postgresql-15) to run these`;
    if (process.env.CI) {
      it(`starts PostgreSQL (CI is set): ${reason}`, () => {
        throw new Error(`CI is set, but ${reason}`);
      });
    } else {
      console.warn(`skipped: ${reason}`);
      it.skip(`skipped: ${reason}`, () => {});
    }
    return undefined;
  }
  afterAll(() => cluster.destroy());
  return cluster;
}
