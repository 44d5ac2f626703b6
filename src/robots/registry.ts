/**
 * The robots the service knows: builtin ones from the robots folder (read-only) and uploaded ones
 * persisted in the data folder. Each entry keeps the robot's context on the main thread (the
 * compiled robot and its workspaces: Node runs one request's computation at a time, so one set
 * per robot suffices) and its precomputed summary.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KinematicModel } from '../core/model.js';
import { createRobotContext, type RobotContext } from '../core/robot-context.js';
import { loadUrdf } from '../urdf/load-urdf.js';
import { UrdfError } from '../urdf/urdf-error.js';
import type { UrdfLimits } from '../urdf/urdf-parser.js';
import { isValidRobotId, robotIdProblem } from './robot-id.js';
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
export type RegistryErrorCode = 'NOT_FOUND' | 'CONFLICT' | 'INVALID_ID' | 'STORAGE';

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(readonly code: RegistryErrorCode, message: string) {
    super(message);
  }
}

/** The subset of a pino logger the registry uses. */
export interface RegistryLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface RegistryOptions {
  robotsDir: string;
  dataDir: string;
  urdfLimits: UrdfLimits;
  logger: RegistryLogger;
  /** Warm each robot before it is served (robots/warming.ts). */
  warm: boolean;
}

/** The outcome of an upload: a new robot, or the same content under the same id again. */
export type AddResult = { status: 'created' | 'unchanged'; entry: RobotEntry };

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export class RobotRegistry {
  private readonly robots = new Map<string, RobotEntry>();
  /** The last pending mutation per id: uploads and deletes of one id run one after another. */
  private readonly pending = new Map<string, Promise<unknown>>();
  private readonly store: RobotStore;

  constructor(private readonly options: RegistryOptions) {
    this.store = new RobotStore(options.dataDir);
  }

  /**
   * The entry of a robot, compiled and warmed (robots/warming.ts): its kernels run optimised from
   * its first request. Warming yields to other requests between slices of a few milliseconds.
   */
  private async entry(id: string, source: RobotSource, urdf: string, model: KinematicModel): Promise<RobotEntry> {
    const context = createRobotContext(model);
    if (this.options.warm) this.warmMs.set(id, await warmInSlices(context));
    const summary = summarizeRobot(id, model, source);
    return Object.freeze({ id, source, context, urdf, sha256: sha256(urdf), summary, listItem: listItemOf(summary) });
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
        this.robots.set(id, await this.entry(id, 'builtin', urdf, loadUrdf(urdf)));
      } catch (error) {
        logger.error({ file, err: error }, 'builtin robot not loaded');
      }
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
        this.robots.set(id, await this.entry(id, 'uploaded', text, loadUrdf(text, { limits: this.options.urdfLimits })));
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
    const model = loadUrdf(urdf, { limits: this.options.urdfLimits });
    const id = requestedId ?? model.name;
    const problem = robotIdProblem(id);
    if (problem) {
      throw new RegistryError('INVALID_ID', requestedId === undefined
        ? `the URDF's robot name cannot serve as an id (${problem}); give an id (?id= or "id" in the JSON body)`
        : problem);
    }
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
      const entry = await this.entry(id, 'uploaded', urdf, model);
      this.robots.set(id, entry);
      this.options.logger.info({ robot: id, links: model.linkNames.length, dof: model.dof, warmMs: Math.round(this.warmMs.get(id) ?? 0) }, 'robot uploaded');
      return { status: 'created' as const, entry };
    });
  }

  /** Deletes an uploaded robot durably. @throws RegistryError NOT_FOUND, or CONFLICT for a builtin robot. */
  remove(id: string): Promise<void> {
    return this.serialize(id, async () => {
      const entry = this.get(id);
      if (entry.source === 'builtin') {
        throw new RegistryError('CONFLICT', `robot "${id}" is builtin (from the robots folder) and cannot be deleted`);
      }
      await this.store.remove(id);
      this.robots.delete(id);
      this.warmMs.delete(id);
      this.options.logger.info({ robot: id }, 'robot deleted');
    });
  }
}
