/**
 * The damped least-squares step that never leaves the joint limits, shared by the IK step, the
 * velocity controller and the solver.
 *
 * A joint at a limit that the step pushes outward is taken out of the problem and the step solved
 * again, so that the other joints make up for it (clamping after the step would waste the step
 * and stall, as KDL's NR_JL does); then the whole step is shortened, keeping its direction, until
 * every joint stays within its limits. Continuous joints are never limited.
 */
import type { KinematicModel } from '../model.js';
import { loadProblem, solveStep } from './damped-least-squares.js';
import type { StepProblem } from './ik-problem.js';
import type { StepScratch } from './ik-workspace.js';

/** A joint this close to a limit counts as at it (rad or m). */
export const LIMIT_TOLERANCE = 1e-9;

/** Damping added when a step's system is singular with the damping asked for (λ² = 0 at a singularity). */
const FALLBACK_DAMPING2 = 1e-12;

/** What limited a step, as bits of limitedStep's result. */
export const STEP_PINNED = 1; // joints were at a limit and taken out of the step
export const STEP_SCALED = 2; // the step was shortened, keeping its direction, to stay inside the limits

/** Marks the joints that move the tip (the path's moving joints) free, and no others. */
export function freeMovingJoints(free: Uint8Array, path: StepProblem['path']): void {
  const moving = path.movingJoints;
  for (let k = 0; k < free.length; k++) free[k] = 0;
  for (let i = 0; i < moving.length; i++) free[moving[i]!] = 1;
}

/** Solves the damped step for the free joints into scratch.dq, damping a singular system slightly. */
function solveFreeJoints(scratch: StepScratch, problem: StepProblem, lambda2: number): void {
  const { free, activeScale, dq } = scratch;
  const { J_BE, e, weights, path } = problem;
  const sqrtTask = weights.sqrtTask, jointScale = weights.jointScale;
  const kernels = path.stepKernels;
  if (kernels) {
    // the compiled kernel of the smaller system: free joints against weighted axes
    const moving = path.movingJoints;
    let n = 0, m = 0;
    for (let i = 0; i < moving.length; i++) {
      const k = moving[i]!;
      activeScale[k] = free[k] !== 0 ? jointScale[k]! : 0;
      n += free[k]!;
    }
    for (let r = 0; r < 6; r++) if (sqrtTask[r]! > 0) m++;
    const kernel = n <= m ? kernels.primal : kernels.dual;
    if (!kernel(J_BE, e, sqrtTask, activeScale, lambda2, dq)) {
      kernel(J_BE, e, sqrtTask, activeScale, Math.max(lambda2, FALLBACK_DAMPING2), dq);
    }
    return;
  }
  loadProblem(scratch.dls, J_BE, e, sqrtTask, jointScale, free);
  if (!solveStep(scratch.dls, lambda2, dq)) solveStep(scratch.dls, Math.max(lambda2, FALLBACK_DAMPING2), dq);
}

/**
 * The damped step from q for `problem` with damping λ², into scratch.dq (see the module comment).
 * Every joint that moves the tip starts free; `scratch.free` is left with the joints that stayed
 * free. Returns the STEP_* bits of what limited the step (0 without `respectLimits`).
 */
export function limitedStep(
  scratch: StepScratch, model: KinematicModel, problem: StepProblem, q: Float64Array, lambda2: number, respectLimits: boolean,
): number {
  const { dq, free } = scratch;
  const moving = problem.path.movingJoints;
  const dof = model.dof, lower = model.qLower, upper = model.qUpper, continuous = model.continuous;
  freeMovingJoints(free, problem.path);
  solveFreeJoints(scratch, problem, lambda2);
  if (!respectLimits) return 0;
  // only moving joints can be free, and dq is zero for the others
  let limited = 0;
  for (let round = 0; round < moving.length; round++) {
    let pinnedNow = false;
    for (let i = 0; i < moving.length; i++) {
      const k = moving[i]!;
      if (free[k] === 0 || continuous[k] !== 0) continue;
      if ((q[k]! <= lower[k]! + LIMIT_TOLERANCE && dq[k]! < 0) || (q[k]! >= upper[k]! - LIMIT_TOLERANCE && dq[k]! > 0)) {
        free[k] = 0;
        pinnedNow = true;
      }
    }
    if (!pinnedNow) break;
    limited |= STEP_PINNED;
    solveFreeJoints(scratch, problem, lambda2);
  }
  let alpha = 1;
  for (let i = 0; i < moving.length; i++) {
    const k = moving[i]!;
    if (free[k] === 0 || continuous[k] !== 0) continue;
    const next = q[k]! + dq[k]!;
    if (dq[k]! > 0 && next > upper[k]!) alpha = Math.min(alpha, (upper[k]! - q[k]!) / dq[k]!);
    else if (dq[k]! < 0 && next < lower[k]!) alpha = Math.min(alpha, (lower[k]! - q[k]!) / dq[k]!);
  }
  if (alpha < 1) {
    alpha = Math.max(alpha, 0);
    for (let k = 0; k < dof; k++) dq[k] = dq[k]! * alpha;
    limited |= STEP_SCALED;
  }
  return limited;
}

/** Brings every joint that has limits into them (continuous joints untouched). */
export function clampToLimits(model: KinematicModel, q: Float64Array): void {
  const lower = model.qLower, upper = model.qUpper, continuous = model.continuous;
  for (let k = 0; k < model.dof; k++) {
    if (continuous[k] !== 0) continue;
    if (q[k]! < lower[k]!) q[k] = lower[k]!;
    else if (q[k]! > upper[k]!) q[k] = upper[k]!;
  }
}
