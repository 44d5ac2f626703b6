/**
 * Errors thrown by the kinematics core and the URDF loader.
 *
 * Every error carries a machine-readable {@link KinematicsErrorCode} and a message written for a
 * person: it names the thing that is wrong and, where there is one, the expected and actual value
 * ("expected 7 values, got 6"). The HTTP layer maps codes to statuses; library users can switch on
 * `code`.
 */

/** What went wrong, in a form a program can switch on. */
export type KinematicsErrorCode =
  /** The URDF text is not well-formed or not safe to parse (DOCTYPE, too large, too deep). */
  | 'URDF_SYNTAX'
  /** The URDF is well-formed XML but not a valid kinematic tree. */
  | 'URDF_INVALID'
  /** The URDF is larger than the configured caps allow (bytes, links or joints). */
  | 'URDF_TOO_LARGE'
  /** A link name that the model does not have. */
  | 'UNKNOWN_LINK'
  /** A joint name that the model does not have, or that is not an active joint. */
  | 'UNKNOWN_JOINT'
  /** A vector or array of the wrong length. */
  | 'DIMENSION_MISMATCH'
  /** A number that is NaN or infinite, or a pose that is not a rigid transform. */
  | 'INVALID_VALUE'
  /** A request that cannot be answered as asked (for example no default tip on a tree). */
  | 'INVALID_ARGUMENT';

/** The error type of the kinematics core. */
export class KinematicsError extends Error {
  override readonly name = 'KinematicsError';
  /**
   * @param code what went wrong, for programs
   * @param message what went wrong and what to change, for people
   */
  constructor(
    readonly code: KinematicsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Throws a DIMENSION_MISMATCH error unless `actual === expected`. */
export function assertLength(what: string, expected: number, actual: number): void {
  if (actual !== expected) {
    throw new KinematicsError('DIMENSION_MISMATCH', `${what}: expected ${expected} values, got ${actual}`);
  }
}
