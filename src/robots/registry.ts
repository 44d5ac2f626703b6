/**
 * The robots the service knows: builtin ones from the robots folder (read-only) and uploaded ones,
 * persisted in the data folder (one process) or in PostgreSQL (DATABASE_URL: shared by every
 * replica). Each entry keeps the robot's context on the main thread (the compiled robot and its
 * workspaces: Node runs one request's computation at a time, so one set per robot suffices) and
 * its precomputed summary.
 *
 * With PostgreSQL the map is a cache of the database, derived state that can always be rebuilt:
 * uploads and deletes are decided by the database (the same id with other content is a conflict
 * even when two replicas race) and applied here once committed; changes made on other replicas
 * arrive as notifications and by resync (postgres-store.ts), and every robot, wherever it was
 * uploaded, enters the map through `admit`, which compiles it before it is served.
 */
import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KinematicModel } from '../core/model.js';
import { createRobotContext, type RobotContext } from '../core/robot-context.js';
import { loadUrdf } from '../urdf/load-urdf.js';
import { UrdfError } from '../urdf/urdf-error.js';
import type { UrdfLimits } from '../urdf/urdf-parser.js';
import { isValidRobotId, robotIdProblem } from './robot-id.js';
import { PostgresRobotStore, isUnavailableError, type RobotRevision, type StoredRevision } from './postgres-store.js';
import { RobotStore } from './robot-store.js';
import { warmInSlices } from './warming.js';
import {
  listItemOf, summarizeRobot, type RobotListItem, type RobotSource, type RobotSummary,
} from './robot-summary.js';

export interface RobotEntry {
  readonly id: string;
  readonly source: RobotSource;
  /** The compiled robot and its workspaces on the main thread. */
  readonly context: RobotContext;
  readonly urdf: string;
  readonly sha256: string;
  readonly summary: RobotSummary;
  readonly listItem: RobotListItem;
}

