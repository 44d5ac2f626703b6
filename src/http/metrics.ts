/**
 * Prometheus metrics (prom-client), on a registry per app: request counts and latency histograms
 * per route and status, IK outcomes and iterations, robots loaded, and Node's default process
 * metrics (event-loop lag, heap, CPU, GC).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { IK_SOLVE_STATUSES, type IkSolveStatus } from '../core/ik/solve.js';
import type { RegistryStatus } from '../robots/registry.js';
import { RequestMetrics } from './request-metrics.js';

export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requests: RequestMetrics;
  private readonly ikSolves: Counter<'outcome'>;
  private readonly ikIterations: Histogram;

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
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.observe(method, route, status, seconds);
  }

  observeIkSolve(outcome: IkSolveStatus, iterations: number): void {
    this.ikSolves.inc({ outcome });
    this.ikIterations.observe(iterations);
  }
}
