/**
 * Service configuration from environment variables: pure (the caller passes the environment),
 * every variable with a documented default, every bad value refused with a message naming it.
 */
import { availableParallelism } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's builtin robots folder (robots/ beside src/ or dist/). */
export const DEFAULT_ROBOTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'robots');

export interface AppConfig {
  /** PORT: port to listen on. */
  port: number;
  /** HOST: address to listen on. */
  host: string;
  /** ROBOTS_DIR: folder of builtin URDFs, loaded at start. */
  robotsDir: string;
  /** DATA_DIR: folder where uploaded robots are persisted (when DATABASE_URL is unset). */
  dataDir: string;
  /**
   * DATABASE_URL: a postgres:// URL; when set, uploaded robots live in PostgreSQL (shared by every
   * replica) instead of DATA_DIR. Holds credentials: never log it (see redactDatabaseUrl).
   */
  databaseUrl: string | undefined;
  /**
   * REGISTRY_SYNC_INTERVAL_MS: with DATABASE_URL, how often a replica compares its robots with the
   * database, beside the change notifications (which carry changes in milliseconds; this check
   * repairs one that was missed).
   */
  registrySyncIntervalMs: number;
  /** LOG_LEVEL: pino level (fatal, error, warn, info, debug, trace, silent). */
  logLevel: string;
  /** ADMIN_TOKEN: bearer token for POST /robots and DELETE /robots/{id}; unset: loopback only. */
  adminToken: string | undefined;
  /** BODY_LIMIT: largest request body of single-configuration routes and uploads, in bytes. */
  bodyLimit: number;
  /** BATCH_BODY_LIMIT: largest request body of batch routes, in bytes. */
  batchBodyLimit: number;
  /** MAX_BATCH: most configurations (or targets) in one batch request. */
  maxBatch: number;
  /**
   * BATCH_MAX_OUTPUT_VALUES: most numbers in the answer of one batch request (configurations x
   * values each: 16 per pose, 6 x dof per Jacobian): a small request for many links of many
   * configurations would otherwise make an answer of hundreds of megabytes.
   */
  batchMaxOutputValues: number;
  /** URDF_MAX_BYTES: largest URDF accepted by upload. */
  urdfMaxBytes: number;
  /** URDF_MAX_LINKS: most links (and joints) in an uploaded URDF. */
  urdfMaxLinks: number;
  /** WORKER_THREADS: worker threads for large batches (0: compute batches on the event loop). */
  workerThreads: number;
  /**
   * WARM_ROBOTS: run every robot's hot paths before it is served (at start-up before the server
   * listens, at upload before the answer), on the main thread and every worker (core/warm-up.ts).
   */
  warmRobots: boolean;
  /** IK_MAX_TIMEOUT_MS: the largest timeoutMs an IK solve may ask for. */
  ikMaxTimeoutMs: number;
  /** IK_BATCH_MAX_WORK_MS: the cap on targets x timeoutMs of one ik/solve/batch request. */
  ikBatchMaxWorkMs: number;
  /**
   * MAX_REQUEST_WORK_MS: the cap on the estimated computation of one heavy request (Hessian,
   * manipulability, uncertainty, sensitivity, calibration; see http/work-cost.ts); beyond it the
   * request is refused with 422 before it runs.
   */
  maxRequestWorkMs: number;
  /** RATE_LIMIT_MAX: requests per client address per window; 0 turns rate limiting off. */
  rateLimitMax: number;
  /** RATE_LIMIT_WINDOW_MS: the rate limit's window. */
  rateLimitWindowMs: number;
  /** CORS_ORIGINS: origins allowed to call from a browser ('*' or a comma-separated list); empty: CORS off. */
  corsOrigins: string[];
  /** REQUEST_TIMEOUT_MS: longest time to receive a whole request (slow clients are cut off). */
  requestTimeoutMs: number;
  /** KEEP_ALIVE_TIMEOUT_MS: how long an idle keep-alive connection is kept. */
  keepAliveTimeoutMs: number;
  /** MAX_EVENT_LOOP_DELAY_MS: beyond this event-loop delay, requests are refused with 503 (0: off). */
  maxEventLoopDelayMs: number;
  /** MAX_HEAP_USED_BYTES: beyond this heap use, requests are refused with 503 (0: off). */
  maxHeapUsedBytes: number;
  /**
   * MAX_RSS_BYTES: beyond this resident memory (the whole process: worker threads and buffers
   * too), requests are refused with 503 (0: off). Set it below a container's memory limit.
   */
  maxRssBytes: number;
  /**
   * SHUTDOWN_DELAY_MS: on SIGTERM, how long to keep serving with /readyz at 503 before closing,
   * so that load balancers stop routing here first (Kubernetes endpoints take a moment to update).
   */
  shutdownDelayMs: number;
  /**
   * SHUTDOWN_TIMEOUT_MS: longest wait for in-flight requests once closing; then running batches
   * are stopped (503) and the process exits. Delay + timeout at most MAX_SHUTDOWN_MS.
   */
  shutdownTimeoutMs: number;
  /** STREAM_MAX_SESSIONS: most open control sessions (GET /robots/{id}/stream); more are refused with 503 at the upgrade. */
  streamMaxSessions: number;
  /** STREAM_MAX_FRAME_BYTES: largest frame a control session accepts; a larger one closes the session with 1009. */
  streamMaxFrameBytes: number;
  /**
   * STREAM_MAX_COMMAND_RATE: frames per second one session may send (a token bucket holding a
   * tenth of a second of them); frames beyond it are answered with a 429 error frame and dropped.
   */
  streamMaxCommandRate: number;
  /**
   * STREAM_MAX_BUFFERED_BYTES: results a session may leave unread in the socket's send buffer;
   * beyond it the session is closed with 1008 (a client that does not read cannot grow memory).
   */
  streamMaxBufferedBytes: number;
}

