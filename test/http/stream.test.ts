/**
 * The control stream (GET /robots/{id}/stream) over a real listening server and a real WebSocket
 * client (ws): configure, commands in both modes equal to the HTTP answers for the same input
 * (JSON and binary), the watchdog, latest-wins under a burst, bad input, protocol violations,
 * the caps, origins, the rate limit, metrics, and the shutdown of server.ts.
 */
import type { Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startServer } from '../../scripts/server-process.js';
import type { AppConfig } from '../../src/config.js';
import { SeededRandom } from '../../src/core/ik/random.js';
import { resolveEndEffector } from '../../src/core/jacobian.js';
import { poseFromTransform } from '../../src/core/pose.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { builtinRobot, poseAt, randomInLimits } from '../helpers/robots.js';
import { openStream, sendBurst, type Frame, type StreamClient } from '../helpers/stream-client.js';

const UR5E_Q = [0, -1.2, 1.5, -1.9, -1.57, 0];
const TWIST = { linear: [0.05, 0, 0], angular: [0, 0, 0] };

async function listening(overrides: Partial<AppConfig> = {}): Promise<{ t: TestApp; url: string }> {
  const t = await createTestApp(overrides);
  onTestFinished(() => t.close());
  const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  return { t, url };
}

async function post(url: string, path: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return { status: response.status, json: await response.json() };
}

async function session(url: string, robot: string, configure: object): Promise<{ client: StreamClient; configured: Frame }> {
  const client = await openStream(url, robot);
  onTestFinished(() => { client.ws.terminate(); });
  client.send({ type: 'configure', ...configure });
  const configured = await client.nextJson();
  return { client, configured };
}

/** A result frame without what the stream adds (type, seq, skipped, computeUs): the HTTP answer's fields. */
function httpFields(result: Frame): Frame {
  const { type: _type, seq: _seq, skipped: _skipped, computeUs: _computeUs, ...fields } = result;
  return fields as Frame;
}

