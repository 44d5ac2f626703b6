/**
 * Propagation of joint uncertainty to the tip: the covariance of the tip's pose error, its mean
 * shift, and the position and orientation confidence ellipsoids.
 *
 * The error is the first-order twist δx = J δq of the reference frame (API.md): in
 * LOCAL_WORLD_ALIGNED δp = p(q+δq) - p(q) and δθ = log(R(q+δq) R(q)ᵀ), both in base axes; in LOCAL
 * the same in tip axes, δθ = log(R(q)ᵀ R(q+δq)) = R(q)ᵀ δθ_LWA; in WORLD [δp - δθ × p; δθ]. Each
 * frame's error is a fixed linear map A of the LOCAL_WORLD_ALIGNED one (changeFrame), so means and
 * covariances move between frames as A m and A Σ Aᵀ.
 *
 *  - linear: Σx = J Σq Jᵀ, exact to first order.
 *  - secondOrder: adds the mean shift E[δx] = ½ Σ_kl H_kl Σq_kl, from the second-order Taylor term
 *    of the error, ½ Σ_kl ∂²x/∂q_k∂q_l δq_k δq_l, whose expectation under δq ~ N(0, Σq) is that
 *    sum. For δp, ∂²p/∂q_k∂q_l is column l of the LOCAL_WORLD_ALIGNED Hessian slice k. For δθ,
 *    φ(t) = log(R(q+tδq)R(q)ᵀ) has φ̇ = J_l(φ)⁻¹ ω = ω - ½ φ × ω + O(φ²) with ω = J_ω(q+tδq) δq, so
 *    φ̈(0) = Σ_k ∂J_ω/∂q_k δq_k δq (the φ × ω term is ω × ω = 0): again the Hessian's columns.
 *    The shift is taken in LOCAL_WORLD_ALIGNED and mapped by A; the contraction of another
 *    frame's Hessian would differ by terms ω_k × v_l that are not the mean of that frame's error.
 *    The covariance stays J Σq Jᵀ (its next terms are fourth order in δq).
 *  - unscented: the scaled unscented transform (Julier 2002; Wan and van der Merwe 2000) with
 *    α = 1, β = 2, κ = 0: sigma points q ± √(n λ_i) v_i over the eigenvectors v_i of Σq (n of them
 *    with λ_i > 0) through the real forward kinematics, each of weight 1/2n; the centre's mean
 *    weight is 0 and its covariance weight β. The weighted mean of the errors is the mean shift,
 *    their weighted scatter about it plus β ȳ ȳᵀ the covariance, positive semi-definite by
 *    construction (every weight >= 0). Against Monte Carlo on the Panda at σ = 0.1 rad this beat
 *    κ = 3 - n (whose negative centre weight also risks an indefinite covariance): n + κ = n puts
 *    the total fourth moment Σ_ij E[δ_i² δ_j²] nearer a Gaussian's than 3 per axis does, since
 *    sigma points on the axes have no cross moments.
 */
import { chiSquareQuantile } from './chi-square.js';
import type { CompiledRobot } from './compiled-robot.js';
import { KinematicsError, assertLength } from './errors.js';
import { symmetricEigenvectors } from './ik/small-matrix.js';
import { symmetricEigen3 } from './symmetric-eigen3.js';
import { computeHessian } from './jacobian-derivative.js';
import { changeFrame, computeEndEffectorPose, computeJacobian, type EndEffector, type ReferenceFrame } from './jacobian.js';
import type { KinematicModel } from './model.js';
import type { SecondOrderWorkspace } from './second-order-workspace.js';
import { SE3_SIZE, composeInverseTransform, rotationLog } from './se3.js';
import type { KinematicWorkspace } from './workspace.js';

/** The propagation methods, default first. */
export const UNCERTAINTY_METHODS = ['linear', 'unscented', 'secondOrder'] as const;
export type UncertaintyMethod = (typeof UNCERTAINTY_METHODS)[number];

/** The default confidence of the ellipsoids. */
export const DEFAULT_CONFIDENCE = 0.95;

