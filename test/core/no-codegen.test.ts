import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { maxAbsDifference } from '../helpers/finite-differences.js';
import { REPO_ROOT, readBuiltinUrdf } from '../helpers/paths.js';
import { compileRobot } from '../../src/core/compiled-robot.js';

describe('without code generation', () => {
  it('falls back to the reference loops and computes the same Jacobian', () => {
    // a child process with `new Function` disabled, as under a strict security policy
    const script = `
      const { readFileSync } = await import('node:fs');
      const { loadRobot } = await import('./src/urdf/load-urdf.ts');
      const { computeLinkPoses } = await import('./src/core/forward-kinematics.ts');
      const robot = loadRobot(readFileSync('robots/franka_panda.urdf', 'utf8'));
      const m = robot.model;
      const path = robot.path(0, m.linkIndex.get('panda_hand_tcp'));
      const q = new Float64Array(m.dof).fill(0.4);
      const X = new Float64Array(12), J = new Float64Array(6 * m.dof);
      path.jacobian(q, X, J);
      const poses = computeLinkPoses(robot, q, new Float64Array(12 * m.linkNames.length));
      console.log(JSON.stringify({ robot: robot.implementation, implementation: path.implementation, steps: path.stepKernels === undefined, J: [...J], X: [...X], tcp: [...poses.subarray(12 * m.linkIndex.get('panda_hand_tcp'), 12 * m.linkIndex.get('panda_hand_tcp') + 12)] }));
    `;
    const output = execFileSync(process.execPath,
      ['--disallow-code-generation-from-strings', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: REPO_ROOT, encoding: 'utf8' });
    const child = JSON.parse(output) as { robot: string; implementation: string; steps: boolean; J: number[]; X: number[]; tcp: number[] };
    expect(child.robot).toBe('reference');
    expect(child.implementation).toBe('reference');
    expect(child.steps).toBe(true); // no step kernels: IK uses the loops
    expect(maxAbsDifference(child.tcp, child.X)).toBeLessThan(1e-14);
    // the same numbers as the compiled kernel of this process
    const robot = compileRobot(loadUrdf(readBuiltinUrdf('franka_panda')));
    const { model } = robot;
    const path = robot.path(0, model.linkIndex.get('panda_hand_tcp')!);
    expect(path.implementation).toBe('compiled');
    const X = new Float64Array(12), J = new Float64Array(6 * model.dof);
    path.jacobian(new Float64Array(model.dof).fill(0.4), X, J);
    expect(maxAbsDifference(child.X, X)).toBeLessThan(1e-14);
    expect(maxAbsDifference(child.J, J)).toBeLessThan(1e-14);
  });
});
