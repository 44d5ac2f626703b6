/**
 * Prometheus metrics (prom-client), on a registry per app: request counts and latency histograms
 * per route and status, IK outcomes and iterations, robots loaded, the control stream's sessions,
 * commands, skipped commands, halts and compute time, and Node's default process metrics
 * (event-loop lag, heap, CPU, GC).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { IK_SOLVE_STATUSES, type IkSolveStatus } from '../core/ik/solve.js';
import type { RegistryStatus } from '../robots/registry.js';
import { RequestMetrics } from './request-metrics.js';

/** Why a control session was refused: the session cap, shutdown, or a browser origin not allowed. */
export const STREAM_REFUSALS = ['too-many-sessions', 'shutting-down', 'origin-not-allowed'] as const;
export type StreamRefusal = (typeof STREAM_REFUSALS)[number];

export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requests: RequestMetrics;
  private readonly ikSolves: Counter<'outcome'>;
  private readonly ikIterations: Histogram;
  private readonly streamSessions: Gauge;
  private readonly streamRefusals: Counter<'reason'>;
  private readonly streamCommands: Counter;
  private readonly streamSkipped: Counter;
  private readonly streamHalts: Counter;
  private readonly streamCompute: Histogram;

  constructor(robotsLoaded: () => number, registryStatus: () => RegistryStatus = () => ({ store: 'files' })) {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new RequestMetrics(this.registry);
    this.ikSolves = new Counter({
      name: 'ik_solves_total', help: 'IK solves (ik/solve and each target of ik/solve/batch), by outcome',
      labelNames: ['outcome'], registers: [this.registry],
    });
    for (const outcome of IK_SOLVE_STATUSES) this.ikSolves.inc({ outcome }, 0);
    this.ikIterations = new Histogram({
      name: 'ik_solve_iterations', help: 'damped steps an IK solve took, over all its attempts',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000], registers: [this.registry],
    });
    new Gauge({
      name: 'robots_loaded', help: 'robots the service knows (builtin and uploaded)', registers: [this.registry],
      collect() { this.set(robotsLoaded()); },
    });
    if (registryStatus().store === 'postgres') {
      new Gauge({
        name: 'registry_database_up',
        help: 'whether the shared robot registry\'s PostgreSQL database is reachable (1) or not (0: known robots are served, uploads and deletes answer 503)',
        registers: [this.registry],
        collect() {
          const status = registryStatus();
          this.set(status.store === 'postgres' && status.database === 'connected' ? 1 : 0);
        },
      });
    }
    const registers = [this.registry];
    this.streamSessions = new Gauge({ name: 'stream_sessions_open', help: 'open control sessions (GET /robots/{id}/stream)', registers });
    this.streamRefusals = new Counter({
      name: 'stream_sessions_refused_total', help: 'control sessions refused at the upgrade or just after it, by reason', labelNames: ['reason'], registers,
    });
    for (const reason of STREAM_REFUSALS) this.streamRefusals.inc({ reason }, 0);
    this.streamCommands = new Counter({ name: 'stream_commands_total', help: 'stream commands computed (a result frame each)', registers });
    this.streamSkipped = new Counter({ name: 'stream_commands_skipped_total', help: 'stream commands superseded by a newer one before they were computed (latest wins)', registers });
    this.streamHalts = new Counter({ name: 'stream_halts_total', help: 'halt frames sent by the command watchdog', registers });
    this.streamCompute = new Histogram({
      name: 'stream_command_compute_seconds', help: 'server time to compute one stream command (the computeUs of its result)',
      buckets: [0.000005, 0.00001, 0.00002, 0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01], registers,
    });
  }

  streamSessionOpened(): void { this.streamSessions.inc(); }
  streamSessionClosed(): void { this.streamSessions.dec(); }
  streamSessionRefused(reason: StreamRefusal): void { this.streamRefusals.inc({ reason }); }
  observeStreamCommand(computeSeconds: number): void {
    this.streamCommands.inc();
    this.streamCompute.observe(computeSeconds);
  }
  streamCommandsSkipped(count: number): void { this.streamSkipped.inc(count); }
  streamHalted(): void { this.streamHalts.inc(); }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.observe(method, route, status, seconds);
  }

  observeIkSolve(outcome: IkSolveStatus, iterations: number): void {
    this.ikSolves.inc({ outcome });
    this.ikIterations.observe(iterations);
  }
}
