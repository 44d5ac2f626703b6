import { describe, expect, it } from 'vitest';
import { KinematicsError } from '../../src/core/errors.js';
import { readJointVector } from '../../src/core/joint-vector.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { readBuiltinUrdf } from '../helpers/paths.js';

const panda = loadUrdf(readBuiltinUrdf('franka_panda'));

function errorOf(f: () => unknown): KinematicsError {
  try { f(); } catch (error) { if (error instanceof KinematicsError) return error; throw error; }
  throw new Error('expected a KinematicsError');
}

describe('joint vectors', () => {
  it('reads an array in active-joint order and an object by joint name', () => {
    const values = panda.jointNames.map((_, k) => k / 10);
    expect([...readJointVector(panda, values)]).toEqual(values);
    const byName = Object.fromEntries(panda.jointNames.map((name, k) => [name, k / 10]));
    expect([...readJointVector(panda, byName)]).toEqual(values);
  });

  it('says how many values are expected and which joints they are', () => {
    const e = errorOf(() => readJointVector(panda, [1, 2, 3]));
    expect(e.code).toBe('DIMENSION_MISMATCH');
    expect(e.message).toContain('q has 3 values but robot "franka_panda" has 8 active joints: panda_joint1');
  });

  it('names unknown joints, points from a mimic joint to its leader, and names missing joints', () => {
    const all = Object.fromEntries(panda.jointNames.map((name) => [name, 0]));
    const unknown = errorOf(() => readJointVector(panda, { ...all, elbow: 1 }));
    expect(unknown.code).toBe('UNKNOWN_JOINT');
    expect(unknown.message).toContain('elbow');
    const mimic = errorOf(() => readJointVector(panda, { ...all, panda_finger_joint2: 0.01 }));
    expect(mimic.message).toContain('"panda_finger_joint2" is a mimic joint that follows "panda_finger_joint1"');
    const { panda_joint3: _, ...partial } = all;
    const missing = errorOf(() => readJointVector(panda, partial, 'seed'));
    expect(missing.message).toContain('seed is missing joint panda_joint3');
  });

  it('refuses non-finite values, naming the joint', () => {
    const e = errorOf(() => readJointVector(panda, [0, 0, NaN, 0, 0, 0, 0, 0], 'qdot'));
    expect(e.code).toBe('INVALID_VALUE');
    expect(e.message).toBe('qdot value for joint "panda_joint3" is not a finite number');
  });

  it('treats prototype keys as unknown joint names', () => {
    const all = Object.fromEntries(panda.jointNames.map((name) => [name, 0]));
    const polluted = JSON.parse(`{"__proto__": {"x": 1}, ${Object.keys(all).map((k) => `"${k}": 0`).join(',')}}`) as Record<string, number>;
    expect(errorOf(() => readJointVector(panda, polluted)).message).toContain('__proto__');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
