/**
 * The client examples of examples/, each run as a user would against the real service: the curl
 * script, the Python resolved-rate loop and the typed TypeScript client, whose generated types must
 * be what openapi-typescript makes of the current openapi/openapi.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { untilServing } from './until-serving.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { serverForSuite } from '../helpers/server.js';

const EXAMPLES = join(REPO_ROOT, 'examples');

function installed(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}
const HAS_CURL = installed('curl');
const HAS_PYTHON = installed('python3');
/** A Python that has the websockets package: the one on PATH, or Debian's (python3-websockets). */
const PYTHON_WITH_WEBSOCKETS = ['python3', '/usr/bin/python3'].find((python) => spawnSync(python, ['-c', 'import websockets'], { stdio: 'ignore' }).status === 0);

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs a command to its end (asynchronously: the server's output keeps being read meanwhile). */
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The number after `label` in `text`. */
function numberAfter(text: string, label: string): number {
  const match = new RegExp(`${label}\\s*([0-9.]+)`).exec(text);
  if (!match) throw new Error(`no "${label}" in:\n${text}`);
  return Number(match[1]);
}

describe('the client examples against the service', () => {
  const suite = serverForSuite('examples', { LOG_LEVEL: 'warn' });
  beforeAll(async () => untilServing(suite.server.url));

  it.skipIf(!HAS_CURL)('examples/curl.sh calls every route it shows and succeeds'.concat(HAS_CURL ? '' : ' (skipped: curl is not installed)'), async () => {
    expect(statSync(join(EXAMPLES, 'curl.sh')).mode & 0o111, 'curl.sh is executable').not.toBe(0);
    const result = await run(join(EXAMPLES, 'curl.sh'), [suite.server.url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const title of ['robots', 'robot', 'forward kinematics', 'jacobian', 'jacobian derivative', 'hessian', 'manipulability', 'ik step', 'ik solve', 'ik velocity in the null space']) {
      expect(result.stdout).toContain(`== ${title}:`);
    }
    expect(result.stdout).toMatch(/"biasAcceleration":\{/);
    expect(result.stdout).toMatch(/"hessian":\[\[\[/);
    expect(result.stdout).toMatch(/"nullspace":\{"applied":1/);
    expect(result.stdout).toMatch(/"jacobian":\[\[/);
    expect(result.stdout).toMatch(/"singularValues":\[/);
    expect(result.stdout).toMatch(/"converged":true/);
    expect(result.stdout).toContain('all calls succeeded');
  });

  it.skipIf(!HAS_CURL)('examples/curl.sh stops with a non-zero exit code at the first failing call'.concat(HAS_CURL ? '' : ' (skipped: curl is not installed)'), async () => {
    const result = await run(join(EXAMPLES, 'curl.sh'), [], { BASE_URL: `${suite.server.url}/no-such-prefix` });
    expect(result.code).toBe(22); // curl --fail-with-body on an HTTP error
    expect(result.stdout).toContain('"status":404'); // the problem+json body is still shown
    expect(result.stderr).toContain('robots failed');
    expect(result.stdout).not.toContain('== robot:');
  });

  it.skipIf(!HAS_PYTHON)('examples/python/resolved_rate.py holds 100 Hz and reports latency and drift'.concat(HAS_PYTHON ? '' : ' (skipped: python3 is not installed)'), async () => {
    const result = await run('python3', [join(EXAMPLES, 'python', 'resolved_rate.py'), '--base-url', suite.server.url, '--robot', 'ur5e', '--seconds', '2', '--rate', '100']);
    console.log(result.stdout);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const rate = numberAfter(result.stdout, 'loop rate:');
    expect(rate).toBeGreaterThan(90);
    expect(rate).toBeLessThan(110);
    expect(numberAfter(result.stdout, 'p50')).toBeGreaterThan(0);
    expect(numberAfter(result.stdout, 'p99')).toBeGreaterThanOrEqual(numberAfter(result.stdout, 'p50'));
    expect(numberAfter(result.stdout, 'max')).toBeGreaterThanOrEqual(numberAfter(result.stdout, 'p99'));
    expect(result.stdout).toMatch(/scaled commands: \d+ of 200 \(status != ok\)/);
    // open-loop integration of a 2 cm circle at 100 Hz stays within a fraction of a millimetre
    expect(numberAfter(result.stdout, 'final drift:')).toBeLessThan(1);
  });

  it.skipIf(!HAS_PYTHON)('examples/python/resolved_rate.py exits non-zero on an HTTP error'.concat(HAS_PYTHON ? '' : ' (skipped: python3 is not installed)'), async () => {
    const result = await run('python3', [join(EXAMPLES, 'python', 'resolved_rate.py'), '--base-url', suite.server.url, '--robot', 'no_such_robot', '--seconds', '0.1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: GET \/robots\/no_such_robot: HTTP 404: /);
  });

  it.skipIf(!PYTHON_WITH_WEBSOCKETS)('examples/python/stream_resolved_rate.py holds 250 Hz over one stream session'.concat(PYTHON_WITH_WEBSOCKETS ? '' : ' (skipped: no python3 with websockets; install python3-websockets)'), async () => {
    const result = await run(PYTHON_WITH_WEBSOCKETS!, [join(EXAMPLES, 'python', 'stream_resolved_rate.py'), '--base-url', suite.server.url, '--seconds', '2', '--rate', '250']);
    console.log(result.stdout);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const rate = numberAfter(result.stdout, 'loop rate:');
    // a loaded 2-core machine may miss periods: a fifth of them at most
    expect(rate).toBeGreaterThan(200);
    expect(rate).toBeLessThan(260);
    expect(result.stdout).toMatch(/skipped commands: \d+, halts: \d+/);
    expect(numberAfter(result.stdout, 'p99')).toBeGreaterThanOrEqual(numberAfter(result.stdout, 'p50'));
    // the same open-loop circle as the HTTP loop: within a fraction of a millimetre
    expect(numberAfter(result.stdout, 'final drift:')).toBeLessThan(1);
  });

  it.skipIf(!PYTHON_WITH_WEBSOCKETS)('examples/python/stream_resolved_rate.py exits 1 for an unknown robot'.concat(PYTHON_WITH_WEBSOCKETS ? '' : ' (skipped)'), async () => {
    const result = await run(PYTHON_WITH_WEBSOCKETS!, [join(EXAMPLES, 'python', 'stream_resolved_rate.py'), '--base-url', suite.server.url, '--robot', 'no_such_robot', '--seconds', '0.1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: GET \/robots\/no_such_robot: HTTP 404: /);
  });

  it('examples/typescript/stream-client.ts configures a session and streams typed commands', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', join(EXAMPLES, 'typescript', 'stream-client.ts'), '--base-url', suite.server.url, '--seconds', '1']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^configured: velocity, 6 joints \(shoulder_pan_joint, /m);
    expect(result.stdout).toMatch(/^250 commands at 250 Hz: round trip p50 \d+ µs, p99 \d+ µs/m);
    expect(result.stdout).toMatch(/^last result: seq 249, status ok, scale 1, computeUs [0-9.]+/m);
  });

  it('examples/typescript/interpolator.ts runs a joint loop near 1 kHz on 250 Hz commands with bounded qdot steps', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', join(EXAMPLES, 'typescript', 'interpolator.ts'), '--base-url', suite.server.url, '--seconds', '2']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // setTimeout keeps about a millisecond: the stand-in loop runs at several hundred Hz at least
    expect(numberAfter(result.stdout, 'joint loop:')).toBeGreaterThan(400);
    expect(numberAfter(result.stdout, 'commands:')).toBeGreaterThan(100);
    expect(numberAfter(result.stdout, 'halts:')).toBe(0);
  });

  it('examples/calibration/ur5e_tracker.csv is what make_csv.ts writes', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', join(EXAMPLES, 'calibration', 'make_csv.ts')]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(EXAMPLES, 'calibration', 'ur5e_tracker.csv'), 'utf8')).toBe(result.stdout);
  });

  it.skipIf(!HAS_PYTHON)('examples/calibration/calibrate_from_csv.py calibrates the UR5e from tracker positions and saves it'.concat(HAS_PYTHON ? '' : ' (skipped: python3 is not installed)'), async () => {
    const output = join(suite.dataDir, 'ur5e_cell.urdf');
    const result = await run('python3', [join(EXAMPLES, 'calibration', 'calibrate_from_csv.py'), '--base-url', suite.server.url, '--robot', 'ur5e',
      '--csv', join(EXAMPLES, 'calibration', 'ur5e_tracker.csv'), '--output', output, '--save-as', 'ur5e_cell']);
    console.log(result.stdout);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // 1 mm / 1 mrad origin errors give millimetres before; 0.05 mm of tracker noise per axis is 0.087 mm RMS
    const heldOut = /held out: RMS ([0-9.]+) mm -> ([0-9.]+) mm/.exec(result.stdout)!;
    expect(Number(heldOut[1])).toBeGreaterThan(0.5);
    expect(Number(heldOut[2])).toBeLessThan(0.15);
    expect(result.stdout).toContain('registered as ur5e_cell');
    const saved = await fetch(`${suite.server.url}/robots/ur5e_cell/urdf`);
    expect(await saved.text()).toBe(readFileSync(output, 'utf8'));
  });

  it('examples/typescript/client.ts lists robots, computes a Jacobian and a converged IK solve', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', join(EXAMPLES, 'typescript', 'client.ts'), '--base-url', suite.server.url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^robots: .*ur5e \(6 dof\)/m);
    expect(result.stdout).toMatch(/^jacobian of tool0 in LOCAL_WORLD_ALIGNED/m);
    expect(result.stdout).toMatch(/^ {2}rank 6, manipulability/m);
    expect(result.stdout).toMatch(/^ik\/solve: converged \(converged\)/m);
  });

  it('examples/typescript/client.ts exits 1 when the call fails', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', join(EXAMPLES, 'typescript', 'client.ts'), '--base-url', suite.server.url, '--robot', 'no_such_robot']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/POST \/robots\/no_such_robot\/jacobian failed: HTTP 404/);
  });
});

describe('the typed client', () => {
  it('examples/typescript/api.d.ts is what openapi-typescript generates from openapi/openapi.json (else run `npm run client:types`)', async () => {
    const cli = join(REPO_ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
    const result = await run(process.execPath, [cli, 'openapi/openapi.json']);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(EXAMPLES, 'typescript', 'api.d.ts'), 'utf8')).toBe(result.stdout);
  });
});
