/**
 * The service process: the only place that reads the environment, listens, and handles signals.
 *
 * On SIGTERM or SIGINT, /readyz turns 503 at once (so load balancers stop sending) while requests
 * are still served for SHUTDOWN_DELAY_MS; then the server stops accepting connections and lets
 * in-flight requests finish. Batches still running SHUTDOWN_TIMEOUT_MS after that are stopped
 * (their requests get 503) and the process exits 0 once every request is answered, 1 if some
 * still are not after a further second. The configuration keeps delay + timeout within 9 s,
 * so the process is gone within 10 s of the signal. A signal during start-up exits at once.
 */
import { pino } from 'pino';
import { ConfigError, loadConfig, type AppConfig } from './config.js';
import { isLoopbackHost } from './http/access-control.js';
import { buildApp } from './http/app.js';

/** How long requests get to be answered after their batches are stopped, before exiting 1. */
const ABORT_GRACE_MS = 1000;

/** Longest time a log line waits in the output buffer. */
const LOG_FLUSH_INTERVAL_MS = 1000;

/**
 * Pretty lines for a person at a terminal; JSON lines for everything else, written through a
 * 4 KiB buffer (one write per few dozen lines instead of one per request), flushed at least every
 * second and on exit.
 */
function createLogger(config: AppConfig): pino.Logger {
  if (process.stdout.isTTY) {
    return pino({ level: config.logLevel, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => destination.flush(), LOG_FLUSH_INTERVAL_MS).unref();
  process.on('exit', () => destination.flushSync());
  return pino({ level: config.logLevel }, destination);
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config);
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    if (!app) {
      logger.info({ signal }, 'stopped during start-up');
      process.exit(0);
    }
    const running = app;
    running.serviceState.draining = true;
    logger.info({ signal }, 'shutting down: draining in-flight requests');
    setTimeout(() => {
      const timer = setTimeout(() => {
        logger.warn({ timeoutMs: config.shutdownTimeoutMs }, 'requests still running at the shutdown timeout; stopping their batches');
        running.batches.abortAll();
        setTimeout(() => {
          logger.error('requests still running after their batches were stopped; exiting');
          process.exit(1);
        }, ABORT_GRACE_MS).unref();
      }, config.shutdownTimeoutMs);
      timer.unref();
      running.close().then(() => {
        logger.info('stopped');
        process.exit(0);
      }, (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      });
    }, config.shutdownDelayMs);
  };
  // before anything slow: in a container node is PID 1, which ignores a signal it has no handler for
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  app = await buildApp(config, { loggerInstance: logger });
  if (config.adminToken === undefined && !isLoopbackHost(config.host)) {
    logger.warn({ host: config.host },
      'POST /robots and DELETE /robots/{id} are disabled: no ADMIN_TOKEN is set and HOST is not a loopback address; set ADMIN_TOKEN to enable them');
  }
  if (stopping) return;
  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
