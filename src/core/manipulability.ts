/**
 * Manipulability measures of the Jacobian and their exact gradients, from the Hessian.
 *
 * J_a is the Jacobian in the end effector's frame restricted to the rows of `axes` (all six, the
 * three linear or the three angular) and to the columns of the joints that move the tip; its
 * k = min(rows, n) singular values σ_1 >= ... >= σ_k come with singular vectors u_i, v_i
 * (J_a v_i = σ_i u_i). A simple singular value moves with q as
 *
 *   ∂σ_i/∂q_k = u_iᵀ (∂J_a/∂q_k) v_i      (first-order perturbation; ∂J/∂q_k is Hessian slice k)
 *
 * and the measures follow:
 *   yoshikawa         m = Π σ_i                (= √det(J_a J_aᵀ) for n >= rows, √det(J_aᵀJ_a) below:
 *                                              analysis.manipulability)     ∇m = Σ_i ∇σ_i Π_{j≠i} σ_j
 *   sigmaMin          σ_k                                                   ∇σ_k
 *   inverseCondition  σ_k / σ_1                                             (∇σ_k σ_1 - σ_k ∇σ_1) / σ_1²
 *   logDet            log det(J_a J_aᵀ) = 2 Σ log σ_i (n >= rows; log det(J_aᵀJ_a) below)   2 Σ ∇σ_i / σ_i
 *
 * yoshikawa and logDet are symmetric in the σ_i, so repeated singular values do not matter to
 * them. Where a measure is not differentiable the gradient is not defined: at a singularity
 * (σ_k = 0: each measure behaves like |f(q)| for a smooth f through 0, and logDet is -∞, which is
 * refused), and for sigmaMin and inverseCondition where σ_k (or σ_1) is repeated. There the result
 * says `differentiable: false`; the gradient is 0 at a singularity and, for a repeated singular
 * value, the gradient of one of the repeated values (a one-sided derivative).
 *
 * The SVD is a one-sided Jacobi SVD of J_a itself (ik/small-matrix.ts): accurate for the small
 * singular values near a singularity, unlike the eigenvalues of J_a J_aᵀ.
 */
import type { CompiledRobot } from './compiled-robot.js';
import { KinematicsError, assertLength } from './errors.js';
import { computeHessian } from './jacobian-derivative.js';
import { changeFrame, type EndEffector } from './jacobian.js';
import { jacobiSvd } from './ik/small-matrix.js';
import type { SecondOrderWorkspace } from './second-order-workspace.js';

/** The measures, default first. */
export const MANIPULABILITY_MEASURES = ['yoshikawa', 'sigmaMin', 'inverseCondition', 'logDet'] as const;
/** A manipulability measure (one of MANIPULABILITY_MEASURES). */
export type ManipulabilityMeasure = (typeof MANIPULABILITY_MEASURES)[number];
/** The rows of the Jacobian a measure is taken over, default first. */
export const MANIPULABILITY_AXES = ['all', 'translation', 'rotation'] as const;
/** Rows of the Jacobian (one of MANIPULABILITY_AXES). */
export type ManipulabilityAxes = (typeof MANIPULABILITY_AXES)[number];

/** Two singular values closer than this fraction of σmax count as repeated. */
export const REPEATED_SINGULAR_VALUE = 1e-8;

/** The answer of {@link computeManipulability}; the gradient is in the caller's array. */
export interface ManipulabilityResult {
  value: number;
  /** False where the measure is not differentiable (see the module comment). */
  differentiable: boolean;
  /** The k singular values of J_a, largest first (0 below the rank tolerance of analysis.ts). */
  singularValues: number[];
}

const FIRST_ROW: Record<ManipulabilityAxes, number> = { all: 0, translation: 0, rotation: 3 };
const ROW_COUNT: Record<ManipulabilityAxes, number> = { all: 6, translation: 3, rotation: 3 };

/**
 * The measure of the end effector's Jacobian at q (in its reference frame) over `axes`, with its
 * gradient ∂value/∂q (one entry per active joint, 0 for joints that do not move the tip) into
 * `gradient`. Uses ws.H (the Hessian) and ws.A, ws.sigma, ws.svdV (the SVD).
 * @throws KinematicsError `INVALID_ARGUMENT` for logDet at a singularity (it is -∞ there).
 */
