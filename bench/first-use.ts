/**
 * `npm run bench:first-use`: the first uses of a robot at the upload caps (issue 17's measurements),
 * on a freshly started compiled service, with /healthz probed every 5 ms over its own connection
 * meanwhile: how long each call took and how long /healthz waited at worst during it.
 *   1. the upload of a 999-joint revolute chain (URDF_MAX_LINKS is 1000);
 *   2. its first and second POST /robots/big/jacobian with analysis: true;
 *   3. its first and second ik/solve with timeoutMs 50 to a target out of reach (the solve runs
 *      its whole budget): elapsedMs against timeoutMs + 0.5 ms, the round trip against timeoutMs.
 * Goals printed beside them: /healthz never waits more than 20 ms; elapsedMs ≤ timeoutMs + 0.5.
 * Flags: --json. SERVER_NODE_ARGS passes node options to the service (for example --cpu-prof);
 * FIRST_USE_SERVER=<server.js> runs another compiled build (an earlier commit's, for a baseline).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainUrdf } from '../scripts/chain-urdf.js';
import { startServer } from '../scripts/server-process.js';
import { send, type Answer } from './heavy-load-client.js';
import { benchFlags } from './timing.js';

const JOINTS = 999;
const TIMEOUT_MS = 50;
const HEALTHZ_GOAL_MS = 20;
const OVERRUN_GOAL_MS = 0.5;

/** /healthz every 5 ms; `worstSince()` is the longest round trip since the last call. */
function healthzProbe(url: URL): { worstSince(): number; stop(): Promise<void> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let worst = 0, running = true;
  const loop = (async () => {
    while (running) {
      worst = Math.max(worst, (await send(agent, url, 'GET', '/healthz')).ms);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    worstSince: () => { const w = worst; worst = 0; return w; },
    stop: async () => { running = false; await loop; agent.destroy(); },
  };
}

interface Row { call: string; status: number; ms: number; healthzWorstMs: number; elapsedMs?: number }

const flags = benchFlags();
const dataDir = mkdtempSync(join(tmpdir(), 'kinematics-first-use-'));
const server = await startServer({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, {
  compiled: true, nodeArgs: process.env.SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [],
  ...(process.env.FIRST_USE_SERVER ? { entry: process.env.FIRST_USE_SERVER } : {}),
});
const url = new URL(server.url);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const probe = healthzProbe(url);
const rows: Row[] = [];
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));
async function measure(call: string, run: () => Promise<Answer>): Promise<Answer> {
  await settle();
  probe.worstSince();
  const answer = await run();
  await new Promise((resolve) => setTimeout(resolve, 20)); // a probe in flight at the end counts
  const row: Row = { call, status: answer.status, ms: answer.ms, healthzWorstMs: probe.worstSince() };
  if (call.startsWith('ik/solve')) row.elapsedMs = (JSON.parse(answer.body) as { elapsedMs: number }).elapsedMs;
  rows.push(row);
  return answer;
}
try {
  await measure(`upload of a ${JOINTS}-joint chain`, () => send(agent, url, 'POST', '/robots?id=big', chainUrdf(JOINTS, { xyz: '0 0 0.01', rpy: '0 0.01 0' }), 'application/xml'));
  const q = Array.from({ length: JOINTS }, (_, k) => 0.3 * Math.sin(k));
  for (const which of ['first', 'second']) {
    await measure(`jacobian with analysis (${which})`, () => send(agent, url, 'POST', '/robots/big/jacobian', JSON.stringify({ q, analysis: true })));
  }
  const target = { position: [0, 0, 500], quaternion: [0, 0, 0, 1] };
  for (const which of ['first', 'second']) {
    await measure(`ik/solve timeoutMs ${TIMEOUT_MS} (${which})`, () => send(agent, url, 'POST', '/robots/big/ik/solve', JSON.stringify({ target, seed: q, timeoutMs: TIMEOUT_MS, maxRestarts: 100_000 })));
  }
} finally {
  await probe.stop();
  agent.destroy();
  server.child.kill('SIGTERM');
  await server.exited;
  rmSync(dataDir, { recursive: true, force: true });
}

const healthzMet = rows.every((r) => r.healthzWorstMs <= HEALTHZ_GOAL_MS);
const solves = rows.filter((r) => r.elapsedMs !== undefined);
const budgetMet = solves.every((r) => r.elapsedMs! <= TIMEOUT_MS + OVERRUN_GOAL_MS);
if (flags.json) {
  console.log(JSON.stringify({ rows, goals: { healthzWorstMs: HEALTHZ_GOAL_MS, healthzMet, elapsedOverTimeoutMs: OVERRUN_GOAL_MS, budgetMet } }));
} else {
  console.log(`first uses of a ${JOINTS}-joint robot, /healthz probed every 5 ms meanwhile`);
  for (const r of rows) {
    const solve = r.elapsedMs === undefined ? '' : `  elapsedMs ${r.elapsedMs.toFixed(2)} (timeoutMs ${TIMEOUT_MS}), round trip - timeoutMs ${(r.ms - TIMEOUT_MS).toFixed(1)} ms`;
    console.log(`  ${r.call.padEnd(38)} ${r.status}  ${r.ms.toFixed(1).padStart(7)} ms   /healthz waited at most ${r.healthzWorstMs.toFixed(1).padStart(5)} ms${solve}`);
  }
  console.log(`goals: /healthz ≤ ${HEALTHZ_GOAL_MS} ms during each call: ${healthzMet ? 'met' : 'NOT met'}; elapsedMs ≤ timeoutMs + ${OVERRUN_GOAL_MS}: ${budgetMet ? 'met' : 'NOT met'}`);
}
