/**
 * Who may change the set of robots. With an admin token configured, POST /robots and
 * DELETE /robots/{id} need `Authorization: Bearer <token>` (401 without it, 403 with another);
 * without one they are allowed only while the server listens on a loopback address, where only
 * local processes can reach it. Read routes are always open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpProblem } from './problem.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** A preHandler that enforces the rule above. */
export function requireAdmin(adminToken: string | undefined, host: string): (request: FastifyRequest) => Promise<void> {
  // compare digests: equal lengths for timingSafeEqual, and no early exit on the first differing byte
  const expected = adminToken === undefined ? undefined : digest(adminToken);
  const loopback = isLoopbackHost(host);
  return async (request) => {
    if (!expected) {
      if (loopback) return;
      throw new HttpProblem(403, 'uploads-disabled', 'Robot changes are disabled',
        'changing robots is disabled: no ADMIN_TOKEN is configured and the server listens on a non-loopback address; set ADMIN_TOKEN and send Authorization: Bearer <token>');
    }
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw new HttpProblem(401, 'unauthorized', 'Authentication required',
        'this route needs the header Authorization: Bearer <ADMIN_TOKEN>', { 'www-authenticate': 'Bearer' });
    }
    if (!timingSafeEqual(digest(match[1]!), expected)) {
      throw new HttpProblem(403, 'forbidden', 'Forbidden', 'the bearer token is not the admin token');
    }
  };
}
