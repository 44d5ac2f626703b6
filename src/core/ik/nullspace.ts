/**
 * Null-space motion for resolved-rate control: a secondary motion along the gradient of an
 * objective, projected into the null space of the task Jacobian, so that the commanded twist is
 * unchanged. With J = U Σ Vᵀ over the joints that move the tip and V_r the right singular vectors
 * of the singular values above the rank tolerance,
 *
 *   q̇_null = (I - V_r V_rᵀ) k ∇φ,     J q̇_null = U Σ V_rᵀ (I - V_r V_rᵀ) k ∇φ = 0
 *
 * up to the dropped singular values (rounding): it needs a redundant arm (more joints that move the
 * tip than task rows it can change) to do anything. φ is the manipulability (Yoshikawa's measure),
 * the smallest singular value, or joint centering, φ = -½ Σ ((q_k - mid_k) / half-range_k)² over
 * the joints with limits (its gradient pulls each toward the middle of its range).
 */
import type { CompiledRobot } from '../compiled-robot.js';
import type { EndEffector } from '../jacobian.js';
import { computeManipulability } from '../manipulability.js';
import type { KinematicModel } from '../model.js';
import type { IkWorkspace } from './ik-workspace.js';
import { jacobiSvd } from './small-matrix.js';

/** The objectives of null-space motion, default first. */
export const NULLSPACE_OBJECTIVES = ['manipulability', 'sigmaMin', 'jointCentering'] as const;
/** An objective of null-space motion (one of NULLSPACE_OBJECTIVES). */
export type NullspaceObjective = (typeof NULLSPACE_OBJECTIVES)[number];

/** A null-space motion to add to a velocity command. */
export interface NullspaceOptions {
  objective: NullspaceObjective;
  /** k: joint rate per unit of the objective's gradient (1/s for joint centering). */
  gain: number;
}

/**
 * Writes k ∇φ at q into `gradient` (dof; 0 for joints that do not move the tip), using the
 * workspace's second-order scratch for the manipulability objectives.
 */
function objectiveGradient(
  robot: CompiledRobot, ik: IkWorkspace, ee: EndEffector, q: Float64Array, options: NullspaceOptions, gradient: Float64Array,
): void {
  const { model } = robot;
  if (options.objective === 'jointCentering') {
    gradient.fill(0);
    const moving = ee.path.movingJoints;
    for (let i = 0; i < moving.length; i++) {
      const k = moving[i]!;
      if (model.continuous[k]) continue;
      const half = 0.5 * (model.qUpper[k]! - model.qLower[k]!);
      if (!(half > 0)) continue;
      const mid = 0.5 * (model.qUpper[k]! + model.qLower[k]!);
      gradient[k] = -(q[k]! - mid) / (half * half);
    }
  } else {
    computeManipulability(robot, ik.secondOrder, q, ee, options.objective === 'manipulability' ? 'yoshikawa' : 'sigmaMin', 'all', gradient);
  }
  for (let k = 0; k < model.dof; k++) gradient[k] = gradient[k]! * options.gain;
}

/**
 * The null-space motion (I - V_r V_rᵀ) k ∇φ into `motion` (dof), for the Jacobian J_F (6 x dof,
 * the task's frame) at q. Uses ik.nullspace and ik.secondOrder as scratch.
 */
export function computeNullspaceMotion(
  robot: CompiledRobot, ik: IkWorkspace, ee: EndEffector, q: Float64Array, J_F: Float64Array, options: NullspaceOptions, motion: Float64Array,
): void {
  const dof = robot.model.dof;
  const gradient = ik.nullspace.gradient;
  objectiveGradient(robot, ik, ee, q, options, gradient);
  motion.set(gradient);
  const columns = ee.path.movingJoints, n = columns.length;
  if (n === 0) return;
  // right singular vectors of J over the moving joints: SVD of J (6 x n) if n <= 6, else of Jᵀ
  const { A, sigma, svdV: W } = ik.secondOrder;
  const tall = n <= 6, cols = tall ? n : 6;
  for (let r = 0; r < 6; r++) {
    for (let c = 0; c < n; c++) {
      const x = J_F[r * dof + columns[c]!]!;
      if (tall) A[r * cols + c] = x; else A[c * cols + r] = x;
    }
  }
  jacobiSvd(A, tall ? 6 : n, cols, sigma, W);
  let sigmaMax = 0;
  for (let i = 0; i < cols; i++) sigmaMax = Math.max(sigmaMax, sigma[i]!);
  const tolerance = Math.max(6, n) * Number.EPSILON * sigmaMax;
  for (let i = 0; i < cols; i++) {
    if (!(sigma[i]! > tolerance)) continue;
    // v_i: a column of W (tall) or of Jᵀ W / σ_i (wide)
    let dot = 0;
    for (let c = 0; c < n; c++) dot += (tall ? W[c * cols + i]! : A[c * cols + i]! / sigma[i]!) * gradient[columns[c]!]!;
    for (let c = 0; c < n; c++) {
      const v = tall ? W[c * cols + i]! : A[c * cols + i]! / sigma[i]!;
      motion[columns[c]!] = motion[columns[c]!]! - dot * v;
    }
  }
  // the joints that do not move the tip had no gradient, and have no motion
}

/**
 * The largest fraction β in [0, 1] of the null-space motion that keeps primary + β · motion
 * within the velocity limits and, over dt, within the position limits, given that the primary
 * command alone does.
 */
export function nullspaceFraction(model: KinematicModel, q: Float64Array, primary: Float64Array, motion: Float64Array, dt: number): number {
  let beta = 1;
  for (let k = 0; k < model.dof; k++) {
    const m = motion[k]!;
    if (m === 0) continue;
    const p = primary[k]!, vmax = model.velocityLimit[k]!;
    // |p + β m| <= vmax
    beta = Math.min(beta, (vmax - (m > 0 ? p : -p)) / Math.abs(m));
    if (model.continuous[k]) continue;
    // lower <= q + (p + β m) dt <= upper
    const room = m > 0 ? model.qUpper[k]! - q[k]! - p * dt : model.qLower[k]! - q[k]! - p * dt;
    beta = Math.min(beta, room / (m * dt));
  }
  return Math.max(0, beta);
}