/** What the registry can refuse, for the HTTP layer to map to a status. */
/** STORAGE: the data folder cannot be written (an operator's problem, answered 503). */
/** UNAVAILABLE: the shared registry's database cannot be reached now (503 with Retry-After). */
export type RegistryErrorCode = 'NOT_FOUND' | 'CONFLICT' | 'INVALID_ID' | 'STORAGE' | 'UNAVAILABLE';

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(readonly code: RegistryErrorCode, message: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

/** Where uploaded robots live, and (PostgreSQL) whether the database is reachable now. */
export type RegistryStatus =
  | { store: 'files' }
  | { store: 'postgres'; database: 'connected' | 'unavailable'; synced: boolean };

/** The subset of a pino logger the registry uses. */
export interface RegistryLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface RegistryOptions {
  robotsDir: string;
  dataDir: string;
  /** PostgreSQL instead of the data folder (see the module comment). */
  databaseUrl?: string | undefined;
  /** With databaseUrl: the periodic resync's interval. */
  syncIntervalMs?: number;
  urdfLimits: UrdfLimits;
  logger: RegistryLogger;
  /** Warm each robot before it is served (robots/warming.ts). */
  warm: boolean;
  /**
   * Parses an uploaded (or stored) URDF under the limits: default on this thread; the service
   * passes BatchRunner.loadModel, which parses large documents on a worker.
   */
  loadModel?: (urdf: string, limits: UrdfLimits) => Promise<KinematicModel>;
}

/** The outcome of an upload: a new robot, or the same content under the same id again. */
export type AddResult = { status: 'created' | 'unchanged'; entry: RobotEntry };

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export class RobotRegistry {
  private readonly robots = new Map<string, RobotEntry>();
  /** The last pending mutation per id: uploads and deletes of one id run one after another. */
  private readonly pending = new Map<string, Promise<unknown>>();
  private readonly store: RobotStore;
  private readonly shared: PostgresRobotStore | undefined;
  /** PostgreSQL: a full comparison with the database has succeeded once (until then /readyz is 503). */
  private synced = false;
  /** Counts changes to the map; `touched` holds the count at each id's last change (see resync). */
  private changes = 0;
  private readonly touched = new Map<string, number>();
  /** Ids in the database that a builtin robot of this replica shadows, logged once each. */
  private readonly shadowed = new Set<string>();

  constructor(private readonly options: RegistryOptions) {
    this.store = new RobotStore(options.dataDir);
    if (options.databaseUrl !== undefined) {
      this.shared = new PostgresRobotStore({
        url: options.databaseUrl,
        syncIntervalMs: options.syncIntervalMs ?? 5000,
        events: {
          change: (id, sha) => void this.serialize(id, () => this.applyNotification(id, sha)).catch(() => undefined),
          resync: (reason) => this.resync(reason),
          state: (up, reason) => this.reportState(up, reason),
        },
      });
    }
  }

  /**
   * Compiles and warms a robot and puts it in the map: the one way in for every robot (builtin,
   * uploaded here, or arriving from the database), so that none is served before it is warm.
   */
  private async admit(id: string, source: RobotSource, urdf: string, model: KinematicModel): Promise<RobotEntry> {
    const entry = await this.entry(id, source, urdf, model);
    this.robots.set(id, entry);
    this.touch(id);
    return entry;
  }

  private evict(id: string): void {
    this.robots.delete(id);
    this.warmMs.delete(id);
    this.touch(id);
  }

  private touch(id: string): void {
    this.touched.set(id, ++this.changes);
  }

  /**
   * The entry of a robot, compiled and warmed (robots/warming.ts): its kernels run optimised from
   * its first request. Warming yields to other requests between slices of a few milliseconds.
   */
  private async entry(id: string, source: RobotSource, urdf: string, model: KinematicModel): Promise<RobotEntry> {
    const context = createRobotContext(model);
    if (this.options.warm) this.warmMs.set(id, await warmInSlices(context));
    // the summary and the answer that serialises it in a turn of their own (a few ms at the caps)
    await nextTurn();
    const digest = sha256(urdf);
    const summary = summarizeRobot(id, model, source, digest);
    return Object.freeze({ id, source, context, urdf, sha256: digest, summary, listItem: listItemOf(summary) });
  }

  /** The model of an uploaded or stored URDF, under the configured limits (see RegistryOptions.loadModel). */
  private async parse(urdf: string): Promise<KinematicModel> {
    const { loadModel, urdfLimits } = this.options;
    return loadModel ? loadModel(urdf, urdfLimits) : loadUrdf(urdf, { limits: urdfLimits });
  }

  /** How long warming took per robot (ms of work, excluding the turns given to other requests). */
  readonly warmMs = new Map<string, number>();

  /**
   * Loads the builtin robots, then the uploaded ones. A file that does not load is logged and
   * skipped (builtin) or set aside (uploaded); neither stops the service. A robots folder that
   * cannot be read does: it is a configuration error.
   */
  async load(): Promise<void> {
    const { logger } = this.options;
    let files: string[];
    try {
      files = (await readdir(this.options.robotsDir)).filter((f) => f.endsWith('.urdf')).sort();
    } catch (error) {
      // a misconfigured ROBOTS_DIR would serve no builtin robots and say ready: refuse to start
      throw new Error(`cannot read the robots folder ROBOTS_DIR=${this.options.robotsDir} (${(error as NodeJS.ErrnoException).code ?? String(error)}); `
        + 'set ROBOTS_DIR to a folder of .urdf files (it may be empty)', { cause: error });
    }
    for (const file of files) {
      const id = file.slice(0, -'.urdf'.length);
      try {
        if (!isValidRobotId(id)) throw new Error(robotIdProblem(id));
        const urdf = await readFile(join(this.options.robotsDir, file), 'utf8');
        await this.admit(id, 'builtin', urdf, loadUrdf(urdf));
      } catch (error) {
        logger.error({ file, err: error }, 'builtin robot not loaded');
      }
    }
    if (this.shared) {
      await this.loadShared();
      return;
    }
    let stored: Awaited<ReturnType<RobotStore['open']>>;
    try {
      stored = await this.store.open(isValidRobotId);
    } catch (error) {
      logger.error({ dataDir: this.options.dataDir, err: error }, 'cannot use the data folder; uploaded robots are not loaded and uploads will fail');
      stored = { robots: [], unreadable: [], removedTemporary: [], unremovable: [] };
    }
    for (const file of stored.removedTemporary) logger.warn({ file }, 'removed an unfinished upload left by a crash');
    for (const { file, reason } of stored.unremovable) logger.error({ file, reason }, 'could not remove an unfinished upload left by a crash');
    const rejected = [...stored.unreadable];
    for (const { id, text } of stored.robots) {
      if (this.robots.has(id)) {
        rejected.push({ file: `${id}.urdf`, reason: `a builtin robot has the id "${id}"` });
        continue;
      }
      try {
        await this.admit(id, 'uploaded', text, await this.parse(text));
      } catch (error) {
        if (error instanceof UrdfError && error.code === 'URDF_TOO_LARGE') {
          // accepted once, under larger caps: not damaged, so kept where it is for when they are raised
          logger.error({ file: `${id}.urdf`, reason: error.message }, 'uploaded robot not loaded: larger than URDF_MAX_BYTES or URDF_MAX_LINKS allow now; its file is kept');
          continue;
        }
        rejected.push({ file: `${id}.urdf`, reason: (error as Error).message });
      }
    }
    for (const { file, reason } of rejected) {
      try {
        const aside = await this.store.setAside(file);
        logger.error({ file, setAsideAs: aside, reason }, 'uploaded robot not loaded; its file was set aside');
      } catch (error) {
        logger.error({ file, reason, err: error }, 'uploaded robot not loaded; its file could not be set aside and is skipped');
      }
    }
    logger.info({ robots: this.robots.size, warmMs: Math.round([...this.warmMs.values()].reduce((a, b) => a + b, 0)) }, 'robots loaded and warmed');
  }

  /** The robot with this id. @throws RegistryError NOT_FOUND listing the known ids. */
  get(id: string): RobotEntry {
    const entry = this.robots.get(id);
    if (!entry) {
      const known = [...this.robots.keys()].sort();
      throw new RegistryError('NOT_FOUND', `no robot "${id.length > 80 ? `${id.slice(0, 80)}…` : id}"; known robots: ${known.join(', ') || 'none'}`);
    }
    return entry;
  }

  list(): RobotListItem[] {
    return [...this.robots.values()].sort((a, b) => a.id.localeCompare(b.id)).map((e) => e.listItem);
  }

  /** Every robot's entry, in no particular order. */
  entries(): RobotEntry[] {
    return [...this.robots.values()];
  }

  get size(): number {
    return this.robots.size;
  }

  /** Runs `task` after every earlier pending mutation of the same id. */
  private serialize<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = this.pending.get(id) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => undefined);
    this.pending.set(id, settled);
    void settled.then(() => { if (this.pending.get(id) === settled) this.pending.delete(id); });
    return next;
  }

  /**
   * Registers a robot from URDF text, under `id` or else the URDF's robot name, and persists it.
   * The same id with identical text is `unchanged`; other text under a taken id is a conflict.
   * @throws UrdfError for a URDF that does not load; RegistryError INVALID_ID or CONFLICT.
   */
  async add(requestedId: string | undefined, urdf: string): Promise<AddResult> {
    const model = await this.parse(urdf);
    const id = requestedId ?? model.name;
    const problem = robotIdProblem(id);
    if (problem) {
      throw new RegistryError('INVALID_ID', requestedId === undefined
        ? `the URDF's robot name cannot serve as an id (${problem}); give an id (?id= or "id" in the JSON body)`
        : problem);
    }
    if (this.shared) return this.serialize(id, () => this.addShared(this.shared!, id, urdf, model));
    return this.serialize(id, async () => {
      const existing = this.robots.get(id);
      if (existing) {
        if (existing.sha256 === sha256(urdf)) return { status: 'unchanged' as const, entry: existing };
        throw new RegistryError('CONFLICT', existing.source === 'builtin'
          ? `robot "${id}" is a builtin robot; upload yours under another id`
          : `robot "${id}" already exists with different content; delete it first or use another id`);
      }
      try {
        await this.store.write(id, urdf);
      } catch (error) {
        this.options.logger.error({ robot: id, err: error }, 'upload not stored');
        throw new RegistryError('STORAGE', `the robot could not be stored (${(error as NodeJS.ErrnoException).code ?? 'error'} in the data folder); it was not registered, retry later or tell the operator`);
      }
      const entry = await this.admit(id, 'uploaded', urdf, model);
      this.options.logger.info({ robot: id, links: model.linkNames.length, dof: model.dof, warmMs: Math.round(this.warmMs.get(id) ?? 0) }, 'robot uploaded');
      return { status: 'created' as const, entry };
    });
  }

  /** Deletes an uploaded robot durably. @throws RegistryError NOT_FOUND, or CONFLICT for a builtin robot. */
  remove(id: string): Promise<void> {
    return this.serialize(id, async () => {
      const entry = this.shared ? this.robots.get(id) : this.get(id);
      if (entry?.source === 'builtin') {
        throw new RegistryError('CONFLICT', `robot "${id}" is builtin (from the robots folder) and cannot be deleted`);
      }
      if (this.shared) {
        const deleted = await this.mutateShared(() => this.shared!.remove(id), 'delete');
        if (!deleted) {
          this.evict(id); // gone from the database already (another replica deleted it)
          this.get(id); // throws NOT_FOUND
        }
      } else {
        await this.store.remove(id);
      }
      this.evict(id);
      this.options.logger.info({ robot: id }, 'robot deleted');
    });
  }

  /** Where uploads live, and whether the database is reachable (for /readyz and the metrics). */
  status(): RegistryStatus {
    if (!this.shared) return { store: 'files' };
    return { store: 'postgres', database: this.shared.up ? 'connected' : 'unavailable', synced: this.synced };
  }

  /** Stops listening to the database and closes its connections. */
  async close(): Promise<void> {
    await this.shared?.close();
  }

  // ------------------------------------------------------------------------------------------
  // the shared registry (PostgreSQL)

  private async loadShared(): Promise<void> {
    const { logger } = this.options;
    if (await this.shared!.start()) {
      try {
        await this.resync('start');
      } catch (error) {
        logger.error({ database: this.shared!.database, err: error }, 'could not read the robots from the database; retrying in the background');
      }
    }
    logger.info({ robots: this.robots.size, database: this.shared!.database, synced: this.synced }, 'robots loaded');
  }

  private reportState(up: boolean, reason?: string): void {
    const { logger } = this.options;
    const database = this.shared!.database;
    if (up) {
      logger.info({ database }, 'robot registry database connected');
    } else {
      logger.error({ database, reason }, this.synced
        ? 'robot registry database unreachable: serving the robots already known; uploads and deletes answer 503 until it is back'
        : 'robot registry database unreachable: serving builtin robots only, /readyz answers 503 until it is reached');
    }
  }

  private unavailable(what: string): RegistryError {
    return new RegistryError('UNAVAILABLE', `the robot registry's database is unavailable, so the ${what} was not made; `
      + `robots already known are still served; retry in ${this.shared!.retryAfterSeconds()} s (see Retry-After)`, this.shared!.retryAfterSeconds());
  }

  /** Runs a statement that changes the database: refused at once while it is away, 503 when it fails to reach it. */
  private async mutateShared<T>(statement: () => Promise<T>, what: 'upload' | 'delete'): Promise<T> {
    if (!this.shared!.up) throw this.unavailable(what);
    try {
      return await statement();
    } catch (error) {
      if (!isUnavailableError(error)) throw error;
      this.options.logger.warn({ err: error }, `${what} not made: the robot registry database did not answer`);
      throw this.unavailable(what);
    }
  }

  private async addShared(shared: PostgresRobotStore, id: string, urdf: string, model: KinematicModel): Promise<AddResult> {
    const existing = this.robots.get(id);
    const digest = sha256(urdf);
    if (existing?.source === 'builtin') {
      if (existing.sha256 === digest) return { status: 'unchanged', entry: existing };
      throw new RegistryError('CONFLICT', `robot "${id}" is a builtin robot; upload yours under another id`);
    }
    const outcome = await this.mutateShared(() => shared.insert(id, urdf, digest), 'upload');
    if (outcome.status === 'created') {
      const entry = await this.admit(id, 'uploaded', urdf, model);
      this.options.logger.info({ robot: id, links: model.linkNames.length, dof: model.dof, warmMs: Math.round(this.warmMs.get(id) ?? 0) }, 'robot uploaded');
      return { status: 'created', entry };
    }
    if (outcome.sha256 !== digest) {
      throw new RegistryError('CONFLICT', `robot "${id}" already exists with different content; delete it first or use another id`);
    }
    // uploaded by another replica a moment ago, perhaps not yet heard of here
    const entry = existing?.sha256 === digest ? existing : await this.admit(id, 'uploaded', urdf, model);
    return { status: 'unchanged', entry };
  }

  /** A notification: nothing to do when the map already agrees; otherwise read the robot. */
  private async applyNotification(id: string, digest: string | undefined): Promise<void> {
    const local = this.robots.get(id);
    if (local?.source === 'builtin') {
      this.shadow(id);
      return;
    }
    if (digest === undefined ? local === undefined : local?.sha256 === digest) return;
    await this.syncRobot(id);
  }

  /** Makes the map agree with the database about one robot (run serialized per id). */
  private async syncRobot(id: string): Promise<boolean> {
    try {
      const [row] = await this.shared!.fetch([id]);
      return await this.apply(id, row);
    } catch (error) {
      // the reconnection's resync repairs it
      this.options.logger.warn({ robot: id, err: error }, 'could not read a changed robot from the database');
      return false;
    }
  }

  /** Puts the database's state of one robot (undefined: absent) into the map; true when that changed it. */
  private async apply(id: string, row: StoredRevision | undefined): Promise<boolean> {
    const { logger } = this.options;
    const local = this.robots.get(id);
    if (local?.source === 'builtin') {
      this.shadow(id);
      return false;
    }
    if (row === undefined) {
      if (!local) return false;
      this.evict(id);
      logger.info({ robot: id }, 'robot deleted on another replica');
      return true;
    }
    if (local?.sha256 === row.sha256) return false;
    try {
      const model = await this.parse(row.text);
      await this.admit(id, 'uploaded', row.text, model);
      logger.info({ robot: id, sha256: row.sha256 }, local ? 'robot replaced from the database' : 'robot added from the database');
    } catch (error) {
      // accepted by a replica with larger URDF limits, or by another version: not served here
      if (local) this.evict(id);
      logger.error({ robot: id, reason: (error as Error).message }, 'robot in the database not loaded on this replica');
    }
    return true;
  }

  private shadow(id: string): void {
    if (this.shadowed.has(id)) return;
    this.shadowed.add(id);
    this.options.logger.error({ robot: id }, `the database holds an uploaded robot "${id}", which a builtin robot of this replica shadows; the builtin one is served`);
  }

  /**
   * Compares every robot with the database and applies the differences. A robot changed here
   * while the comparison ran (a newer `touched` count than the one taken before reading) may be
   * newer than what was read, so it is read again, alone, instead.
   */
  private async resync(reason: 'start' | 'reconnected' | 'periodic'): Promise<void> {
    const shared = this.shared!;
    const before = this.changes;
    const revisions: RobotRevision[] = await shared.list();
    const inDatabase = new Map(revisions.map((r) => [r.id, r.sha256]));
    const differing = new Set<string>();
    for (const [id, entry] of this.robots) if (entry.source === 'uploaded' && !inDatabase.has(id)) differing.add(id);
    for (const [id, digest] of inDatabase) if (this.robots.get(id)?.sha256 !== digest) differing.add(id);
    const rows = new Map((differing.size > 0 ? await shared.fetch([...differing].filter((id) => inDatabase.has(id))) : []).map((r) => [r.id, r]));
    const changed = await Promise.all([...differing].map((id) => this.serialize(id, async () => (
      (this.touched.get(id) ?? 0) > before ? this.syncRobot(id) : this.apply(id, rows.get(id))))));
    this.synced = true;
    const count = changed.filter(Boolean).length;
    if (count > 0 && reason !== 'start') this.options.logger.info({ reason, robots: count }, 'robots brought up to date from the database');
  }
}
