/**
 * Prometheus metrics (prom-client), on a registry per app: request counts and latency histograms
 * per route and status, IK outcomes and iterations, robots loaded, and Node's default process
 * metrics (event-loop lag, heap, CPU, GC).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** IK outcomes by the code workers report them with. */
export const IK_OUTCOMES = ['converged', 'timeout', 'max-restarts'] as const;
export type IkOutcome = (typeof IK_OUTCOMES)[number];

export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly durations: Histogram<'method' | 'route' | 'status'>;
  private readonly ikSolves: Counter<'outcome'>;
  private readonly ikIterations: Histogram;
  /** Label children by "method route status": labels are looked up once, not per request. */
  private readonly children = new Map<string, { count: Counter.Internal; duration: Histogram.Internal<'method' | 'route' | 'status'> }>();

  constructor(robotsLoaded: () => number) {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'http_requests_total', help: 'HTTP requests answered, by method, route and status',
      labelNames: ['method', 'route', 'status'], registers: [this.registry],
    });
    this.durations = new Histogram({
      name: 'http_request_duration_seconds', help: 'time from request to response, by method, route and status',
      labelNames: ['method', 'route', 'status'], registers: [this.registry],
      buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    this.ikSolves = new Counter({
      name: 'ik_solves_total', help: 'IK solves (ik/solve and each target of ik/solve/batch), by outcome',
      labelNames: ['outcome'], registers: [this.registry],
    });
    for (const outcome of IK_OUTCOMES) this.ikSolves.inc({ outcome }, 0);
    this.ikIterations = new Histogram({
      name: 'ik_solve_iterations', help: 'damped steps an IK solve took, over all its attempts',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000], registers: [this.registry],
    });
    new Gauge({
      name: 'robots_loaded', help: 'robots the service knows (builtin and uploaded)', registers: [this.registry],
      collect() { this.set(robotsLoaded()); },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let child = this.children.get(key);
    if (!child) {
      const labels = { method, route, status: String(status) };
      child = { count: this.requests.labels(labels), duration: this.durations.labels(labels) };
      this.children.set(key, child);
    }
    child.count.inc();
    child.duration.observe(seconds);
  }

  observeIkSolve(outcome: IkOutcome, iterations: number): void {
    this.ikSolves.inc({ outcome });
    this.ikIterations.observe(iterations);
  }
}