export function computeManipulability(
  robot: CompiledRobot, ws: SecondOrderWorkspace, q: Float64Array, ee: EndEffector,
  measure: ManipulabilityMeasure, axes: ManipulabilityAxes, gradient: Float64Array,
): ManipulabilityResult {
  const { model } = robot;
  const dof = model.dof;
  assertLength('gradient output', dof, gradient.length);
  // the Hessian, and the Jacobian in the end effector's frame from the LOCAL_WORLD_ALIGNED one
  const J_F = ws.J_F;
  const H = computeHessian(robot, ws, q, ee, ws.H, ee.referenceFrame, J_F);
  changeFrame(ee.referenceFrame, dof, ws.X_BE, J_F);
  const columns = ee.path.movingJoints, n = columns.length;
  const first = FIRST_ROW[axes], m = ROW_COUNT[axes];
  gradient.fill(0);
  if (n === 0) return { value: measure === 'logDet' ? refuseLogDet() : 0, differentiable: false, singularValues: [] };

  // the SVD of J_a (m x n) when n <= m, else of J_aᵀ (n x m): A W = (U Σ), columns of W in svdV
  const tall = n <= m, rows = tall ? m : n, cols = tall ? n : m, k = cols;
  const A = ws.A, sigma = ws.sigma, W = ws.svdV;
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < n; c++) {
      const x = J_F[(first + r) * dof + columns[c]!]!;
      if (tall) A[r * cols + c] = x; else A[c * cols + r] = x;
    }
  }
  jacobiSvd(A, rows, cols, sigma, W);
  // largest first
  const order = ws.order;
  for (let i = 0; i < k; i++) order[i] = i;
  for (let i = 1; i < k; i++) {
    const o = order[i]!;
    let j = i - 1;
    while (j >= 0 && sigma[order[j]!]! < sigma[o]!) { order[j + 1] = order[j]!; j--; }
    order[j + 1] = o;
  }
  const sigmaMax = sigma[order[0]!]!;
  const tolerance = Math.max(6, n) * Number.EPSILON * sigmaMax; // analysis.ts's rank rule
  const singularValues: number[] = [];
  for (let i = 0; i < k; i++) singularValues.push(sigma[order[i]!]! > tolerance ? sigma[order[i]!]! : 0);
  const sigmaMin = singularValues[k - 1]!;

  /** ∂σ/∂q_joint of the singular value in column `s` of the SVD, for every joint, added times `weight` into gradient. */
  const addGradientOf = (s: number, weight: number): void => {
    const value = sigma[s]!;
    for (let kk = 0; kk < dof; kk++) {
      const o = kk * 6 * dof;
      let sum = 0;
      for (let r = 0; r < m; r++) {
        // u (m) and v (n) of J_a: from the tall SVD u = (UΣ)_col / σ, v = W_col; from Aᵀ the roles swap
        const u = tall ? A[r * cols + s]! / value : W[r * cols + s]!;
        if (u === 0) continue;
        let row = 0;
        for (let c = 0; c < n; c++) {
          const v = tall ? W[c * cols + s]! : A[c * cols + s]! / value;
          row += H[o + (first + r) * dof + columns[c]!]! * v;
        }
        sum += u * row;
      }
      gradient[kk] = gradient[kk]! + weight * sum;
    }
  };
  const repeated = (a: number, b: number): boolean => Math.abs(a - b) <= REPEATED_SINGULAR_VALUE * sigmaMax;

  if (!(sigmaMin > 0)) {
    // at a singularity: every measure is not differentiable (see the module comment)
    if (measure === 'logDet') refuseLogDet();
    return { value: 0, differentiable: false, singularValues };
  }
  switch (measure) {
    case 'yoshikawa': {
      let value = 1;
      for (let i = 0; i < k; i++) value *= singularValues[i]!;
      for (let i = 0; i < k; i++) addGradientOf(order[i]!, value / singularValues[i]!);
      return { value, differentiable: true, singularValues };
    }
    case 'logDet': {
      let value = 0;
      for (let i = 0; i < k; i++) value += 2 * Math.log(singularValues[i]!);
      for (let i = 0; i < k; i++) addGradientOf(order[i]!, 2 / singularValues[i]!);
      return { value, differentiable: true, singularValues };
    }
    case 'sigmaMin': {
      addGradientOf(order[k - 1]!, 1);
      return { value: sigmaMin, differentiable: k === 1 || !repeated(sigmaMin, singularValues[k - 2]!), singularValues };
    }
    case 'inverseCondition': {
      // ∇(σk/σ1) = ∇σk / σ1 - σk ∇σ1 / σ1²
      addGradientOf(order[k - 1]!, 1 / sigmaMax);
      addGradientOf(order[0]!, -sigmaMin / (sigmaMax * sigmaMax));
      const simple = k === 1 || (!repeated(sigmaMin, singularValues[k - 2]!) && !repeated(sigmaMax, singularValues[1]!));
      return { value: sigmaMin / sigmaMax, differentiable: simple, singularValues };
    }
  }
}

function refuseLogDet(): never {
  throw new KinematicsError('INVALID_ARGUMENT',
    'logDet is -infinity here: the Jacobian is singular (its smallest singular value is 0) or no joint moves the tip; '
    + 'use measure "yoshikawa" or "sigmaMin", which are 0 at a singularity');
}
