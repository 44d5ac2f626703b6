/**
 * Whether a velocity command moves the end effector toward a singularity, for the slow-down band
 * of resolved-rate control (velocity-control.ts).
 *
 * The question is about the command, not the damped joint velocities: near a singularity damped
 * least squares distorts q̇ (a stretched arm told to reach further out bends its elbow, since it
 * cannot do what was asked), so q̇ does not show where the operator is pushing. The command ẽ,
 * executed exactly, moves the joints at the undamped q̇* = Ã⁺ẽ (Ã = U Σ Vᵀ the weighted
 * Jacobian of damped-least-squares.ts); it pushes toward the singularity when that thins the
 * Jacobian, that is when the smallest singular value σ, with singular vectors u and v, shrinks:
 *
 *   σ̇ = uᵀ Ȧ v < 0,   Ȧ the derivative of Ã along q̇*   (first-order perturbation of a simple σ)
 *
 * Near a singularity q̇* is dominated by (uᵀẽ / σ) v, so this is MoveIt Servo's test (the
 * command's component along the thinnest direction u, toward where it thins). MoveIt finds which
 * way u thins with a probe, comparing κ at q and a little further; near the singularity that
 * probe steps across it (σ has a kink where it reaches 0) and reads the sign backwards, which the
 * derivative at q cannot. Ȧ comes from a central difference of the Jacobian, which is smooth
 * (step 1e-6: truncation ~1e-12, rounding ~1e-10 relative).
 *
 * At a singularity (σ reported 0) there is no direction to shrink: the arm has lost a task
 * direction altogether, and damped least squares serves none of a command's part along it (its
 * gain σ/(σ²+λ²) is 0). A command that asks for such motion pushes into the singularity and is
 * halted (reaching further out with the arm straight, say); one that does not is served (turning
 * the base, bending the elbow). The lost directions are those in the range of Ã at a
 * configuration close by (NEARBY_STEP away, where nothing is lost) but not in the range at q;
 * comparing with the nearby range rather than all of task space leaves out the directions an arm
 * of fewer than six joints never moves in (a SCARA's roll), which are no singularity.
 */
import type { CompiledRobot } from '../compiled-robot.js';
import { computeJacobian, type EndEffector } from '../jacobian.js';
import { copyGram, loadProblem, roundingFloor, type DlsScratch } from './damped-least-squares.js';
import type { IkWeights, IkWorkspace } from './ik-workspace.js';
import { freeMovingJoints } from './limited-step.js';
import { symmetricEigenvectors } from './small-matrix.js';

/** Largest joint displacement of the central difference of the Jacobian (rad or m). */
const DERIVATIVE_STEP = 1e-6;
/**
 * At a singularity: the joint displacement to the configuration close by (rad or m, times 1 to 3
 * per joint so that it leaves every singular set), and the share of a command (by norm) in the
 * lost directions above which it asks for motion the arm cannot make. The nearby range is tilted
 * by about NEARBY_STEP from the one at q, so the share must be well above that.
 */
const NEARBY_STEP = 1e-4;
const LOST_SHARE = 1e-2;

/**
 * True when the command `twist` (linear first, in the end effector's reference frame, as the
 * Jacobian it is tested against) pushes toward a singularity at q (see the module comment), for
 * the joints that move the tip and the given weights. J(q) is formed here rather than taken from the caller: no hidden precondition.
 * Writes only ik.trend, ik.step and ik.kinematics (scratch).
 */
export function movesTowardSingularity(
  robot: CompiledRobot, ik: IkWorkspace, ee: EndEffector, q: Float64Array, twist: Float64Array, weights: IkWeights,
): boolean {
  const dls = ik.step.dls, trend = ik.trend;
  const dof = robot.model.dof;
  freeMovingJoints(ik.step.free, ee.path);
  const size = decomposeAt(robot, ik, ee, q, twist, weights);
  if (size === 0) return true;
  const lambda = dls.eigenvalues, V = dls.eigenvectors;
  let iMin = 0, iMax = 0;
  for (let i = 1; i < size; i++) {
    if (lambda[i]! < lambda[iMin]!) iMin = i;
    if (lambda[i]! > lambda[iMax]!) iMax = i;
  }
  const floor = roundingFloor(size, lambda[iMax]!);

  const { m, n, b } = dls;
  const { u, v, qdotExact } = trend;
  if (!(lambda[iMin]! > floor)) {
    // at a singularity: toward when the command's part in the lost directions is not small
    const spannedHere = spannedSquare(dls, trend, size, floor, undefined);
    let command2 = 0;
    for (let r = 0; r < m; r++) command2 += b[r]! * b[r]!;
    const probe = trend.qProbe;
    for (let k = 0; k < dof; k++) probe[k] = q[k]! + NEARBY_STEP * (1 + (k % 3));
    const nearbySize = decomposeAt(robot, ik, ee, probe, twist, weights);
    let largestNearby = 0;
    for (let i = 0; i < nearbySize; i++) largestNearby = Math.max(largestNearby, lambda[i]!);
    const spannedNearby = spannedSquare(dls, trend, nearbySize, roundingFloor(nearbySize, largestNearby), undefined);
    return spannedNearby - spannedHere > LOST_SHARE * LOST_SHARE * command2;
  }
  spannedSquare(dls, trend, size, floor, qdotExact);

  // u (task space, m rows) and v (scaled joint space, n columns) of σmin, with Ã v = σ u
  singularPair(dls, V, size, iMin, Math.sqrt(lambda[iMin]!), u, v);

  // Ȧ along q̇* (unscaled: q̇_k = Wq^(-1/2) q̇*_j), by a central difference of J
  const { columns, rows, columnScale } = dls;
  let largest = 0;
  for (let j = 0; j < n; j++) largest = Math.max(largest, Math.abs(columnScale[j]! * qdotExact[j]!));
  if (!(largest > 0)) return false; // no command, no motion
  const h = DERIVATIVE_STEP / largest;
  const J_plus = jacobianAlong(robot, ik, ee, q, h, trend.J_plus);
  const J_minus = jacobianAlong(robot, ik, ee, q, -h, trend.J_minus);
  // σ̇ = uᵀ Ȧ v, with Ȧ the weighted rows and scaled columns of (J(q + h q̇*) - J(q - h q̇*)) / 2h
  let sigmaRate = 0;
  for (let r = 0; r < m; r++) {
    const row = rows[r]!;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const joint = columns[j]!;
      sum += (J_plus[row * dof + joint]! - J_minus[row * dof + joint]!) * columnScale[j]! * v[j]!;
    }
    sigmaRate += u[r]! * weights.sqrtTask[row]! * sum / (2 * h);
  }
  return sigmaRate < 0;
}

