/**
 * The kinematic parameters that calibration estimates, and the forward kinematics and
 * identification Jacobian of an end effector as functions of them.
 *
 * Parameters (API.md, "Uncertainty and sensitivity"), for the joints on the path from base to tip:
 *  - `offset` of an active joint: θ = q_read + δ (a mimic follows its leader's offset: m (q + δ) + c);
 *  - `x y z`: the joint origin's xyz in the parent link frame, xyz + δ;
 *  - `roll pitch yaw`: its rpy, rpy + δ (URDF's R = Rz(yaw) Ry(pitch) Rx(roll)).
 *
 * Identification Jacobian. Changing a joint's origin left-multiplies X_PJ (in the parent frame P)
 * by a small motion: a translation R_CP δxyz, or a rotation ω_C = R_CP E(rpy) δrpy about the joint
 * frame's origin o_J, where E's columns are the rpy rates' angular velocities in P,
 *   roll: Rz(y) Ry(p) x̂ = [cy cp, sy cp, -sp],  pitch: Rz(y) ŷ = [-sy, cy, 0],  yaw: ẑ.
 * Everything beyond the joint moves with it. In the frame of the common ancestor C of base and
 * tip, the tip point E then moves by the twist [t + ω_C × (p_CE - o_J); ω_C] when the joint is on
 * the tip side; on the base side the base moves instead, and X_BE' = X_BC G⁻¹ X_CE shows the tip
 * moving by the negative twist relative to the base. An offset moves E like the joint itself: its
 * Jacobian column. Columns are then rotated into base axes, R_CBᵀ, and ordered linear first, so
 * that a column is d[δp; δθ]/dparameter with δθ = log(R' Rᵀ) in base axes (LOCAL_WORLD_ALIGNED).
 */
import type { CompiledRobot } from './compiled-robot.js';
import { KinematicsError, assertLength } from './errors.js';
import type { EndEffector } from './jacobian.js';
import { JointCode, type KinematicModel } from './model.js';
import { SE3_SIZE, composeTransforms, setFromXyzRpy, setIdentity } from './se3.js';

/** Groups of parameters a request can ask for, default all. */
export const PARAMETER_GROUPS = ['jointOffset', 'originXyz', 'originRpy'] as const;
export type ParameterGroup = (typeof PARAMETER_GROUPS)[number];
/** The kind of one parameter. */
export const PARAMETER_KINDS = ['offset', 'x', 'y', 'z', 'roll', 'pitch', 'yaw'] as const;
export type ParameterKind = (typeof PARAMETER_KINDS)[number];

/** One parameter: a joint and what of it. */
export interface KinematicParameter {
  /** The joint's name (for `offset`, an active joint). */
  readonly joint: string;
  readonly kind: ParameterKind;
  /** The link whose joint it is (for `offset`: the active joint's child link, which may be off the path). */
  readonly link: number;
  /** For `offset`: the index into q. */
  readonly qIndex: number;
}

/** An end effector's path with its parameters, ready to evaluate for any parameter values. */
export interface ParameterChain {
  readonly robot: CompiledRobot;
  readonly ee: EndEffector;
  readonly parameters: readonly KinematicParameter[];
  /** Path links: the base side from C down to B, then the tip side from C down to the tip. */
  readonly baseSide: Int32Array;
  readonly tipSide: Int32Array;
  /** For each path link: its nominal xyz and rpy (6 per link, path order: base side then tip side). */
  readonly nominal: Float64Array;
  /** For each path link: the indices of its 7 parameters (offset, x, y, z, roll, pitch, yaw), or -1. */
  readonly parameterIndex: Int32Array;
  /**
   * Of the parameter values last given to prepareParameterChain: each path link's origin X_PJ (12
   * each) and the cos and sin of its pitch and yaw (4 each), which depend on the values, not on q.
   */
  readonly origins: Float64Array;
  readonly originTrig: Float64Array;
  /** Scratch: X_C of each path link's joint frame J and link L (before and after the motion), 12 each. */
  readonly X_CJ: Float64Array;
  readonly X_CL: Float64Array;
  readonly M: Float64Array;
  readonly X_CE: Float64Array;
  readonly R_CP: Float64Array;
  readonly R_CB: Float64Array;
  readonly xyz: Float64Array;
  readonly rpy: Float64Array;
}

