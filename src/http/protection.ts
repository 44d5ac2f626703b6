/**
 * What protects the service and its callers: security headers (helmet's for Swagger UI and the
 * viewer, each with a content security policy that it works under; a lean set for API answers), CORS only for the origins configured, rate limiting per
 * client address when configured (429 with Retry-After), and load shedding (503 with Retry-After)
 * when the event loop lags or the heap is nearly full, so that overload shows as refusals and
 * latency rather than as a crash. /healthz is never shed or limited: liveness must tell a stuck
 * process from a busy one.
 */
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../config.js';
import { HttpProblem } from './problem.js';
import { securityHeaders } from './security-headers.js';

/** Seconds a client is told to wait after a 503 for load. */
const RETRY_AFTER_OVERLOAD_S = 1;
/**
 * Load shedding starts this long after the app is ready: the load monitor averages the event-loop
 * delay over 1 s samples, and its first samples measure start-up work (compiling schemas and
 * kernels), not load.
 */
const SHEDDING_GRACE_MS = 2500;

/** The viewer page and its assets. */
const VIEWER_PATH = /^\/viewer(?:[/?]|$)/;

/** Route config that exempts a route (health, metrics) from rate limiting and load shedding. */
export const ALWAYS_ANSWERED = { rateLimit: false, pressureHandler: (): undefined => undefined } as const;

export async function registerProtection(app: FastifyInstance, config: AppConfig): Promise<void> {
  const crossOriginResourcePolicy = config.corsOrigins.length > 0 ? 'cross-origin' : 'same-origin';
  // Swagger UI is a document a browser renders: helmet's full set, with a policy under which it
  // works (its inline styles, data: images and calls back to this origin)
  const documentHeaders = securityHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginResourcePolicy: { policy: crossOriginResourcePolicy },
  });
  // The viewer (/viewer) is a document too, and needs less than Swagger UI: its one script, its
  // one style sheet and its API calls, all from this origin (three.js draws into a WebGL canvas,
  // which no directive governs; the page sets no inline styles or scripts, so no 'unsafe-inline').
  // upgrade-insecure-requests is left out: the service is often reached over plain HTTP on a
  // local network or inside a cluster, where it would make the browser ask for the page's script
  // over HTTPS and fail.
  const viewerHeaders = securityHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        connectSrc: ["'self'"],
        imgSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginResourcePolicy: { policy: crossOriginResourcePolicy },
  });
  // JSON and binary answers are never rendered: what matters for them (OWASP's REST security
  // cheat sheet) is no sniffing into a document, nothing loaded or framed if one is opened, and no
  // cross-origin reads. Three headers instead of twelve: headers are a measurable part of the cost
  // of a small answer.
  const apiHeaders = {
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cross-origin-resource-policy': crossOriginResourcePolicy,
  };
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(request.url.startsWith('/docs') ? documentHeaders : VIEWER_PATH.test(request.url) ? viewerHeaders : apiHeaders);
    done();
  });
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      methods: ['GET', 'POST', 'DELETE'],
      exposedHeaders: ['x-request-id', 'location', 'retry-after'],
    });
  }
  if (config.rateLimitMax > 0) {
    await app.register(rateLimit, {
      max: config.rateLimitMax,
      timeWindow: config.rateLimitWindowMs,
      errorResponseBuilder: (_request, context) => new HttpProblem(429, 'rate-limited', 'Too many requests',
        `more than ${context.max} requests in ${Math.round(config.rateLimitWindowMs / 1000)} s from this address; retry in ${Math.ceil(context.ttl / 1000)} s (see Retry-After)`),
    });
  }
  let sheddingFrom = Infinity;
  app.addHook('onReady', async () => { sheddingFrom = Date.now() + SHEDDING_GRACE_MS; });
  await app.register(underPressure, {
    maxEventLoopDelay: config.maxEventLoopDelayMs,
    maxHeapUsedBytes: config.maxHeapUsedBytes,
    maxRssBytes: config.maxRssBytes,
    retryAfter: RETRY_AFTER_OVERLOAD_S,
    pressureHandler: (_request, _reply, type, value) => {
      if (Date.now() < sheddingFrom) return undefined; // still measuring start-up: serve normally
      throw new HttpProblem(503, 'overloaded', 'Service overloaded',
        `the service is overloaded (${type}: ${Math.round(Number(value))}); retry in ${RETRY_AFTER_OVERLOAD_S} s or send the request to another instance`,
        { 'retry-after': String(RETRY_AFTER_OVERLOAD_S) });
    },
  });
}
