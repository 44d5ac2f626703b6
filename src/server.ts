/**
 * The service process: the only place that reads the environment, listens, and handles signals.
 *
 * On SIGTERM or SIGINT, /readyz turns 503 at once (so load balancers stop sending) while requests
 * are still served for SHUTDOWN_DELAY_MS; then the server stops accepting connections, lets
 * in-flight requests finish and exits 0; if requests are still running SHUTDOWN_TIMEOUT_MS after
 * that, it exits 1.
 */
import { pino } from 'pino';
import { ConfigError, loadConfig, type AppConfig } from './config.js';
import { isLoopbackHost } from './http/access-control.js';
import { buildApp } from './http/app.js';

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
  const app = await buildApp(config, { loggerInstance: logger });
  if (config.adminToken === undefined && !isLoopbackHost(config.host)) {
    logger.warn({ host: config.host },
      'POST /robots and DELETE /robots/{id} are disabled: no ADMIN_TOKEN is set and HOST is not a loopback address; set ADMIN_TOKEN to enable them');
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    app.serviceState.draining = true;
    logger.info({ signal }, 'shutting down: draining in-flight requests');
    setTimeout(() => {
      const timer = setTimeout(() => {
        logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'requests still running at the shutdown timeout; exiting');
        process.exit(1);
      }, config.shutdownTimeoutMs);
      timer.unref();
      app.close().then(() => {
        logger.info('stopped');
        process.exit(0);
      }, (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      });
    }, config.shutdownDelayMs);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
