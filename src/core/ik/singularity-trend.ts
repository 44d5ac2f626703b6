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
import { computeJacobian, type EndEffector } from '../jacobian.js';
import { copyGram, loadProblem, roundingFloor } from './damped-least-squares.js';
import type { IkWorkspace } from './ik-workspace.js';
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
 * True when the command `twist` (the end effector's frame, linear first) pushes toward a
 * singularity at q (see the module comment). Uses the free joints and task weights set in the
 * workspace; overwrites ik.J, ik.X, ik.JSaved, ik.qProbe, ik.thinTask, ik.thinJoints,
 * ik.undampedRate and the DLS scratch (its eigenvalues are left as unsorted σ²). J(q) is formed
 * again rather than taken from the caller: one Jacobian, and no hidden precondition.
 */
export function movesTowardSingularity(ik: IkWorkspace, ee: EndEffector, q: Float64Array, twist: Float64Array): boolean {
  const { model, dls } = ik;
  const dof = model.dof;
  const size = decomposeAt(ik, ee, q, twist);
  if (size === 0) return true;
  const lambda = dls.eigenvalues, V = dls.eigenvectors;
  let iMin = 0, iMax = 0;
  for (let i = 1; i < size; i++) {
    if (lambda[i]! < lambda[iMin]!) iMin = i;
    if (lambda[i]! > lambda[iMax]!) iMax = i;
  }
  const floor = roundingFloor(size, lambda[iMax]!);

  const { m, n, b } = dls;
  const u = ik.thinTask, v = ik.thinJoints, exact = ik.undampedRate;
  if (!(lambda[iMin]! > floor)) {
    // at a singularity: toward when the command's part in the lost directions is not small
    const spannedHere = spannedSquare(ik, size, floor, undefined);
    let command2 = 0;
    for (let r = 0; r < m; r++) command2 += b[r]! * b[r]!;
    const probe = ik.qProbe;
    for (let k = 0; k < dof; k++) probe[k] = q[k]! + NEARBY_STEP * (1 + (k % 3));
    const nearbySize = decomposeAt(ik, ee, probe, twist);
    let largestNearby = 0;
    for (let i = 0; i < nearbySize; i++) largestNearby = Math.max(largestNearby, lambda[i]!);
    const spannedNearby = spannedSquare(ik, nearbySize, roundingFloor(nearbySize, largestNearby), undefined);
    return spannedNearby - spannedHere > LOST_SHARE * LOST_SHARE * command2;
  }
  spannedSquare(ik, size, floor, exact);

  // u (task space, m rows) and v (scaled joint space, n columns) of σmin, with Ã v = σ u
  singularPair(dls, V, size, iMin, Math.sqrt(lambda[iMin]!), u, v);

  // Ȧ along q̇* (unscaled: q̇_k = Wq^(-1/2) q̇*_j), by a central difference of J into ik.JSaved
  const { columns, rows, jointScale } = dls;
  let largest = 0;
  for (let j = 0; j < n; j++) largest = Math.max(largest, Math.abs(jointScale[columns[j]!]! * exact[j]!));
  if (!(largest > 0)) return false; // no command, no motion
  const h = DERIVATIVE_STEP / largest, Jdot = ik.JSaved;
  jacobianAlong(ik, ee, q, h, Jdot);
  jacobianAlong(ik, ee, q, -h, ik.J);
  // σ̇ = uᵀ Ȧ v, with Ȧ the weighted rows and scaled columns of J̇
  let sigmaRate = 0;
  for (let r = 0; r < m; r++) {
    const row = rows[r]!;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const joint = columns[j]!;
      sum += (Jdot[row * dof + joint]! - ik.J[row * dof + joint]!) * jointScale[joint]! * v[j]!;
    }
    sigmaRate += u[r]! * ik.sqrtTaskWeights[row]! * sum / (2 * h);
  }
  return sigmaRate < 0;
}

/**
 * Loads Ã and ẽ of `twist` at configuration q into the DLS scratch and diagonalises their Gram
 * matrix (eigenvalues unsorted, eigenvectors in dls.eigenvectors); returns its size.
 */
function decomposeAt(ik: IkWorkspace, ee: EndEffector, q: Float64Array, twist: Float64Array): number {
  const { dls } = ik;
  computeJacobian(ik.model, ik.kinematics, q, ee, ik.J, ik.X);
  loadProblem(dls, ik.J, twist, ik.sqrtTaskWeights, ik.free);
  const size = copyGram(dls);
  symmetricEigenvectors(dls.Gcopy, size, dls.eigenvalues, dls.eigenvectors);
  return size;
}

/**
 * Over the singular pairs of the loaded Ã above `floor` (eigenvalues and eigenvectors of its Gram
 * matrix in the DLS scratch): Σᵢ (uᵢᵀẽ)², the square of the command's part in the range of Ã,
 * and, when `exact` is given, q̇* = Ã⁺ẽ = Σᵢ (uᵢᵀẽ / σᵢ) vᵢ into it. Uses ik.thinTask and
 * ik.thinJoints as scratch.
 */
function spannedSquare(ik: IkWorkspace, size: number, floor: number, exact: Float64Array | undefined): number {
  const { dls } = ik;
  const { m, n, b, eigenvalues: lambda, eigenvectors: V } = dls;
  const u = ik.thinTask, v = ik.thinJoints;
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
  dls: IkWorkspace['dls'], V: Float64Array, size: number, i: number, sigma: number, u: Float64Array, v: Float64Array,
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

/** The Jacobian at q + t·Wq^(-1/2)·q̇* (ik.undampedRate), into J. */
function jacobianAlong(ik: IkWorkspace, ee: EndEffector, q: Float64Array, t: number, J: Float64Array): void {
  const { columns, jointScale, n } = ik.dls;
  const probe = ik.qProbe, exact = ik.undampedRate;
  probe.set(q);
  for (let j = 0; j < n; j++) {
    const joint = columns[j]!;
    probe[joint] = q[joint]! + t * jointScale[joint]! * exact[j]!;
  }
  computeJacobian(ik.model, ik.kinematics, probe, ee, J, ik.X);
}
