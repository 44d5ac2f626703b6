/**
 * The session clients of `npm run bench:stream`, run as their own process (see bench/stream-bench.ts),
 * so that the clients do not share one event loop with each other, nor with the bench's HTTP baseline.
 *
 * Usage: stream-client <ws-url> <rate-hz> <ticks> <offset-ms>... (one offset per session, within a period).
 * Opens and configures every session, prints `ready`, waits for `go` on stdin, then drives all of its
 * sessions from one ticker: a single timer loop that, each time it wakes, sends the command of every
 * session whose period has come (session s sends command k at start + offset_s + k * period). A
 * session whose next period has also passed when it is served has missed the periods in between:
 * it sends only the newest, as an overrun controller would, and the missed ones are counted. Round
 * trips run from just before `send` to the arrival of the result, on process.hrtime. A command due
 * within EARLY_US of a wake-up is sent at once (the timers' resolution is a millisecond). Prints one JSON
 * line (ClientReport) when every session has its last result (or after 2 s more).
 */
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { UR5E_Q, twistAt } from './stream-commands.js';

export interface ClientReport {
  /** Round trips of the results, µs. */
  roundTrips: number[];
  /** The server's computeUs of each result. */
  computeUs: number[];
  /** How late each command was sent after its period began, µs (the ticker's own lag). */
  sendLagUs: number[];
  skipped: number; late: number; halts: number; errors: number; lost: number;
  /** CPU time of this client process while its sessions ran (user + system), and the wall time, µs. */
  cpuUs: number; wallUs: number;
}

interface ServerFrame { type: string; seq: number; computeUs: number; skipped?: number[] }

const nowUs = (): number => Number(process.hrtime.bigint()) / 1000;

/**
 * A command due this soon is sent now. Node's timers count whole milliseconds, so a wait of 0.3 ms
 * takes 1 ms or more: without this margin a 1 kHz session would miss every period its timer
 * overshot, and the bench would measure the client's timer rather than the server.
 */
const EARLY_US = 500;

class Session {
  readonly sentAtUs: Float64Array;
  next = 0;
  dueUs = 0;
  results = 0;
  skipped = 0; late = 0; halts = 0; errors = 0;
  private configured: (() => void) | undefined;

  constructor(readonly ws: WebSocket, readonly ticks: number, readonly report: ClientReport, readonly onLast: () => void) {
    this.sentAtUs = new Float64Array(ticks);
    ws.on('message', (data) => this.onMessage(data as Buffer));
  }

  configure(rateHz: number): Promise<void> {
    return new Promise((resolve) => {
      this.configured = resolve;
      this.ws.send(JSON.stringify({ type: 'configure', mode: 'velocity', commandTimeoutMs: 1000, dt: 1 / rateHz }));
    });
  }

  send(k: number): void {
    this.sentAtUs[k] = nowUs();
    this.ws.send(JSON.stringify({ type: 'command', seq: k, q: UR5E_Q, twist: twistAt(k) }));
  }

  private onMessage(data: Buffer): void {
    const arrivedUs = nowUs();
    const frame = JSON.parse(data.toString('utf8')) as ServerFrame;
    if (this.configured) {
      const resolve = this.configured;
      this.configured = undefined;
      resolve();
      return;
    }
    if (frame.type === 'result') {
      this.report.roundTrips.push(arrivedUs - this.sentAtUs[frame.seq]!);
      this.report.computeUs.push(frame.computeUs);
      this.results++;
      this.skipped += frame.skipped?.length ?? 0;
      if (frame.seq === this.ticks - 1) this.onLast();
    } else if (frame.type === 'halt') {
      this.halts++;
    } else {
      this.errors++;
      if (frame.seq === this.ticks - 1) this.onLast();
    }
  }
}

async function main(): Promise<void> {
  const [wsUrl, rateText, ticksText, ...offsetTexts] = process.argv.slice(2);
  const rateHz = Number(rateText), ticks = Number(ticksText);
  const offsetsUs = offsetTexts.map((t) => Number(t) * 1000);
  const periodUs = 1e6 / rateHz;
  const report: ClientReport = { roundTrips: [], computeUs: [], sendLagUs: [], skipped: 0, late: 0, halts: 0, errors: 0, lost: 0, cpuUs: 0, wallUs: 0 };
  let remaining = offsetsUs.length;
  let allDone: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => { allDone = resolve; });
  const onLast = (): void => { if (--remaining === 0) allDone(); };

  const sessions = await Promise.all(offsetsUs.map(async () => {
    const ws = new WebSocket(wsUrl!, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    const session = new Session(ws, ticks, report, onLast);
    await session.configure(rateHz);
    return session;
  }));
  console.log('ready');
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  lines.close();

  const startUs = nowUs() + 20_000;
  const cpuAtStart = process.cpuUsage();
  for (let s = 0; s < sessions.length; s++) sessions[s]!.dueUs = startUs + offsetsUs[s]!;
  // the one ticker: wake at the earliest due period, serve every session that is due, sleep again
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = nowUs();
      let earliest = Infinity;
      for (const session of sessions) {
        if (session.next < ticks && session.dueUs <= now + EARLY_US) {
          let k = session.next;
          // an overrun: the next period has begun too, so this one is missed (the newest command goes)
          while (k < ticks - 1 && now >= session.dueUs + periodUs) { k++; session.dueUs += periodUs; session.late++; }
          report.sendLagUs.push(Math.max(0, now - session.dueUs));
          session.send(k);
          session.next = k + 1;
          session.dueUs += periodUs;
        }
        if (session.next < ticks) earliest = Math.min(earliest, session.dueUs);
      }
      if (earliest === Infinity) { resolve(); return; }
      // whole milliseconds, rounded down: a fraction makes Node wait for the next whole one past it
      setTimeout(tick, Math.floor(Math.max(0, earliest - nowUs()) / 1000));
    };
    setTimeout(tick, Math.max(0, (startUs - nowUs()) / 1000));
  });
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 2000))]);
  const cpu = process.cpuUsage(cpuAtStart);
  report.cpuUs = cpu.user + cpu.system;
  report.wallUs = nowUs() - startUs;
  for (const s of sessions) {
    report.skipped += s.skipped; report.late += s.late; report.halts += s.halts; report.errors += s.errors;
    report.lost += ticks - s.late - s.results - s.skipped - s.errors;
    s.ws.close();
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

await main();
