import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS, RequestMetrics } from '../../src/http/request-metrics.js';

/** "name{labels} value" lines of the exposition, as a map. */
async function samples(registry: Registry): Promise<Map<string, number>> {
  const lines = (await registry.metrics()).split('\n').filter((l) => l && !l.startsWith('#'));
  return new Map(lines.map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]));
}

describe('request metrics', () => {
  it('count per method, route and status, with cumulative buckets whose bounds are inclusive', async () => {
    const registry = new Registry();
    const metrics = new RequestMetrics(registry);
    const seconds = [0.0001, 0.0002, 0.0003, 0.002, 20];
    for (const s of seconds) metrics.observe('POST', '/robots/:id/jacobian', 200, s);
    metrics.observe('POST', '/robots/:id/jacobian', 400, 0.001);
    metrics.observe('GET', '/robots', 200, 0.001);
    const got = await samples(registry);
    const labels = 'method="POST",route="/robots/:id/jacobian",status="200"';
    expect(got.get(`http_requests_total{${labels}}`)).toBe(5);
    expect(got.get('http_requests_total{method="POST",route="/robots/:id/jacobian",status="400"}')).toBe(1);
    expect(got.get('http_requests_total{method="GET",route="/robots",status="200"}')).toBe(1);
    for (const bound of LATENCY_BUCKETS) {
      expect(got.get(`http_request_duration_seconds_bucket{${labels},le="${bound}"}`), `le=${bound}`)
        .toBe(seconds.filter((s) => s <= bound).length);
    }
    expect(got.get(`http_request_duration_seconds_bucket{${labels},le="+Inf"}`)).toBe(5);
    expect(got.get(`http_request_duration_seconds_sum{${labels}}`)).toBeCloseTo(seconds.reduce((a, b) => a + b), 12);
    expect(got.get(`http_request_duration_seconds_count{${labels}}`)).toBe(5);
    registry.resetMetrics();
    expect((await samples(registry)).size).toBe(0);
  });
});
