/**
 * Robots: list, describe, upload (XML or JSON), download and delete.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppConfig } from '../../config.js';
import type { RobotRegistry } from '../../robots/registry.js';
import type { BatchRunner } from '../../workers/batch-runner.js';
import { requireAdmin } from '../access-control.js';
import { HttpProblem } from '../problem.js';
import { RobotIdParams, problemResponses } from '../schemas/common.js';
import { EXAMPLE_URDF, RobotList, RobotSummary, UploadJson, UploadQuery } from '../schemas/robots.js';

export interface RobotsRoutesOptions {
  registry: RobotRegistry;
  config: AppConfig;
  batches: BatchRunner;
}

const XML_TYPES = ['application/xml', 'text/xml'];

/** The 304 of the routes with an ETag: no body (RFC 9110, section 15.4.5). */
const NOT_MODIFIED = { 304: Type.Null({ description: 'not modified: the robot\'s sha256 is one the If-None-Match header names; no body' }) };

/**
 * Sets the strong ETag "<sha256>" and tells whether If-None-Match names it (or is "*"), in which
 * case the answer is 304. If-None-Match compares weakly (RFC 9110, section 13.1.2), so W/"<sha256>"
 * matches too.
 */
function notModified(request: FastifyRequest, reply: FastifyReply, sha256: string): boolean {
  const etag = `"${sha256}"`;
  reply.header('etag', etag);
  const header = request.headers['if-none-match'];
  if (typeof header !== 'string') return false;
  const tags = header.split(',').map((t) => t.trim().replace(/^W\//, ''));
  return tags.includes('*') || tags.includes(etag);
}
/** The OpenAPI security requirement of the routes that change robots (see app.ts's adminToken scheme). */
const ADMIN_SECURITY = [{ adminToken: [] }];

export const robotsRoutes: FastifyPluginAsyncTypebox<RobotsRoutesOptions> = async (app, { registry, config, batches }) => {
  const admin = requireAdmin(config.adminToken, config.host);

  app.addContentTypeParser(XML_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.get('/robots', {
    schema: {
      tags: ['robots'], summary: 'List the robots',
      description: 'Every robot the service knows, builtin (from the robots folder) and uploaded.',
      response: { 200: RobotList, ...problemResponses(429) },
    },
  }, async () => ({ robots: registry.list() }));

  app.get('/robots/:id', {
    schema: {
      tags: ['robots'], summary: 'Describe a robot',
      description: 'The kinematic summary: active joints in q order with axes, origins and limits, mimic joints and the link tree. '
        + 'The ETag is the robot\'s sha256 (quoted); with If-None-Match naming it the answer is 304 without a body.',
      params: RobotIdParams,
      response: { 200: RobotSummary, ...NOT_MODIFIED, ...problemResponses(400, 404, 429) },
    },
  }, async (request, reply) => {
    const entry = registry.get(request.params.id);
    if (notModified(request, reply, entry.sha256)) return reply.code(304).send(null);
    return entry.summary;
  });

  app.get('/robots/:id/urdf', {
    schema: {
      tags: ['robots'], summary: 'Download a robot\'s URDF',
      description: 'The URDF document exactly as it was loaded or uploaded. The ETag is its sha256 (quoted); with If-None-Match naming it the answer is 304 without a body.',
      params: RobotIdParams,
      response: {
        200: { description: 'the URDF', content: { 'application/xml': { schema: Type.String() } } } as never,
        ...NOT_MODIFIED,
        ...problemResponses(400, 404, 429),
      },
    },
  }, async (request, reply) => {
    const entry = registry.get(request.params.id);
    if (notModified(request, reply, entry.sha256)) return reply.code(304).send(null);
    return reply.type('application/xml; charset=utf-8').send(entry.urdf);
  });

  app.post('/robots', {
    // room for the JSON wrapping and escaping (a quote becomes two characters); the URDF itself
    // is held to URDF_MAX_BYTES by the parser, which answers 413 beyond it
    bodyLimit: 2 * config.urdfMaxBytes + 64 * 1024,
    config: { bodyLimitHint: `a URDF may have at most ${config.urdfMaxBytes} bytes (URDF_MAX_BYTES)` },
    onRequest: admin,
    schema: {
      tags: ['robots'], summary: 'Upload a robot',
      security: ADMIN_SECURITY,
      description: 'Registers a robot from a URDF, sent as XML (application/xml or text/xml, id from ?id= or the URDF robot name) '
        + 'or as JSON { id?, urdf }. 201 with the summary and a Location header; the same id with identical content is 200; '
        + `the same id with other content is 409. Uploaded robots persist across restarts. At most ${config.urdfMaxBytes} bytes `
        + `and ${config.urdfMaxLinks} links. Needs Authorization: Bearer <ADMIN_TOKEN> when one is configured. `
        + 'With DATABASE_URL the robot is stored in PostgreSQL and answered only once committed; the database decides between replicas racing for an id; '
        + 'while the database is unreachable the answer is 503 with Retry-After.',
      querystring: UploadQuery,
      body: {
        content: {
          'application/json': { schema: UploadJson },
          'application/xml': { schema: Type.String({ description: 'the URDF document', examples: [EXAMPLE_URDF] }) },
          'text/xml': { schema: Type.String({ description: 'the URDF document', examples: [EXAMPLE_URDF] }) },
        },
      } as never,
      response: {
        200: { ...RobotSummary, description: 'unchanged: a robot of this id with identical content exists; its summary' },
        201: {
          ...RobotSummary, description: 'registered: the summary of the new robot',
          headers: { location: Type.String({ description: 'the new robot\'s path, /robots/{id}' }) },
        },
        ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429, 503),
      },
    },
  }, async (request, reply) => {
    const body = request.body as string | { id?: string; urdf: string };
    const { id, urdf } = typeof body === 'string' ? { id: request.query.id, urdf: body } : { id: uploadId(body.id, request.query.id), urdf: body.urdf };
    const { status, entry } = await registry.add(id, urdf);
    if (status === 'created') {
      // warm on the workers too before the answer (the registry warmed the main thread): the
      // robot is stored either way, so a pool that cannot warm it (shutting down) is only logged
      if (config.warmRobots) await batches.warm([entry]).catch((error: unknown) => request.log.warn({ robot: entry.id, err: error }, 'robot not warmed on the workers'));
      reply.code(201).header('location', `/robots/${entry.id}`);
    }
    return entry.summary;
  });

  app.delete('/robots/:id', {
    onRequest: admin,
    schema: {
      tags: ['robots'], summary: 'Delete an uploaded robot',
      security: ADMIN_SECURITY,
      description: 'Deletes an uploaded robot (durably; with DATABASE_URL, from PostgreSQL, for every replica). Builtin robots cannot be deleted (409). '
        + '503 with Retry-After while the registry\'s database is unreachable.',
      // the example is the robot that the upload's example registers
      params: Type.Object({ id: Type.String({ ...RobotIdParams.properties.id, examples: ['two_link'] }) }),
      response: { 204: Type.Null({ description: 'deleted' }), ...problemResponses(400, 401, 403, 404, 409, 429, 503) },
    },
  }, async (request, reply) => {
    await registry.remove(request.params.id);
    return reply.code(204).send(null);
  });
};

/** The id of a JSON upload: from the body or ?id=, which must agree when both are given. */
function uploadId(bodyId: string | undefined, queryId: string | undefined): string | undefined {
  if (bodyId !== undefined && queryId !== undefined && bodyId !== queryId) {
    throw new HttpProblem(400, 'conflicting-ids', 'Two different robot ids',
      `the body names id "${bodyId}" and the query ?id="${queryId}": give one, or the same in both`);
  }
  return bodyId ?? queryId;
}