/**
 * How far from symmetric a joint covariance may be, relative to its largest entry: rounding of a
 * matrix written out in decimal (17 significant digits round-trip; 1e-12 leaves room for a
 * matrix computed as A Aᵀ in another program).
 */
export const COVARIANCE_SYMMETRY_TOLERANCE = 1e-12;
/**
 * How negative an eigenvalue of a joint covariance may be, relative to the largest: the rounding
 * of a positive semi-definite matrix's zero eigenvalues (about n ε λmax).
 */
export const COVARIANCE_PSD_TOLERANCE = 1e-12;

/** An ellipsoid of one 3 x 3 block of the covariance. */
export interface Ellipsoid {
  /** Principal axes as rows (unit vectors, largest radius first; the largest component of each positive). */
  readonly axes: Float64Array;
  /** Semi-axis lengths at the confidence: √(χ²₃(confidence) λ_i). */
  readonly radii: Float64Array;
  /** √Σ_ii per axis of the frame. */
  readonly stdDev: Float64Array;
}

/** What propagateUncertainty writes. */
export interface UncertaintyResult {
  /** Σx, 6 x 6 row-major, linear first. */
  readonly covariance: Float64Array;
  /** E[δx] (6), for secondOrder and unscented; zeros for linear. */
  readonly meanShift: Float64Array;
  readonly position: Ellipsoid;
  readonly orientation: Ellipsoid;
}

/** Scratch of uncertainty propagation for one model, and the result it writes. */
export interface UncertaintyWorkspace {
  readonly model: KinematicModel;
  /** Σq, dof x dof: set it with setJointStdDev or setJointCovariance. */
  readonly jointCovariance: Float64Array;
  /** Whether jointCovariance is diagonal (set from standard deviations): J Σq Jᵀ then costs 21 dof products. */
  diagonal: boolean;
  readonly result: UncertaintyResult;
  readonly J: Float64Array;
  readonly JS: Float64Array;
  readonly X0: Float64Array;
  readonly X: Float64Array;
  readonly D: Float64Array;
  readonly q: Float64Array;
  readonly error: Float64Array;
  /** Sigma point errors, (2 dof + 1) x 6. */
  readonly points: Float64Array;
  readonly eigenA: Float64Array;
  readonly eigenV: Float64Array;
  readonly eigenvalues: Float64Array;
  readonly blockV: Float64Array;
  readonly blockValues: Float64Array;
  /** The last confidence and its χ²₃ quantile (the quantile costs a few gamma evaluations). */
  cachedConfidence: number;
  cachedQuantile: number;
}

function ellipsoid(): Ellipsoid {
  return { axes: new Float64Array(9), radii: new Float64Array(3), stdDev: new Float64Array(3) };
}

/** Allocates an uncertainty workspace for `model`. */
export function createUncertaintyWorkspace(model: KinematicModel): UncertaintyWorkspace {
  const n = model.dof;
  // the n x n arrays are made on first use: 24 MB for a chain of 999 joints, which a robot that
  // is never asked for its uncertainty should not cost (nor the event loop the time to zero them)
  let jointCovariance: Float64Array | undefined, eigenA: Float64Array | undefined, eigenV: Float64Array | undefined;
  return {
    model,
    get jointCovariance() { return (jointCovariance ??= new Float64Array(n * n)); },
    diagonal: true,
    result: { covariance: new Float64Array(36), meanShift: new Float64Array(6), position: ellipsoid(), orientation: ellipsoid() },
    J: new Float64Array(6 * n), JS: new Float64Array(6 * n),
    X0: new Float64Array(SE3_SIZE), X: new Float64Array(SE3_SIZE), D: new Float64Array(SE3_SIZE),
    q: new Float64Array(n), error: new Float64Array(6), points: new Float64Array((2 * n + 1) * 6),
    get eigenA() { return (eigenA ??= new Float64Array(n * n)); },
    get eigenV() { return (eigenV ??= new Float64Array(n * n)); },
    eigenvalues: new Float64Array(n),
    blockV: new Float64Array(9), blockValues: new Float64Array(3),
    cachedConfidence: DEFAULT_CONFIDENCE, cachedQuantile: chiSquareQuantile(DEFAULT_CONFIDENCE, 3),
  };
}

