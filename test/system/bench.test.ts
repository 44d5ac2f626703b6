/**
 * The benchmarks' --json output keeps its shape, which reports and scripts read (the numbers themselves are
 * for `npm run bench` and `npm run bench:ik`, not for a test). Quick runs, without the KDL
 * baseline.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

function runBench(file: string, env: Record<string, string> = {}): unknown {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', file), '--json', '--quick'], {
    cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, KDL_BASELINE: 'off', ...env },
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

describe('benchmark output', () => {
  it('npm run bench -- --json: fk (all links) and jacobian for the Panda, the UR5e and the iiwa 14', () => {
    const { results } = runBench('core-bench.ts') as { results: Record<string, unknown>[] };
    for (const result of results) {
      expect(Object.keys(result)).toEqual(expect.arrayContaining(['name', 'robot', 'tip', 'dof', 'nsPerOp']));
      expect(result.nsPerOp).toBeGreaterThan(0);
    }
    for (const [robot, tip, dof] of [['franka_panda', 'panda_hand_tcp', 7], ['ur5e', 'tool0', 6], ['kuka_iiwa14', undefined, 7]] as const) {
      for (const name of ['fk', 'jacobian']) {
        const row = results.find((r) => r.robot === robot && String(r.name).startsWith(name) && (name === 'jacobian' ? r.name === 'jacobian' : true));
        expect(row, `${name} ${robot}`).toBeDefined();
        if (name === 'jacobian') {
          expect(row!.dof).toBe(dof);
          if (tip) expect(row!.tip).toBe(tip);
        }
      }
    }
  }, 180_000);

  it('npm run bench:ik -- --json: success rate and times per arm', () => {
    const { results } = runBench('ik-bench.ts', { IK_BENCH_ARMS: 'ur5e' }) as { results: Record<string, unknown>[] };
    expect(results).toHaveLength(1);
    const [ur5e] = results as [Record<string, number | string>];
    expect(Object.keys(ur5e)).toEqual(expect.arrayContaining(['robot', 'tip', 'dof', 'n', 'successRate', 'meanUs', 'medianUs', 'p99Us']));
    expect([ur5e.robot, ur5e.tip, ur5e.dof, ur5e.n]).toEqual(['ur5e', 'tool0', 6, 1000]);
    expect(ur5e.successRate).toBeGreaterThanOrEqual(0);
    expect(ur5e.successRate).toBeLessThanOrEqual(1);
    for (const key of ['meanUs', 'medianUs', 'p99Us']) expect(Number.isFinite(ur5e[key]) && Number(ur5e[key]) > 0, key).toBe(true);
  }, 180_000);

  it('npm run bench:stream -- --json: stream and HTTP round trips per scenario, and whether the clients kept up', () => {
    const { clientProcesses, results } = runBench('stream-bench.ts') as { clientProcesses: number; results: Record<string, any>[] };
    expect(clientProcesses).toBe(2);
    expect(results.map((r) => [r.sessions, r.rateHz])).toEqual([[1, 500], [1, 1000], [16, 500], [64, 100]]);
    for (const r of results) {
      expect(Object.keys(r.stream)).toEqual(expect.arrayContaining(['n', 'p50Us', 'p99Us', 'maxUs', 'computeP50Us', 'skipped', 'lost', 'halts', 'errors',
        'late', 'clientProcesses', 'sendLagP99Us', 'serverCpuUsPerCommand', 'serverCores', 'clientCores']));
      expect(Object.keys(r.http)).toEqual(expect.arrayContaining(['n', 'p50Us', 'p99Us', 'maxUs', 'late']));
      expect(Object.keys(r.loadAverage)).toEqual(['before', 'after']);
      expect(r.cpuWaitShare === null || r.cpuWaitShare >= 0).toBe(true);
      // the sessions are spread over the client processes: one for a single session, two beyond
      expect(r.stream.clientProcesses).toBe(Math.min(2, r.sessions));
      for (const key of ['late', 'lost', 'sendLagP99Us', 'serverCpuUsPerCommand', 'serverCores', 'clientCores']) {
        expect(Number.isFinite(r.stream[key]) && r.stream[key] >= 0, key).toBe(true);
      }
      expect(r.stream.n).toBeGreaterThan(0);
      expect(r.stream.errors).toBe(0);
      expect(r.stream.p99Us).toBeGreaterThanOrEqual(r.stream.p50Us);
    }
  }, 180_000);
});