/**
 * SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS at most: with the second that stopped batches get to
 * answer, the process exits within 10 s of a signal.
 */
export const MAX_SHUTDOWN_MS = 9000;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Defaults, as the README documents them. */
export const DEFAULT_CONFIG: Readonly<AppConfig> = Object.freeze({
  port: 8080,
  host: '127.0.0.1',
  robotsDir: DEFAULT_ROBOTS_DIR,
  dataDir: './data',
  databaseUrl: undefined,
  registrySyncIntervalMs: 5000,
  logLevel: 'info',
  adminToken: undefined,
  bodyLimit: 1024 * 1024,
  batchBodyLimit: 16 * 1024 * 1024,
  maxBatch: 10_000,
  batchMaxOutputValues: 4_000_000,
  urdfMaxBytes: 1024 * 1024,
  urdfMaxLinks: 1000,
  workerThreads: availableParallelism(),
  warmRobots: true,
  ikMaxTimeoutMs: 1000,
  ikBatchMaxWorkMs: 20_000,
  maxRequestWorkMs: 2000,
  rateLimitMax: 0,
  rateLimitWindowMs: 60_000,
  corsOrigins: [],
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 72_000,
  maxEventLoopDelayMs: 1000,
  maxHeapUsedBytes: Math.floor(0.9 * getHeapStatistics().heap_size_limit),
  maxRssBytes: 0,
  shutdownDelayMs: 1000,
  shutdownTimeoutMs: 7000,
  streamMaxSessions: 128,
  streamMaxFrameBytes: 64 * 1024,
  streamMaxCommandRate: 2000,
  streamMaxBufferedBytes: 1024 * 1024,
});

/** A configuration value that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}="${text}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const value = text(env, name, String(fallback)).toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ConfigError(`${name}="${env[name]}" must be true or false (or 1 or 0)`);
}

function text(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

/** The URL with its password (and user) replaced, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(a malformed URL)';
  }
}

/** DATABASE_URL: unset or a postgres:// (postgresql://) URL with a host. */
function databaseUrl(env: Env): string | undefined {
  const value = env.DATABASE_URL?.trim();
  if (value === undefined || value === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    // never echo the value: it may hold a password
    throw new ConfigError('DATABASE_URL is not a URL; give postgres://user:password@host:5432/database');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError(`DATABASE_URL must start with postgres:// or postgresql:// (it starts with ${parsed.protocol}//)`);
  }
  if (parsed.hostname === '') throw new ConfigError(`DATABASE_URL (${redactDatabaseUrl(value)}) names no host`);
  return value;
}