/** The JSON text of `value` after a round trip, as an HTTP client reads it. */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (!match) throw new Error(`no ${name} in /metrics`);
  return Number(match[1]);
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the control stream', () => {
  it('configures a velocity session and answers commands with the numbers of POST ik/velocity (JSON and binary)', async () => {
    const { url } = await listening();
    for (const [robot, options] of [
      ['ur5e', {}],
      ['kuka_iiwa14', { nullspace: { objective: 'manipulability', gain: 20 }, referenceFrame: 'LOCAL', dt: 0.004 }],
      ['franka_panda', { tip: 'panda_hand_tcp', tipOffset: [0, 0, 0.05], lowerSingularityThreshold: 10, hardStopSingularityThreshold: 20 }],
    ] as const) {
      const { client, configured } = await session(url, robot, { mode: 'velocity', ...options, commandTimeoutMs: 60_000 });
      const { model } = builtinRobot(robot);
      expect(configured).toEqual({
        type: 'configured', mode: 'velocity', joints: model.jointNames, dof: model.dof, commandTimeoutMs: 60_000, binaryCommandValues: 1 + model.dof + 6,
      });
      const random = new SeededRandom(7);
      for (let seq = 0; seq < 12; seq++) {
        const q = Array.from(randomInLimits(model, random));
        const twist = { linear: [random.next() - 0.5, random.next() - 0.5, random.next() - 0.5].map((v) => 0.2 * v), angular: [0, 0.3 * (random.next() - 0.5), 0] };
        client.send({ type: 'command', seq, q, twist });
        const result = await client.nextJson();
        const http = await post(url, `/robots/${robot}/ik/velocity`, { q, twist, ...options });
        expect(http.status).toBe(200);
        expect(result.type).toBe('result');
        expect(result.seq).toBe(seq);
        expect(result.computeUs).toBeGreaterThan(0);
        expect(httpFields(result)).toEqual(http.json);
        // the same command as float64 values: the same numbers in the documented layout
        client.ws.send(Float64Array.of(1000 + seq, ...q, ...twist.linear, ...twist.angular));
        const binary = await client.next() as Float64Array;
        expect(binary).toBeInstanceOf(Float64Array);
        const { analysis } = http.json;
        // compared as JSON numbers (binary keeps the sign of a zero, JSON writes -0 as 0)
        expect(asJson(Array.from(binary.subarray(0, 10)))).toEqual(asJson([
          1000 + seq, binary[1], 0, ['ok', 'decelerating-singularity', 'halted-singularity', 'joint-limit'].indexOf(http.json.status), http.json.scale,
          analysis.minSingularValue, analysis.conditionNumber ?? Infinity, analysis.manipulability,
          http.json.nullspace?.applied ?? 0, http.json.nullspace?.objectiveRate ?? 0,
        ]));
        expect(asJson(Array.from(binary.subarray(10)))).toEqual(http.json.qdot);
      }
    }
  });

  it('configures a step session and answers commands with the numbers of POST ik/step (JSON and binary)', async () => {
    const { url } = await listening();
    const robot = builtinRobot('kuka_iiwa14');
    const ee = resolveEndEffector(robot, {});
    const random = new SeededRandom(11);
    const jointWeights = Object.fromEntries(robot.model.jointNames.map((name, k) => [name, 1 + k / 4]));
    for (const options of [{}, { jointWeights, maxStep: 0.2 }, { weights: [1, 1, 1, 0, 0, 0], damping: 0.01, respectLimits: false }]) {
      const { client, configured } = await session(url, 'kuka_iiwa14', { mode: 'step', ...options, commandTimeoutMs: 60_000 });
      expect(configured).toMatchObject({ type: 'configured', mode: 'step', dof: 7, commandTimeoutMs: 60_000, binaryCommandValues: 1 + 7 + 7 });
      for (let seq = 0; seq < 8; seq++) {
        const q = Array.from(randomInLimits(robot.model, random));
        const pose = poseFromTransform(poseAt(robot, ee, randomInLimits(robot.model, random)));
        const target = { position: pose.position, quaternion: pose.quaternion };
        client.send({ type: 'command', seq, q, target });
        const result = await client.nextJson();
        const http = await post(url, '/robots/kuka_iiwa14/ik/step', { q, target, ...options });
        expect(http.status).toBe(200);
        expect(result).toMatchObject({ type: 'result', seq });
        expect(httpFields(result)).toEqual(http.json);
        client.ws.send(Float64Array.of(seq, ...q, ...target.position, ...target.quaternion));
        const binary = await client.next() as Float64Array;
        const j = http.json;
        expect(asJson(Array.from(binary.subarray(0, 12)))).toEqual(asJson([
          seq, binary[1], 0, ['converged', 'progressing', 'near-singular', 'at-limit'].indexOf(j.status), j.damping, j.error.position,
          j.error.orientation, j.errorAfter.position, j.errorAfter.orientation, j.analysis.minSingularValue,
          j.analysis.conditionNumber ?? Infinity, j.analysis.manipulability,
        ]));
        expect(asJson(Array.from(binary.subarray(12, 19)))).toEqual(j.q);
        expect(asJson(Array.from(binary.subarray(19)))).toEqual(j.dq);
      }
    }
  });

  it('sends one halt frame (a zero command) when no command comes for commandTimeoutMs, and again after the next command', async () => {
    const { url } = await listening();
    const { client } = await session(url, 'ur5e', { mode: 'velocity', commandTimeoutMs: 60 });
    // no halt before the first command
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(client.queued).toEqual([]);
    for (const seq of [1, 2]) {
      const sent = performance.now();
      client.send({ type: 'command', seq, q: UR5E_Q, twist: TWIST });
      expect(await client.nextJson()).toMatchObject({ type: 'result', seq });
      const halt = await client.nextJson(2000);
      const after = performance.now() - sent;
      expect(halt).toEqual({ type: 'halt', reason: 'command-timeout', seq, qdot: [0, 0, 0, 0, 0, 0] });
      // not before the timeout (timers fire no earlier than their delay; 1 ms for rounding)
      expect(after).toBeGreaterThanOrEqual(59);
      // once: nothing more while no command comes
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(client.queued).toEqual([]);
    }
    // commands within the timeout keep the watchdog quiet (a timeout of 1 s against commands 50 ms apart)
    const quiet = await session(url, 'ur5e', { mode: 'velocity', commandTimeoutMs: 1000 });
    for (let seq = 3; seq < 10; seq++) {
      quiet.client.send({ type: 'command', seq, q: UR5E_Q, twist: TWIST });
      expect(await quiet.client.nextJson()).toMatchObject({ type: 'result', seq });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await quiet.client.nextJson(3000)).toMatchObject({ type: 'halt', seq: 9 });
    const { url: stepUrl } = await listening();
    const step = await session(stepUrl, 'ur5e', { mode: 'step', commandTimeoutMs: 30 });
    step.client.send({ type: 'command', seq: 5, q: UR5E_Q, target: { position: [0.45, 0.15, 0.35], quaternion: [0.7071068, 0.7071068, 0, 0] } });
    expect(await step.client.nextJson()).toMatchObject({ type: 'result', seq: 5 });
    expect(await step.client.nextJson(2000)).toEqual({ type: 'halt', reason: 'command-timeout', seq: 5, dq: [0, 0, 0, 0, 0, 0] });
  });

  it('computes only the newest of a burst of commands and lists the others as skipped', async () => {
    const { url } = await listening();
    const { client } = await session(url, 'ur5e', { mode: 'velocity', commandTimeoutMs: 5000 });
    const n = 50;
    sendBurst(client, Array.from({ length: n }, (_, seq) => ({ type: 'command', seq, q: UR5E_Q, twist: { linear: [0.001 * seq, 0, 0], angular: [0, 0, 0] } })));
    const results: Frame[] = [];
    while (results.at(-1)?.seq !== n - 1) results.push(await client.nextJson());
    // one TCP write of 50 frames is read at once: fewer results than commands (normally one)
    expect(results.length).toBeLessThan(n / 2);
    const accounted = results.flatMap((r) => [...(r.skipped ?? []), r.seq]).sort((a: number, b: number) => a - b);
    expect(accounted).toEqual(Array.from({ length: n }, (_, i) => i));
    // the newest is computed with its own input
    const http = await post(url, '/robots/ur5e/ik/velocity', { q: UR5E_Q, twist: { linear: [0.001 * (n - 1), 0, 0], angular: [0, 0, 0] } });
    expect(httpFields(results.at(-1)!)).toEqual(http.json);
    expect(await metric(url, 'stream_commands_skipped_total')).toBe(n - results.length);
    expect(await metric(url, 'stream_commands_total')).toBe(results.length);
  });

  it('answers bad input with an error frame holding the problem HTTP answers, and the session goes on', async () => {
    const { url } = await listening();
    const { client } = await session(url, 'ur5e', { mode: 'velocity', commandTimeoutMs: 60_000 });
    const cases: [object, object][] = [
      [{ q: [1, 2, 3, 4, 5], twist: TWIST }, { q: [1, 2, 3, 4, 5], twist: TWIST }],
      [{ q: UR5E_Q, twist: { linear: [0, 0], angular: [0, 0, 0] } }, { q: UR5E_Q, twist: { linear: [0, 0], angular: [0, 0, 0] } }],
      [{ q: { shoulder_pan_joint: 0 }, twist: TWIST }, { q: { shoulder_pan_joint: 0 }, twist: TWIST }],
      [{ q: [0, 0, 0, 0, 0, 2e9], twist: TWIST }, { q: [0, 0, 0, 0, 0, 2e9], twist: TWIST }],
      [{ q: UR5E_Q, twist: TWIST, extra: 1 }, { q: UR5E_Q, twist: TWIST, extra: 1 }],
    ];
    let seq = 0;
    for (const [command, body] of cases) {
      client.send({ type: 'command', seq, ...command });
      const error = await client.nextJson();
      const http = await post(url, '/robots/ur5e/ik/velocity', body);
      expect(http.status).toBe(400);
      expect(error).toEqual({ type: 'error', seq, problem: http.json });
      // the session goes on
      client.send({ type: 'command', seq: seq + 1, q: UR5E_Q, twist: TWIST });
      expect(await client.nextJson()).toMatchObject({ type: 'result', seq: seq + 1 });
      seq += 2;
    }
    // a command without seq, a frame of no known type, a second configure, a binary command of the wrong length
    client.send({ type: 'command', q: UR5E_Q, twist: TWIST });
    expect((await client.nextJson()).problem).toMatchObject({ status: 400, errors: [{ path: 'seq', message: 'is required' }] });
    client.send({ type: 'twist', seq: 99 });
    expect(await client.nextJson()).toMatchObject({ type: 'error', seq: 99, problem: { status: 400, type: 'urn:kinematics-service:problem:invalid-frame' } });
    client.send([1, 2]);
    expect((await client.nextJson()).problem.status).toBe(400);
    client.send({ type: 'configure', mode: 'step' });
    expect((await client.nextJson()).problem).toMatchObject({ status: 409, type: 'urn:kinematics-service:problem:already-configured' });
    client.ws.send(new Float64Array(5));
    expect((await client.nextJson()).problem.detail).toContain('holds 13 float64 values [seq, q[n], vx, vy, vz, wx, wy, wz] with n = 6; got 5');
    client.ws.send(Float64Array.of(1, 0, 0, Number.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    expect((await client.nextJson()).problem.detail).toContain('value 3 (q[2])');
    client.ws.send(Float64Array.of(1.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    expect((await client.nextJson()).problem.detail).toContain('seq');
    client.send({ type: 'command', seq: 100, q: UR5E_Q, twist: TWIST });
    expect(await client.nextJson()).toMatchObject({ type: 'result', seq: 100 });

    // before configure, and bad configurations (with the problems of the HTTP route)
    const fresh = await openStream(url, 'ur5e');
    onTestFinished(() => { fresh.ws.terminate(); });
    fresh.send({ type: 'command', seq: 1, q: UR5E_Q, twist: TWIST });
    expect(await fresh.nextJson()).toMatchObject({ type: 'error', seq: 1, problem: { status: 400, type: 'urn:kinematics-service:problem:not-configured' } });
    fresh.send({ type: 'configure', mode: 'servo' });
    expect((await fresh.nextJson()).problem).toMatchObject({ status: 400, errors: [{ path: 'mode', message: 'must be one of velocity, step' }] });
    fresh.send({ type: 'configure', mode: 'velocity', tip: 'no_such_link' });
    const http = await post(url, '/robots/ur5e/ik/velocity', { q: UR5E_Q, twist: TWIST, tip: 'no_such_link' });
    expect(http.status).toBe(400);
    expect((await fresh.nextJson()).problem).toEqual(http.json);
    fresh.send({ type: 'configure', mode: 'step', dt: 0.01 });
    expect((await fresh.nextJson()).problem).toMatchObject({ errors: [{ path: 'dt', message: 'is not a known field; remove it (field names are case-sensitive)' }] });
    fresh.send({ type: 'configure', mode: 'velocity', commandTimeoutMs: 0 });
    expect((await fresh.nextJson()).problem.errors[0].path).toBe('commandTimeoutMs');
    fresh.send({ type: 'configure', mode: 'step' });
    expect(await fresh.nextJson()).toMatchObject({ type: 'configured', mode: 'step' });
    fresh.send({ type: 'command', seq: 2, q: UR5E_Q, target: { position: [0.4, 0, 0.3] } });
    const noOrientation = await post(url, '/robots/ur5e/ik/step', { q: UR5E_Q, target: { position: [0.4, 0, 0.3] } });
    expect((await fresh.nextJson())).toEqual({ type: 'error', seq: 2, problem: noOrientation.json });
  });

  it('closes with 1007 on a text frame that is not JSON or a binary frame that is not float64, with 1009 over the frame size limit', async () => {
    const { url } = await listening({ streamMaxFrameBytes: 4096 });
    const a = await openStream(url, 'ur5e');
    a.ws.send('{"type": "configure", mode');
    expect(await a.closed).toEqual({ code: 1007, reason: 'a text frame must be JSON' });
    const b = await openStream(url, 'ur5e');
    b.send({ type: 'configure', mode: 'velocity' });
    await b.nextJson();
    b.ws.send(Buffer.alloc(12));
    expect((await b.closed).code).toBe(1007);
    const c = await openStream(url, 'ur5e');
    c.send({ type: 'configure', mode: 'velocity', tip: 'x'.repeat(5000) });
    expect((await c.closed).code).toBe(1009);
    // a forbidden key is JSON: an error frame, as over HTTP
    const d = await openStream(url, 'ur5e');
    onTestFinished(() => { d.ws.terminate(); });
    d.ws.send('{"type": "configure", "mode": "velocity", "__proto__": {"x": 1}}');
    expect((await d.nextJson()).problem).toMatchObject({ status: 400, type: 'urn:kinematics-service:problem:malformed-json' });
    await until(async () => await metric(url, 'stream_sessions_open') === 1);
  });

  it('refuses sessions beyond STREAM_MAX_SESSIONS with a 503 problem at the upgrade, and frames beyond the command rate with 429', async () => {
    const { url } = await listening({ streamMaxSessions: 2, streamMaxCommandRate: 50 });
    const first = await openStream(url, 'ur5e');
    const second = await openStream(url, 'ur5e');
    const refused = await openStream(url, 'ur5e').catch((error: { status: number; headers: Record<string, string>; body: any }) => error);
    expect(refused).toMatchObject({ status: 503, headers: { 'retry-after': '1', 'content-type': 'application/problem+json; charset=utf-8' } });
    expect((refused as { body: any }).body).toMatchObject({ status: 503, type: 'urn:kinematics-service:problem:too-many-sessions' });
    expect((refused as { body: any }).body.detail).toContain('STREAM_MAX_SESSIONS');
    second.ws.close();
    await second.closed;
    await until(async () => await metric(url, 'stream_sessions_open') === 1);
    const third = await openStream(url, 'ur5e');
    onTestFinished(() => { first.ws.terminate(); third.ws.terminate(); });
    // 50 frames per second, a bucket of 10: a burst of 30 gets 429s for about 20 of them
    first.send({ type: 'configure', mode: 'velocity', commandTimeoutMs: 10_000 });
    await first.nextJson();
    sendBurst(first, Array.from({ length: 30 }, (_, seq) => ({ type: 'command', seq, q: UR5E_Q, twist: TWIST })));
    const frames: Frame[] = [];
    while (!frames.some((f) => f.type === 'result')) frames.push(await first.nextJson());
    const limited = frames.filter((f) => f.type === 'error');
    expect(limited.length).toBeGreaterThanOrEqual(15);
    expect(limited[0]!.problem).toMatchObject({ status: 429, type: 'urn:kinematics-service:problem:rate-limited' });
    expect(await metric(url, 'stream_sessions_refused_total{reason="too-many-sessions"}')).toBe(1);
    // STREAM_MAX_SESSIONS=0 turns streaming off
    const { url: off } = await listening({ streamMaxSessions: 0 });
    expect(await openStream(off, 'ur5e').catch((error: { status: number }) => error.status)).toBe(503);
  });

  it('checks the robot, the browser origin and the rate limit at the upgrade, and answers 426 without one', async () => {
    const { url } = await listening({ corsOrigins: ['https://console.example'] });
    expect(await openStream(url, 'no_such_robot').catch((error: { status: number; body: any }) => [error.status, error.body.type]))
      .toEqual([404, 'urn:kinematics-service:problem:robot-not-found']);
    expect(await openStream(url, 'bad%20id').catch((error: { status: number }) => error.status)).toBe(400);
    const foreign = await openStream(url, 'ur5e', { origin: 'https://evil.example' }).catch((error: { status: number; body: any }) => error);
    expect(foreign).toMatchObject({ status: 403, body: { type: 'urn:kinematics-service:problem:origin-not-allowed' } });
    const allowed = await openStream(url, 'ur5e', { origin: 'https://console.example' });
    const sameOrigin = await openStream(url, 'ur5e', { origin: url });
    allowed.ws.terminate();
    sameOrigin.ws.terminate();
    const plain = await fetch(`${url}/robots/ur5e/stream`);
    expect(plain.status).toBe(426);
    expect(((await plain.json()) as { type: string }).type).toBe('urn:kinematics-service:problem:upgrade-required');
    // the rate limit of every route counts the upgrades too
    const { url: limited } = await listening({ rateLimitMax: 2 });
    (await openStream(limited, 'ur5e')).ws.terminate();
    expect((await fetch(`${limited}/robots/ur5e/stream`)).status).toBe(426);
    const refused = await openStream(limited, 'ur5e').catch((error: { status: number; body: any }) => [error.status, error.body.type]);
    expect(refused).toEqual([429, 'urn:kinematics-service:problem:rate-limited']);
  });

  it('closes a session whose client does not read its results (STREAM_MAX_BUFFERED_BYTES), so memory stays bounded', async () => {
    // a 300-joint chain makes 8 kB results, so that the kernel's socket buffers (tens of MB on
    // loopback) fill after a few thousand commands, and the server's own buffer after that
    const dataDir = mkdtempSync(join(tmpdir(), 'kinematics-stream-'));
    const server = await startServer({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', STREAM_MAX_BUFFERED_BYTES: '65536', STREAM_MAX_COMMAND_RATE: '1000000' });
    onTestFinished(() => {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    });
    const dof = 300;
    const joints = Array.from({ length: dof }, (_, i) => `<link name="l${i + 1}"/><joint name="j${i}" type="revolute"><parent link="l${i}"/><child link="l${i + 1}"/>`
      + `<origin xyz="0 0 0.01" rpy="0 ${i % 2 ? 0.3 : 0} 0"/><axis xyz="0 ${i % 2} ${1 - (i % 2)}"/><limit lower="-3" upper="3" velocity="2" effort="1"/></joint>`).join('');
    const upload = await fetch(`${server.url}/robots?id=long_chain`, { method: 'POST', body: `<robot name="long_chain"><link name="l0"/>${joints}</robot>`, headers: { 'content-type': 'application/xml' } });
    expect(upload.status).toBe(201);
    const client = await openStream(server.url, 'long_chain');
    onTestFinished(() => { client.ws.terminate(); });
    client.send({ type: 'configure', mode: 'velocity', commandTimeoutMs: 60_000 });
    expect(await client.nextJson()).toMatchObject({ type: 'configured', dof });
    // the client stops reading (ws would resume its socket when its own buffer drains: not here)
    const socket = (client.ws as unknown as { _socket: Socket })._socket;
    socket.pause();
    socket.resume = () => socket;
    const q = new Array<number>(dof).fill(0.1);
    let sent = 0;
    let open = true;
    // one command per turn of the event loop, so that each is computed (no latest-wins merging);
    // the client cannot see the close while it does not read, so ask the server's metrics
    while (open && sent < 50_000) {
      client.send({ type: 'command', seq: sent++, q, twist: TWIST });
      await new Promise((resolve) => setImmediate(resolve));
      if (sent % 200 === 0) open = await metric(server.url, 'stream_sessions_open') === 1;
    }
    expect(open).toBe(false);
    expect(server.lines.some((line) => line.includes('the client does not read its results'))).toBe(true);
    const computed = await metric(server.url, 'stream_commands_total');
    // no more computing after the close
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await metric(server.url, 'stream_commands_total')).toBe(computed);
    socket.resume = Object.getPrototypeOf(socket).resume as typeof socket.resume;
    socket.resume();
    // reading again, the client finds the results, then the close frame (or the cut a second after it)
    expect([1006, 1008]).toContain((await client.closed).code);
  }, 120_000);

  it('exposes sessions, commands, halts and compute time in /metrics, and documents the route in the OpenAPI document', async () => {
    const { url } = await listening();
    const { client } = await session(url, 'ur5e', { mode: 'velocity', commandTimeoutMs: 20 });
    for (let seq = 0; seq < 5; seq++) {
      client.send({ type: 'command', seq, q: UR5E_Q, twist: TWIST });
      await client.nextJson();
    }
    expect(await client.nextJson()).toMatchObject({ type: 'halt' });
    expect(await metric(url, 'stream_sessions_open')).toBe(1);
    expect(await metric(url, 'stream_commands_total')).toBe(5);
    expect(await metric(url, 'stream_halts_total')).toBe(1);
    expect(await metric(url, 'stream_command_compute_seconds_count')).toBe(5);
    client.ws.close();
    await until(async () => await metric(url, 'stream_sessions_open') === 0);
    const document = await (await fetch(`${url}/openapi.json`)).json() as any;
    const route = document.paths['/robots/{id}/stream'].get;
    expect(route.description).toMatch(/Latest wins/);
    expect(route.description).toMatch(/Binary frames/);
    expect(Object.keys(route.responses)).toEqual(expect.arrayContaining(['101', '404', '426', '429', '503']));
    expect(JSON.stringify(route.responses['101'])).toContain('commandTimeoutMs');
  });
});

describe('the control stream in the service process', () => {
  it('keeps sessions through the drain delay after SIGTERM, refuses new ones, then closes them with 1001; logs open and close only', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kinematics-stream-'));
    const server = await startServer({ SHUTDOWN_DELAY_MS: '500', LOG_LEVEL: 'info', DATA_DIR: dataDir });
    onTestFinished(() => {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    });
    const client = await openStream(server.url, 'ur5e');
    client.send({ type: 'configure', mode: 'velocity', commandTimeoutMs: 10_000 });
    await client.nextJson();
    for (let seq = 0; seq < 100; seq++) {
      client.send({ type: 'command', seq, q: UR5E_Q, twist: TWIST });
      await client.nextJson();
    }
    const signalled = performance.now();
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // draining: the session still answers, a new one is refused
    client.send({ type: 'command', seq: 100, q: UR5E_Q, twist: TWIST });
    expect(await client.nextJson()).toMatchObject({ type: 'result', seq: 100 });
    expect(await openStream(server.url, 'ur5e').catch((error: { status: number; body: any }) => [error.status, error.body.type]))
      .toEqual([503, 'urn:kinematics-service:problem:shutting-down']);
    const closed = await client.closed;
    expect(closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(performance.now() - signalled).toBeGreaterThanOrEqual(500);
    expect(await server.exited).toBe(0);
    const streamLines = server.lines.filter((line) => line.includes('stream session'));
    expect(streamLines.map((line) => JSON.parse(line).msg)).toEqual(['stream session opened', 'stream session closed']);
    expect(JSON.parse(streamLines[1]!)).toMatchObject({ level: 30, robot: 'ur5e', mode: 'velocity', code: 1001, commands: 101 });
    // never a line per command
    expect(server.lines.length).toBeLessThan(20);
  }, 30_000);
});