function assertUncertaintyWorkspaceOf(model: KinematicModel, ws: UncertaintyWorkspace): void {
  if (ws.model !== model) {
    throw new KinematicsError('INVALID_ARGUMENT',
      `the uncertainty workspace was made for robot "${ws.model.name}", not for robot "${model.name}": make one with createUncertaintyWorkspace(robot.model)`);
  }
}

/**
 * Sets Σq = diag(σ²) from per-joint standard deviations (q order).
 * @throws KinematicsError for a wrong length or a negative or non-finite σ.
 */
export function setJointStdDev(ws: UncertaintyWorkspace, stdDev: ArrayLike<number>): void {
  const { model } = ws, n = model.dof;
  assertLength('jointStdDev', n, stdDev.length);
  ws.jointCovariance.fill(0);
  for (let k = 0; k < n; k++) {
    const s = stdDev[k]!;
    if (!(s >= 0 && Number.isFinite(s))) {
      throw new KinematicsError('INVALID_VALUE', `jointStdDev[${k}] (joint "${model.jointNames[k]}") is ${s}; a standard deviation must be a finite number >= 0`);
    }
    ws.jointCovariance[k * n + k] = s * s;
  }
  ws.diagonal = true;
}

/**
 * Sets Σq from a dof x dof matrix (rows in q order, row-major) after checking that it is a
 * covariance: finite, symmetric (to COVARIANCE_SYMMETRY_TOLERANCE) and positive semi-definite
 * (no eigenvalue below -COVARIANCE_PSD_TOLERANCE λmax). It is stored symmetrised.
 * @throws KinematicsError saying which property fails, and where.
 */
export function setJointCovariance(ws: UncertaintyWorkspace, covariance: ArrayLike<number>): void {
  const { model } = ws, n = model.dof;
  assertLength('jointCovariance (dof x dof entries)', n * n, covariance.length);
  let largest = 0;
  for (let i = 0; i < n * n; i++) {
    const v = covariance[i]!;
    if (!Number.isFinite(v)) throw new KinematicsError('INVALID_VALUE', `jointCovariance[${Math.floor(i / n)}][${i % n}] is ${v}; every entry must be finite`);
    largest = Math.max(largest, Math.abs(v));
  }
  const S = ws.jointCovariance;
  ws.diagonal = false;
  for (let i = 0; i < n; i++) {
    if (covariance[i * n + i]! < 0) {
      throw new KinematicsError('INVALID_VALUE', `jointCovariance[${i}][${i}] (the variance of joint "${model.jointNames[i]}") is ${covariance[i * n + i]}; variances on the diagonal must be >= 0`);
    }
    for (let j = i; j < n; j++) {
      const a = covariance[i * n + j]!, b = covariance[j * n + i]!;
      if (Math.abs(a - b) > COVARIANCE_SYMMETRY_TOLERANCE * largest) {
        throw new KinematicsError('INVALID_VALUE', `jointCovariance is not symmetric: [${i}][${j}] is ${a} but [${j}][${i}] is ${b}; a covariance matrix equals its transpose`);
      }
      S[i * n + j] = S[j * n + i] = (a + b) / 2;
    }
  }
  ws.eigenA.set(S);
  symmetricEigenvectors(ws.eigenA, n, ws.eigenvalues, ws.eigenV);
  let smallest = Infinity, smallestAt = 0, top = 0;
  for (let i = 0; i < n; i++) {
    const l = ws.eigenvalues[i]!;
    top = Math.max(top, l);
    if (l < smallest) { smallest = l; smallestAt = i; }
  }
  if (smallest < -COVARIANCE_PSD_TOLERANCE * top || (top === 0 && smallest < 0)) {
    const v = Array.from({ length: n }, (_, r) => Number(ws.eigenV[r * n + smallestAt]!.toPrecision(3)));
    throw new KinematicsError('INVALID_VALUE', `jointCovariance is not positive semi-definite: it has the eigenvalue ${smallest.toPrecision(6)} `
      + `(eigenvector ${JSON.stringify(v)}), and a covariance has no negative eigenvalue (vᵀ Σ v is the variance of vᵀ δq)`);
  }
}

