/**
 * A client-side interpolator: a 1 kHz joint loop fed by 250 Hz stream commands. The service is
 * the commander of a local real-time loop, not the loop itself: here a 1 ms loop (standing in for
 * the robot's real-time controller) integrates q += qdot dt every millisecond, while every 4 ms
 * a command with the loop's current q goes to the stream. Between results it ramps qdot linearly
 * from the previous command to the newest over one command period (a first-order hold), so the
 * joint acceleration stays bounded instead of stepping at 250 Hz; when a result is late it holds
 * the last qdot, and on a halt frame (the service's watchdog) or a lost session it ramps to zero.
 *
 *   npx tsx examples/typescript/interpolator.ts --base-url http://127.0.0.1:8080 [--seconds 2]
 *
 * Prints the loop's achieved rate, the command rate, and the largest qdot step between 1 ms ticks.
 */
import { parseArgs } from 'node:util';
import { ControlStream, type VelocityResult } from './stream-client.js';

const LOOP_HZ = 1000;
const COMMAND_HZ = 250;

/** Linear ramp of a joint-velocity vector from `from` to `to` over `duration` seconds. */
export class VelocityRamp {
  private from: number[];
  private to: number[];
  private startedAt = 0;

  constructor(dof: number, private readonly duration: number) {
    this.from = new Array<number>(dof).fill(0);
    this.to = new Array<number>(dof).fill(0);
  }

  /** The interpolated qdot at time t (s), written into `out`. */
  sample(t: number, out: number[]): number[] {
    const s = Math.min(1, Math.max(0, (t - this.startedAt) / this.duration));
    for (let k = 0; k < out.length; k++) out[k] = this.from[k]! + s * (this.to[k]! - this.from[k]!);
    return out;
  }

  /** A new target qdot from time t, ramping from wherever the ramp is now. */
  retarget(t: number, qdot: readonly number[]): void {
    this.from = this.sample(t, new Array<number>(this.from.length));
    this.to = [...qdot];
    this.startedAt = t;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'base-url': { type: 'string', default: 'http://127.0.0.1:8080' }, seconds: { type: 'string', default: '2' } } });
  const seconds = Number(values.seconds);
  const stream = await ControlStream.open(values['base-url'], 'ur5e');
  const configured = await stream.configure({ dt: 1 / COMMAND_HZ, commandTimeoutMs: 50 });
  const dof = configured.dof;
  const ramp = new VelocityRamp(dof, 1 / COMMAND_HZ);
  let halts = 0;
  stream.onHalt = () => { halts++; ramp.retarget(performance.now() / 1000, new Array<number>(dof).fill(0)); };
  const q = [0, -1.2, 1.5, -1.9, -1.57, 0];
  const qdot = new Array<number>(dof).fill(0);
  const previous = new Array<number>(dof).fill(0);
  let inFlight = false;
  let commands = 0;
  let maxStep = 0;
  let ticks = 0;
  const start = performance.now();
  const dt = 1 / LOOP_HZ;
  while (performance.now() - start < seconds * 1000) {
    // the 1 kHz loop: a fixed schedule, tick k at start + k ms
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + ticks - performance.now())));
    const now = performance.now() / 1000;
    ramp.sample(now, qdot);
    for (let k = 0; k < dof; k++) {
      maxStep = Math.max(maxStep, Math.abs(qdot[k]! - previous[k]!));
      previous[k] = qdot[k]!;
      q[k] = q[k]! + qdot[k]! * dt;
    }
    // every 4th tick (250 Hz), a command with the current q; never more than one in flight
    if (ticks % (LOOP_HZ / COMMAND_HZ) === 0 && !inFlight) {
      inFlight = true;
      const seq = commands++;
      const circle = 2 * Math.PI * (seq / COMMAND_HZ) / 2;
      void stream.command({ seq, q: [...q], twist: { linear: [-0.03 * Math.sin(circle), 0.03 * Math.cos(circle), 0], angular: [0, 0, 0] } })
        .then((result: VelocityResult) => { ramp.retarget(performance.now() / 1000, result.qdot); })
        .finally(() => { inFlight = false; });
    }
    ticks++;
  }
  stream.close();
  const elapsed = (performance.now() - start) / 1000;
  console.log(`joint loop: ${(ticks / elapsed).toFixed(0)} Hz, commands: ${(commands / elapsed).toFixed(0)} Hz, halts: ${halts}`);
  console.log(`largest qdot change between 1 ms ticks: ${maxStep.toExponential(2)} rad/s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