const KIND_SLOT: Record<ParameterKind, number> = { offset: 0, x: 1, y: 2, z: 3, roll: 4, pitch: 5, yaw: 6 };
const GROUP_KINDS: Record<ParameterGroup, readonly ParameterKind[]> = {
  jointOffset: ['offset'], originXyz: ['x', 'y', 'z'], originRpy: ['roll', 'pitch', 'yaw'],
};

/** The description's xyz and rpy of a link's joint. */
function originOf(model: KinematicModel, link: number): { xyz: readonly number[]; rpy: readonly number[] } {
  const name = model.jointNameOfLink[link]!;
  const joint = model.description.joints.find((j) => j.name === name);
  if (!joint) throw new KinematicsError('INVALID_ARGUMENT', `joint "${name}" is not in the robot's description`);
  return joint;
}

/**
 * Lists the parameters of `groups` along the end effector's path, base to tip: for each joint on
 * the way (fixed joints included) its offset if it is an active joint that moves the tip, then its
 * origin's x y z roll pitch yaw; and builds the chain that evaluates them.
 * @throws KinematicsError for an unknown group.
 */
export function createParameterChain(robot: CompiledRobot, ee: EndEffector, groups: readonly ParameterGroup[] = PARAMETER_GROUPS): ParameterChain {
  const { model } = robot;
  for (const g of groups) {
    if (!(PARAMETER_GROUPS as readonly string[]).includes(g)) {
      throw new KinematicsError('INVALID_ARGUMENT', `parameters: "${String(g)}" is not one of ${PARAMETER_GROUPS.join(', ')}`);
    }
  }
  const kinds = new Set(groups.flatMap((g) => GROUP_KINDS[g]));
  const { baseSide, tipSide } = ee.path;
  // base to tip: up the base side (B first), then down the tip side
  const order = [...Array.from(baseSide).reverse(), ...Array.from(tipSide)];
  const pathLinks = [...Array.from(baseSide), ...Array.from(tipSide)];
  const parameters: KinematicParameter[] = [];
  const parameterIndex = new Int32Array(7 * pathLinks.length).fill(-1);
  const offsetIndex = new Map<number, number>();
  for (const link of order) {
    const slot = 7 * pathLinks.indexOf(link);
    const k = model.qIndex[link]!;
    if (k >= 0 && kinds.has('offset') && !offsetIndex.has(k)) {
      offsetIndex.set(k, parameters.length);
      parameters.push({ joint: model.jointNames[k]!, kind: 'offset', link: model.jointLink[k]!, qIndex: k });
    }
    if (k >= 0 && offsetIndex.has(k)) parameterIndex[slot] = offsetIndex.get(k)!;
    for (const kind of PARAMETER_KINDS) {
      if (kind === 'offset' || !kinds.has(kind)) continue;
      parameterIndex[slot + KIND_SLOT[kind]] = parameters.length;
      parameters.push({ joint: model.jointNameOfLink[link]!, kind, link, qIndex: -1 });
    }
  }
  const nominal = new Float64Array(6 * pathLinks.length);
  pathLinks.forEach((link, i) => {
    const { xyz, rpy } = originOf(model, link);
    for (let a = 0; a < 3; a++) { nominal[6 * i + a] = xyz[a]!; nominal[6 * i + 3 + a] = rpy[a]!; }
  });
  const n = pathLinks.length;
  return Object.freeze({
    robot, ee, parameters: Object.freeze(parameters), baseSide, tipSide, nominal, parameterIndex,
    origins: new Float64Array(SE3_SIZE * n), originTrig: new Float64Array(4 * n),
    X_CJ: new Float64Array(SE3_SIZE * n), X_CL: new Float64Array(SE3_SIZE * n),
    M: new Float64Array(SE3_SIZE), X_CE: new Float64Array(SE3_SIZE), R_CP: new Float64Array(9), R_CB: new Float64Array(SE3_SIZE),
    xyz: new Float64Array(3), rpy: new Float64Array(3),
  });
}