/**
 * The error e(q) of the pose X (of q + δq) against X0 (of q) in `frame` (see the module comment),
 * written to out[o..o+6). D is 12 doubles of scratch.
 */
export function poseErrorInFrame(frame: ReferenceFrame, X0: Float64Array, X: Float64Array, D: Float64Array, out: Float64Array, o = 0): void {
  const dx = X[9]! - X0[9]!, dy = X[10]! - X0[10]!, dz = X[11]! - X0[11]!;
  if (frame === 'LOCAL') {
    // δp in tip axes, δθ = log(R0ᵀ R)
    out[o] = X0[0]! * dx + X0[3]! * dy + X0[6]! * dz;
    out[o + 1] = X0[1]! * dx + X0[4]! * dy + X0[7]! * dz;
    out[o + 2] = X0[2]! * dx + X0[5]! * dy + X0[8]! * dz;
    composeInverseTransform(D, 0, X0, 0, X, 0);
    rotationLog(out, o + 3, D, 0);
    return;
  }
  // R Rᵀ0 row by row
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) D[3 * r + c] = X[3 * r]! * X0[3 * c]! + X[3 * r + 1]! * X0[3 * c + 1]! + X[3 * r + 2]! * X0[3 * c + 2]!;
  }
  rotationLog(out, o + 3, D, 0);
  out[o] = dx; out[o + 1] = dy; out[o + 2] = dz;
  if (frame === 'WORLD') {
    // δp - δθ × p0
    const tx = out[o + 3]!, ty = out[o + 4]!, tz = out[o + 5]!, px = X0[9]!, py = X0[10]!, pz = X0[11]!;
    out[o] = dx - (ty * pz - tz * py);
    out[o + 1] = dy - (tz * px - tx * pz);
    out[o + 2] = dz - (tx * py - ty * px);
  }
}

/**
 * C = A Σ Aᵀ for A 6 x n (row-major), C 6 x 6, symmetric by construction. AS is 6 x n scratch.
 * For a diagonal Σ it is Σ_k σ_k² a_k a_kᵀ over the columns a_k of A: one pass over the columns
 * with the 21 entries of the upper triangle in locals (each entry the same products, summed in
 * the same order k = 0..n-1, as the row-by-row sum Σ_k A_rk σ_k² A_ck).
 */
function congruence(A: Float64Array, S: Float64Array, n: number, AS: Float64Array, C: Float64Array, diagonal: boolean): void {
  if (diagonal) {
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0;
    let c22 = 0, c23 = 0, c24 = 0, c25 = 0, c33 = 0, c34 = 0, c35 = 0, c44 = 0, c45 = 0, c55 = 0;
    for (let k = 0; k < n; k++) {
      const v = S[k * n + k]!;
      const a0 = A[k]!, a1 = A[n + k]!, a2 = A[2 * n + k]!, a3 = A[3 * n + k]!, a4 = A[4 * n + k]!, a5 = A[5 * n + k]!;
      const w0 = a0 * v, w1 = a1 * v, w2 = a2 * v, w3 = a3 * v, w4 = a4 * v;
      c00 += w0 * a0; c01 += w0 * a1; c02 += w0 * a2; c03 += w0 * a3; c04 += w0 * a4; c05 += w0 * a5;
      c11 += w1 * a1; c12 += w1 * a2; c13 += w1 * a3; c14 += w1 * a4; c15 += w1 * a5;
      c22 += w2 * a2; c23 += w2 * a3; c24 += w2 * a4; c25 += w2 * a5;
      c33 += w3 * a3; c34 += w3 * a4; c35 += w3 * a5;
      c44 += w4 * a4; c45 += w4 * a5;
      c55 += a5 * v * a5;
    }
    C[0] = c00; C[1] = c01; C[2] = c02; C[3] = c03; C[4] = c04; C[5] = c05;
    C[6] = c01; C[7] = c11; C[8] = c12; C[9] = c13; C[10] = c14; C[11] = c15;
    C[12] = c02; C[13] = c12; C[14] = c22; C[15] = c23; C[16] = c24; C[17] = c25;
    C[18] = c03; C[19] = c13; C[20] = c23; C[21] = c33; C[22] = c34; C[23] = c35;
    C[24] = c04; C[25] = c14; C[26] = c24; C[27] = c34; C[28] = c44; C[29] = c45;
    C[30] = c05; C[31] = c15; C[32] = c25; C[33] = c35; C[34] = c45; C[35] = c55;
    return;
  }
  for (let r = 0; r < 6; r++) {
    for (let c = 0; c < n; c++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += A[r * n + k]! * S[k * n + c]!;
      AS[r * n + c] = sum;
    }
  }
  for (let r = 0; r < 6; r++) {
    for (let c = r; c < 6; c++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += AS[r * n + k]! * A[c * n + k]!;
      C[r * 6 + c] = sum;
      C[c * 6 + r] = sum;
    }
  }
}

