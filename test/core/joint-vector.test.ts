import { describe, expect, it } from 'vitest';
import { expectKinematicsError } from '../helpers/errors.js';
import { readJointVector } from '../../src/core/joint-vector.js';
import { MAX_MAGNITUDE } from '../../src/core/magnitude.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { readBuiltinUrdf } from '../helpers/paths.js';

const panda = loadUrdf(readBuiltinUrdf('franka_panda'));

describe('joint vectors', () => {
  it('reads an array in active-joint order and an object by joint name', () => {
    const values = panda.jointNames.map((_, k) => k / 10);
    expect([...readJointVector(panda, values)]).toEqual(values);
    const byName = Object.fromEntries(panda.jointNames.map((name, k) => [name, k / 10]));
    expect([...readJointVector(panda, byName)]).toEqual(values);
  });

  it('says how many values are expected and which joints they are', () => {
    expectKinematicsError(() => readJointVector(panda, [1, 2, 3]), 'DIMENSION_MISMATCH',
      'q has 3 values but robot "franka_panda" has 8 active joints: panda_joint1');
  });

  it('names unknown joints, points from a mimic joint to its leader, and names missing joints', () => {
    const all = Object.fromEntries(panda.jointNames.map((name) => [name, 0]));
    expectKinematicsError(() => readJointVector(panda, { ...all, elbow: 1 }), 'UNKNOWN_JOINT', 'elbow');
    expectKinematicsError(() => readJointVector(panda, { ...all, panda_finger_joint2: 0.01 }), 'UNKNOWN_JOINT',
      '"panda_finger_joint2" is a mimic joint that follows "panda_finger_joint1"');
    const { panda_joint3: _, ...partial } = all;
    expectKinematicsError(() => readJointVector(panda, partial, 'seed'), 'DIMENSION_MISMATCH', 'seed is missing joint panda_joint3');
  });

  it('refuses non-finite values, naming the joint', () => {
    expectKinematicsError(() => readJointVector(panda, [0, 0, NaN, 0, 0, 0, 0, 0], 'qdot'), 'INVALID_VALUE',
      'qdot value for joint "panda_joint3" is not a finite number');
  });

  it('refuses values beyond ±MAX_MAGNITUDE, naming the joint and the bound', () => {
    expectKinematicsError(() => readJointVector(panda, [0, 0, 0, -1e10, 0, 0, 0, 0]), 'INVALID_VALUE',
      'q value for joint "panda_joint4" is -10000000000', 'within ±1e9');
    expect(readJointVector(panda, [0, 0, 0, -MAX_MAGNITUDE, 0, 0, 0, MAX_MAGNITUDE])[7]).toBe(MAX_MAGNITUDE);
  });

  it('treats prototype keys as unknown joint names', () => {
    const all = Object.fromEntries(panda.jointNames.map((name) => [name, 0]));
    const polluted = JSON.parse(`{"__proto__": {"x": 1}, ${Object.keys(all).map((k) => `"${k}": 0`).join(',')}}`) as Record<string, number>;
    expectKinematicsError(() => readJointVector(panda, polluted), 'UNKNOWN_JOINT', '__proto__');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