/** Writes the joint motion M(θ) of `link` (Rodrigues, or a translation along the axis). */
function setJointMotion(model: KinematicModel, link: number, theta: number, M: Float64Array): void {
  setIdentity(M, 0);
  const ax = model.axis[3 * link]!, ay = model.axis[3 * link + 1]!, az = model.axis[3 * link + 2]!;
  if (model.jointCode[link] === JointCode.PRISMATIC) {
    M[9] = theta * ax; M[10] = theta * ay; M[11] = theta * az;
    return;
  }
  const s = Math.sin(theta), t = 1 - Math.cos(theta);
  M[0] = 1 - t * (ay * ay + az * az); M[1] = -s * az + t * ax * ay; M[2] = s * ay + t * ax * az;
  M[3] = s * az + t * ax * ay; M[4] = 1 - t * (ax * ax + az * az); M[5] = -s * ax + t * ay * az;
  M[6] = -s * ay + t * ax * az; M[7] = s * ax + t * ay * az; M[8] = 1 - t * (ax * ax + ay * ay);
}

/** The joint value of `link` at q with the offsets in `theta` (mimic joints follow their leader's). */
function jointValue(chain: ParameterChain, model: KinematicModel, link: number, slot: number, q: Float64Array, theta: Float64Array): number {
  const k = model.qIndex[link]!;
  const p = chain.parameterIndex[slot]!;
  const read = q[k]! + (p >= 0 ? theta[p]! : 0);
  return model.qMultiplier[link]! * read + model.qOffset[link]!;
}

/** Runs one side of the path from C, writing X_CJ and X_CL of each of its links from slot `first`. */
function runSide(chain: ParameterChain, links: Int32Array, first: number, q: Float64Array, theta: Float64Array): void {
  const model = chain.robot.model;
  const { X_CJ, X_CL, M, origins } = chain;
  for (let i = 0; i < links.length; i++) {
    const link = links[i]!, s = first + i;
    if (i === 0) for (let e = 0; e < SE3_SIZE; e++) X_CJ[SE3_SIZE * s + e] = origins[SE3_SIZE * s + e]!;
    else composeTransforms(X_CJ, SE3_SIZE * s, X_CL, SE3_SIZE * (s - 1), origins, SE3_SIZE * s);
    if (model.jointCode[link] === JointCode.FIXED) {
      for (let e = 0; e < SE3_SIZE; e++) X_CL[SE3_SIZE * s + e] = X_CJ[SE3_SIZE * s + e]!;
    } else {
      setJointMotion(model, link, jointValue(chain, model, link, 7 * s, q, theta), M);
      composeTransforms(X_CL, SE3_SIZE * s, X_CJ, SE3_SIZE * s, M, 0);
    }
  }
}

/**
 * Computes what evaluatePreparedParameterChain needs of the parameter values `theta` alone, for
 * every configuration: each path link's origin X_PJ from its xyz + δ and rpy + δ, and the cos and
 * sin of its pitch and yaw (the rpy rates' axes of the identification Jacobian).
 */
export function prepareParameterChain(chain: ParameterChain, theta: Float64Array): void {
  assertLength('parameter values', chain.parameters.length, theta.length);
  const { nominal, parameterIndex, xyz, rpy, origins, originTrig } = chain;
  const n = chain.baseSide.length + chain.tipSide.length;
  for (let s = 0; s < n; s++) {
    for (let a = 0; a < 3; a++) {
      const px = parameterIndex[7 * s + 1 + a]!, pr = parameterIndex[7 * s + 4 + a]!;
      xyz[a] = nominal[6 * s + a]! + (px >= 0 ? theta[px]! : 0);
      rpy[a] = nominal[6 * s + 3 + a]! + (pr >= 0 ? theta[pr]! : 0);
    }
    setFromXyzRpy(origins, SE3_SIZE * s, xyz, rpy);
    const ipr = parameterIndex[7 * s + 5]!, ipy = parameterIndex[7 * s + 6]!;
    const pitch = nominal[6 * s + 4]! + (ipr >= 0 ? theta[ipr]! : 0), yaw = nominal[6 * s + 5]! + (ipy >= 0 ? theta[ipy]! : 0);
    originTrig[4 * s] = Math.cos(pitch); originTrig[4 * s + 1] = Math.sin(pitch);
    originTrig[4 * s + 2] = Math.cos(yaw); originTrig[4 * s + 3] = Math.sin(yaw);
  }
}

