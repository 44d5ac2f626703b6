import { describe, expect, it } from 'vitest';
import { expectKinematicsError } from '../helpers/errors.js';
import { MAX_MAGNITUDE } from '../../src/core/magnitude.js';
import { buildModel, JointCode, linkIndexOf, type KinematicModel } from '../../src/core/model.js';
import type { JointDescription, JointType, RobotDescription } from '../../src/core/robot-description.js';
import { Random } from '../helpers/random.js';
import { randomRobot } from '../helpers/random-robot.js';

// ---------------------------------------------------------------------------------------------
// helpers

/** A joint with zero origin, z axis, and (for revolute and prismatic) limits -1 .. 1. */
function joint(name: string, type: JointType, parent: string, child: string, extra: Partial<JointDescription> = {}): JointDescription {
  return {
    name, type, parent, child,
    xyz: [0, 0, 0], rpy: [0, 0, 0], axis: [0, 0, 1],
    limits: type === 'revolute' || type === 'prismatic' ? { lower: -1, upper: 1, effort: 1, velocity: 1 } : {},
    ...extra,
  };
}

function robot(linkNames: string[], joints: JointDescription[], name = 'r'): RobotDescription {
  return { name, links: linkNames.map((n) => ({ name: n })), joints };
}

/** Every array-valued field of a model, as plain arrays, for whole-model comparisons. */
function modelArrays(m: KinematicModel): Record<string, unknown> {
  return {
    linkNames: [...m.linkNames], jointNames: [...m.jointNames], jointNameOfLink: [...m.jointNameOfLink],
    tipLinks: [...m.tipLinks], defaultTip: m.defaultTip, dof: m.dof,
    // the order of `mimics` is not specified (it follows the description's joint order)
    mimics: [...m.mimics].sort((x, y) => x.name.localeCompare(y.name)),
    parent: Array.from(m.parent), depth: Array.from(m.depth), jointCode: Array.from(m.jointCode),
    X_PJ: Array.from(m.X_PJ), axis: Array.from(m.axis), qIndex: Array.from(m.qIndex),
    qMultiplier: Array.from(m.qMultiplier), qOffset: Array.from(m.qOffset), jointLink: Array.from(m.jointLink),
    qLower: Array.from(m.qLower), qUpper: Array.from(m.qUpper), velocityLimit: Array.from(m.velocityLimit),
    effortLimit: Array.from(m.effortLimit), continuous: Array.from(m.continuous),
  };
}

/**
 * Independent oracle for the documented link order: depth-first pre-order from the root, the
 * children of a link in the order their joints appear in the description.
 */
function expectedLinkOrder(d: RobotDescription): string[] {
  const children = new Set(d.joints.map((j) => j.child));
  const root = d.links.map((l) => l.name).find((n) => !children.has(n))!;
  const order: string[] = [];
  const visit = (link: string): void => {
    order.push(link);
    for (const j of d.joints) if (j.parent === link) visit(j.child);
  };
  visit(root);
  return order;
}

/** Shuffles joints at random but keeps the relative order of joints that share a parent. */
function shuffleKeepingSiblingOrder(rng: Random, joints: JointDescription[]): JointDescription[] {
  const shuffled = rng.shuffle([...joints]);
  const queues = new Map<string, JointDescription[]>();
  for (const j of joints) queues.set(j.parent, [...(queues.get(j.parent) ?? []), j]);
  return shuffled.map((j) => queues.get(j.parent)!.shift()!);
}

/** The random robot with every joint re-parented onto the previous one: a serial chain. */
function asChain(d: RobotDescription): RobotDescription {
  const childOf = new Map(d.joints.map((j) => [Number(j.name.split('_')[1]), j.child]));
  const children = new Set(childOf.values());
  const root = d.links.map((l) => l.name).find((n) => !children.has(n))!;
  return {
    ...d,
    joints: d.joints.map((j) => {
      const i = Number(j.name.split('_')[1]);
      return { ...j, parent: i === 1 ? root : childOf.get(i - 1)! };
    }),
  };
}

const randomRobots = (count: number): { seed: number; rng: Random; d: RobotDescription }[] =>
  Array.from({ length: count }, (_, k) => {
    const seed = 1000 + k;
    const rng = new Random(seed);
    return { seed, rng, d: randomRobot(rng, { links: 2 + rng.int(20), mimicProbability: 0.3 }) };
  });

