/**
 * What protects the service and its callers: security headers (helmet, with a content security
 * policy that Swagger UI works under), CORS only for the origins configured, rate limiting per
 * client address when configured (429 with Retry-After), and load shedding (503 with Retry-After)
 * when the event loop lags or the heap is nearly full, so that overload shows as refusals and
 * latency rather than as a crash. /healthz is never shed or limited: liveness must tell a stuck
 * process from a busy one.
 */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../config.js';
import { HttpProblem } from './problem.js';

/** Seconds a client is told to wait after a 503 for load. */
const RETRY_AFTER_OVERLOAD_S = 1;
/**
 * Load shedding starts this long after the app is ready: the load monitor averages the event-loop
 * delay over 1 s samples, and its first samples measure start-up work (compiling schemas and
 * kernels), not load.
 */
const SHEDDING_GRACE_MS = 2500;

/** Route config that exempts a route (health, metrics) from rate limiting and load shedding. */
export const ALWAYS_ANSWERED = { rateLimit: false, pressureHandler: (): undefined => undefined } as const;

export async function registerProtection(app: FastifyInstance, config: AppConfig): Promise<void> {
  await app.register(helmet, {
    // JSON routes are not documents; the policy matters for Swagger UI at /docs, which needs its
    // inline styles, data: images and calls back to this origin
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
    crossOriginResourcePolicy: { policy: config.corsOrigins.length > 0 ? 'cross-origin' : 'same-origin' },
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
    retryAfter: RETRY_AFTER_OVERLOAD_S,
    pressureHandler: (_request, _reply, type, value) => {
      if (Date.now() < sheddingFrom) return undefined; // still measuring start-up: serve normally
      throw new HttpProblem(503, 'overloaded', 'Service overloaded',
        `the service is overloaded (${type}: ${Math.round(Number(value))}); retry in ${RETRY_AFTER_OVERLOAD_S} s or send the request to another instance`,
        { 'retry-after': String(RETRY_AFTER_OVERLOAD_S) });
    },
  });
}
