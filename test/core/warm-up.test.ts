import { describe, expect, it } from 'vitest';
import { solveIk } from '../../src/core/ik/solve.js';
import { computeEndEffectorPose, resolveEndEffector } from '../../src/core/jacobian.js';
import { buildModel } from '../../src/core/model.js';
import { createRobotContext, type RobotContext } from '../../src/core/robot-context.js';
import { warmUp, warmedTips, WARMED_PATH_LINKS } from '../../src/core/warm-up.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { BUILTIN_ROBOTS, readBuiltinUrdf } from '../helpers/paths.js';
import { Random } from '../helpers/random.js';
import { randomRobot } from '../helpers/random-robot.js';

const rng = new Random(20261207);

/** A revolute chain of n joints about alternating axes. */
function chainUrdf(n: number): string {
  const links = Array.from({ length: n + 1 }, (_, i) => `<link name="l${i}"/>`).join('');
  const joints = Array.from({ length: n }, (_, i) => `<joint name="j${i}" type="revolute"><parent link="l${i}"/><child link="l${i + 1}"/>`
    + `<origin xyz="0 0 0.1"/><axis xyz="${i % 2} ${(i + 1) % 2} 0"/><limit lower="-2" upper="2" effort="1" velocity="1"/></joint>`).join('');
  return `<robot name="chain_${n}">${links}${joints}</robot>`;
}

/** The answers a fresh context gives, to compare with a warmed one. */
function answers(context: RobotContext): number[] {
  const { robot, ik, model } = { ...context, model: context.robot.model };
  const out: number[] = [];
  for (const tip of warmedTips(model)) {
    const ee = resolveEndEffector(robot, { tip: model.linkNames[tip]! });
    const q = new Float64Array(model.dof).map((_, k) => 0.3 * Math.sin(k + 1));
    const target = computeEndEffectorPose(robot, q, ee, new Float64Array(12));
    const r = solveIk(robot, ik, ee, target, { seed: new Float64Array(model.dof), timeoutMs: 1e6, maxRestarts: 3 });
    out.push(...r.q, r.iterations, r.restarts);
  }
  return out;
}

describe('warming a robot', () => {
  const robots = [
    ...BUILTIN_ROBOTS.map((id) => loadUrdf(readBuiltinUrdf(id))),
    ...Array.from({ length: 12 }, () => buildModel(randomRobot(rng, { links: 3 + rng.int(40), mimicProbability: 0.3 }))),
    loadUrdf(chainUrdf(80)),
  ];

  it.each(robots.map((model) => [model.name, model]))('%s: compiles the paths to its tips and leaves every answer as a cold robot gives it', (_name, model) => {
    const warmed = createRobotContext(model);
    warmUp(warmed);
    const tips = warmedTips(model);
    expect(tips.length).toBeGreaterThan(0);
    // warming is deterministic and leaves no state behind that changes a later answer
    expect(answers(warmed)).toEqual(answers(createRobotContext(model)));
  });

  it('warms the tips within a budget of path links, deepest robots included', () => {
    const model = loadUrdf(chainUrdf(600));
    expect(warmedTips(model)).toEqual([]); // 600 links from the root to its one tip exceed the budget
    expect(WARMED_PATH_LINKS).toBeLessThan(600);
    const baxter = loadUrdf(readBuiltinUrdf('baxter'));
    const links = warmedTips(baxter).reduce((sum, tip) => sum + baxter.depth[tip]!, 0);
    expect(links).toBeLessThanOrEqual(WARMED_PATH_LINKS);
    expect(warmedTips(baxter).length).toBeGreaterThan(1);
  });
});
