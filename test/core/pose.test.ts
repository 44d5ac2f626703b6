import { describe, expect, it } from 'vitest';
import { KinematicsError } from '../../src/core/errors.js';
import { poseFromTransform, transformFromPose } from '../../src/core/pose.js';
import { setFromXyzRpy } from '../../src/core/se3.js';
import { maxAbsDifference } from '../helpers/finite-differences.js';

describe('poses', () => {
  it('round-trips a transform through quaternion and through rotation rows', () => {
    const X = new Float64Array(12);
    setFromXyzRpy(X, 0, [0.1, -0.2, 0.3], [0.4, -1.2, 2.9]);
    const pose = poseFromTransform(X);
    expect(pose.quaternion[3]).toBeGreaterThanOrEqual(0);
    const fromQuaternion = transformFromPose({ position: pose.position, quaternion: pose.quaternion }, new Float64Array(12));
    const fromRotation = transformFromPose({ position: pose.position, rotation: pose.rotation }, new Float64Array(12));
    expect(maxAbsDifference(fromQuaternion, X)).toBeLessThan(1e-15);
    expect([...fromRotation]).toEqual([...X]);
  });

  it('refuses non-unit quaternions, non-rotations, missing orientation and contradictions, naming the field', () => {
    const cases: [object, string][] = [
      [{ position: [0, 0, 0], quaternion: [0, 0, 0, 2] }, 'target.quaternion has norm 2'],
      [{ position: [0, 0, 0], rotation: [[1, 0, 0], [0, 1, 0], [0, 0, 2]] }, 'target.rotation is not a rotation matrix'],
      [{ position: [0, 0, 0], rotation: [[-1, 0, 0], [0, 1, 0], [0, 0, 1]] }, 'determinant'],
      [{ position: [0, 0, 0] }, 'target needs an orientation'],
      [{ position: [0, 0], quaternion: [0, 0, 0, 1] }, 'target.position: expected 3 values, got 2'],
      [{ position: [0, NaN, 0], quaternion: [0, 0, 0, 1] }, 'target.position[1] is not a finite number'],
      [{ position: [0, 0, 0], quaternion: [0, 0, 0, 1], rotation: [[0, -1, 0], [1, 0, 0], [0, 0, 1]] }, 'describe different orientations'],
    ];
    for (const [input, message] of cases) {
      expect(() => transformFromPose(input as never, new Float64Array(12), 0, 'target')).toThrow(KinematicsError);
      expect(() => transformFromPose(input as never, new Float64Array(12), 0, 'target')).toThrow(message);
    }
  });
});
