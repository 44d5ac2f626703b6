/**
 * Who may change the set of robots. With an admin token configured, POST /robots and
 * DELETE /robots/{id} need `Authorization: Bearer <token>` (401 without it, 403 with another);
 * without one they are allowed only while the server listens on a loopback address, where only
 * local processes can reach it. Read routes are always open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { HttpProblem } from './problem.js';

/**
 * Whether HOST is a loopback address: 127.0.0.0/8, ::1 (also bracketed), an IPv4-mapped
 * 127.x.y.z, or the name localhost. Any other name counts as not loopback, whatever it resolves
 * to (a name such as 127.example.com is not an address).
 */
export function isLoopbackHost(host: string): boolean {
  const address = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (address.toLowerCase() === 'localhost') return true;
  if (isIPv4(address)) return address.startsWith('127.');
  if (!isIPv6(address)) return false;
  const lower = address.toLowerCase();
  if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped !== null && mapped[1]!.startsWith('127.');
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * An onRequest hook that enforces the rule above: it needs only the headers, so that a caller
 * without the right to change robots is refused before any body is read or validated.
 */
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