/**
 * Loads Ã and ẽ of `twist` at configuration q into the DLS scratch and diagonalises their Gram
 * matrix (eigenvalues unsorted, eigenvectors in dls.eigenvectors); returns its size.
 */
function decomposeAt(
  robot: CompiledRobot, ik: IkWorkspace, ee: EndEffector, q: Float64Array, twist: Float64Array, weights: IkWeights,
): number {
  const dls = ik.step.dls, trend = ik.trend;
  computeJacobian(robot, ik.kinematics, q, ee, trend.J_minus, trend.X_BE);
  loadProblem(dls, trend.J_minus, twist, weights.sqrtTask, weights.jointScale, ik.step.free);
  const size = copyGram(dls);
  symmetricEigenvectors(dls.Gcopy, size, dls.eigenvalues, dls.eigenvectors);
  return size;
}

/**
 * Over the singular pairs of the loaded Ã above `floor` (eigenvalues and eigenvectors of its Gram
 * matrix in the DLS scratch): Σᵢ (uᵢᵀẽ)², the square of the command's part in the range of Ã,
 * and, when `exact` is given, q̇* = Ã⁺ẽ = Σᵢ (uᵢᵀẽ / σᵢ) vᵢ into it. Uses trend.u and trend.v
 * as scratch.
 */
function spannedSquare(dls: DlsScratch, trend: IkWorkspace['trend'], size: number, floor: number, exact: Float64Array | undefined): number {
  const { m, n, b, eigenvalues: lambda, eigenvectors: V } = dls;
  const { u, v } = trend;
  if (exact) exact.fill(0);
  let spanned2 = 0;
  for (let i = 0; i < size; i++) {
    if (!(lambda[i]! > floor)) continue;
    const sigma = Math.sqrt(lambda[i]!);
    singularPair(dls, V, size, i, sigma, u, v);
    let c = 0;
    for (let r = 0; r < m; r++) c += u[r]! * b[r]!;
    spanned2 += c * c;
    if (exact) for (let j = 0; j < n; j++) exact[j] = exact[j]! + (c / sigma) * v[j]!;
  }
  return spanned2;
}

/**
 * The singular vectors u (m) and v (n) of singular value i of the loaded Ã, from eigenvector i of
 * its Gram matrix (columns of V): v for ÃᵀÃ, u for ÃÃᵀ, the other by Ã v = σ u.
 */
function singularPair(
  dls: DlsScratch, V: Float64Array, size: number, i: number, sigma: number, u: Float64Array, v: Float64Array,
): void {
  const { m, n, A } = dls;
  if (n <= m) {
    for (let j = 0; j < n; j++) v[j] = V[j * size + i]!;
    for (let r = 0; r < m; r++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += A[r * n + j]! * v[j]!;
      u[r] = sum / sigma;
    }
  } else {
    for (let r = 0; r < m; r++) u[r] = V[r * size + i]!;
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let r = 0; r < m; r++) sum += A[r * n + j]! * u[r]!;
      v[j] = sum / sigma;
    }
  }
}

/** J(q + t·Wq^(-1/2)·q̇*) (q̇* in ik.trend.qdotExact) into J, which it returns. */
function jacobianAlong(robot: CompiledRobot, ik: IkWorkspace, ee: EndEffector, q: Float64Array, t: number, J: Float64Array): Float64Array {
  const { columns, columnScale, n } = ik.step.dls;
  const probe = ik.trend.qProbe, exact = ik.trend.qdotExact;
  probe.set(q);
  for (let j = 0; j < n; j++) {
    const joint = columns[j]!;
    probe[joint] = q[joint]! + t * columnScale[j]! * exact[j]!;
  }
  return computeJacobian(robot, ik.kinematics, probe, ee, J, ik.trend.X_BE);
}
