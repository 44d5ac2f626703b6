/**
 * One control session of the stream (GET /robots/{id}/stream): configured once, then commands
 * answered by results computed by the same functions as POST ik/velocity and ik/step
 * (ik-commands.ts), on the session's own workspace.
 *
 * Safety as MoveIt Servo has it: the latest command wins (commands that arrive while one waits
 * replace it and are listed in the result's `skipped`); a watchdog sends one halt frame when no
 * command came for commandTimeoutMs; the slow-down near singularities and limits is ik/velocity's.
 * Limits: frames per second (a token bucket), and the bytes of results the client leaves unread.
 */
import type { WebSocket } from '@fastify/websocket';
import type { FastifyBaseLogger } from 'fastify';
import { createIkWorkspace, type IkWorkspace } from '../core/ik/ik-workspace.js';
import { readJointVector } from '../core/joint-vector.js';
import type { RobotEntry } from '../robots/registry.js';
import {
  prepareIkStep, prepareIkVelocity, runIkStep, runIkVelocity, targetOf, type PreparedIkStep, type PreparedIkVelocity,
} from './ik-commands.js';
import { parseJsonText } from './json-body.js';
import type { ServiceMetrics } from './metrics.js';
import { HttpProblem, toProblem } from './problem.js';
import {
  binaryCommandValues, encodeStepResult, encodeVelocityResult, isFloat64Frame, readBinaryCommand, type StreamMode,
} from './stream-codec.js';
import { DEFAULT_COMMAND_TIMEOUT_MS } from './schemas/stream.js';

/** A compiled validator (Fastify's, so that the problems read as over HTTP). */
export type FrameValidator = ((frame: unknown) => boolean) & { errors?: unknown[] | null };

export interface StreamValidators {
  configure: Record<StreamMode, FrameValidator>;
  command: Record<StreamMode, FrameValidator>;
}

export interface StreamLimits {
  /** Frames per second; the bucket holds a tenth of a second of them (at least 10). */
  maxCommandRate: number;
  /** Unread result bytes beyond which the session is closed with 1008. */
  maxBufferedBytes: number;
}

/** WebSocket close codes (RFC 6455, section 7.4.1). */
export const CLOSE = { goingAway: 1001, invalidData: 1007, policy: 1008, tooBig: 1009, tryAgainLater: 1013 } as const;

/** How long a closing handshake may take before the socket is cut. */
const CLOSE_GRACE_MS = 1000;

interface VelocityCommandFrame { seq: number; q: number[] | Record<string, number>; twist: { linear: number[]; angular: number[] } }
interface StepCommandFrame { seq: number; q: number[] | Record<string, number>; target: { position: number[]; quaternion?: number[]; rotation?: number[][] } }

/** A parsed frame's seq when it has a usable one (for error frames about it). */
function seqOf(frame: unknown): number | undefined {
  const seq = (frame as { seq?: unknown } | null)?.seq;
  return Number.isSafeInteger(seq) && (seq as number) >= 0 ? seq as number : undefined;
}

/** A validation failure in the shape problem.ts reads Fastify's. */
function validationError(errors: unknown[] | null | undefined): unknown {
  return { validation: errors ?? [], validationContext: 'body' };
}

/**
 * The sessions with a command waiting, all computed by one setImmediate after the frames read in
 * this turn of the event loop (rather than an immediate per session per command: at 16 sessions
 * at 500 Hz that is 8000 immediates a second). Frames are read in the poll phase and the queue
 * runs in the check phase just after, so a command waits no longer than it did.
 */
let waiting: StreamSession[] = [];
let spare: StreamSession[] = [];
let computeScheduled = false;

function computeWaiting(): void {
  computeScheduled = false;
  const sessions = waiting;
  waiting = spare;
  spare = sessions;
  try {
    for (const session of sessions) session.computePending();
  } finally {
    sessions.length = 0;
  }
}

function scheduleCompute(session: StreamSession): void {
  waiting.push(session);
  if (!computeScheduled) {
    computeScheduled = true;
    setImmediate(computeWaiting);
  }
}

