/**
 * Second-order kinematics: the Jacobian's time derivative J̇(q, q̇), the kinematic Hessian
 * ∂J/∂q, the bias acceleration J̇ q̇ and the twist's derivative J q̈ + J̇ q̇, in the three
 * reference frames, allocation-free.
 *
 * Seen from the base B, the path B -> E is a serial chain: the base-side joints from B up to the
 * common ancestor C (each turns the rest of the path about its axis the other way, hence their
 * twists' sign -1), then the tip-side joints from C down to E (kinematic-path.ts, PathJoint). In
 * base axes, with joint twists T_j = [v_j; w_j] at the tip point (v_j = w_j × (p_E - o_j) for a
 * revolute joint, the axis itself for a prismatic one, w_j = 0), and i < j meaning that joint i
 * comes before joint j along the chain (it carries j's axis):
 *
 *   ∂w_j/∂θ_i = w_i × w_j                        i < j   (w_i rotates w_j; 0 for prismatic i)
 *   ∂v_j/∂θ_i = w_i × v_j                        i < j   (it rotates all of a_j × (p_E - o_j))
 *   ∂v_j/∂θ_i = w_j × v_i                        i >= j  (only p_E moves, at v_i; 0 for prismatic j)
 *   ∂w_j/∂θ_i = 0                                i >= j
 *
 * (Haviland and Corke, "Manipulator Differential Kinematics" part I, 2023: the Hessian's slices are
 * cross products of the Jacobian's columns.) The linear part is symmetric, ∂v_j/∂θ_i = ∂v_i/∂θ_j,
 * as mixed partials of p_E must be. Summed along q̇: J̇ twist of joint j is
 *
 *   ẇ_j = Ω_j × w_j,   v̇_j = Ω_j × v_j + w_j × Σ_{i>=j} v_i θ̇_i,   Ω_j = Σ_{i<j} w_i θ̇_i,
 *
 * O(P) with a running prefix and suffix. A tip offset moves p_E, and with it every v_j (the
 * formulas hold for any point rigid with E). A mimic joint's θ = m q_leader + offset: its twist
 * counts m times in its leader's column of J, and m_i m_j times in the Hessian (the chain rule).
 *
 * Other frames follow from LOCAL_WORLD_ALIGNED by differentiating their maps:
 *   LOCAL  J_L = Rᵀ J  (R = R_BE, each 3-row block):   ∂J_L/∂q_k = Rᵀ (∂J/∂q_k - ω_k × J)
 *   WORLD  J_W = [v - ω × p; ω]  (p = p_BE):           ∂J_W,v/∂q_k = ∂J_v/∂q_k - ∂J_ω/∂q_k × p - J_ω × v_k
 * with ω_k and v_k the angular and linear column k of J (the rates of R_BE and p_BE per q_k); J̇
 * likewise with ω = J_ω q̇ and ṗ = J_v q̇ in place of ω_k and v_k.
 */
import type { CompiledRobot } from './compiled-robot.js';
import { assertLength } from './errors.js';
import { applyTipOffset, assertEndEffectorOf, changeFrame, type EndEffector, type ReferenceFrame } from './jacobian.js';
import { assertSecondOrderWorkspaceOf, type SecondOrderWorkspace } from './second-order-workspace.js';

/**
 * Evaluates the joint twists of the end effector's path at q (ws.T, 6 x P, at the tip point) and
 * the tip point's pose (ws.X_BE); returns P.
 */
function evaluateJointTwists(ws: SecondOrderWorkspace, q: Float64Array, ee: EndEffector): number {
  const path = ee.path, P = path.joints.length;
  path.jointTwists(q, ws.X_BE, ws.T);
  if (ee.tipOffset) applyTipOffset(ee.tipOffset, P, ws.X_BE, ws.T);
  return P;
}

/** Sums the joint twists in ws.T into the LOCAL_WORLD_ALIGNED Jacobian ws.J (the mimic chain rule). */
function foldJacobian(ws: SecondOrderWorkspace, ee: EndEffector, dof: number): Float64Array {
  const path = ee.path, P = path.joints.length;
  const T = ws.T, J = ws.J, qIndex = path.jointQIndex, multiplier = path.jointMultiplier;
  J.fill(0);
  for (let p = 0; p < P; p++) {
    const k = qIndex[p]!, m = multiplier[p]!;
    for (let r = 0; r < 6; r++) J[r * dof + k] = J[r * dof + k]! + m * T[r * P + p]!;
  }
  return J;
}

