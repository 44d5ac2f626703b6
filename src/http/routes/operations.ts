/**
 * Liveness and readiness for orchestrators and load balancers, and metrics for Prometheus. These
 * routes are exempt from rate limiting and load shedding.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RobotRegistry } from '../../robots/registry.js';
import { HttpProblem } from '../problem.js';
import type { ServiceMetrics } from '../metrics.js';
import { ALWAYS_ANSWERED } from '../protection.js';
import { problemResponses } from '../schemas/common.js';

/** Whether the service should receive traffic. */
export interface ServiceState {
  robotsLoaded: boolean;
  /** Set on SIGTERM / SIGINT: /readyz answers 503, requests are still served. */
  draining: boolean;
  /** Set when the server closes: requests still arriving on open connections are answered 503. */
  closing: boolean;
}

export const operationsRoutes: FastifyPluginAsyncTypebox<{ state: ServiceState; registry: RobotRegistry; metrics: ServiceMetrics }> = async (app, { state, registry, metrics }) => {
  app.get('/healthz', {
    config: ALWAYS_ANSWERED,
    schema: {
      tags: ['operations'], summary: 'Liveness', description: '200 while the process runs.',
      response: { 200: Type.Object({ status: Type.Literal('ok') }) },
    },
  }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    config: ALWAYS_ANSWERED,
    schema: {
      tags: ['operations'], summary: 'Readiness',
      description: '200 once the robots are loaded; 503 before that and while shutting down (the server listens only after loading, so a caller normally sees the 503 of a shutdown). '
        + 'With DATABASE_URL, also 503 until the robots have been read from the database once (a replica that never reached it would not know the uploaded robots); '
        + 'after that a database that goes away does not make the replica unready: it keeps serving every robot it knows, `registry` says "unavailable", '
        + 'and only uploads and deletes answer 503 until the database is back.',
      response: {
        200: Type.Object({
          status: Type.Literal('ready'),
          robots: Type.Integer(),
          registry: Type.Enum(['files', 'connected', 'unavailable'], { type: 'string',
            description: 'where uploads live: "files" (DATA_DIR), or PostgreSQL and whether its database is reachable now',
          }),
        }),
        ...problemResponses(503),
      },
    },
  }, async () => {
    if (state.draining) throw new HttpProblem(503, 'shutting-down', 'Shutting down', 'the service is shutting down; send requests to another instance');
    if (!state.robotsLoaded) throw new HttpProblem(503, 'not-ready', 'Not ready', 'the robots are still being loaded; retry shortly');
    const status = registry.status();
    if (status.store === 'postgres' && !status.synced) {
      throw new HttpProblem(503, 'registry-not-loaded', 'Not ready', 'the uploaded robots have not been read from the registry database yet (it is unreachable); retry shortly', { 'retry-after': '1' });
    }
    return { status: 'ready' as const, robots: registry.size, registry: status.store === 'files' ? 'files' as const : status.database };
  });

  app.get('/metrics', {
    config: ALWAYS_ANSWERED,
    schema: {
      tags: ['operations'], summary: 'Prometheus metrics',
      description: 'Request counts and latency histograms per route and status, IK outcomes and iterations, robots loaded, and '
        + 'the process metrics (event-loop lag, heap, CPU), in the Prometheus text format.',
      response: { 200: { description: 'Prometheus exposition format', content: { 'text/plain': { schema: Type.String() } } } as never },
    },
  }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};
