/**
 * Uploaded robots in PostgreSQL, shared by every replica (DATABASE_URL).
 *
 * - Writes are single autocommit statements: when one returns, its transaction has committed
 *   (durably, with PostgreSQL's default synchronous_commit), so acknowledging then is safe.
 *   `INSERT ... ON CONFLICT DO NOTHING` lets the database pick the one winner when replicas
 *   race for an id: the loser's insert waits for the winner's commit and then inserts nothing.
 * - Changes reach the other replicas through LISTEN on a dedicated connection (the trigger of
 *   postgres-schema.ts). When that connection is lost the store reports the database as down,
 *   reconnects with capped exponential backoff and jitter, and on reconnecting asks for a full
 *   resync (notifications sent while it was away are not replayed). A periodic resync repairs
 *   anything missed otherwise, and doubles as a probe of the connection.
 * - The URL holds credentials: only the host, port and database name are ever logged.
 */
import pg from 'pg';
import { CHANGE_CHANNEL, MIGRATIONS, MIGRATIONS_TABLE, MIGRATION_LOCK_KEY } from './postgres-schema.js';

export interface RobotRevision {
  id: string;
  sha256: string;
}

export interface StoredRevision extends RobotRevision {
  text: string;
}

/** The outcome of an insert: ours, or the content already stored under the id. */
export type InsertOutcome = { status: 'created' } | { status: 'exists'; sha256: string };

/** What the store tells its owner (the registry). */
export interface StoreEvents {
  /** A robot changed (on any replica, this one included): its SHA-256 now, undefined once deleted. */
  change(id: string, sha256: string | undefined): void;
  /** Compare every robot with the database: after a reconnection, and periodically. */
  resync(reason: 'reconnected' | 'periodic'): Promise<void>;
  /** The database became reachable (true) or unreachable (false, with the reason). */
  state(up: boolean, reason?: string): void;
}

export interface PostgresStoreOptions {
  url: string;
  /** How often to resync beside the notifications. */
  syncIntervalMs: number;
  events: StoreEvents;
}

/** First and largest reconnection delays; each failure doubles the delay up to the cap. */
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 2000;
/** Bounds on connecting and on one statement, so that a request waits at most this long for a database that does not answer. */
const CONNECT_TIMEOUT_MS = 3000;
const QUERY_TIMEOUT_MS = 5000;
const POOL_SIZE = 5;

/** host:port/database of a postgres URL: what may be logged of it. */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

/**
 * Whether an error means "the database cannot be reached now" (no connection, connection lost,
 * timeout, shutting down, too many connections) rather than a fault in a statement. Errors the
 * server sends carry a SQLSTATE; classes 08 (connection), 53 (resources) and 57 (operator
 * intervention: shutdown, cannot connect now) are of the first kind.
 */
