/**
 * Random robots for property tests: random trees with random origins and rpy (some exact right
 * angles, as real URDFs have), axes of random length and direction (some along x, y or z),
 * revolute, continuous, prismatic and fixed joints, mimic joints with random multipliers and
 * offsets (chains of mimics included), and links and joints in random order.
 */
import type { JointDescription, JointType, RobotDescription } from '../../src/core/robot-description.js';
import type { Random } from './random.js';

export interface RandomRobotOptions {
  links: number;
  /** Probability that a movable joint mimics an earlier one. */
  mimicProbability?: number;
}

function randomAxis(rng: Random): [number, number, number] {
  if (rng.next() < 0.4) {
    const axis: [number, number, number] = [0, 0, 0];
    axis[rng.int(3)] = rng.pick([1, -1, 2.5]);
    return axis;
  }
  const scale = rng.uniform(0.2, 3);
  return [rng.uniform(-1, 1) * scale, rng.uniform(-1, 1) * scale, rng.uniform(-1, 1) * scale];
}

function randomAngle(rng: Random): number {
  return rng.next() < 0.4 ? rng.pick([0, Math.PI / 2, -Math.PI / 2, Math.PI]) : rng.uniform(-Math.PI, Math.PI);
}

export function randomRobot(rng: Random, options: RandomRobotOptions): RobotDescription {
  const names = Array.from({ length: options.links }, (_, i) => `link_${i}_${rng.int(1000)}`);
  const joints: JointDescription[] = [];
  const movable: string[] = [];
  for (let i = 1; i < options.links; i++) {
    // prefer deep chains but branch now and then
    const parent = rng.next() < 0.7 ? i - 1 : rng.int(i);
    const type = rng.pick<JointType>(['revolute', 'revolute', 'continuous', 'prismatic', 'fixed']);
    const joint: JointDescription = {
      name: `joint_${i}`,
      type,
      parent: names[parent]!,
      child: names[i]!,
      xyz: [rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5)],
      rpy: [randomAngle(rng), randomAngle(rng), randomAngle(rng)],
      axis: randomAxis(rng),
      limits: type === 'revolute' || type === 'prismatic'
        ? { lower: rng.uniform(-2, 0), upper: rng.uniform(0, 2), effort: 10, velocity: 1 }
        : {},
    };
    if (type !== 'fixed') {
      if (movable.length > 0 && rng.next() < (options.mimicProbability ?? 0.2)) {
        joint.mimic = { joint: rng.pick(movable), multiplier: rng.uniform(-2, 2), offset: rng.uniform(-0.5, 0.5) };
      }
      movable.push(joint.name);
    }
    joints.push(joint);
  }
  return {
    name: `random_${rng.int(1e6)}`,
    links: rng.shuffle(names.map((name) => ({ name }))),
    joints: rng.shuffle(joints),
  };
}

const number = (x: number): string => String(x);

/** The description as URDF text, with elements the parser must ignore sprinkled in. */
export function toUrdf(d: RobotDescription): string {
  const lines = ['<?xml version="1.0"?>', `<robot name="${d.name}">`];
  for (const link of d.links) {
    lines.push(`  <link name="${link.name}">`,
      '    <inertial><mass value="1"/><inertia ixx="1" ixy="0" ixz="0" iyy="1" iyz="0" izz="1"/></inertial>',
      '    <visual><geometry><box size="0.1 0.1 0.1"/></geometry></visual>',
      '  </link>');
  }
  for (const j of d.joints) {
    lines.push(`  <joint name="${j.name}" type="${j.type}">`,
      `    <origin xyz="${j.xyz.map(number).join(' ')}" rpy="${j.rpy.map(number).join(' ')}"/>`,
      `    <parent link="${j.parent}"/>`, `    <child link="${j.child}"/>`);
    if (j.type !== 'fixed') lines.push(`    <axis xyz="${j.axis.map(number).join(' ')}"/>`);
    const l = j.limits;
    if (j.type === 'revolute' || j.type === 'prismatic') {
      lines.push(`    <limit lower="${l.lower}" upper="${l.upper}" effort="${l.effort}" velocity="${l.velocity}"/>`);
    }
    if (j.mimic) lines.push(`    <mimic joint="${j.mimic.joint}" multiplier="${j.mimic.multiplier}" offset="${j.mimic.offset}"/>`);
    lines.push('    <dynamics damping="0.1"/>', '  </joint>');
  }
  lines.push(`  <gazebo reference="${d.links[0]!.name}"><material>Gazebo/Grey</material></gazebo>`, '</robot>');
  return lines.join('\n');
}
