import { expect } from 'vitest';
import { KinematicsError, type KinematicsErrorCode } from '../../src/core/errors.js';

/** Runs `fn`, which must throw a KinematicsError with `code` whose message contains every fragment. */
export function expectKinematicsError(fn: () => unknown, code: KinematicsErrorCode, ...fragments: string[]): KinematicsError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a KinematicsError to be thrown').toBeInstanceOf(KinematicsError);
  const error = thrown as KinematicsError;
  expect(error.code, error.message).toBe(code);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
}
