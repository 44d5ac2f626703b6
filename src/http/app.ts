/**
 * The application factory: builds the Fastify app from a configuration and never listens, so
 * that tests call `app.inject` and only server.ts binds a port.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import websocket from '@fastify/websocket';
import Fastify, {
  type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions, type RawReplyDefaultExpression,
  type RawRequestDefaultExpression, type RawServerDefault,
} from 'fastify';
import type { AppConfig } from '../config.js';
import { RobotRegistry } from '../robots/registry.js';
import { DEFAULT_URDF_LIMITS } from '../urdf/urdf-parser.js';
import { BatchRunner } from '../workers/batch-runner.js';
import { heavyRunner } from './heavy-runner.js';
import { AccessLog } from './access-log.js';
import { useSafeJsonParser } from './json-body.js';
import { ServiceMetrics } from './metrics.js';
import lifecycle from './plugins/lifecycle.js';
import openApi from './plugins/openapi.js';
import problems, { replyWithProblem } from './plugins/problems.js';
import { registerProtection } from './protection.js';
import { ikRoutes } from './routes/ik.js';
import { kinematicsRoutes } from './routes/kinematics.js';
import { operationsRoutes, type ServiceState } from './routes/operations.js';
import { robotsRoutes } from './routes/robots.js';
import { secondOrderRoutes } from './routes/second-order.js';
import { viewerRoutes } from './routes/viewer.js';
import { StreamSessions, streamRoutes } from './routes/stream.js';
import { uncertaintyRoutes } from './routes/uncertainty.js';

export { API_VERSION } from '../version.js';

export type App = FastifyInstance<
  RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider
> & { serviceState: ServiceState; registry: RobotRegistry; metrics: ServiceMetrics; batches: BatchRunner };

export interface BuildAppOptions {
  /** Fastify logger options; default JSON lines at config.logLevel. */
  logger?: FastifyServerOptions['logger'];
  /** A ready-made pino logger (server.ts passes one with pretty output on a TTY). */
  loggerInstance?: FastifyBaseLogger;
}

/** A caller's x-request-id is kept when it is short and printable; otherwise one is made. */
const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/**
 * Made request ids: a random prefix per process and a counter, unique across restarts and
 * replicas with overwhelming probability, and cheaper than a UUID per request.
 */
function requestIdGenerator(): () => string {
  const prefix = randomBytes(6).toString('hex');
  let counter = 0;
  return () => `${prefix}-${(counter++).toString(36)}`;
}

/**
 * The Fastify instance with the server's settings: logging, request ids, validation, timeouts,
 * and the answer to requests the router refuses before any hook runs.
 */
function createFastify(config: AppConfig, options: BuildAppOptions, onRouterRefusal: (method: string, status: number, seconds: number) => void): App {
  const nextRequestId = requestIdGenerator();
  const accessLog = new AccessLog();
  return Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: options.logger ?? { level: config.logLevel } }),
    bodyLimit: config.bodyLimit,
    logController: accessLog,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : nextRequestId();
    },
    ajv: {
      // strings are not numbers, unknown fields are errors (not silently dropped), and the
      // schemas say what they accept: see problem.ts for how the errors are phrased
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false, verbose: true },
    },
    // malformed percent-encoding and over-long path parameters, which the router refuses before
    // any hook runs: answered as problems too, and logged and counted as the hooks would
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      reply.raw.once('finish', () => {
        accessLog.requestCompleted(null, request, reply);
        onRouterRefusal(request.method, reply.statusCode, reply.elapsedTime / 1000);
      });
      replyWithProblem(error, request, reply);
    },
    // requests that arrive on open connections while closing get a 503 problem (plugins/lifecycle.ts)
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Node checks request timeouts on a timer (30 s by default): check often enough for the
    // configured timeout to mean what it says
    serverFactory: (handler) => createServer({
      requestTimeout: config.requestTimeoutMs,
      keepAliveTimeout: config.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(config.requestTimeoutMs / 2)),
    }, handler),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
}

/** Builds the app: the robots loaded, every plugin and route registered, in this order. */
export async function buildApp(config: AppConfig, options: BuildAppOptions = {}): Promise<App> {
  // set below, once the robots are loaded; requests are served only after that
  let metrics: ServiceMetrics | undefined;
  const app = createFastify(config, options, (method, status, seconds) => metrics?.observeRequest(method, 'unmatched', status, seconds));

  const state: ServiceState = { robotsLoaded: false, draining: false, closing: false };
  // the workers exist before the robots: they parse large uploads (BatchRunner.loadModel)
  const batches = new BatchRunner(config.workerThreads);
  const registry = new RobotRegistry({
    robotsDir: config.robotsDir,
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    syncIntervalMs: config.registrySyncIntervalMs,
    urdfLimits: { ...DEFAULT_URDF_LIMITS, maxBytes: config.urdfMaxBytes, maxLinks: config.urdfMaxLinks, maxJoints: config.urdfMaxLinks },
    logger: app.log,
    warm: config.warmRobots,
    loadModel: (urdf, limits) => batches.loadModel(urdf, limits),
  });
  // Load the robots (and compile their kernels) first: it blocks the event loop for a moment,
  // which must not count as load once the load-shedding monitor runs. The server listens only
  // after this, so /readyz answers 503 only while shutting down.
  try {
    await registry.load();
  } catch (error) {
    await batches.close();
    throw error;
  }
  app.addHook('onClose', async () => registry.close());
  state.robotsLoaded = true;
  metrics = new ServiceMetrics(() => registry.size, () => registry.status());
  if (config.warmRobots) {
    // every worker compiles and warms the robots before the server listens (see warm-up.ts)
    const started = performance.now();
    await batches.warm(registry.entries());
    app.log.info({ robots: registry.size, threads: config.workerThreads, ms: Math.round(performance.now() - started) }, 'robots warmed on the worker threads');
  }
  app.decorate('serviceState', state);
  app.decorate('registry', registry);
  app.decorate('metrics', metrics);
  app.decorate('batches', batches);
  app.addHook('onClose', async () => batches.close());

  useSafeJsonParser(app);
  await app.register(lifecycle, { state, metrics });
  await app.register(problems);
  await registerProtection(app, config);
  await app.register(openApi);

  await app.register(operationsRoutes, { state, registry, metrics });
  await app.register(robotsRoutes, { registry, config, batches });
  const answer = heavyRunner(batches, config);
  await app.register(kinematicsRoutes, { registry, config, batches, answer });
  await app.register(secondOrderRoutes, { registry, answer });
  await app.register(uncertaintyRoutes, { registry, config, answer });
  await app.register(ikRoutes, { registry, config, batches, metrics });
  await app.register(viewerRoutes);
  // control sessions: frames above STREAM_MAX_FRAME_BYTES close with 1009 (ws's maxPayload); on
  // close (after the drain delay) every session is closed with 1001
  const sessions = new StreamSessions();
  await app.register(websocket, {
    options: { maxPayload: config.streamMaxFrameBytes, perMessageDeflate: false },
    preClose: (done) => { sessions.closeAll().then(() => done(), done); },
  });
  await app.register(streamRoutes, { registry, config, metrics, state, sessions });
  return app;
}
