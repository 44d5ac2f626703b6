/**
 * A WebSocket client of the control stream for tests (the ws package, as a controller would use
 * it): frames are queued as they arrive and taken in order with next().
 */
import type { Socket } from 'node:net';
import WebSocket, { type RawData } from 'ws';

export interface Frame { type: string; [key: string]: any }

export interface StreamClient {
  ws: WebSocket;
  /** The next frame (JSON parsed; binary frames as a Float64Array), waiting up to timeoutMs. */
  next(timeoutMs?: number): Promise<Frame | Float64Array>;
  /** The next JSON frame. */
  nextJson(timeoutMs?: number): Promise<Frame>;
  /** Frames received and not yet taken. */
  readonly queued: (Frame | Float64Array)[];
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  send(frame: object): void;
}

function decode(data: RawData, isBinary: boolean): Frame | Float64Array {
  const buffer = data as Buffer;
  if (!isBinary) return JSON.parse(buffer.toString('utf8')) as Frame;
  const values = new Float64Array(buffer.length / 8);
  for (let i = 0; i < values.length; i++) values[i] = buffer.readDoubleLE(8 * i);
  return values;
}

/** Opens a session; rejects with the HTTP status and body when the upgrade is refused. */
export function openStream(baseUrl: string, robot: string, headers: Record<string, string> = {}): Promise<StreamClient> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/robots/${robot}/stream`, { headers });
  const queued: (Frame | Float64Array)[] = [];
  const waiting: ((frame: Frame | Float64Array) => void)[] = [];
  ws.on('message', (data, isBinary) => {
    const frame = decode(data, isBinary);
    const waiter = waiting.shift();
    if (waiter) waiter(frame);
    else queued.push(frame);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const next = (timeoutMs = 5000): Promise<Frame | Float64Array> => {
    const frame = queued.shift();
    if (frame) return Promise.resolve(frame);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no frame within ${timeoutMs} ms`)), timeoutMs);
      waiting.push((f) => { clearTimeout(timer); resolve(f); });
    });
  };
  const client: StreamClient = {
    ws, queued, closed, next,
    nextJson: async (timeoutMs) => {
      const frame = await next(timeoutMs);
      if (frame instanceof Float64Array) throw new Error('expected a JSON frame, got a binary one');
      return frame;
    },
    send: (frame) => ws.send(JSON.stringify(frame)),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
      response.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), {
        status: response.statusCode, headers: response.headers, body: body ? JSON.parse(body) as unknown : undefined,
      })));
    });
    ws.once('error', reject);
  });
}

/** Sends frames in one TCP write (the socket corked meanwhile), so that the server reads them together. */
export function sendBurst(client: StreamClient, frames: (object | Float64Array)[]): void {
  const socket = (client.ws as unknown as { _socket: Socket })._socket;
  socket.cork();
  for (const frame of frames) client.ws.send(frame instanceof Float64Array ? frame : JSON.stringify(frame));
  process.nextTick(() => socket.uncork());
}