/** Writes X_CE, the tip point in C (tip link pose moved to the tip offset). */
function tipInC(chain: ParameterChain, X_CE: Float64Array): void {
  const nb = chain.baseSide.length, nt = chain.tipSide.length;
  if (nt === 0) setIdentity(X_CE, 0);
  else for (let e = 0; e < SE3_SIZE; e++) X_CE[e] = chain.X_CL[SE3_SIZE * (nb + nt - 1) + e]!;
  const r = chain.ee.tipOffset;
  if (r) {
    X_CE[9] = X_CE[9]! + X_CE[0]! * r[0]! + X_CE[1]! * r[1]! + X_CE[2]! * r[2]!;
    X_CE[10] = X_CE[10]! + X_CE[3]! * r[0]! + X_CE[4]! * r[1]! + X_CE[5]! * r[2]!;
    X_CE[11] = X_CE[11]! + X_CE[6]! * r[0]! + X_CE[7]! * r[1]! + X_CE[8]! * r[2]!;
  }
}

/**
 * Writes X_BE at joint readings q for parameter values `theta` (one per chain parameter, 0 is the
 * nominal robot), and when `A` is given the identification Jacobian (6 x parameters, row-major,
 * linear rows first, base axes; see the module comment) into A[row0·p ..] for rows 0..5.
 */
export function evaluateParameterChain(
  chain: ParameterChain, q: Float64Array, theta: Float64Array, X_BE: Float64Array, A?: Float64Array, rowOffset = 0,
): Float64Array {
  prepareParameterChain(chain, theta);
  return evaluatePreparedParameterChain(chain, q, theta, X_BE, A, rowOffset);
}

/**
 * evaluateParameterChain after prepareParameterChain(chain, theta) with the same `theta`: for
 * many configurations at the same parameter values, which then prepare once.
 */