/** Reads the configuration from an environment (normally process.env). */
export function loadConfig(env: Env): AppConfig {
  const logLevel = text(env, 'LOG_LEVEL', DEFAULT_CONFIG.logLevel).toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL="${env.LOG_LEVEL}" must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const adminToken = env.ADMIN_TOKEN?.trim() || undefined;
  if (adminToken !== undefined && /\s/.test(adminToken)) {
    throw new ConfigError('ADMIN_TOKEN must not contain spaces (a bearer token is one word; use e.g. `openssl rand -hex 32`)');
  }
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('ADMIN_TOKEN must be at least 16 characters long (use a random secret, e.g. `openssl rand -hex 32`)');
  }
  const shutdownDelayMs = integer(env, 'SHUTDOWN_DELAY_MS', DEFAULT_CONFIG.shutdownDelayMs, 0, MAX_SHUTDOWN_MS);
  const shutdownTimeoutMs = integer(env, 'SHUTDOWN_TIMEOUT_MS', DEFAULT_CONFIG.shutdownTimeoutMs, 0, MAX_SHUTDOWN_MS);
  if (shutdownDelayMs + shutdownTimeoutMs > MAX_SHUTDOWN_MS) {
    throw new ConfigError(`SHUTDOWN_DELAY_MS (${shutdownDelayMs}) + SHUTDOWN_TIMEOUT_MS (${shutdownTimeoutMs}) must be at most `
      + `${MAX_SHUTDOWN_MS}, so that the process exits within 10 s of SIGTERM`);
  }
  return {
    port: integer(env, 'PORT', DEFAULT_CONFIG.port, 0, 65535),
    host: text(env, 'HOST', DEFAULT_CONFIG.host),
    robotsDir: resolve(text(env, 'ROBOTS_DIR', DEFAULT_CONFIG.robotsDir)),
    dataDir: resolve(text(env, 'DATA_DIR', DEFAULT_CONFIG.dataDir)),
    databaseUrl: databaseUrl(env),
    registrySyncIntervalMs: integer(env, 'REGISTRY_SYNC_INTERVAL_MS', DEFAULT_CONFIG.registrySyncIntervalMs, 100, 3_600_000),
    logLevel,
    adminToken,
    bodyLimit: integer(env, 'BODY_LIMIT', DEFAULT_CONFIG.bodyLimit, 1024, 1024 ** 3),
    batchBodyLimit: integer(env, 'BATCH_BODY_LIMIT', DEFAULT_CONFIG.batchBodyLimit, 1024, 1024 ** 3),
    maxBatch: integer(env, 'MAX_BATCH', DEFAULT_CONFIG.maxBatch, 1, 1_000_000),
    batchMaxOutputValues: integer(env, 'BATCH_MAX_OUTPUT_VALUES', DEFAULT_CONFIG.batchMaxOutputValues, 1000, 1_000_000_000),
    urdfMaxBytes: integer(env, 'URDF_MAX_BYTES', DEFAULT_CONFIG.urdfMaxBytes, 1024, 256 * 1024 * 1024),
    urdfMaxLinks: integer(env, 'URDF_MAX_LINKS', DEFAULT_CONFIG.urdfMaxLinks, 1, 100_000),
    workerThreads: integer(env, 'WORKER_THREADS', DEFAULT_CONFIG.workerThreads, 0, 256),
    warmRobots: boolean(env, 'WARM_ROBOTS', DEFAULT_CONFIG.warmRobots),
    ikMaxTimeoutMs: integer(env, 'IK_MAX_TIMEOUT_MS', DEFAULT_CONFIG.ikMaxTimeoutMs, 1, 60_000),
    ikBatchMaxWorkMs: integer(env, 'IK_BATCH_MAX_WORK_MS', DEFAULT_CONFIG.ikBatchMaxWorkMs, 1, 3_600_000),
    maxRequestWorkMs: integer(env, 'MAX_REQUEST_WORK_MS', DEFAULT_CONFIG.maxRequestWorkMs, 1, 3_600_000),
    rateLimitMax: integer(env, 'RATE_LIMIT_MAX', DEFAULT_CONFIG.rateLimitMax, 0, 1_000_000_000),
    rateLimitWindowMs: integer(env, 'RATE_LIMIT_WINDOW_MS', DEFAULT_CONFIG.rateLimitWindowMs, 1, 86_400_000),
    corsOrigins: (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter((o) => o.length > 0),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', DEFAULT_CONFIG.requestTimeoutMs, 1000, 3_600_000),
    keepAliveTimeoutMs: integer(env, 'KEEP_ALIVE_TIMEOUT_MS', DEFAULT_CONFIG.keepAliveTimeoutMs, 1000, 3_600_000),
    maxEventLoopDelayMs: integer(env, 'MAX_EVENT_LOOP_DELAY_MS', DEFAULT_CONFIG.maxEventLoopDelayMs, 0, 3_600_000),
    maxHeapUsedBytes: integer(env, 'MAX_HEAP_USED_BYTES', DEFAULT_CONFIG.maxHeapUsedBytes, 0, Number.MAX_SAFE_INTEGER),
    maxRssBytes: integer(env, 'MAX_RSS_BYTES', DEFAULT_CONFIG.maxRssBytes, 0, Number.MAX_SAFE_INTEGER),
    shutdownDelayMs,
    shutdownTimeoutMs,
    streamMaxSessions: integer(env, 'STREAM_MAX_SESSIONS', DEFAULT_CONFIG.streamMaxSessions, 0, 100_000),
    streamMaxFrameBytes: integer(env, 'STREAM_MAX_FRAME_BYTES', DEFAULT_CONFIG.streamMaxFrameBytes, 1024, 64 * 1024 * 1024),
    streamMaxCommandRate: integer(env, 'STREAM_MAX_COMMAND_RATE', DEFAULT_CONFIG.streamMaxCommandRate, 1, 1_000_000),
    streamMaxBufferedBytes: integer(env, 'STREAM_MAX_BUFFERED_BYTES', DEFAULT_CONFIG.streamMaxBufferedBytes, 1024, 1024 ** 3),
  };
}

/**
 * A configuration for tests and tools: defaults, with a data folder under `root`, no log output,
 * no worker threads (batches computed inline), no warming (a test process builds hundreds of
 * apps; warming has tests of its own and the system tests run the service as deployed) and no
 * load shedding (a test process builds apps that block each other's event loops) unless overridden.
 */
export function configFor(root: string, overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    ...DEFAULT_CONFIG, dataDir: join(root, 'data'), logLevel: 'silent', workerThreads: 0, warmRobots: false,
    maxEventLoopDelayMs: 0, maxHeapUsedBytes: 0, maxRssBytes: 0, ...overrides,
  };
}
