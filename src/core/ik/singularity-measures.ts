/**
 * How close the weighted Jacobian of the joints that move the tip is to a singularity, and the
 * adaptive damping that follows from it.
 *
 * Damping (unless a caller fixes λ) follows the smallest singular value σ of the weighted
 * Jacobian, by the rule of Chiaverini (1997) that KDL's ChainIkSolverVel_wdls also uses:
 *
 *   λ² = λmax² (1 - (σ/ε)²)  for σ < ε,   0 otherwise
 *
 * Away from singularities the step is the exact Gauss–Newton step (no lag, quadratic convergence
 * near the target); entering the region σ < ε it damps smoothly (λ² is continuous, and so is its
 * slope in σ², at σ = ε); at a singularity the step's gain is at most 1/(2 λmax).
 */
import { loadProblem, singularValues } from './damped-least-squares.js';
import type { StepProblem } from './ik-problem.js';
import type { StepScratch } from './ik-workspace.js';
import { freeMovingJoints } from './limited-step.js';

/** σ below which the adaptive damping acts (σ of a Jacobian in m and rad). */
export const SINGULAR_REGION = 0.05;
/** λ at an exact singularity: the step's gain is then at most 1 / (2 λ) = 10. */
export const MAX_ADAPTIVE_DAMPING = 0.05;

/** How close the weighted Jacobian of the moving joints is to a singularity. */
export interface SingularityMeasures {
  /** Smallest of the min(6, n) singular values of the weighted Jacobian of the moving joints. */
  minSingularValue: number;
  /** Largest over smallest; absent when the smallest is 0. */
  conditionNumber?: number;
  /** Product of the singular values. */
  manipulability: number;
}

/**
 * The measures of the weighted Jacobian of every joint that moves the tip, for `problem`. Leaves
 * its singular values, ascending, in scratch.dls.eigenvalues and the joints in scratch.free.
 */
export function measureSingularity(scratch: StepScratch, problem: StepProblem): SingularityMeasures {
  const { dls, free } = scratch;
  freeMovingJoints(free, problem.path);
  loadProblem(dls, problem.J_BE, problem.e, problem.weights.sqrtTask, problem.weights.jointScale, free);
  const count = singularValues(dls);
  const sigmaMin = count > 0 ? dls.eigenvalues[0]! : 0;
  const sigmaMax = count > 0 ? dls.eigenvalues[count - 1]! : 0;
  let manipulability = count > 0 ? 1 : 0;
  for (let i = 0; i < count; i++) manipulability *= dls.eigenvalues[i]!;
  const measures: SingularityMeasures = { minSingularValue: sigmaMin, manipulability };
  // absent at a singularity, including a σmin so small that the ratio overflows
  if (sigmaMin > 0 && sigmaMax / sigmaMin < Infinity) measures.conditionNumber = sigmaMax / sigmaMin;
  return measures;
}

/** The damping λ² of the adaptive rule for smallest singular value σ. */
export function adaptiveDamping2(sigmaMin: number): number {
  if (sigmaMin >= SINGULAR_REGION) return 0;
  const r = sigmaMin / SINGULAR_REGION;
  return MAX_ADAPTIVE_DAMPING * MAX_ADAPTIVE_DAMPING * (1 - r * r);
}
