/**
 * When a pose counts as reached, and the norms of a pose error over the axes that have weight.
 * The error is e = [position difference; rotation vector] (see pose-error.ts); an axis with task
 * weight 0 is free and is not counted.
 */

/** When a pose error counts as reached: both parts at or below their bound. */
export interface Tolerance {
  /** m */
  position: number;
  /** rad */
  orientation: number;
}

/** 1e-5 m and 1e-5 rad, the contract's default (and TRAC-IK's benchmark's). */
export const DEFAULT_TOLERANCE: Readonly<Tolerance> = Object.freeze({ position: 1e-5, orientation: 1e-5 });

/** ½|√Wx e|², the weighted squared error that the solver minimises. */
export function weightedHalfSquare(e: Float64Array, sqrtTask: Float64Array): number {
  let sum = 0;
  for (let r = 0; r < 6; r++) {
    const v = sqrtTask[r]! * e[r]!;
    sum += v * v;
  }
  return 0.5 * sum;
}

/** |e[first..first+2]|² over the axes that have weight. */
function maskedSquare(e: Float64Array, sqrtTask: Float64Array, first: number): number {
  let sum = 0;
  for (let r = first; r < first + 3; r++) if (sqrtTask[r]! > 0) sum += e[r]! * e[r]!;
  return sum;
}

/** |position error| and |orientation error| over the axes that have weight. */
export function errorNorms(e: Float64Array, sqrtTask: Float64Array): { position: number; orientation: number } {
  return { position: Math.sqrt(maskedSquare(e, sqrtTask, 0)), orientation: Math.sqrt(maskedSquare(e, sqrtTask, 3)) };
}

/** Whether the error is within the tolerance (no allocation). */
export function errorWithin(e: Float64Array, sqrtTask: Float64Array, tolerance: Tolerance): boolean {
  const { position, orientation } = tolerance;
  return maskedSquare(e, sqrtTask, 0) <= position * position && maskedSquare(e, sqrtTask, 3) <= orientation * orientation;
}

/** Whether measured error norms are within the tolerance. */
export function normsWithin(error: { position: number; orientation: number }, tolerance: Tolerance): boolean {
  return error.position <= tolerance.position && error.orientation <= tolerance.orientation;
}
