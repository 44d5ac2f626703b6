/**
 * The hot paths allocate nothing per call: FK of every link, the Jacobian in every frame with a
 * tip offset, the twist and the efforts. Measured in a process of its own by
 * test/helpers/allocation-probe.ts (see there how), in bytes per call.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

/** The smallest heap object is 16 bytes: an average below 1 byte means none in 16 calls or more. */
const NOTHING = 1;
/**
 * An IK iteration allocates no array or object (the smallest typed array is over 100 bytes), but
 * V8 boxes a double passed to a function it does not inline, such as λ² to the step kernels
 * (16 bytes each), and Node 20's performance.now() allocates its result (read every 4th step).
 */
const IK_ITERATION_BYTES = 64;
/**
 * A step allocates its result objects (the result, two errors, the singularity measures) and a
 * velocity command likewise (its result and the singularity measures), and no more. How many of
 * their doubles V8 boxes (16 bytes each) depends on what it inlined, which differs from process to
 * process: measured 450 to 496 bytes per step and 260 to 408 per velocity command over many runs.
 * The smallest Float64Array is 253 bytes (measured with this probe's flags), so one array more
 * makes at least 450 + 253 = 703 and 260 + 253 = 513: each bound sits above the largest result
 * measured and below the smallest result plus one array.
 */
const IK_STEP_BYTES = 600;
const VELOCITY_COMMAND_BYTES = 500;

describe('hot paths allocate nothing per call', () => {
  const probe = spawnSync(process.execPath, [
    '--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64', '--import', 'tsx',
    join(REPO_ROOT, 'test', 'helpers', 'allocation-probe.ts'),
  ], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  const bytes = probe.status === 0 ? JSON.parse(probe.stdout) as Record<string, number> : {};

  it('the probe ran', () => {
    expect(probe.stderr, probe.stderr).toBe('');
    expect(probe.status).toBe(0);
  });

  const kernels = ['fk', 'fk in a base', 'fk of a chain',
    ...['LOCAL_WORLD_ALIGNED', 'LOCAL', 'WORLD'].flatMap((f) => [`jacobian ${f}`, `tip pose ${f}`, `twist ${f}`, `efforts ${f}`, `jacobian derivative ${f}`, `hessian ${f}`, `tip acceleration ${f}`]), 'jacobian derivative fused', 'hessian fused'];
  it.each(kernels)('%s', (name) => {
    expect(bytes[name]).toBeLessThan(NOTHING);
  });

  it('IK: no arrays or objects per solver iteration, only result objects per step', () => {
    expect(bytes['ik solve steps']).toBeGreaterThan(100);
    expect(bytes['ik solve per step']).toBeLessThan(IK_ITERATION_BYTES);
    expect(bytes['ik step']).toBeLessThan(IK_STEP_BYTES);
  });

  it.each(['near', 'at'])('IK: a velocity command %s a singularity allocates only its result', (where) => {
    expect(bytes[`ik velocity ${where} a singularity`]).toBeLessThan(VELOCITY_COMMAND_BYTES);
  });
});
