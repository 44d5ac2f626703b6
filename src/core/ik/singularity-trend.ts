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
 * gain σ/(σ²+λ²) is 0). A command that asks for such motion (more than NULL_SHARE of it lies
 * outside the range of Ã: reaching further out with the arm straight, say) pushes into the
 * singularity and is halted; one that lies within the range (turning the base, bending the
 * elbow) is served.
 */
import { computeJacobian, type EndEffector } from '../jacobian.js';
import { copyGram, loadProblem, roundingFloor } from './damped-least-squares.js';
import type { IkWorkspace } from './ik-workspace.js';
import { symmetricEigenvectors } from './small-matrix.js';

/** Largest joint displacement of the central difference of the Jacobian (rad or m). */
const DERIVATIVE_STEP = 1e-6;
/**
 * At a singularity, the share of a command (by norm) outside the range of the Jacobian above
 * which it asks for motion the arm cannot make: well above rounding (1e-16), well below any
 * deliberate command.
 */
const NULL_SHARE = 1e-6;

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
  computeJacobian(model, ik.kinematics, q, ee, ik.J, ik.X);
  loadProblem(dls, ik.J, twist, ik.sqrtTaskWeights, ik.free);
  const size = copyGram(dls);
  if (size === 0) return true;
  const lambda = dls.eigenvalues, V = dls.eigenvectors;
  symmetricEigenvectors(dls.Gcopy, size, lambda, V);
  let iMin = 0, iMax = 0;
  for (let i = 1; i < size; i++) {
    if (lambda[i]! < lambda[iMin]!) iMin = i;
    if (lambda[i]! > lambda[iMax]!) iMax = i;
  }
  const floor = roundingFloor(size, lambda[iMax]!);

  // over the singular values above the floor: q̇* = Ã⁺ẽ = Σᵢ (uᵢᵀẽ / σᵢ) vᵢ, and the share of ẽ
  // they span, |ẽ|² - Σᵢ (uᵢᵀẽ)², which is what lies outside the range of Ã
  const { m, n, b } = dls;
  const u = ik.thinTask, v = ik.thinJoints, exact = ik.undampedRate;
  exact.fill(0);
  let command2 = 0, spanned2 = 0;
  for (let r = 0; r < m; r++) command2 += b[r]! * b[r]!;
  for (let i = 0; i < size; i++) {
    if (!(lambda[i]! > floor)) continue;
    const sigma = Math.sqrt(lambda[i]!);
    singularPair(dls, V, size, i, sigma, u, v);
    let c = 0;
    for (let r = 0; r < m; r++) c += u[r]! * b[r]!;
    spanned2 += c * c;
    for (let j = 0; j < n; j++) exact[j] = exact[j]! + (c / sigma) * v[j]!;
  }
  // at a singularity: toward when the command asks for motion the arm cannot make
  if (!(lambda[iMin]! > floor)) return command2 - spanned2 > NULL_SHARE * NULL_SHARE * command2;

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
