/**
 * The one error handler: every error a route, a hook or the router raises becomes a problem
 * document (problem.ts says which status and what detail); unknown routes answer 404 the same way.
 */
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { toProblem } from '../problem.js';

/** Answers `error` as problem+json; a 5xx is logged with the request id and its details are not sent. */
export function replyWithProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // routeOptions is not there for errors the router raises before it matched a route
  const route = (request as Partial<FastifyRequest>).routeOptions;
  const { problem, internal, headers } = toProblem(error, { bodyLimit: route?.bodyLimit, bodyLimitHint: route?.config?.bodyLimitHint });
  if (internal) request.log.error({ err: error }, 'request failed');
  return reply.code(problem.status).headers(headers ?? {}).type('application/problem+json').send(problem);
}

const problems: FastifyPluginCallback = (app, _options, done) => {
  app.setErrorHandler(replyWithProblem);
  app.setNotFoundHandler((request, reply) => reply.code(404).type('application/problem+json').send({
    type: 'urn:kinematics-service:problem:not-found', title: 'Not found', status: 404,
    detail: `there is no route ${request.method} ${request.url.split('?')[0]}; the API is described at /docs and /openapi.json`,
  }));
  done();
};

export default fp(problems, { name: 'problems' });
