/**
 * GET /robots/{id}/stream: a WebSocket control session (see stream-session.ts). What is checked
 * before the upgrade answers as over HTTP (problem+json): the robot id, the session cap and
 * shutdown (503 with Retry-After), the browser origin (403), the rate limit (429, registered
 * globally); a request without an upgrade gets 426.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WebSocket } from '@fastify/websocket';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppConfig } from '../../config.js';
import type { RobotRegistry } from '../../robots/registry.js';
import type { ServiceMetrics, StreamRefusal } from '../metrics.js';
import { HttpProblem } from '../problem.js';
import { RobotIdParams, problemResponses } from '../schemas/common.js';
import {
  BINARY_LAYOUT, DEFAULT_COMMAND_TIMEOUT_MS, STREAM_FRAMES, StreamConfigureStep, StreamConfigureVelocity, StreamStepCommand,
  StreamVelocityCommand,
} from '../schemas/stream.js';
import { CLOSE, StreamSession, type FrameValidator, type StreamValidators } from '../stream-session.js';
import type { ServiceState } from './operations.js';

/** The open sessions of an app, closed with 1001 when the app closes (after the drain delay). */
export class StreamSessions {
  readonly open = new Set<StreamSession>();

  /** Closes every session with 1001 and resolves once their sockets are closed (each is cut after a second at most). */
  async closeAll(): Promise<void> {
    const closed = [...this.open].map((session) => new Promise<void>((resolve) => {
      session.onceClosed(resolve);
      session.close(CLOSE.goingAway, 'server shutting down');
    }));
    await Promise.all(closed);
  }
}

export interface StreamRoutesOptions {
  registry: RobotRegistry;
  config: AppConfig;
  metrics: ServiceMetrics;
  state: ServiceState;
  sessions: StreamSessions;
}

const PROTOCOL = [
  'Upgrades to a WebSocket: one control session of one robot, for a controller\'s servo loop (the service commands a local',
  'real-time loop; it is not the loop itself). Text frames are JSON objects with a "type".',
  '1. The client sends {"type": "configure", "mode": "velocity" | "step", ...options} with the options of POST ik/velocity',
  `or ik/step (tip, base, tipOffset, referenceFrame, ...; commandTimeoutMs, default ${DEFAULT_COMMAND_TIMEOUT_MS}) and gets {"type": "configured", joints, dof, mode, commandTimeoutMs, binaryCommandValues}.`,
  '2. Each {"type": "command", seq, q, twist} (velocity) or {"type": "command", seq, q, target} (step) is answered by',
  '{"type": "result", seq, ...the fields of the ik/velocity or ik/step answer, computeUs}: the same numbers as the HTTP route for the same input.',
  'Latest wins: commands that arrive while one waits replace it; the result of the newest lists the others in "skipped".',
  'No command for commandTimeoutMs: one {"type": "halt", reason: "command-timeout", seq, qdot (or dq): zeros}, until the next command.',
  'A refused frame gets {"type": "error", seq?, problem} (the problem document the HTTP route would answer) and the session goes on;',
  'more than STREAM_MAX_COMMAND_RATE frames per second get 429 error frames. A text frame that is not JSON closes the session with 1007,',
  'a frame beyond STREAM_MAX_FRAME_BYTES with 1009, a client that leaves more than STREAM_MAX_BUFFERED_BYTES of results unread with 1008,',
  'and shutdown with 1001 (after the drain delay). At most STREAM_MAX_SESSIONS sessions: more are refused with 503 at the upgrade.',
  'Browsers may connect from this origin or from CORS_ORIGINS. The frames are described in the 101 response (client and server).',
  BINARY_LAYOUT,
].join(' ');