export function isUnavailableError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return /^(08|53|57)/.test(code);
  return true;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class PostgresRobotStore {
  private readonly pool: pg.Pool;
  private listener: pg.Client | undefined;
  private connecting: Promise<boolean> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly syncTimer: NodeJS.Timeout;
  private failures = 0;
  private nextAttemptAt = 0;
  private migrated = false;
  private closed = false;
  /** The database answered the last connection attempt and the listener is connected. */
  up = false;
  readonly database: string;

  constructor(private readonly options: PostgresStoreOptions) {
    this.database = describeDatabase(options.url);
    this.pool = new pg.Pool({
      connectionString: options.url, max: POOL_SIZE, connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS, idleTimeoutMillis: 10_000, keepAlive: true,
      application_name: 'kinematics-service',
    });
    // an idle client whose connection drops emits here; without a handler the process would crash
    this.pool.on('error', () => undefined);
    this.syncTimer = setInterval(() => void this.periodicResync(), options.syncIntervalMs);
    this.syncTimer.unref();
  }

  /**
   * The first connection: migrates the schema and starts listening. Resolves false (and keeps
   * trying in the background, reporting through `events.state`) when the database cannot be
   * reached; a failing migration is logged by the caller through the same path.
   */
  async start(): Promise<boolean> {
    return this.connect(false);
  }

  /** Seconds a client should wait before retrying a mutation while the database is away. */
  retryAfterSeconds(): number {
    return Math.min(5, Math.max(1, Math.ceil((this.nextAttemptAt - Date.now()) / 1000)));
  }

  private connect(resyncAfter: boolean): Promise<boolean> {
    this.connecting ??= this.tryConnect(resyncAfter).finally(() => { this.connecting = undefined; });
    return this.connecting;
  }

  private async tryConnect(resyncAfter: boolean): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.options.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true, application_name: 'kinematics-service-listener' });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the connection was closed')));
    client.on('notification', (message) => {
      if (message.channel !== CHANGE_CHANNEL || message.payload === undefined) return;
      try {
        const { id, sha256 } = JSON.parse(message.payload) as { id: string; sha256: string | null };
        this.options.events.change(id, sha256 ?? undefined);
      } catch {
        // not ours: the channel is public to every session of the database
      }
    });
    try {
      await client.connect();
      if (!this.migrated) {
        await this.migrate();
        this.migrated = true;
      }
      // listen before comparing, so that no change falls between the comparison and the first notification
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.scheduleReconnect(error);
      return false;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return false;
    }
    this.listener = client;
    this.failures = 0;
    this.up = true;
    this.options.events.state(true);
    if (resyncAfter) await this.options.events.resync('reconnected');
    return true;
  }

  /** The listener's connection failed: report it once and reconnect. */
  private lost(client: pg.Client, error: unknown): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    this.scheduleReconnect(error);
  }

  private scheduleReconnect(error: unknown): void {
    if (this.closed) return;
    if (this.up || this.failures === 0) {
      this.up = false;
      this.options.events.state(false, messageOf(error));
    }
    // full jitter over the upper half: replicas that lost the database together do not return in step
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.failures);
    const delay = cap / 2 + Math.random() * cap / 2;
    this.failures++;
    this.nextAttemptAt = Date.now() + delay;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(true), delay);
    this.reconnectTimer.unref();
  }

  private async periodicResync(): Promise<void> {
    if (!this.up || this.closed) return;
    try {
      await this.options.events.resync('periodic');
    } catch (error) {
      // a failed comparison is how a silently dead connection shows: start over
      if (isUnavailableError(error) && this.listener) this.lost(this.listener, error);
    }
  }

  /** Applies the migrations this database lacks, one transaction under an advisory lock. */
  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${MIGRATIONS_TABLE}`);
      const current = rows[0]?.version ?? 0;
      for (const migration of MIGRATIONS.filter((m) => m.version > current)) {
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, description) VALUES ($1, $2)`, [migration.version, migration.description]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Every stored robot's id and SHA-256. */
  async list(): Promise<RobotRevision[]> {
    const { rows } = await this.pool.query<RobotRevision>('SELECT id, sha256 FROM kinematics_robots');
    return rows;
  }

  /** The stored robots with these ids (those that exist). */
  async fetch(ids: string[]): Promise<StoredRevision[]> {
    const { rows } = await this.pool.query<StoredRevision>('SELECT id, sha256, urdf AS text FROM kinematics_robots WHERE id = ANY($1)', [ids]);
    return rows;
  }

  /** Stores a robot unless the id is taken; the database decides between racing replicas. */
  async insert(id: string, text: string, sha256: string): Promise<InsertOutcome> {
    // a delete may remove the winner between the two statements: then the id is free again
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await this.pool.query('INSERT INTO kinematics_robots (id, urdf, sha256) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [id, text, sha256]);
      if (inserted.rowCount === 1) return { status: 'created' };
      // a statement of its own, so that it sees the winner's commit (read committed)
      const { rows } = await this.pool.query<{ sha256: string }>('SELECT sha256 FROM kinematics_robots WHERE id = $1', [id]);
      if (rows[0]) return { status: 'exists', sha256: rows[0].sha256 };
    }
    throw Object.assign(new Error(`robot "${id}" was uploaded and deleted again three times while this upload ran`), { code: '40001' });
  }

  /** Deletes a robot; false when there was none. */
  async remove(id: string): Promise<boolean> {
    const deleted = await this.pool.query('DELETE FROM kinematics_robots WHERE id = $1', [id]);
    return deleted.rowCount === 1;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.syncTimer);
    clearTimeout(this.reconnectTimer);
    await this.connecting?.catch(() => undefined);
    const listener = this.listener;
    this.listener = undefined;
    if (listener) {
      listener.removeAllListeners('end');
      await listener.end().catch(() => undefined);
    }
    await this.pool.end().catch(() => undefined);
  }
}
