/**
 * Security headers: helmet's, computed once at start-up and set on every response by one cheap
 * hook. (@fastify/helmet builds helmet's middleware again for every request, parsing the content
 * security policy each time: that halved the requests per second of the jacobian route.)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** The headers (lower-case names) that helmet sets with `options`. */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: unknown): void { headers.set(name.toLowerCase(), String(value)); },
    removeHeader(name: string): void { headers.delete(name.toLowerCase()); },
  };
  let finished = false;
  let failure: unknown;
  // helmet's middleware is synchronous and needs nothing of the request for fixed options
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    finished = true;
    failure = error;
  });
  if (!finished) throw new Error('helmet did not finish synchronously; its headers cannot be computed once');
  if (failure) throw failure instanceof Error ? failure : new Error('helmet did not accept its options', { cause: failure });
  return Object.fromEntries(headers);
}