/** Whether J̇ and the Hessian take the fused kernels, which leave ws.T unwritten: LOCAL_WORLD_ALIGNED without a tip offset. */
function fused(ee: EndEffector, frame: ReferenceFrame): boolean {
  return frame === 'LOCAL_WORLD_ALIGNED' && !ee.tipOffset;
}

function checkArguments(robot: CompiledRobot, ws: SecondOrderWorkspace, q: Float64Array, ee: EndEffector): void {
  assertEndEffectorOf(robot, ee);
  assertSecondOrderWorkspaceOf(robot.model, ws);
  assertLength('q', robot.model.dof, q.length);
}

/**
 * Rewrites a derivative D of the LOCAL_WORLD_ALIGNED Jacobian (the 6 x dof block at D[o]: J̇ or
 * a Hessian slice) as the derivative of the Jacobian in `frame`, where [v; w] = rates[at + r·stride]
 * (r = 0..5) are the rates of p_BE and R_BE that go with it ([ṗ; ω] for J̇; column k of J for the
 * slice ∂/∂q_k). J is the LOCAL_WORLD_ALIGNED Jacobian (ws.J). See the module comment.
 */
function derivativeInFrame(
  frame: ReferenceFrame, dof: number, X_BE: Float64Array, J: Float64Array, D: Float64Array, o: number,
  rates: Float64Array, at: number, stride: number,
): void {
  if (frame === 'LOCAL_WORLD_ALIGNED') return;
  // [v; w] read from an array: six doubles as arguments would each be boxed on the heap
  const vx = rates[at]!, vy = rates[at + stride]!, vz = rates[at + 2 * stride]!;
  const wx = rates[at + 3 * stride]!, wy = rates[at + 4 * stride]!, wz = rates[at + 5 * stride]!;
  for (let c = 0; c < dof; c++) {
    if (frame === 'LOCAL') {
      // D - w × J, both blocks
      for (let row = 0; row < 6; row += 3) {
        const x = J[row * dof + c]!, y = J[(row + 1) * dof + c]!, z = J[(row + 2) * dof + c]!;
        D[o + row * dof + c] = D[o + row * dof + c]! - (wy * z - wz * y);
        D[o + (row + 1) * dof + c] = D[o + (row + 1) * dof + c]! - (wz * x - wx * z);
        D[o + (row + 2) * dof + c] = D[o + (row + 2) * dof + c]! - (wx * y - wy * x);
      }
    } else {
      // D_v - J_ω × v (changeFrame then subtracts D_ω × p)
      const x = J[3 * dof + c]!, y = J[4 * dof + c]!, z = J[5 * dof + c]!;
      D[o + c] = D[o + c]! - (y * vz - z * vy);
      D[o + dof + c] = D[o + dof + c]! - (z * vx - x * vz);
      D[o + 2 * dof + c] = D[o + 2 * dof + c]! - (x * vy - y * vx);
    }
  }
  changeFrame(frame, dof, X_BE, D, o);
}

/**
 * Writes J̇ = dJ/dt along q̇ (6 x dof, row-major, linear rows first) of the end effector's
 * Jacobian in `frame` (default the end effector's) and returns it: Orocos KDL's
 * ChainJntToJacDotSolver in its HYBRID, BODYFIXED and INERTIAL representations for
 * LOCAL_WORLD_ALIGNED, LOCAL and WORLD. Leaves the tip pose in ws.X_BE.
 */
