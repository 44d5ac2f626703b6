/**
 * Errors thrown by the kinematics core.
 *
 * Every error carries a machine-readable {@link KinematicsErrorCode} and a message written for a
 * person: it names the thing that is wrong and, where there is one, the expected and actual value
 * ("expected 7 values, got 6"). The HTTP layer maps codes to statuses; library users can switch on
 * `code`. The core speaks of robot descriptions, links and joints, never of a file format: the
 * URDF loader (src/urdf) turns description problems into advice about the XML.
 */

/** What went wrong, in a form a program can switch on. */
export type KinematicsErrorCode =
  /** The robot description is not a valid kinematic tree; `problems` lists every problem found. */
  | 'INVALID_DESCRIPTION'
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

/** The part of a robot description a problem is about. */
export type DescriptionElement =
  | { readonly kind: 'robot' }
  | { readonly kind: 'link'; readonly name: string }
  | {
    readonly kind: 'joint'; readonly name: string;
    /** The part of the joint at fault, when it is one part. */
    readonly part?: 'name' | 'type' | 'parent' | 'child' | 'origin' | 'axis' | 'limit' | 'mimic';
  };

/** One problem of a robot description. */
export interface DescriptionProblem {
  readonly element: DescriptionElement;
  /** What is wrong and what to change, in terms of links and joints. */
  readonly message: string;
}

/** The error type of the kinematics core. */
export class KinematicsError extends Error {
  override readonly name = 'KinematicsError';
  /**
   * @param code what went wrong, for programs
   * @param message what went wrong and what to change, for people
   * @param problems for INVALID_DESCRIPTION: every problem found, in the order of the description
   */
  constructor(
    readonly code: KinematicsErrorCode,
    message: string,
    readonly problems: readonly DescriptionProblem[] = [],
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