// ---------------------------------------------------------------------------------------------

describe('buildModel: link order and active joints', () => {
  it('orders a serial chain from the root whatever the description order', () => {
    const m = buildModel(robot(['l3', 'tool', 'base', 'l1', 'l2'], [
      joint('j3', 'prismatic', 'l2', 'l3'),
      joint('tool_joint', 'fixed', 'l3', 'tool'),
      joint('j1', 'revolute', 'base', 'l1'),
      joint('j2', 'continuous', 'l1', 'l2'),
    ]));
    expect(m.linkNames).toEqual(['base', 'l1', 'l2', 'l3', 'tool']);
    expect(Array.from(m.parent)).toEqual([-1, 0, 1, 2, 3]);
    expect(Array.from(m.depth)).toEqual([0, 1, 2, 3, 4]);
    expect(m.jointNameOfLink).toEqual(['', 'j1', 'j2', 'j3', 'tool_joint']);
    expect(Array.from(m.jointCode)).toEqual([JointCode.FIXED, JointCode.REVOLUTE, JointCode.CONTINUOUS, JointCode.PRISMATIC, JointCode.FIXED]);
    expect(m.dof).toBe(3);
    expect(m.jointNames).toEqual(['j1', 'j2', 'j3']);
    expect([...m.jointIndex]).toEqual([['j1', 0], ['j2', 1], ['j3', 2]]);
    expect(Array.from(m.jointLink)).toEqual([1, 2, 3]);
    expect(Array.from(m.qIndex)).toEqual([-1, 0, 1, 2, -1]);
    expect([...m.linkIndex]).toEqual([['base', 0], ['l1', 1], ['l2', 2], ['l3', 3], ['tool', 4]]);
  });

  it('keeps each subtree contiguous and orders siblings by the order of their joints', () => {
    const joints = [
      joint('left_1', 'revolute', 'torso', 'left_upper'),
      joint('right_1', 'revolute', 'torso', 'right_upper'),
      joint('right_2', 'revolute', 'right_upper', 'right_hand'),
      joint('left_2', 'revolute', 'left_upper', 'left_hand'),
    ];
    const links = ['right_hand', 'left_hand', 'torso', 'right_upper', 'left_upper'];
    const m = buildModel(robot(links, joints));
    expect(m.linkNames).toEqual(['torso', 'left_upper', 'left_hand', 'right_upper', 'right_hand']);
    expect(m.jointNames).toEqual(['left_1', 'left_2', 'right_1', 'right_2']);
    const swapped = buildModel(robot(links, [joints[1]!, joints[0]!, joints[2]!, joints[3]!]));
    expect(swapped.linkNames).toEqual(['torso', 'right_upper', 'right_hand', 'left_upper', 'left_hand']);
    expect(swapped.jointNames).toEqual(['right_1', 'right_2', 'left_1', 'left_2']);
  });

  it('stores the joint placement from xyz and rpy (rotation row-major, then translation)', () => {
    const m = buildModel(robot(['a', 'b'], [joint('j', 'fixed', 'a', 'b', { xyz: [1, 2, 3], rpy: [0, 0, Math.PI / 2] })]));
    expect(Array.from(m.X_PJ.subarray(0, 12))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
    const expected = [0, -1, 0, 1, 0, 0, 0, 0, 1, 1, 2, 3];
    Array.from(m.X_PJ.subarray(12, 24)).forEach((v, i) => expect(v, `X_PJ[${12 + i}]`).toBeCloseTo(expected[i]!, 15));
  });

  it('normalises movable axes and leaves fixed joints (whatever their axis) with a zero axis', () => {
    const m = buildModel(robot(['a', 'b', 'c'], [
      joint('j', 'continuous', 'a', 'b', { axis: [0, -3, 4] }),
      joint('f', 'fixed', 'b', 'c', { axis: [Number.NaN, 0, 0] }),
    ]));
    expect(Array.from(m.axis)).toEqual([0, 0, 0, 0, -0.6, 0.8, 0, 0, 0]);
  });

  it('fills limits per active joint: continuous unbounded, missing velocity or effort infinite', () => {
    const m = buildModel(robot(['a', 'b', 'c', 'd'], [
      joint('rev', 'revolute', 'a', 'b', { limits: { lower: -2, upper: 3, velocity: 4, effort: 5 } }),
      joint('cont', 'continuous', 'b', 'c', { limits: { lower: -1, upper: 1, velocity: 6 } }),
      joint('pri', 'prismatic', 'c', 'd', { limits: { lower: 0, upper: 0.5 } }),
    ]));
    expect(Array.from(m.qLower)).toEqual([-2, -Infinity, 0]);
    expect(Array.from(m.qUpper)).toEqual([3, Infinity, 0.5]);
    expect(Array.from(m.velocityLimit)).toEqual([4, 6, Infinity]);
    expect(Array.from(m.effortLimit)).toEqual([5, Infinity, Infinity]);
    expect(Array.from(m.continuous)).toEqual([0, 1, 0]);
  });

  it('a robot of one link has no joints and no tip', () => {
    const m = buildModel(robot(['only'], []));
    expect(m.linkNames).toEqual(['only']);
    expect(m.dof).toBe(0);
    expect(m.tipLinks).toEqual([]);
    expect(m.defaultTip).toBeUndefined();
  });
});

describe('buildModel: order properties of random robots', () => {
  it('any order of the links gives exactly the same model', () => {
    for (const { seed, rng, d } of randomRobots(50)) {
      const a = buildModel(d);
      const b = buildModel({ ...d, links: rng.shuffle([...d.links]) });
      expect(modelArrays(b), `seed ${seed}`).toEqual(modelArrays(a));
    }
  });

  it('any order of the joints that keeps siblings in order gives exactly the same model', () => {
    for (const { seed, rng, d } of randomRobots(50)) {
      const a = buildModel(d);
      const b = buildModel({ ...d, links: rng.shuffle([...d.links]), joints: shuffleKeepingSiblingOrder(rng, d.joints) });
      expect(modelArrays(b), `seed ${seed}`).toEqual(modelArrays(a));
    }
  });

  it('serial chains get the same model from two different shuffles of links and joints', () => {
    for (const { seed, rng, d } of randomRobots(50)) {
      const chain = asChain(d);
      const a = buildModel({ ...chain, links: rng.shuffle([...chain.links]), joints: rng.shuffle([...chain.joints]) });
      const b = buildModel({ ...chain, links: rng.shuffle([...chain.links]), joints: rng.shuffle([...chain.joints]) });
      expect(modelArrays(b), `seed ${seed}`).toEqual(modelArrays(a));
      expect(a.defaultTip, `seed ${seed}`).toBe(a.dof > 0 ? a.linkNames[a.linkNames.length - 1] : undefined);
    }
  });

  it('any shuffle gives the same tree, in depth-first order with siblings in joint order', () => {
    for (const { seed, rng, d } of randomRobots(50)) {
      const shuffled = { ...d, links: rng.shuffle([...d.links]), joints: rng.shuffle([...d.joints]) };
      const a = buildModel(d);
      const b = buildModel(shuffled);
      const at = `seed ${seed}`;
      expect(a.linkNames, at).toEqual(expectedLinkOrder(d));
      expect(b.linkNames, at).toEqual(expectedLinkOrder(shuffled));
      const tree = (m: KinematicModel): Record<string, [string, string]> => Object.fromEntries(m.linkNames.map(
        (name, i) => [name, [m.parent[i]! < 0 ? '' : m.linkNames[m.parent[i]!]!, m.jointNameOfLink[i]!]]));
      expect(tree(b), at).toEqual(tree(a));
      expect([...b.jointNames].sort(), at).toEqual([...a.jointNames].sort());
      // q follows link order
      expect(b.jointNames, at).toEqual(b.linkNames.map((_, i) => b.jointNameOfLink[i]!).filter((n) => b.jointIndex.has(n)));
    }
  });

  it('every movable axis is a unit vector along the described axis', () => {
    for (const { seed, d } of randomRobots(50)) {
      const m = buildModel(d);
      for (let i = 1; i < m.linkNames.length; i++) {
        const j = d.joints.find((x) => x.name === m.jointNameOfLink[i])!;
        if (j.type === 'fixed') continue;
        const a = [m.axis[3 * i]!, m.axis[3 * i + 1]!, m.axis[3 * i + 2]!];
        const norm = Math.hypot(...j.axis);
        expect(Math.hypot(...a), `seed ${seed} ${j.name}`).toBeCloseTo(1, 14);
        a.forEach((v, k) => expect(v, `seed ${seed} ${j.name}`).toBeCloseTo(j.axis[k]! / norm, 14));
      }
    }
  });
});

describe('buildModel: mimic joints', () => {
  // a mimics b (m=2, o=1), b mimics c (m=3, o=0.5), so a = 2 (3 c + 0.5) + 1 = 6 c + 2
  const chainOfMimics = robot(['l0', 'l1', 'l2', 'l3'], [
    joint('a', 'revolute', 'l2', 'l3', { mimic: { joint: 'b', multiplier: 2, offset: 1 } }),
    joint('b', 'revolute', 'l1', 'l2', { mimic: { joint: 'c', multiplier: 3, offset: 0.5 } }),
    joint('c', 'revolute', 'l0', 'l1'),
  ]);

  it('resolves a chain of mimics to its root leader, composing multipliers and offsets', () => {
    const m = buildModel(chainOfMimics);
    expect(m.dof).toBe(1);
    expect(m.jointNames).toEqual(['c']);
    expect([...m.mimics].sort((x, y) => x.name.localeCompare(y.name))).toEqual([
      { name: 'a', leader: 'c', multiplier: 6, offset: 2 },
      { name: 'b', leader: 'c', multiplier: 3, offset: 0.5 },
    ]);
    // links l1, l2, l3 are driven by c, b and a
    expect(Array.from(m.qIndex)).toEqual([-1, 0, 0, 0]);
    expect(Array.from(m.qMultiplier)).toEqual([1, 1, 3, 6]);
    expect(Array.from(m.qOffset)).toEqual([0, 0, 0.5, 2]);
  });

  it('drives a mimic joint from a leader in another branch', () => {
    const m = buildModel(robot(['hand', 'left', 'right'], [
      joint('left_finger', 'prismatic', 'hand', 'left'),
      joint('right_finger', 'prismatic', 'hand', 'right', { mimic: { joint: 'left_finger', multiplier: -1, offset: 0 } }),
    ]));
    expect(m.jointNames).toEqual(['left_finger']);
    expect(m.mimics).toEqual([{ name: 'right_finger', leader: 'left_finger', multiplier: -1, offset: 0 }]);
    expect(m.tipLinks).toEqual(['left', 'right']);
  });

  it("with mimic: 'independent', mimic joints are active joints with their own limits", () => {
    const m = buildModel(chainOfMimics, { mimic: 'independent' });
    expect(m.mimicMode).toBe('independent');
    expect(m.dof).toBe(3);
    expect(m.jointNames).toEqual(['c', 'b', 'a']);
    expect(m.mimics).toEqual([]);
    expect(Array.from(m.qIndex)).toEqual([-1, 0, 1, 2]);
    expect(Array.from(m.qMultiplier)).toEqual([1, 1, 1, 1]);
    expect(Array.from(m.qOffset)).toEqual([0, 0, 0, 0]);
    expect(Array.from(m.qLower)).toEqual([-1, -1, -1]);
  });

  it('the default mode is follow', () => {
    expect(buildModel(chainOfMimics).mimicMode).toBe('follow');
  });

  it('random robots: each mimic is driven by the active root of its chain with the composed map', () => {
    for (const { seed, d } of randomRobots(50)) {
      const m = buildModel(d);
      const byName = new Map(d.joints.map((j) => [j.name, j]));
      for (const j of d.joints) {
        if (!j.mimic) continue;
        let multiplier = 1;
        let offset = 0;
        let current = j;
        while (current.mimic) {
          offset += multiplier * current.mimic.offset;
          multiplier *= current.mimic.multiplier;
          current = byName.get(current.mimic.joint)!;
        }
        const resolved = m.mimics.find((x) => x.name === j.name);
        expect(resolved, `seed ${seed} ${j.name}`).toEqual({ name: j.name, leader: current.name, multiplier, offset });
        expect(m.jointIndex.has(current.name), `seed ${seed} ${j.name}`).toBe(true);
        const link = m.linkIndex.get(j.child)!;
        expect(m.qIndex[link]).toBe(m.jointIndex.get(current.name));
      }
    }
  });

  it('rejects a chain of mimics whose composed multiplier is not finite, naming the joint', () => {
    // each multiplier is finite, but a = 1e200 * 1e200 * c does not fit a double
    expectKinematicsError(() => buildModel(robot(['l0', 'l1', 'l2', 'l3'], [
      joint('c', 'continuous', 'l0', 'l1'),
      joint('b', 'continuous', 'l1', 'l2', { mimic: { joint: 'c', multiplier: 1e200, offset: 0 } }),
      joint('a', 'continuous', 'l2', 'l3', { mimic: { joint: 'b', multiplier: 1e200, offset: 0 } }),
    ])), 'INVALID_DESCRIPTION', 'joint "a"', 'mimic');
  });

  it('rejects a chain of mimics whose composed offset is not finite, naming the joint', () => {
    expectKinematicsError(() => buildModel(robot(['l0', 'l1', 'l2', 'l3'], [
      joint('c', 'continuous', 'l0', 'l1'),
      joint('b', 'continuous', 'l1', 'l2', { mimic: { joint: 'c', multiplier: 1, offset: 1e308 } }),
      joint('a', 'continuous', 'l2', 'l3', { mimic: { joint: 'b', multiplier: 10, offset: 1e308 } }),
    ])), 'INVALID_DESCRIPTION', 'joint "a"', 'mimic');
  });
});

describe('buildModel: tip links', () => {
  it('a serial arm has its last link as the default tip', () => {
    const m = buildModel(robot(['base', 'l1', 'tool'], [joint('j1', 'revolute', 'base', 'l1'), joint('t', 'fixed', 'l1', 'tool')]));
    expect(m.tipLinks).toEqual(['tool']);
    expect(m.defaultTip).toBe('tool');
  });

  it('a leaf hanging from the root on fixed joints only is not a tip (ur5e base frame)', () => {
    const m = buildModel(robot(['base_link', 'base', 'base_marker', 'l1', 'tool0'], [
      joint('base_link-base', 'fixed', 'base_link', 'base'),
      joint('marker', 'fixed', 'base', 'base_marker'),
      joint('j1', 'revolute', 'base_link', 'l1'),
      joint('tool', 'fixed', 'l1', 'tool0'),
    ]));
    expect(m.tipLinks).toEqual(['tool0']);
    expect(m.defaultTip).toBe('tool0');
  });

  it('a fixed leaf on a moving link is a tip of its own, so there is no default tip', () => {
    const m = buildModel(robot(['base', 'l1', 'ee', 'ee_side'], [
      joint('j1', 'revolute', 'base', 'l1'),
      joint('ee', 'fixed', 'l1', 'ee'),
      joint('side', 'fixed', 'l1', 'ee_side'),
    ]));
    expect(m.tipLinks).toEqual(['ee', 'ee_side']);
    expect(m.defaultTip).toBeUndefined();
  });

  it('a two-arm tree has both hands as tips, in link order, and no default tip', () => {
    const m = buildModel(robot(['torso', 'l1', 'l_hand', 'r1', 'r_hand'], [
      joint('r_j1', 'revolute', 'torso', 'r1'), joint('r_j2', 'revolute', 'r1', 'r_hand'),
      joint('l_j1', 'revolute', 'torso', 'l1'), joint('l_j2', 'revolute', 'l1', 'l_hand'),
    ]));
    expect(m.tipLinks).toEqual(['r_hand', 'l_hand']);
    expect(m.defaultTip).toBeUndefined();
  });

  it('a robot of fixed joints only has no tips', () => {
    const m = buildModel(robot(['a', 'b', 'c'], [joint('ab', 'fixed', 'a', 'b'), joint('ac', 'fixed', 'a', 'c')]));
    expect(m.dof).toBe(0);
    expect(m.tipLinks).toEqual([]);
    expect(m.defaultTip).toBeUndefined();
  });
});

describe('buildModel: validation', () => {
  it('rejects a description without links', () => {
    expectKinematicsError(() => buildModel(robot([], [])), 'INVALID_DESCRIPTION', 'no links');
  });

  it('rejects empty link and joint names', () => {
    expectKinematicsError(() => buildModel(robot(['a', ''], [])), 'INVALID_DESCRIPTION', 'a link has an empty name');
    expectKinematicsError(() => buildModel(robot(['a', 'b'], [joint('', 'fixed', 'a', 'b')])), 'INVALID_DESCRIPTION', 'a joint has an empty name');
  });

  it('rejects a joint type the core does not support', () => {
    const floating = joint('free', 'fixed', 'a', 'b', { type: 'floating' as JointType });
    expectKinematicsError(() => buildModel(robot(['a', 'b'], [floating])), 'INVALID_DESCRIPTION', 'joint "free" has type "floating"');
  });

  it('rejects non-finite origins and axes, naming the joint and the field', () => {
    expectKinematicsError(() => buildModel(robot(['a', 'b'], [joint('j', 'fixed', 'a', 'b', { xyz: [0, Number.NaN, 0] })])),
      'INVALID_DESCRIPTION', 'joint "j" has a non-finite origin xyz');
    expectKinematicsError(() => buildModel(robot(['a', 'b'], [joint('j', 'fixed', 'a', 'b', { rpy: [Infinity, 0, 0] })])),
      'INVALID_DESCRIPTION', 'joint "j" has a non-finite origin rpy');
    expectKinematicsError(() => buildModel(robot(['a', 'b'], [joint('j', 'revolute', 'a', 'b', { axis: [0, 0, -Infinity] })])),
      'INVALID_DESCRIPTION', 'joint "j" has a non-finite axis');
  });

  it('rejects origins, limits and mimic maps beyond ±MAX_MAGNITUDE, so that no pose can overflow', () => {
    expectKinematicsError(() => buildModel(robot(['a', 'b'], [joint('j', 'fixed', 'a', 'b', { xyz: [0, 1e308, 0] })])),
      'INVALID_DESCRIPTION', 'joint "j" has origin xyz "0 1e+308 0"', 'within ±1e9 m');
    expect(buildModel(robot(['a', 'b'], [joint('j', 'fixed', 'a', 'b', { xyz: [0, MAX_MAGNITUDE, 0] })])).dof).toBe(0);
    expectKinematicsError(() => buildModel(robot(['a', 'b'], [joint('j', 'prismatic', 'a', 'b', { limits: { lower: -2e9, upper: 0, effort: 1, velocity: 1 } })])),
      'INVALID_DESCRIPTION', 'joint "j" has limit lower -2000000000', 'type "continuous"');
    const chain = (multiplier: number) => robot(['a', 'b', 'c', 'd'], [
      joint('lead', 'continuous', 'a', 'b'),
      joint('m1', 'continuous', 'b', 'c', { mimic: { joint: 'lead', multiplier, offset: 0 } }),
      joint('m2', 'continuous', 'c', 'd', { mimic: { joint: 'm1', multiplier, offset: 0 } }),
    ]);
    // each multiplier is within the bound, their composition is not
    expect(buildModel(chain(3e4)).dof).toBe(1);
    expectKinematicsError(() => buildModel(chain(1e5)), 'INVALID_DESCRIPTION', 'joint "m2" follows "lead"', 'compose to 10000000000');
  });

  it('rejects a zero or vanishingly small axis', () => {
    expectKinematicsError(() => buildModel(robot(['a', 'b'], [joint('j', 'prismatic', 'a', 'b', { axis: [0, 0, 0] })])),
      'INVALID_DESCRIPTION', 'joint "j" has a zero axis');
    expectKinematicsError(() => buildModel(robot(['a', 'b'], [joint('j', 'prismatic', 'a', 'b', { axis: [1e-13, 0, 0] })])),
      'INVALID_DESCRIPTION', 'joint "j" has a zero axis');
  });

  it('never compiles an axis too long to normalise into a zero axis', () => {
    // hypot(1.5e308, 1.5e308, 0) overflows to Infinity, and x / Infinity = 0
    let model: KinematicModel | undefined;
    let error: unknown;
    try {
      model = buildModel(robot(['a', 'b'], [joint('j', 'continuous', 'a', 'b', { axis: [1.5e308, 1.5e308, 0] })]));
    } catch (e) {
      error = e;
    }
    if (model) {
      // accepted: then the axis must be the unit vector along (1, 1, 0)
      const [x, y, z] = Array.from(model.axis.subarray(3, 6));
      expect(x).toBeCloseTo(Math.SQRT1_2, 15);
      expect(y).toBeCloseTo(Math.SQRT1_2, 15);
      expect(z).toBe(0);
    } else {
      // refused: then as URDF_INVALID, naming the joint
      expectKinematicsError(() => { throw error; }, 'INVALID_DESCRIPTION', 'joint "j"', 'axis');
    }
  });

  it('rejects non-finite limits, naming the limit', () => {
    expectKinematicsError(() => buildModel(robot(['a', 'b'], [joint('j', 'revolute', 'a', 'b', { limits: { lower: -1, upper: Number.NaN, effort: 1, velocity: 1 } })])),
      'INVALID_DESCRIPTION', 'joint "j" has a non-finite limit upper');
    expectKinematicsError(() => buildModel(robot(['a', 'b'], [joint('j', 'continuous', 'a', 'b', { limits: { velocity: Infinity } })])),
      'INVALID_DESCRIPTION', 'joint "j" has a non-finite limit velocity');
  });

  it('rejects lower above upper on prismatic joints but not on continuous ones', () => {
    expectKinematicsError(() => buildModel(robot(['a', 'b'], [joint('j', 'prismatic', 'a', 'b', { limits: { lower: 0.5, upper: 0.25, effort: 1, velocity: 1 } })])),
      'INVALID_DESCRIPTION', 'joint "j" has lower limit 0.5 above upper limit 0.25');
    const m = buildModel(robot(['a', 'b'], [joint('j', 'continuous', 'a', 'b', { limits: { lower: 0.5, upper: 0.25 } })]));
    expect([m.qLower[0], m.qUpper[0]]).toEqual([-Infinity, Infinity]);
  });

  it('accepts equal lower and upper limits', () => {
    const m = buildModel(robot(['a', 'b'], [joint('j', 'revolute', 'a', 'b', { limits: { lower: 0.3, upper: 0.3, effort: 1, velocity: 1 } })]));
    expect([m.qLower[0], m.qUpper[0]]).toEqual([0.3, 0.3]);
  });

  it('reads negative velocity and effort limits as none, and keeps position limits strict', () => {
    const m = buildModel(robot(['a', 'b'], [joint('j', 'revolute', 'a', 'b', { limits: { lower: 0, upper: 1, effort: -1, velocity: -1 } })]));
    expect([m.velocityLimit[0], m.effortLimit[0]]).toEqual([Infinity, Infinity]);
    expectKinematicsError(() => buildModel(robot(['a', 'b'], [joint('j', 'revolute', 'a', 'b', { limits: { lower: 1, upper: 0, effort: -1, velocity: -1 } })])),
      'INVALID_DESCRIPTION', 'joint "j" has lower limit 1 above upper limit 0');
  });

  it('rejects non-finite mimic multipliers and offsets', () => {
    const d = robot(['a', 'b', 'c'], [
      joint('lead', 'continuous', 'a', 'b'),
      joint('m', 'continuous', 'b', 'c', { mimic: { joint: 'lead', multiplier: Number.NaN, offset: 0 } }),
    ]);
    expectKinematicsError(() => buildModel(d), 'INVALID_DESCRIPTION', 'joint "m" has a non-finite mimic multiplier or offset');
  });

  it('rejects mimic problems: unknown leader, fixed leader, cycles', () => {
    const base = ['a', 'b', 'c', 'd'];
    expectKinematicsError(() => buildModel(robot(base, [
      joint('j1', 'continuous', 'a', 'b'), joint('m', 'continuous', 'b', 'c', { mimic: { joint: 'ghost', multiplier: 1, offset: 0 } }),
      joint('j3', 'fixed', 'c', 'd'),
    ])), 'INVALID_DESCRIPTION', 'joint "m" mimics joint "ghost", which is not defined');
    expectKinematicsError(() => buildModel(robot(base, [
      joint('f', 'fixed', 'a', 'b'), joint('m', 'continuous', 'b', 'c', { mimic: { joint: 'f', multiplier: 1, offset: 0 } }),
      joint('j3', 'fixed', 'c', 'd'),
    ])), 'INVALID_DESCRIPTION', 'joint "m" mimics joint "f", which is fixed');
    const cycle = expectKinematicsError(() => buildModel(robot(base, [
      joint('y', 'continuous', 'a', 'b', { mimic: { joint: 'z', multiplier: 1, offset: 0 } }),
      joint('x', 'continuous', 'b', 'c', { mimic: { joint: 'y', multiplier: 1, offset: 0 } }),
      joint('z', 'continuous', 'c', 'd', { mimic: { joint: 'x', multiplier: 1, offset: 0 } }),
    ])), 'INVALID_DESCRIPTION', 'mimic joints form a cycle: "x" -> "y" -> "z" -> "x"');
    expect(cycle.message.split('form a cycle').length, 'the cycle is reported once').toBe(2);
  });

  it('reports a duplicated link once, without counting it as a second root', () => {
    const error = expectKinematicsError(() => buildModel(robot(['a', 'b', 'a'], [joint('j', 'fixed', 'a', 'b')])),
      'INVALID_DESCRIPTION', 'link "a" is defined twice');
    expect(error.message).not.toContain('root links');
  });

  it('refuses __proto__ as a link or joint name, which no JSON answer or q object could carry', () => {
    expectKinematicsError(() => buildModel(robot(['a', '__proto__'], [joint('j', 'fixed', 'a', '__proto__')])),
      'INVALID_DESCRIPTION', 'link name "__proto__" is reserved');
    expectKinematicsError(() => buildModel(robot(['a', 'b'], [joint('__proto__', 'continuous', 'a', 'b')])),
      'INVALID_DESCRIPTION', 'joint name "__proto__" is reserved');
    // other Object.prototype names are ordinary names
    expect(buildModel(robot(['constructor', 'toString'], [joint('hasOwnProperty', 'continuous', 'constructor', 'toString')])).jointNames)
      .toEqual(['hasOwnProperty']);
  });

  it('ignores a <mimic> on a fixed joint', () => {
    const m = buildModel(robot(['a', 'b'], [joint('f', 'fixed', 'a', 'b', { mimic: { joint: 'ghost', multiplier: 1, offset: 0 } })]));
    expect(m.mimics).toEqual([]);
  });

  it('reports every structural problem of a description in one message', () => {
    const error = expectKinematicsError(() => buildModel(robot(['a', 'b', 'a', 'c'], [
      joint('j1', 'revolute', 'a', 'b', { axis: [0, 0, 0] }),
      joint('j2', 'fixed', 'b', 'missing'),
      joint('j1', 'fixed', 'b', 'c'),
    ])), 'INVALID_DESCRIPTION', 'link "a" is defined twice', 'joint "j1" has a zero axis', 'joint "j2" names child link "missing"', 'joint "j1" is defined twice');
    expect(error.message).toMatch(/^robot is not a valid kinematic tree: /);
  });

  it('shows at most ten problems and counts the rest', () => {
    const links = ['root', ...Array.from({ length: 12 }, (_, i) => `l${i}`)];
    const joints = Array.from({ length: 12 }, (_, i) => joint(`j${i}`, 'revolute', 'root', `l${i}`, { axis: [0, 0, 0] }));
    const error = expectKinematicsError(() => buildModel(robot(links, joints)), 'INVALID_DESCRIPTION', 'joint "j9" has a zero axis', 'and 2 more problems');
    expect(error.message).not.toContain('joint "j10"');
    expect(error.message.match(/has a zero axis/g)).toHaveLength(10);
  });
});

describe('the compiled model object', () => {
  const d = robot(['a', 'b', 'c'], [joint('j', 'revolute', 'a', 'b'), joint('m', 'revolute', 'b', 'c', { mimic: { joint: 'j', multiplier: 2, offset: 0 } })]);

  it('is frozen, with frozen name lists and mimics', () => {
    const m = buildModel(d);
    expect(Object.isFrozen(m)).toBe(true);
    expect(Object.isFrozen(m.linkNames)).toBe(true);
    expect(Object.isFrozen(m.jointNames)).toBe(true);
    expect(Object.isFrozen(m.jointNameOfLink)).toBe(true);
    expect(Object.isFrozen(m.mimics)).toBe(true);
    expect(Object.isFrozen(m.mimics[0])).toBe(true);
    expect(Object.isFrozen(m.tipLinks)).toBe(true);
  });

  it('keeps the description it was built from, unchanged', () => {
    const before = JSON.stringify(d);
    const m = buildModel(d);
    expect(m.description).toBe(d);
    expect(JSON.stringify(d)).toBe(before);
  });

  it('linkIndexOf finds links and rejects unknown ones as UNKNOWN_LINK, listing the links', () => {
    const m = buildModel(d);
    expect(linkIndexOf(m, 'c')).toBe(2);
    expectKinematicsError(() => linkIndexOf(m, 'nope', 'tip link'), 'UNKNOWN_LINK', 'tip link "nope" is not a link of robot "r"', 'a, b, c');
  });
});
