import { expect } from 'vitest';
import { KinematicsError, type KinematicsErrorCode } from '../../src/core/errors.js';
import { UrdfError, type UrdfErrorCode } from '../../src/urdf/urdf-error.js';

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Runs `fn`, which must throw a KinematicsError with `code` whose message contains every fragment. */
export function expectKinematicsError(fn: () => unknown, code: KinematicsErrorCode, ...fragments: string[]): KinematicsError {
  const thrown = thrownBy(fn);
  expect(thrown, 'expected a KinematicsError to be thrown').toBeInstanceOf(KinematicsError);
  const error = thrown as KinematicsError;
  expect(error.code, error.message).toBe(code);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
}

/** Runs `fn`, which must throw a UrdfError with `code` whose message contains every fragment. */
export function expectUrdfError(fn: () => unknown, code: UrdfErrorCode, ...fragments: string[]): UrdfError {
  const thrown = thrownBy(fn);
  expect(thrown, 'expected a UrdfError to be thrown').toBeInstanceOf(UrdfError);
  const error = thrown as UrdfError;
  expect(error.code, error.message).toBe(code);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
}