export class StreamSession {
  mode: StreamMode | undefined;
  private velocity: PreparedIkVelocity | undefined;
  private step: PreparedIkStep | undefined;
  private commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS;
  private readonly dof: number;
  private readonly ik: IkWorkspace;
  private readonly q: Float64Array<ArrayBuffer>;
  private readonly twist = new Float64Array(6);
  private readonly X_BT = new Float64Array(12);
  private readonly binaryTarget = { position: new Float64Array(3), quaternion: new Float64Array(4) };
  /** The waiting command: a validated JSON frame, or (binary) its values in pendingValues. */
  private pending: VelocityCommandFrame | StepCommandFrame | undefined;
  private pendingSeq = -1;
  private pendingBinary = false;
  private pendingValues: Float64Array;
  /** Where a binary frame is read first, swapped with pendingValues once it is valid. */
  private readValues: Float64Array;
  private readonly skipped: number[] = [];
  private scheduled = false;
  private watchdog: NodeJS.Timeout | undefined;
  private halted = false;
  private lastSeq = -1;
  private tokens: number;
  private readonly bucketSize: number;
  private refilledAt = performance.now();
  private closing = false;
  readonly openedAt = Date.now();
  readonly counts = { commands: 0, skipped: 0, halts: 0, errors: 0 };

  constructor(
    private readonly ws: WebSocket,
    private readonly entry: RobotEntry,
    private readonly validators: StreamValidators,
    private readonly limits: StreamLimits,
    private readonly metrics: ServiceMetrics,
    private readonly log: FastifyBaseLogger,
  ) {
    const { model } = entry.context.robot;
    this.dof = model.dof;
    this.ik = createIkWorkspace(model);
    this.q = new Float64Array(this.dof);
    this.pendingValues = new Float64Array(binaryCommandValues('step', this.dof));
    this.readValues = new Float64Array(this.pendingValues.length);
    this.bucketSize = Math.max(10, limits.maxCommandRate / 10);
    this.tokens = this.bucketSize;
    ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    ws.on('close', () => this.onClosed());
  }

  /** Closes the session with `code` (the handshake gets CLOSE_GRACE_MS, then the socket is cut). */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.stopTimers();
    this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** Calls `listener` once the socket is closed (at once if it is). */
  onceClosed(listener: () => void): void {
    if (this.ws.readyState === this.ws.CLOSED) listener();
    else this.ws.once('close', () => listener());
  }

  private onClosed(): void {
    this.closing = true;
    this.stopTimers();
  }

  private stopTimers(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.pending = undefined;
  }

