import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JointType, RobotDescription } from '../../src/core/robot-description.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { parseUrdf } from '../../src/urdf/urdf-parser.js';
import { BUILTIN_ROBOTS, CORPUS_DIR, ROBOTS_DIR, readBuiltinUrdf, skipWithoutCorpus } from '../helpers/paths.js';
import { compileRobot } from '../../src/core/compiled-robot.js';

type JointCounts = Partial<Record<JointType, number>>;

/**
 * urdfdom's joint counts per corpus file, from the table in SOURCES.md ("joints by type"; mimic
 * counts the joints that have a <mimic> element). Every file is a tree, so it has one link more
 * than it has joints; SOURCES.md states the link counts of the two largest (PR2 82, Atlas 70).
 */
const URDFDOM_COUNTS: Record<string, { joints: JointCounts; mimic: number; links?: number }> = {
  franka_panda: { joints: { revolute: 7, prismatic: 2, fixed: 3 }, mimic: 1 },
  ur3: { joints: { revolute: 6, fixed: 4 }, mimic: 0 },
  ur5: { joints: { revolute: 6, fixed: 4 }, mimic: 0 },
  ur10: { joints: { revolute: 6, fixed: 4 }, mimic: 0 },
  ur5e: { joints: { revolute: 6, fixed: 4 }, mimic: 0 },
  kuka_iiwa14: { joints: { revolute: 7, fixed: 3 }, mimic: 0 },
  kuka_lbr_iiwa14_r820: { joints: { revolute: 7, fixed: 2 }, mimic: 0 },
  kinova_gen3: { joints: { continuous: 4, revolute: 3, fixed: 1 }, mimic: 0 },
  kinova_jaco_j2s7s300: { joints: { continuous: 4, revolute: 6, fixed: 5 }, mimic: 0 },
  xarm6: { joints: { revolute: 12, fixed: 2 }, mimic: 5 },
  sawyer: { joints: { revolute: 8, fixed: 10 }, mimic: 0 },
  baxter: { joints: { revolute: 15, prismatic: 4, fixed: 37 }, mimic: 2 },
  pr2: { joints: { revolute: 25, continuous: 4, prismatic: 1, fixed: 51 }, mimic: 10, links: 82 },
  atlas: { joints: { revolute: 30, fixed: 39 }, mimic: 0, links: 70 },
  robotiq_2f_85: { joints: { revolute: 6, fixed: 4 }, mimic: 5 },
  abb_irb2400: { joints: { revolute: 6, fixed: 2 }, mimic: 0 },
  fanuc_lrmate200id: { joints: { revolute: 6, fixed: 3 }, mimic: 0 },
  staubli_tx2_60: { joints: { revolute: 6, fixed: 3 }, mimic: 0 },
  kuka_kr210l150: { joints: { revolute: 6, fixed: 2 }, mimic: 0 },
  motoman_sia10d: { joints: { revolute: 7, fixed: 2 }, mimic: 0 },
};

function jointCounts(d: RobotDescription): JointCounts {
  const counts: JointCounts = {};
  for (const j of d.joints) counts[j.type] = (counts[j.type] ?? 0) + 1;
  return counts;
}

/** What the robots/README.md table says about each builtin robot. */
const BUILTIN_FACTS: Record<(typeof BUILTIN_ROBOTS)[number], { dof: number; root: string; tip?: string }> = {
  franka_panda: { dof: 8, root: 'panda_link0' },
  ur5e: { dof: 6, root: 'base_link', tip: 'tool0' },
  kuka_iiwa14: { dof: 7, root: 'base', tip: 'iiwa_link_ee' },
  kinova_gen3: { dof: 7, root: 'base_link', tip: 'EndEffector_Link' },
  abb_irb2400: { dof: 6, root: 'base_link', tip: 'tool0' },
  scara: { dof: 4, root: 'base_link', tip: 'tool0' },
  baxter: { dof: 17, root: 'base' },
};