export function evaluatePreparedParameterChain(
  chain: ParameterChain, q: Float64Array, theta: Float64Array, X_BE: Float64Array, A?: Float64Array, rowOffset = 0,
): Float64Array {
  const model = chain.robot.model, p = chain.parameters.length;
  assertLength('q', model.dof, q.length);
  assertLength('parameter values', p, theta.length);
  const nb = chain.baseSide.length, nt = chain.tipSide.length;
  runSide(chain, chain.baseSide, 0, q, theta);
  runSide(chain, chain.tipSide, nb, q, theta);
  const X_CE = chain.X_CE;
  tipInC(chain, X_CE);
  // X_CB: the last base-side link, or C itself
  const X = chain.X_CL, b = SE3_SIZE * (nb - 1);
  const r = chain.R_CB;
  if (nb === 0) r.set(IDENTITY); else for (let i = 0; i < SE3_SIZE; i++) r[i] = X[b + i]!;
  // X_BE = X_CBᵀ X_CE
  const dx = X_CE[9]! - r[9]!, dy = X_CE[10]! - r[10]!, dz = X_CE[11]! - r[11]!;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) X_BE[3 * i + j] = r[i]! * X_CE[j]! + r[3 + i]! * X_CE[3 + j]! + r[6 + i]! * X_CE[6 + j]!;
    X_BE[9 + i] = r[i]! * dx + r[3 + i]! * dy + r[6 + i]! * dz;
  }
  if (!A) return X_BE;
  const o = rowOffset * p;
  A.fill(0, o, o + 6 * p);
  const ex = X_CE[9]!, ey = X_CE[10]!, ez = X_CE[11]!;
  const { parameterIndex, originTrig, X_CJ } = chain, R = chain.R_CP;
  for (let s = 0; s < nb + nt; s++) {
    const sign = s < nb ? -1 : 1;
    const link = s < nb ? chain.baseSide[s]! : chain.tipSide[s - nb]!;
    // R_CP: identity for the first link of a side
    if (s === 0 || s === nb) R.set(IDENTITY.subarray(0, 9));
    else for (let i = 0; i < 9; i++) R[i] = X[SE3_SIZE * (s - 1) + i]!;
    const j = SE3_SIZE * s;
    const lx = ex - X_CJ[j + 9]!, ly = ey - X_CJ[j + 10]!, lz = ez - X_CJ[j + 11]!;
    for (let a = 0; a < 3; a++) {
      const px = parameterIndex[7 * s + 1 + a]!;
      if (px >= 0) addColumn(A, o + px, p, r, sign, R[a]!, R[3 + a]!, R[6 + a]!, 0, 0, 0);
    }
    const cp = originTrig[4 * s]!, sp = originTrig[4 * s + 1]!, cy = originTrig[4 * s + 2]!, sy = originTrig[4 * s + 3]!;
    for (let a = 0; a < 3; a++) {
      const pr = parameterIndex[7 * s + 4 + a]!;
      if (pr < 0) continue;
      // E(rpy) column in P, then into C
      const ux = a === 0 ? cy * cp : a === 1 ? -sy : 0;
      const uy = a === 0 ? sy * cp : a === 1 ? cy : 0;
      const uz = a === 0 ? -sp : a === 1 ? 0 : 1;
      const wx = R[0]! * ux + R[1]! * uy + R[2]! * uz, wy = R[3]! * ux + R[4]! * uy + R[5]! * uz, wz = R[6]! * ux + R[7]! * uy + R[8]! * uz;
      addColumn(A, o + pr, p, r, sign, wy * lz - wz * ly, wz * lx - wx * lz, wx * ly - wy * lx, wx, wy, wz);
    }
    // the joint's motion, for its leader's offset: m [a × (p_E - o); a] or m [a; 0]
    const po = parameterIndex[7 * s]!;
    if (po >= 0 && model.jointCode[link] !== JointCode.FIXED) {
      const m = model.qMultiplier[link]!;
      const a0 = model.axis[3 * link]!, a1 = model.axis[3 * link + 1]!, a2 = model.axis[3 * link + 2]!;
      const ax = X_CJ[j]! * a0 + X_CJ[j + 1]! * a1 + X_CJ[j + 2]! * a2;
      const ay = X_CJ[j + 3]! * a0 + X_CJ[j + 4]! * a1 + X_CJ[j + 5]! * a2;
      const az = X_CJ[j + 6]! * a0 + X_CJ[j + 7]! * a1 + X_CJ[j + 8]! * a2;
      if (model.jointCode[link] === JointCode.PRISMATIC) addColumn(A, o + po, p, r, sign * m, ax, ay, az, 0, 0, 0);
      else addColumn(A, o + po, p, r, sign * m, ay * lz - az * ly, az * lx - ax * lz, ax * ly - ay * lx, ax, ay, az);
    }
  }
  return X_BE;
}

const IDENTITY = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0);

/** Adds sign · R_CBᵀ [v; w] (a twist in C, into base axes) to the column of A that starts at c (p columns per row). */
function addColumn(
  A: Float64Array, c: number, p: number, r: Float64Array, sign: number, vx: number, vy: number, vz: number, wx: number, wy: number, wz: number,
): void {
  A[c] = A[c]! + sign * (r[0]! * vx + r[3]! * vy + r[6]! * vz);
  A[c + p] = A[c + p]! + sign * (r[1]! * vx + r[4]! * vy + r[7]! * vz);
  A[c + 2 * p] = A[c + 2 * p]! + sign * (r[2]! * vx + r[5]! * vy + r[8]! * vz);
  A[c + 3 * p] = A[c + 3 * p]! + sign * (r[0]! * wx + r[3]! * wy + r[6]! * wz);
  A[c + 4 * p] = A[c + 4 * p]! + sign * (r[1]! * wx + r[4]! * wy + r[7]! * wz);
  A[c + 5 * p] = A[c + 5 * p]! + sign * (r[2]! * wx + r[5]! * wy + r[8]! * wz);
}