export function computeJacobianDerivative(
  robot: CompiledRobot, ws: SecondOrderWorkspace, q: Float64Array, qdot: Float64Array, ee: EndEffector,
  Jdot: Float64Array, frame: ReferenceFrame = ee.referenceFrame,
): Float64Array {
  checkArguments(robot, ws, q, ee);
  const dof = robot.model.dof;
  assertLength('qdot', dof, qdot.length);
  assertLength('Jacobian derivative output', 6 * dof, Jdot.length);
  const path = ee.path;
  if (fused(ee, frame)) {
    // the common case in one kernel; ws.T is not written
    path.jacobianDerivativeFromQ(q, qdot, ws.X_BE, Jdot);
    return Jdot;
  }
  const P = evaluateJointTwists(ws, q, ee);
  const T = ws.T;
  path.jacobianDerivative(T, qdot, Jdot);
  if (frame === 'LOCAL_WORLD_ALIGNED') return Jdot;
  // the tip's twist [ṗ; ω] = Σ T_p θ̇_p, the rates of p_BE and R_BE that the frame map differentiates
  const qIndex = path.jointQIndex, multiplier = path.jointMultiplier;
  const V = ws.V;
  V.fill(0);
  for (let p = 0; p < P; p++) {
    const rate = multiplier[p]! * qdot[qIndex[p]!]!;
    for (let r = 0; r < 6; r++) V[r] = V[r]! + T[r * P + p]! * rate;
  }
  derivativeInFrame(frame, dof, ws.X_BE, foldJacobian(ws, ee, dof), Jdot, 0, V, 0, 1);
  return Jdot;
}
/**
 * Writes the kinematic Hessian of the end effector's Jacobian in `frame` into H (dof x 6 x dof:
 * H[k·6·dof + r·dof + c] = ∂J[r][c]/∂q_k) and returns it, so that J̇ = Σ_k H_k q̇_k. Joints that
 * do not move the tip have zero slices and columns. Leaves the tip pose in ws.X_BE, and when `J`
 * is given writes the LOCAL_WORLD_ALIGNED Jacobian into it (6 x dof).
 */
export function computeHessian(
  robot: CompiledRobot, ws: SecondOrderWorkspace, q: Float64Array, ee: EndEffector,
  H: Float64Array, frame: ReferenceFrame = ee.referenceFrame, J?: Float64Array,
): Float64Array {
  checkArguments(robot, ws, q, ee);
  const dof = robot.model.dof;
  assertLength('Hessian output', 6 * dof * dof, H.length);
  if (J) assertLength('Jacobian output', 6 * dof, J.length);
  if (!J && fused(ee, frame)) {
    // the common case in one kernel; ws.T is not written
    ee.path.hessianFromQ(q, ws.X_BE, H);
    return H;
  }
  evaluateJointTwists(ws, q, ee);
  ee.path.hessian(ws.T, H);
  const slice = 6 * dof;
  if (frame !== 'LOCAL_WORLD_ALIGNED' || J) {
    const J_LWA = foldJacobian(ws, ee, dof);
    if (J) J.set(J_LWA);
    if (frame !== 'LOCAL_WORLD_ALIGNED') {
      for (let k = 0; k < dof; k++) {
        derivativeInFrame(frame, dof, ws.X_BE, J_LWA, H, k * slice, J_LWA, k, dof);
      }
    }
  }
  return H;
}

/**
 * Writes the end effector's bias acceleration J̇ q̇ (6, linear first, in its frame) into `out`,
 * plus J q̈ when `qddot` is given: the time derivative of the twist J q̇ (in LOCAL_WORLD_ALIGNED
 * the tip point's linear acceleration relative to the base, and the angular acceleration, in base
 * axes). Uses ws.Jdot; returns `out`.
 */
export function computeTipAcceleration(
  robot: CompiledRobot, ws: SecondOrderWorkspace, q: Float64Array, qdot: Float64Array, qddot: Float64Array | undefined,
  ee: EndEffector, out: Float64Array,
): Float64Array {
  const dof = robot.model.dof;
  assertLength('acceleration output', 6, out.length);
  if (qddot) assertLength('qddot', dof, qddot.length);
  const frame = ee.referenceFrame;
  const Jdot = computeJacobianDerivative(robot, ws, q, qdot, ee, ws.Jdot, frame);
  // J q̈ folds ws.T, which the fused kernel of J̇ does not write
  if (qddot && fused(ee, frame)) evaluateJointTwists(ws, q, ee);
  for (let r = 0; r < 6; r++) {
    let sum = 0;
    for (let k = 0; k < dof; k++) sum += Jdot[r * dof + k]! * qdot[k]!;
    out[r] = sum;
  }
  if (qddot) {
    // J q̈ in LOCAL_WORLD_ALIGNED, then moved to the frame as one twist
    const V = ws.V, J = foldJacobian(ws, ee, dof);
    for (let r = 0; r < 6; r++) {
      let sum = 0;
      for (let k = 0; k < dof; k++) sum += J[r * dof + k]! * qddot[k]!;
      V[r] = sum;
    }
    changeFrame(frame, 1, ws.X_BE, V);
    for (let r = 0; r < 6; r++) out[r] = out[r]! + V[r]!;
  }
  return out;
}
