/**
 * The shared registry on PostgreSQL, through the HTTP API of two apps on one database (as two
 * replicas would be, in one process): changes propagate both ways within 1 s, the database
 * decides conflicts, a missed notification is repaired by the periodic check, the schema is
 * created once, credentials never reach the log, and a database that goes away stops mutations
 * (503 with Retry-After) but not reads. The multi-process proofs are test/system/replicas.test.ts.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp, expectProblem, type TestApp } from '../helpers/app.js';
import { startPostgresOrSkip } from '../helpers/postgres.js';

const cluster = await startPostgresOrSkip();

/** The notification path's promise (API.md 1.1); the periodic check is set to 200 ms here. */
const PROPAGATION_MS = 1000;
const SYNC_INTERVAL_MS = 200;

function urdf(name: string, length = 0.5): string {
  return `<robot name="${name}"><link name="base"/><link name="tool"/>`
    + `<joint name="j" type="revolute"><origin xyz="${length} 0 0"/><parent link="base"/><child link="tool"/>`
    + '<axis xyz="0 0 1"/><limit lower="-1" upper="1" effort="1" velocity="1"/></joint></robot>';
}

async function upload(t: TestApp, id: string, text: string): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  const r = await t.app.inject({ method: 'POST', url: `/robots?id=${id}`, payload: text, headers: { 'content-type': 'application/xml' } });
  return { status: r.statusCode, body: r.json(), headers: r.headers };
}