/** β of the scaled unscented transform: 2 is optimal for a Gaussian prior (Wan and van der Merwe 2000). */
const UNSCENTED_BETA = 2;

/** The unscented transform of Σq through the error map (see the module comment). */
function unscented(robot: CompiledRobot, ws: UncertaintyWorkspace, q0: Float64Array, ee: EndEffector, frame: ReferenceFrame): void {
  const n = robot.model.dof, S = ws.jointCovariance, C = ws.result.covariance, mean = ws.result.meanShift, P = ws.points;
  computeEndEffectorPose(robot, q0, ee, ws.X0);
  ws.eigenA.set(S);
  symmetricEigenvectors(ws.eigenA, n, ws.eigenvalues, ws.eigenV);
  let top = 0;
  for (let i = 0; i < n; i++) top = Math.max(top, ws.eigenvalues[i]!);
  // directions with variance (zero eigenvalues put sigma points on the centre: leave them out)
  let dims = 0;
  for (let i = 0; i < n; i++) if (ws.eigenvalues[i]! > COVARIANCE_PSD_TOLERANCE * top) dims++;
  C.fill(0); mean.fill(0);
  if (dims === 0) return;
  // the scaled unscented transform with α = 1, β = 2, κ = 0 (see the module comment)
  const spread = Math.sqrt(dims), wPoint = 1 / (2 * dims);
  let count = 1;
  for (let r = 0; r < 6; r++) P[r] = 0;
  for (let i = 0; i < n; i++) {
    const l = ws.eigenvalues[i]!;
    if (!(l > COVARIANCE_PSD_TOLERANCE * top)) continue;
    const s = spread * Math.sqrt(l);
    for (let t = 0; t < 2; t++) {
      const sign = t === 0 ? 1 : -1;
      for (let k = 0; k < n; k++) ws.q[k] = q0[k]! + sign * s * ws.eigenV[k * n + i]!;
      computeEndEffectorPose(robot, ws.q, ee, ws.X);
      poseErrorInFrame(frame, ws.X0, ws.X, ws.D, P, 6 * count);
      count++;
    }
  }
  // point 0, the centre, has error 0 and mean weight 0
  for (let p = 1; p < count; p++) for (let r = 0; r < 6; r++) mean[r] = mean[r]! + wPoint * P[6 * p + r]!;
  // Σ W (y_i - ȳ)(y_i - ȳ)ᵀ + β (y_0 - ȳ)(y_0 - ȳ)ᵀ with y_0 = 0
  for (let r = 0; r < 6; r++) {
    for (let c = r; c < 6; c++) {
      let sum = UNSCENTED_BETA * mean[r]! * mean[c]!;
      for (let p = 1; p < count; p++) sum += wPoint * (P[6 * p + r]! - mean[r]!) * (P[6 * p + c]! - mean[c]!);
      C[r * 6 + c] = sum;
    }
  }
  for (let r = 0; r < 6; r++) for (let c = 0; c < r; c++) C[r * 6 + c] = C[c * 6 + r]!;
}

