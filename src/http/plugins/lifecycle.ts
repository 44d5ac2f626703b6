/**
 * The service's life as requests see it: every answer carries its request id and is counted in
 * the metrics; requests that arrive while the server closes get a 503 problem; while draining
 * (after SIGTERM, see server.ts) answers ask clients to close their keep-alive connection, so that
 * the process can exit as soon as the requests in flight are answered.
 */
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import type { ServiceMetrics } from '../metrics.js';
import { HttpProblem } from '../problem.js';
import type { ServiceState } from '../routes/operations.js';

export interface LifecycleOptions {
  state: ServiceState;
  metrics: ServiceMetrics;
}

// callback-style hooks: they run on every request, and a promise per hook costs measurable time
const lifecycle: FastifyPluginCallback<LifecycleOptions> = (app, { state, metrics }, done) => {
  app.addHook('onRequest', (request, reply, next) => {
    reply.header('x-request-id', request.id);
    if (state.closing) {
      next(new HttpProblem(503, 'shutting-down', 'Shutting down',
        'the service is shutting down; send the request to another instance', { 'retry-after': '1' }));
      return;
    }
    next();
  });
  app.addHook('preClose', (next) => {
    state.closing = true;
    next();
  });
  app.addHook('onResponse', (request, reply, next) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    next();
  });
  app.addHook('onSend', (_request, reply, payload, next) => {
    if (state.draining) reply.header('connection', 'close');
    next(null, payload);
  });
  done();
};

export default fp(lifecycle, { name: 'lifecycle' });
