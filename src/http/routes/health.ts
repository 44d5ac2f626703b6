/**
 * Liveness and readiness, for orchestrators and load balancers.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RobotRegistry } from '../../robots/registry.js';
import { HttpProblem } from '../problem.js';
import { problemResponses } from '../schemas/common.js';

/** Whether the service should receive traffic; `draining` is set on SIGTERM / SIGINT. */
export interface ServiceState {
  robotsLoaded: boolean;
  draining: boolean;
}

export const healthRoutes: FastifyPluginAsyncTypebox<{ state: ServiceState; registry: RobotRegistry }> = async (app, { state, registry }) => {
  app.get('/healthz', {
    schema: {
      tags: ['operations'], summary: 'Liveness', description: '200 while the process runs.',
      response: { 200: Type.Object({ status: Type.Literal('ok') }) },
    },
  }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    schema: {
      tags: ['operations'], summary: 'Readiness',
      description: '200 once the robots are loaded; 503 before that and while shutting down.',
      response: { 200: Type.Object({ status: Type.Literal('ready'), robots: Type.Integer() }), ...problemResponses(503) },
    },
  }, async () => {
    if (state.draining) throw new HttpProblem(503, 'shutting-down', 'Shutting down', 'the service is shutting down; send requests to another instance');
    if (!state.robotsLoaded) throw new HttpProblem(503, 'not-ready', 'Not ready', 'the robots are still being loaded; retry shortly');
    return { status: 'ready' as const, robots: registry.size };
  });
};