/** Milliseconds until GET /robots/{id} on `t` answers `status` (with `sha256` when given); throws after `limitMs`. */
async function until(t: TestApp, id: string, status: number, sha256?: string, limitMs = PROPAGATION_MS): Promise<number> {
  const start = performance.now();
  for (;;) {
    const r = await t.app.inject({ method: 'GET', url: `/robots/${id}` });
    if (r.statusCode === status && (sha256 === undefined || r.json().sha256 === sha256)) return performance.now() - start;
    if (performance.now() - start > limitMs) throw new Error(`robot ${id}: still ${r.statusCode} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe.skipIf(!cluster)('the shared registry on PostgreSQL', () => {
  const lines: string[] = [];
  const logger = { level: 'info', stream: { write: (line: string) => { lines.push(line); } } };
  let url = '';
  let a: TestApp, b: TestApp;
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('creates its schema once when two replicas start together on an empty database', async () => {
    url = await cluster!.createDatabase('registry');
    const options = { databaseUrl: url, registrySyncIntervalMs: SYNC_INTERVAL_MS };
    [a, b] = await Promise.all([createTestApp(options, { logger }), createTestApp(options, { logger })]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query('SELECT version FROM kinematics_schema_migrations');
    await client.end();
    expect(rows).toEqual([{ version: 1 }]);
    const ready = await a.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toMatchObject({ status: 'ready', registry: 'connected' });
  });

  it('serves an upload of one replica on the other within 1 s, and a delete too', async () => {
    const created = await upload(a, 'shared_arm', urdf('shared_arm'));
    expect(created.status).toBe(201);
    const ms = await until(b, 'shared_arm', 200, created.body.sha256);
    const there = await b.app.inject({ method: 'GET', url: '/robots/shared_arm/urdf' });
    expect(there.body).toBe(urdf('shared_arm'));
    expect(there.headers.etag).toBe(`"${created.body.sha256}"`);
    expect((await b.app.inject({ method: 'POST', url: '/robots/shared_arm/fk', payload: { q: [0.3] } })).statusCode).toBe(200);
    expect((await b.app.inject({ method: 'DELETE', url: '/robots/shared_arm' })).statusCode).toBe(204);
    const goneMs = await until(a, 'shared_arm', 404);
    console.log(`in-process propagation: upload ${ms.toFixed(1)} ms, delete ${goneMs.toFixed(1)} ms`);
  });

  it('answers the same id with the same content 200 and with other content 409, on either replica', async () => {
    expect((await upload(a, 'same_arm', urdf('same_arm'))).status).toBe(201);
    // at once, before the notification: the database, not the cache, decides
    expect((await upload(b, 'same_arm', urdf('same_arm'))).status).toBe(200);
    expectProblem(await upload(b, 'same_arm', urdf('same_arm', 0.7)), 409, 'already exists with different content');
    expectProblem(await upload(a, 'same_arm', urdf('same_arm', 0.7)), 409, 'already exists with different content');
  });

  it('lets the database pick one winner when two replicas upload different content under one id at once', async () => {
    for (let round = 0; round < 5; round++) {
      const id = `race_${round}`;
      const [ra, rb] = await Promise.all([upload(a, id, urdf(id, 0.4)), upload(b, id, urdf(id, 0.6))]);
      expect([ra.status, rb.status].sort()).toEqual([201, 409]);
      const winner = ra.status === 201 ? ra.body.sha256 : rb.body.sha256;
      await until(a, id, 200, winner);
      await until(b, id, 200, winner);
    }
  });

  it('repairs a missed notification with the periodic check', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    // replica mode skips triggers: the row arrives without a notification
    await client.query('SET session_replication_role = replica');
    const { sha256 } = await import('../../src/robots/registry.js');
    await client.query('INSERT INTO kinematics_robots (id, urdf, sha256) VALUES ($1, $2, $3)', ['quiet_arm', urdf('quiet_arm'), sha256(urdf('quiet_arm'))]);
    await client.end();
    const ms = await until(b, 'quiet_arm', 200, undefined, SYNC_INTERVAL_MS + PROPAGATION_MS);
    await until(a, 'quiet_arm', 200, undefined, SYNC_INTERVAL_MS + PROPAGATION_MS);
    expect(ms).toBeLessThan(SYNC_INTERVAL_MS + PROPAGATION_MS);
  });

  it('keeps serving known robots while the database is away; mutations answer 503 with Retry-After; then they resume', async () => {
    expect((await upload(a, 'before_outage', urdf('before_outage'))).status).toBe(201);
    await until(b, 'before_outage', 200);
    cluster!.stop();
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const t of [a, b]) {
        expect((await t.app.inject({ method: 'GET', url: '/robots/before_outage' })).statusCode).toBe(200);
        expect((await t.app.inject({ method: 'POST', url: '/robots/before_outage/fk', payload: { q: [0.1] } })).statusCode).toBe(200);
        const refused = await upload(t, 'during_outage', urdf('during_outage'));
        const problem = expectProblem(refused, 503, 'database is unavailable', 'Retry-After');
        expect(problem.type).toMatch(/registry-unavailable/);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        const del = await t.app.inject({ method: 'DELETE', url: '/robots/before_outage' });
        expect(del.statusCode).toBe(503);
        expect(del.headers['retry-after']).toBeDefined();
        const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
        expect(ready.statusCode, '/readyz stays 200: the replica still serves what it knows').toBe(200);
        expect(ready.json().registry).toBe('unavailable');
        expect((await t.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/^registry_database_up 0$/m);
      }
      expect(lines.some((l) => l.includes('robot registry database unreachable'))).toBe(true);
    } finally {
      cluster!.start();
    }
    // reconnection with backoff (at most 2 s between attempts)
    const deadline = Date.now() + 5000;
    let status = 0;
    while (Date.now() < deadline && status !== 201) {
      status = (await upload(a, 'after_outage', urdf('after_outage'))).status;
      if (status !== 201) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(201);
    await until(b, 'after_outage', 200, undefined, 5000);
    expect((await b.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/^registry_database_up 1$/m);
  });

  it('never logs the database password', () => {
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.filter((l) => l.includes(cluster!.password))).toEqual([]);
    expect(lines.some((l) => l.includes('robot registry database connected'))).toBe(true);
  });

  it('is not ready, and says so, while it has never reached the database', async () => {
    const own: string[] = [];
    const unreachable = cluster!.url.replace(`:${cluster!.port}/`, ':1/');
    const t = await createTestApp({ databaseUrl: unreachable }, { logger: { level: 'info', stream: { write: (l: string) => { own.push(l); } } } });
    try {
      const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
      expectProblem({ status: ready.statusCode, body: ready.json(), headers: ready.headers }, 503, 'have not been read from the registry database');
      expect((await t.app.inject({ method: 'GET', url: '/robots/ur5e' })).statusCode, 'builtin robots are served').toBe(200);
      expect(own.some((l) => l.includes('unreachable'))).toBe(true);
      expect(own.filter((l) => l.includes(cluster!.password))).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
