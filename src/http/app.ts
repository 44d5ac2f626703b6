/**
 * The application factory: builds the Fastify app from a configuration and never listens, so
 * that tests call `app.inject` and only server.ts binds a port.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions, type RawReplyDefaultExpression,
  type RawRequestDefaultExpression, type RawServerDefault,
} from 'fastify';
import type { AppConfig } from '../config.js';
import { RobotRegistry } from '../robots/registry.js';
import { DEFAULT_URDF_LIMITS } from '../urdf/urdf-parser.js';
import { AccessLog } from './access-log.js';
import { BatchRunner } from './batch-pool.js';
import { useSafeJsonParser } from './json-body.js';
import { HttpProblem, toProblem } from './problem.js';
import { ServiceMetrics } from './metrics.js';
import { registerProtection } from './protection.js';
import { operationsRoutes, type ServiceState } from './routes/operations.js';
import { ikRoutes } from './routes/ik.js';
import { kinematicsRoutes } from './routes/kinematics.js';
import { robotsRoutes } from './routes/robots.js';

/** The version of the HTTP contract (../design/API.md is version 1), shown in the OpenAPI document. */
export const API_VERSION = '1.0.0';

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

const OPENAPI_INFO = {
  title: 'Kinematics service',
  version: API_VERSION,
  description: 'Forward kinematics, Jacobians and inverse kinematics of URDF robots, for robot controllers. '
    + 'SI units; poses are of link frames in the base frame; quaternions are [x, y, z, w]; 6-vectors and Jacobian rows '
    + 'are linear first; joint vectors are arrays in the active-joint order of GET /robots/{id} or objects by joint name. '
    + 'Errors are RFC 9457 problem details.',
};

/** The one error handler: every error becomes a problem document. */
function replyWithProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // routeOptions is not there for errors the router raises before it matched a route
  const route = (request as Partial<FastifyRequest>).routeOptions;
  const { problem, internal, headers } = toProblem(error, { bodyLimit: route?.bodyLimit, bodyLimitHint: route?.config?.bodyLimitHint });
  if (internal) request.log.error({ err: error }, 'request failed');
  return reply.code(problem.status).headers(headers ?? {}).type('application/problem+json').send(problem);
}

export async function buildApp(config: AppConfig, options: BuildAppOptions = {}): Promise<App> {
  const nextRequestId = requestIdGenerator();
  const accessLog = new AccessLog();
  // set below, once the robots are loaded; requests are served only after that
  let metrics: ServiceMetrics | undefined;
  const app = Fastify({
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
        metrics?.observeRequest(request.method, 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
      });
      return replyWithProblem(error, request, reply);
    },
    // requests that arrive on open connections while closing get a 503 problem (onRequest below)
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

  const state: ServiceState = { robotsLoaded: false, draining: false, closing: false };
  const registry = new RobotRegistry({
    robotsDir: config.robotsDir,
    dataDir: config.dataDir,
    urdfLimits: { ...DEFAULT_URDF_LIMITS, maxBytes: config.urdfMaxBytes, maxLinks: config.urdfMaxLinks, maxJoints: config.urdfMaxLinks },
    logger: app.log,
  });
  // Load the robots (and compile their kernels) first: it blocks the event loop for a moment,
  // which must not count as load once the load-shedding monitor runs. The server listens only
  // after this, so /readyz answers 503 only while shutting down.
  await registry.load();
  state.robotsLoaded = true;
  metrics = new ServiceMetrics(() => registry.size);
  app.decorate('serviceState', state);
  app.decorate('registry', registry);
  app.decorate('metrics', metrics);

  useSafeJsonParser(app);

  // callback-style hooks: they run on every request, and a promise per hook costs measurable time
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if (state.closing) {
      done(new HttpProblem(503, 'shutting-down', 'Shutting down',
        'the service is shutting down; send the request to another instance', { 'retry-after': '1' }));
      return;
    }
    done();
  });
  app.addHook('preClose', (done) => {
    state.closing = true;
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    // while draining, ask clients to drop their keep-alive connection after this response, so
    // that the process can exit as soon as the requests in flight are answered
    if (state.draining) reply.header('connection', 'close');
    done(null, payload);
  });

  app.setErrorHandler(replyWithProblem);
  app.setNotFoundHandler((request, reply) => reply.code(404).type('application/problem+json').send({
    type: 'urn:kinematics-service:problem:not-found', title: 'Not found', status: 404,
    detail: `there is no route ${request.method} ${request.url.split('?')[0]}; the API is described at /docs and /openapi.json`,
  }));

  await registerProtection(app, config);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: OPENAPI_INFO,
      tags: [
        { name: 'robots', description: 'robots the service knows' },
        { name: 'kinematics', description: 'forward kinematics, Jacobians, velocity and statics' },
        { name: 'inverse kinematics', description: 'damped steps, resolved-rate velocities and full solves' },
        { name: 'operations', description: 'health, metrics and documentation' },
      ],
      components: {
        securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN, for POST /robots and DELETE /robots/{id}' } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', tryItOutEnabled: false }, staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(operationsRoutes, { state, registry, metrics });
  await app.register(robotsRoutes, { registry, config });
  const batches = new BatchRunner(config.workerThreads);
  app.decorate('batches', batches);
  app.addHook('onClose', async () => batches.close());
  await app.register(kinematicsRoutes, { registry, config, batches });
  await app.register(ikRoutes, { registry, config, batches, metrics });

  return app;
}