/** The ellipsoid of the 3 x 3 block of C at (b, b), scaled by the χ² quantile. */
function ellipsoidOf(ws: UncertaintyWorkspace, b: number, chi2: number, out: Ellipsoid): void {
  const C = ws.result.covariance, V = ws.blockV, l = ws.blockValues, o = b * 6 + b;
  const { stdDev, radii, axes } = out;
  stdDev[0] = Math.sqrt(Math.max(0, C[o]!)); stdDev[1] = Math.sqrt(Math.max(0, C[o + 7]!)); stdDev[2] = Math.sqrt(Math.max(0, C[o + 14]!));
  // eigenvalues largest first, eigenvectors as V's columns
  symmetricEigen3(C, o, 6, l, V);
  for (let a = 0; a < 3; a++) {
    radii[a] = Math.sqrt(Math.max(0, l[a]!) * chi2);
    // the axis's sign: its largest component positive
    const x = V[a]!, y = V[3 + a]!, z = V[6 + a]!;
    let big = x;
    if (Math.abs(y) > Math.abs(big)) big = y;
    if (Math.abs(z) > Math.abs(big)) big = z;
    const sign = big < 0 ? -1 : 1;
    axes[3 * a] = sign * x; axes[3 * a + 1] = sign * y; axes[3 * a + 2] = sign * z;
  }
}

/**
 * Propagates ws.jointCovariance (set it first) at q to the end effector's pose error in its
 * reference frame by `method`, writes ws.result (covariance, mean shift, ellipsoids at
 * `confidence`) and returns it. `linear` allocates nothing; secondOrder uses the second-order
 * workspace's Hessian.
 * @throws KinematicsError for a confidence outside (0, 1), or arguments of another robot.
 */
export function propagateUncertainty(
  robot: CompiledRobot, ws: UncertaintyWorkspace, kinematics: KinematicWorkspace, secondOrder: SecondOrderWorkspace,
  q: Float64Array, ee: EndEffector, method: UncertaintyMethod = 'linear', confidence = DEFAULT_CONFIDENCE,
): UncertaintyResult {
  const { model } = robot, n = model.dof;
  assertUncertaintyWorkspaceOf(model, ws);
  if (!(confidence > 0 && confidence < 1)) {
    throw new KinematicsError('INVALID_VALUE', `confidence is ${confidence}; it must be a probability between 0 and 1 (exclusive), e.g. 0.95`);
  }
  if (confidence !== ws.cachedConfidence) {
    ws.cachedQuantile = chiSquareQuantile(confidence, 3);
    ws.cachedConfidence = confidence;
  }
  const frame = ee.referenceFrame, result = ws.result;
  if (method === 'unscented') {
    unscented(robot, ws, q, ee, frame);
  } else if (method === 'secondOrder') {
    // the LOCAL_WORLD_ALIGNED Hessian and Jacobian; ½ Σ_kl H[k][:, l] Σ_kl, then both moved to the frame
    const H = computeHessian(robot, secondOrder, q, ee, secondOrder.H, 'LOCAL_WORLD_ALIGNED', ws.J);
    const S = ws.jointCovariance, mean = result.meanShift, slice = 6 * n;
    for (let r = 0; r < 6; r++) {
      let sum = 0;
      for (let k = 0; k < n; k++) for (let l = 0; l < n; l++) sum += H[k * slice + r * n + l]! * S[k * n + l]!;
      mean[r] = 0.5 * sum;
    }
    changeFrame(frame, n, secondOrder.X_BE, ws.J);
    changeFrame(frame, 1, secondOrder.X_BE, mean);
    congruence(ws.J, S, n, ws.JS, result.covariance, ws.diagonal);
  } else if (method === 'linear') {
    computeJacobian(robot, kinematics, q, ee, ws.J, kinematics.X_BE, frame);
    congruence(ws.J, ws.jointCovariance, n, ws.JS, result.covariance, ws.diagonal);
    const mean = result.meanShift;
    mean[0] = 0; mean[1] = 0; mean[2] = 0; mean[3] = 0; mean[4] = 0; mean[5] = 0;
  } else {
    throw new KinematicsError('INVALID_ARGUMENT', `method "${String(method)}" is not one of ${UNCERTAINTY_METHODS.join(', ')}`);
  }
  ellipsoidOf(ws, 0, ws.cachedQuantile, result.position);
  ellipsoidOf(ws, 3, ws.cachedQuantile, result.orientation);
  return result;
}