/** Whether a browser on `origin` may open a session: same origin, or allowed by CORS_ORIGINS. */
function originAllowed(origin: string, host: string | undefined, corsOrigins: readonly string[]): boolean {
  if (corsOrigins.includes('*') || corsOrigins.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

export const streamRoutes: FastifyPluginAsyncTypebox<StreamRoutesOptions> = async (app, { registry, config, metrics, state, sessions }) => {
  const refuse = (reason: StreamRefusal, problem: HttpProblem): HttpProblem => {
    metrics.streamSessionRefused(reason);
    return problem;
  };
  const tooMany = (): HttpProblem => refuse('too-many-sessions', new HttpProblem(503, 'too-many-sessions', 'Too many sessions',
    `this instance has ${config.streamMaxSessions} control sessions open, the most it takes (STREAM_MAX_SESSIONS); retry later or connect to another instance`,
    { 'retry-after': '1' }));
  const limits = { maxCommandRate: config.streamMaxCommandRate, maxBufferedBytes: config.streamMaxBufferedBytes };

  app.route({
    method: 'GET',
    url: '/robots/:id/stream',
    schema: {
      tags: ['inverse kinematics'], summary: 'Streaming control: a WebSocket session of ik/velocity or ik/step commands',
      description: PROTOCOL,
      params: RobotIdParams,
      response: {
        101: {
          description: 'Switching Protocols: the session is open. The content describes its JSON text frames: `client` what the client sends, `server` what it answers.',
          content: {
            'application/json': {
              schema: Type.Object({
                client: Type.Union(Object.values(STREAM_FRAMES.client)),
                server: Type.Union(Object.values(STREAM_FRAMES.server)),
              }),
            },
          },
        },
        ...problemResponses(400, 403, 404, 426, 429),
      },
    },
    onRequest: (request, _reply, done) => {
      if (state.draining) {
        done(refuse('shutting-down', new HttpProblem(503, 'shutting-down', 'Shutting down',
          'the service is shutting down; open the session on another instance', { 'retry-after': '1' })));
        return;
      }
      if (sessions.open.size >= config.streamMaxSessions) {
        done(tooMany());
        return;
      }
      const origin = request.headers.origin;
      if (origin !== undefined && !originAllowed(origin, request.headers.host, config.corsOrigins)) {
        done(refuse('origin-not-allowed', new HttpProblem(403, 'origin-not-allowed', 'Origin not allowed',
          `a browser on ${origin} may not open a session here: only this service's own origin and the origins in CORS_ORIGINS may`)));
        return;
      }
      done();
    },
    // the robot must exist before the upgrade, so that an unknown one is a 404
    preHandler: (request, _reply, done) => {
      try {
        registry.get((request.params).id);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    handler: () => {
      throw new HttpProblem(426, 'upgrade-required', 'Upgrade required',
        'this route is a WebSocket: connect with a WebSocket client (Upgrade: websocket), e.g. ws://host:port/robots/{id}/stream');
    },
    wsHandler: (socket: WebSocket, request: FastifyRequest) => {
      const id = (request.params as { id: string }).id;
      if (sessions.open.size >= config.streamMaxSessions) {
        // upgrades that passed the check together: the cap holds all the same
        tooMany();
        socket.close(CLOSE.tryAgainLater, 'too many sessions');
        return;
      }
      request.raw.socket.setNoDelay(true); // a small frame per command: no Nagle delay
      const entry = registry.get(id);
      const session = new StreamSession(socket, entry, validatorsOf(request), limits, metrics, request.log);
      sessions.open.add(session);
      metrics.streamSessionOpened();
      request.log.info({ robot: id, remoteAddress: request.ip, sessions: sessions.open.size }, 'stream session opened');
      socket.on('close', (code: number) => {
        sessions.open.delete(session);
        metrics.streamSessionClosed();
        request.log.info({ robot: id, mode: session.mode, code, durationMs: Date.now() - session.openedAt, ...session.counts }, 'stream session closed');
      });
    },
  });
};

/** The frame validators, compiled by the route's own validator compiler (the one of the HTTP routes; cached per route). */
function validatorsOf(request: FastifyRequest): StreamValidators {
  const compile = (schema: object): FrameValidator => request.compileValidationSchema(schema) as FrameValidator;
  return {
    configure: { velocity: compile(StreamConfigureVelocity), step: compile(StreamConfigureStep) },
    command: { velocity: compile(StreamVelocityCommand), step: compile(StreamStepCommand) },
  };
}
