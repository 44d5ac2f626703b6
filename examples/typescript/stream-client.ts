/**
 * A typed client of the control stream (GET /robots/{id}/stream): the frame types come from the
 * 101 response of the stream route in openapi/openapi.json (api.d.ts, `npm run client:types`).
 * One command in flight at a time; halts and errors are reported to the caller.
 *
 *   npx tsx examples/typescript/stream-client.ts --base-url http://127.0.0.1:8080 [--robot ur5e] [--rate 250] [--seconds 2]
 *
 * Drives the UR5e tool along x at 2 cm/s at --rate, integrating q += qdot dt, and prints the
 * round-trip latency and the last result; exits 1 when the service refuses.
 */
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import type { paths } from './api.js';

type Frames = paths['/robots/{id}/stream']['get']['responses'][101]['content']['application/json'];
export type ClientFrame = Frames['client'];
export type ServerFrame = Frames['server'];
export type VelocityConfigure = Extract<ClientFrame, { mode: 'velocity' }>;
export type VelocityCommand = Extract<ClientFrame, { twist: unknown }>;
export type Configured = Extract<ServerFrame, { type: 'configured' }>;
export type VelocityResult = Extract<ServerFrame, { type: 'result'; qdot: unknown }>;
export type Halt = Extract<ServerFrame, { type: 'halt' }>;
export type StreamErrorFrame = Extract<ServerFrame, { type: 'error' }>;

/** One control session of one robot. */
export class ControlStream {
  private waiting: ((frame: ServerFrame) => void) | undefined;
  onHalt: (halt: Halt) => void = () => undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse((data as Buffer).toString('utf8')) as ServerFrame;
      if (frame.type === 'halt') { this.onHalt(frame); return; }
      const waiter = this.waiting;
      this.waiting = undefined;
      waiter?.(frame);
    });
  }

  static open(baseUrl: string, robot: string): Promise<ControlStream> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/robots/${encodeURIComponent(robot)}/stream`, { perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new ControlStream(ws)));
      ws.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: HTTP ${response.statusCode}`)));
      ws.once('error', reject);
    });
  }

  private exchange(frame: ClientFrame): Promise<ServerFrame> {
    return new Promise((resolve) => { this.waiting = resolve; this.ws.send(JSON.stringify(frame)); });
  }

  async configure(options: Omit<VelocityConfigure, 'type' | 'mode'>): Promise<Configured> {
    const answer = await this.exchange({ type: 'configure', mode: 'velocity', ...options });
    if (answer.type !== 'configured') throw new Error(`configure refused: ${(answer as StreamErrorFrame).problem.detail}`);
    return answer;
  }

  /** Sends a velocity command and resolves with its result. */
  async command(command: Omit<VelocityCommand, 'type'>): Promise<VelocityResult> {
    const answer = await this.exchange({ type: 'command', ...command });
    if (answer.type !== 'result') throw new Error(`command ${command.seq} refused: ${(answer as StreamErrorFrame).problem.detail}`);
    return answer as VelocityResult;
  }

  close(): void { this.ws.close(1000); }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    'base-url': { type: 'string', default: 'http://127.0.0.1:8080' }, robot: { type: 'string', default: 'ur5e' },
    rate: { type: 'string', default: '250' }, seconds: { type: 'string', default: '2' },
  } });
  const rate = Number(values.rate);
  const dt = 1 / rate;
  const stream = await ControlStream.open(values['base-url'], values.robot);
  const configured = await stream.configure({ dt, commandTimeoutMs: 100 });
  console.log(`configured: ${configured.mode}, ${configured.dof} joints (${configured.joints.join(', ')})`);
  let q = values.robot === 'ur5e' ? [0, -1.2, 1.5, -1.9, -1.57, 0] : new Array<number>(configured.dof).fill(0);
  const latencies: number[] = [];
  const ticks = Math.round(Number(values.seconds) * rate);
  const start = performance.now();
  let last: VelocityResult | undefined;
  for (let seq = 0; seq < ticks; seq++) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + seq * 1000 * dt - performance.now())));
    const t0 = performance.now();
    last = await stream.command({ seq, q, twist: { linear: [0.02, 0, 0], angular: [0, 0, 0] } });
    latencies.push((performance.now() - t0) * 1000);
    q = q.map((qi, k) => qi + last!.qdot[k]! * dt);
  }
  stream.close();
  latencies.sort((a, b) => a - b);
  console.log(`${ticks} commands at ${rate} Hz: round trip p50 ${latencies[Math.floor(ticks / 2)]!.toFixed(0)} µs, p99 ${latencies[Math.ceil(0.99 * ticks) - 1]!.toFixed(0)} µs`);
  console.log(`last result: seq ${last!.seq}, status ${last!.status}, scale ${last!.scale}, computeUs ${last!.computeUs}`);
}

if (process.argv[1]?.endsWith('stream-client.ts')) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