  /** A token of the frame-rate bucket, refilled at maxCommandRate per second. */
  private takeToken(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.bucketSize, this.tokens + ((now - this.refilledAt) * this.limits.maxCommandRate) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.closing) return;
    if (!this.takeToken()) {
      this.sendError(undefined, new HttpProblem(429, 'rate-limited', 'Too many commands',
        `more than ${this.limits.maxCommandRate} frames per second on this session (STREAM_MAX_COMMAND_RATE); this frame was dropped, send fewer`));
      return;
    }
    if (isBinary) {
      this.onBinaryFrame(data);
      return;
    }
    const parsed = parseJsonText(data.toString('utf8'));
    if (parsed.problem) {
      if (parsed.syntax) this.close(CLOSE.invalidData, 'a text frame must be JSON');
      else this.sendError(undefined, parsed.problem);
      return;
    }
    const frame = parsed.value as { type?: unknown } | null;
    const type = typeof frame === 'object' && frame !== null && !Array.isArray(frame) ? frame.type : undefined;
    if (type === 'command') this.onCommand(frame);
    else if (type === 'configure') this.onConfigure(frame);
    else {
      this.sendError(seqOf(frame), new HttpProblem(400, 'invalid-frame', 'Invalid frame',
        'a text frame is a JSON object whose "type" is "configure" (first) or "command"'));
    }
  }

  private onConfigure(frame: unknown): void {
    if (this.mode) {
      this.sendError(undefined, new HttpProblem(409, 'already-configured', 'Session already configured',
        `this session is configured (mode ${this.mode}); a session is configured once: open another session for another configuration`));
      return;
    }
    const mode = (frame as { mode?: unknown }).mode;
    if (mode !== 'velocity' && mode !== 'step') {
      this.sendError(undefined, validationError([{ instancePath: '/mode', keyword: 'enum', params: { allowedValues: ['velocity', 'step'] } }]));
      return;
    }
    const validate = this.validators.configure[mode];
    if (!validate(frame)) {
      this.sendError(undefined, validationError(validate.errors));
      return;
    }
    const fields = frame as Parameters<typeof prepareIkVelocity>[1] & Parameters<typeof prepareIkStep>[1] & { commandTimeoutMs?: number };
    try {
      if (mode === 'velocity') this.velocity = prepareIkVelocity(this.entry, fields);
      else this.step = prepareIkStep(this.entry, fields);
    } catch (error) {
      this.sendError(undefined, error);
      return;
    }
    this.mode = mode;
    this.commandTimeoutMs = fields.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.send(JSON.stringify({
      type: 'configured', mode, joints: this.entry.context.robot.model.jointNames, dof: this.dof,
      commandTimeoutMs: this.commandTimeoutMs, binaryCommandValues: binaryCommandValues(mode, this.dof),
    }));
  }

  private onCommand(frame: unknown): void {
    const seq = seqOf(frame);
    if (!this.mode) {
      this.sendError(seq, notConfigured());
      return;
    }
    const validate = this.validators.command[this.mode];
    if (!validate(frame)) {
      this.sendError(seq, validationError(validate.errors));
      return;
    }
    this.accept(seq!, frame as VelocityCommandFrame | StepCommandFrame, false);
  }

  private onBinaryFrame(data: Buffer): void {
    if (!isFloat64Frame(data)) {
      this.close(CLOSE.invalidData, 'a binary frame must be whole little-endian float64 values');
      return;
    }
    if (!this.mode) {
      this.sendError(undefined, notConfigured());
      return;
    }
    let seq: number;
    try {
      seq = readBinaryCommand(data, this.mode, this.dof, this.readValues);
    } catch (error) {
      this.sendError(undefined, error);
      return;
    }
    // the frame is valid: it becomes the waiting command (swap, so that a waiting one is not overwritten before)
    const values = this.readValues;
    this.readValues = this.pendingValues;
    this.pendingValues = values;
    this.accept(seq, undefined, true);
  }

  /** A valid command: it replaces a waiting one (latest wins) and re-arms the watchdog. */
  private accept(seq: number, frame: VelocityCommandFrame | StepCommandFrame | undefined, binary: boolean): void {
    if (this.pendingSeq >= 0) this.skipped.push(this.pendingSeq);
    this.pending = frame;
    this.pendingSeq = seq;
    this.pendingBinary = binary;
    this.lastSeq = seq;
    this.halted = false;
    if (this.watchdog) this.watchdog.refresh();
    else this.watchdog = setTimeout(() => this.onCommandTimeout(), this.commandTimeoutMs);
    if (!this.scheduled) {
      this.scheduled = true;
      // after every frame read in this turn of the event loop: only the newest is computed
      scheduleCompute(this);
    }
  }

  /** Computes the waiting command, if any (called by computeWaiting once per turn of the event loop). */
  computePending(): void {
    this.scheduled = false;
    const seq = this.pendingSeq;
    if (this.closing || seq < 0) return;
    const frame = this.pending;
    const binary = this.pendingBinary;
    this.pending = undefined;
    this.pendingSeq = -1;
    const skipped = this.skipped.length > 0 ? this.skipped.splice(0) : undefined;
    if (skipped) {
      this.counts.skipped += skipped.length;
      this.metrics.streamCommandsSkipped(skipped.length);
    }
    const t0 = performance.now();
    let answer: ReturnType<typeof runIkVelocity> | ReturnType<typeof runIkStep>;
    try {
      answer = this.mode === 'velocity' ? this.computeVelocity(frame as VelocityCommandFrame | undefined) : this.computeStep(frame as StepCommandFrame | undefined);
    } catch (error) {
      this.sendError(seq, error, skipped);
      return;
    }
    const computeUs = Math.round((performance.now() - t0) * 10000) / 10;
    this.counts.commands++;
    this.metrics.observeStreamCommand(computeUs / 1e6);
    if (binary) {
      this.send(this.mode === 'velocity'
        ? encodeVelocityResult(seq, computeUs, skipped ?? [], answer as ReturnType<typeof runIkVelocity>)
        : encodeStepResult(seq, computeUs, skipped ?? [], answer as ReturnType<typeof runIkStep>));
    } else {
      this.send(JSON.stringify(skipped ? { type: 'result', seq, skipped, ...answer, computeUs } : { type: 'result', seq, ...answer, computeUs }));
    }
  }

  private computeVelocity(frame: VelocityCommandFrame | undefined): ReturnType<typeof runIkVelocity> {
    const { q, twist } = this;
    if (frame) {
      readJointVector(this.entry.context.robot.model, frame.q, 'q', q);
      const { linear, angular } = frame.twist;
      for (let i = 0; i < 3; i++) { twist[i] = linear[i]!; twist[i + 3] = angular[i]!; }
    } else {
      const v = this.pendingValues;
      for (let k = 0; k < this.dof; k++) q[k] = v[1 + k]!;
      for (let i = 0; i < 6; i++) twist[i] = v[1 + this.dof + i]!;
    }
    return runIkVelocity(this.velocity!, this.ik, q, twist);
  }

  private computeStep(frame: StepCommandFrame | undefined): ReturnType<typeof runIkStep> {
    const { q } = this;
    const step = this.step!;
    if (frame) {
      readJointVector(this.entry.context.robot.model, frame.q, 'q', q);
      targetOf(frame.target, step.taskWeights, this.X_BT);
    } else {
      const v = this.pendingValues;
      const { position, quaternion } = this.binaryTarget;
      for (let k = 0; k < this.dof; k++) q[k] = v[1 + k]!;
      for (let i = 0; i < 3; i++) position[i] = v[1 + this.dof + i]!;
      for (let i = 0; i < 4; i++) quaternion[i] = v[4 + this.dof + i]!;
      targetOf(this.binaryTarget, step.taskWeights, this.X_BT);
    }
    return runIkStep(step, this.ik, q, this.X_BT);
  }

  /** No command for commandTimeoutMs: one halt frame (a zero command), until the next command. */
  private onCommandTimeout(): void {
    if (this.closing || this.halted) return;
    this.halted = true;
    this.counts.halts++;
    this.metrics.streamHalted();
    const zero = new Array<number>(this.dof).fill(0);
    this.send(JSON.stringify({ type: 'halt', reason: 'command-timeout', seq: this.lastSeq, ...(this.mode === 'velocity' ? { qdot: zero } : { dq: zero }) }));
  }

  private sendError(seq: number | undefined, error: unknown, skipped?: number[]): void {
    const { problem, internal } = toProblem(error);
    if (internal) this.log.error({ err: error, robot: this.entry.id }, 'stream command failed');
    this.counts.errors++;
    this.send(JSON.stringify({ type: 'error', ...(seq !== undefined ? { seq } : {}), ...(skipped ? { skipped } : {}), problem }));
  }

  /** Sends a frame unless the client has left more than maxBufferedBytes unread: then the session ends (1008). */
  private send(frame: string | Uint8Array): void {
    if (this.closing) return;
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.log.warn({ robot: this.entry.id, bufferedBytes: this.ws.bufferedAmount }, 'stream session closed: the client does not read its results');
      this.close(CLOSE.policy, 'results are not being read');
      return;
    }
    this.ws.send(frame);
  }
}

function notConfigured(): HttpProblem {
  return new HttpProblem(400, 'not-configured', 'Session not configured',
    'send {"type": "configure", "mode": "velocity" | "step", ...options} before the first command');
}