describe('the URDF corpus', () => {
  if (skipWithoutCorpus()) return;
  const files = readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.urdf')).sort();

  it('has an entry in the urdfdom table for every file, and a file for every entry', () => {
    expect(files.map((f) => basename(f, '.urdf'))).toEqual(Object.keys(URDFDOM_COUNTS).sort());
  });

  for (const file of files) {
    const id = basename(file, '.urdf');
    it(`${file} loads with urdfdom's joint and link counts, and dof = movable joints - mimic joints`, () => {
      const text = readFileSync(join(CORPUS_DIR, file), 'utf8');
      const description = parseUrdf(text);
      const robot = compileRobot(loadUrdf(text));
      const { model } = robot;
      const expected = URDFDOM_COUNTS[id];
      expect(expected, `${id} is missing from URDFDOM_COUNTS`).toBeDefined();
      const { joints, mimic, links } = expected!;
      expect(jointCounts(description)).toEqual(joints);
      expect(description.joints.filter((j) => j.mimic).length).toBe(mimic);
      const jointTotal = Object.values(joints).reduce((sum, n) => sum + n, 0);
      if (links !== undefined) expect(model.linkNames).toHaveLength(links);
      expect(model.linkNames).toHaveLength(jointTotal + 1);
      const movable = (joints.revolute ?? 0) + (joints.continuous ?? 0) + (joints.prismatic ?? 0);
      expect(model.dof).toBe(movable - mimic);
      expect(model.mimics).toHaveLength(mimic);
    });
  }

  it('every chain in chains.json runs between links of its robot, base above tip', () => {
    const chains = JSON.parse(readFileSync(join(CORPUS_DIR, 'chains.json'), 'utf8')) as {
      robots: { robot: string; file: string; chains: { base: string; tip: string }[] }[];
    };
    expect(chains.robots.length).toBeGreaterThan(0);
    for (const r of chains.robots) {
      const robot = compileRobot(loadUrdf(readFileSync(join(CORPUS_DIR, r.file), 'utf8')));
      const { model } = robot;
      for (const chain of r.chains) {
        const where = `${r.robot}: ${chain.base} -> ${chain.tip}`;
        const base = model.linkIndex.get(chain.base);
        let tip = model.linkIndex.get(chain.tip);
        expect(base, where).toBeDefined();
        expect(tip, where).toBeDefined();
        while (tip !== undefined && tip !== base && tip >= 0) tip = model.parent[tip];
        expect(tip, `${where}: the base is not an ancestor of the tip`).toBe(base);
      }
    }
  });
});

describe('the builtin robots', () => {
  it('BUILTIN_ROBOTS lists exactly the URDF files in robots/', () => {
    const files = readdirSync(ROBOTS_DIR).filter((f) => f.endsWith('.urdf')).map((f) => basename(f, '.urdf'));
    expect([...BUILTIN_ROBOTS].sort()).toEqual(files.sort());
  });

  for (const id of BUILTIN_ROBOTS) {
    it(`${id} loads, is named after its file, and has the dof, root and tip of robots/README.md`, () => {
      const robot = compileRobot(loadUrdf(readBuiltinUrdf(id)));
      const { model } = robot;
      const facts = BUILTIN_FACTS[id];
      expect(model.name).toBe(id);
      expect(model.dof).toBe(facts.dof);
      expect(model.linkNames[0]).toBe(facts.root);
      if (facts.tip !== undefined) expect(model.defaultTip).toBe(facts.tip);
    });
  }
});

describe('builtin robots restate their corpus sources exactly', () => {
  if (skipWithoutCorpus()) return;
  const withSource = BUILTIN_ROBOTS.filter((id) => readdirSync(CORPUS_DIR).includes(`${id}.urdf`));

  it('every builtin robot except the SCARA has a corpus source', () => {
    expect(BUILTIN_ROBOTS.filter((id) => !withSource.includes(id))).toEqual(['scara']);
  });

  for (const id of withSource) {
    it(`${id}: every joint has the corpus joint's type, parent, child, origin, axis, limits and mimic`, () => {
      const builtin = parseUrdf(readBuiltinUrdf(id));
      const source = parseUrdf(readFileSync(join(CORPUS_DIR, `${id}.urdf`), 'utf8'));
      const sourceJoints = new Map(source.joints.map((j) => [j.name, j]));
      const sourceLinks = new Set(source.links.map((l) => l.name));
      for (const l of builtin.links) expect(sourceLinks.has(l.name), `link ${l.name} is not in the corpus file`).toBe(true);
      for (const j of builtin.joints) {
        const s = sourceJoints.get(j.name);
        expect(s, `joint ${j.name} is not in the corpus file`).toBeDefined();
        const where = `${id}: joint ${j.name}`;
        expect({ type: j.type, parent: j.parent, child: j.child }, where).toEqual({ type: s!.type, parent: s!.parent, child: s!.child });
        expect({ xyz: j.xyz, rpy: j.rpy, axis: j.axis }, where).toEqual({ xyz: s!.xyz, rpy: s!.rpy, axis: s!.axis });
        expect(j.mimic, where).toEqual(s!.mimic);
        // robots/README.md: <limit> elements on fixed joints were left out on purpose (they have
        // no kinematic effect); on every movable joint the limits are copied verbatim
        if (j.type !== 'fixed') expect(j.limits, where).toEqual(s!.limits);
      }
    });
  }
});
