/**
 * Loop-based kinematics written as the textbook states them, with Math.sin / Math.cos and the
 * se3 helpers. It is the fallback where code generation is not allowed
 * (`node --disallow-code-generation-from-strings`) or a model is too large to compile, and an
 * independent implementation that the tests hold the compiled kernels against.
 */
import type { PathJoint } from './codegen/kinematics-kernels.js';
import type { KinematicModel } from './model.js';
import { JointCode } from './model.js';
import { SE3_SIZE, composeInverseTransform, composeTransforms, setIdentity } from './se3.js';

const scratch = new Float64Array(SE3_SIZE);

/**
 * X_PL = X_PJ · M(v): the placement of a link in its parent for joint value v, where M(v) is
 * Rodrigues' rotation R = I + sin v [a]× + (1 - cos v) [a]×² or the translation v·a.
 */
export function computeLinkPlacement(model: KinematicModel, link: number, q: Float64Array, out: Float64Array, o: number): void {
  const type = model.jointCode[link]!;
  const base = SE3_SIZE * link;
  if (type === JointCode.FIXED) {
    for (let i = 0; i < SE3_SIZE; i++) out[o + i] = model.X_PJ[base + i]!;
    return;
  }
  const v = model.qMultiplier[link]! * q[model.qIndex[link]!]! + model.qOffset[link]!;
  const ax = model.axis[3 * link]!, ay = model.axis[3 * link + 1]!, az = model.axis[3 * link + 2]!;
  const M = scratch;
  setIdentity(M, 0);
  if (type === JointCode.PRISMATIC) {
    M[9] = v * ax; M[10] = v * ay; M[11] = v * az;
  } else {
    const s = Math.sin(v), t = 1 - Math.cos(v);
    M[0] = 1 - t * (ay * ay + az * az); M[1] = -s * az + t * ax * ay; M[2] = s * ay + t * ax * az;
    M[3] = s * az + t * ax * ay; M[4] = 1 - t * (ax * ax + az * az); M[5] = -s * ax + t * ay * az;
    M[6] = -s * ay + t * ax * az; M[7] = s * ax + t * ay * az; M[8] = 1 - t * (ax * ax + ay * ay);
  }
  composeTransforms(out, o, model.X_PJ, base, M, 0);
}

/** X_WL of every link in the root frame W (12 doubles per link, link order). */
export function referenceLinkPoses(model: KinematicModel, q: Float64Array, X_WL: Float64Array): void {
  setIdentity(X_WL, 0);
  for (let link = 1; link < model.linkNames.length; link++) {
    computeLinkPlacement(model, link, q, X_WL, SE3_SIZE * link);
    composeTransforms(X_WL, SE3_SIZE * link, X_WL, SE3_SIZE * model.parent[link]!, X_WL, SE3_SIZE * link);
  }
}

/** X_BE for a path, from the poses of all links. `X_WL` is scratch of 12 doubles per link. */
export function referencePathPose(
  model: KinematicModel, base: number, tip: number, q: Float64Array, X_WL: Float64Array, X_BE: Float64Array,
): void {
  referenceLinkPoses(model, q, X_WL);
  composeInverseTransform(X_BE, 0, X_WL, SE3_SIZE * base, X_WL, SE3_SIZE * tip);
}

/**
 * X_BE and the unit twist of each moving joint of a path in chain order (see PathJoint), from the
 * poses of all links in W: sign · [a × (p_E - o); a] (revolute) or sign · [a; 0] (prismatic), with
 * a and o in W, rotated into base axes by R_WBᵀ. `T` is 6 rows x joints.length, row-major.
 */
export function referencePathJointTwists(
  model: KinematicModel, base: number, tip: number, joints: readonly PathJoint[],
  q: Float64Array, X_WL: Float64Array, X_BE: Float64Array, T: Float64Array,
): void {
  referenceLinkPoses(model, q, X_WL);
  composeInverseTransform(X_BE, 0, X_WL, SE3_SIZE * base, X_WL, SE3_SIZE * tip);
  const P = joints.length;
  const e = SE3_SIZE * tip, b = SE3_SIZE * base;
  const ex = X_WL[e + 9]!, ey = X_WL[e + 10]!, ez = X_WL[e + 11]!;
  const r0 = X_WL[b]!, r1 = X_WL[b + 1]!, r2 = X_WL[b + 2]!, r3 = X_WL[b + 3]!, r4 = X_WL[b + 4]!;
  const r5 = X_WL[b + 5]!, r6 = X_WL[b + 6]!, r7 = X_WL[b + 7]!, r8 = X_WL[b + 8]!;
  for (let p = 0; p < P; p++) {
    const { link, sign, prismatic } = joints[p]!;
    const l = SE3_SIZE * link;
    const a0 = model.axis[3 * link]!, a1 = model.axis[3 * link + 1]!, a2 = model.axis[3 * link + 2]!;
    const ax = sign * (X_WL[l]! * a0 + X_WL[l + 1]! * a1 + X_WL[l + 2]! * a2);
    const ay = sign * (X_WL[l + 3]! * a0 + X_WL[l + 4]! * a1 + X_WL[l + 5]! * a2);
    const az = sign * (X_WL[l + 6]! * a0 + X_WL[l + 7]! * a1 + X_WL[l + 8]! * a2);
    let vx = ax, vy = ay, vz = az, wx = 0, wy = 0, wz = 0;
    if (!prismatic) {
      const dx = ex - X_WL[l + 9]!, dy = ey - X_WL[l + 10]!, dz = ez - X_WL[l + 11]!;
      vx = ay * dz - az * dy; vy = az * dx - ax * dz; vz = ax * dy - ay * dx;
      wx = ax; wy = ay; wz = az;
    }
    // from W axes into B axes: x_B = R_WBᵀ x_W
    T[p] = r0 * vx + r3 * vy + r6 * vz; T[P + p] = r1 * vx + r4 * vy + r7 * vz; T[2 * P + p] = r2 * vx + r5 * vy + r8 * vz;
    T[3 * P + p] = r0 * wx + r3 * wy + r6 * wz; T[4 * P + p] = r1 * wx + r4 * wy + r7 * wz; T[5 * P + p] = r2 * wx + r5 * wy + r8 * wz;
  }
}

/**
 * Sums joint twists (6 x P, chain order) into the 6 x dof Jacobian: column q of each joint gets
 * multiplier · twist (the mimic chain rule); columns of joints off the path are 0.
 */
export function foldJointTwists(joints: readonly PathJoint[], T: Float64Array, dof: number, J: Float64Array): void {
  const P = joints.length;
  J.fill(0, 0, 6 * dof);
  for (let p = 0; p < P; p++) {
    const { qIndex, multiplier } = joints[p]!;
    for (let r = 0; r < 6; r++) J[r * dof + qIndex] = J[r * dof + qIndex]! + multiplier * T[r * P + p]!;
  }
}

/**
 * X_BE and the LOCAL_WORLD_ALIGNED Jacobian of a path: the joint twists of
 * {@link referencePathJointTwists}, each times its mimic multiplier, summed into its leader's
 * column. `T` is scratch of 6 x joints.length.
 */
export function referencePathJacobian(
  model: KinematicModel, base: number, tip: number, joints: readonly PathJoint[],
  q: Float64Array, X_WL: Float64Array, X_BE: Float64Array, J: Float64Array, T: Float64Array,
): void {
  referencePathJointTwists(model, base, tip, joints, q, X_WL, X_BE, T);
  foldJointTwists(joints, T, model.dof, J);
}

/**
 * J̇ (6 x dof, LOCAL_WORLD_ALIGNED) from joint twists T (6 x P, chain order) and q̇: the loops of
 * codegen/second-order-kernels.ts (jacobianDerivativeKernelSource, which derives them).
 */
export function referenceJacobianDerivative(
  joints: readonly PathJoint[], dof: number, T: Float64Array, qdot: Float64Array, Jdot: Float64Array,
): void {
  const P = joints.length;
  const rate = (p: number): number => joints[p]!.multiplier * qdot[joints[p]!.qIndex]!;
  let sx = 0, sy = 0, sz = 0; // S_p = Σ_{i>=p} v_i θ̇_i
  for (let p = 0; p < P; p++) {
    sx += T[p]! * rate(p); sy += T[P + p]! * rate(p); sz += T[2 * P + p]! * rate(p);
  }
  Jdot.fill(0, 0, 6 * dof);
  let ox = 0, oy = 0, oz = 0; // Ω_p = Σ_{i<p} w_i θ̇_i
  for (let p = 0; p < P; p++) {
    const { qIndex: k, multiplier: m } = joints[p]!, r = rate(p);
    const vx = T[p]!, vy = T[P + p]!, vz = T[2 * P + p]!;
    const wx = T[3 * P + p]!, wy = T[4 * P + p]!, wz = T[5 * P + p]!;
    const d = [
      oy * vz - oz * vy + (wy * sz - wz * sy), oz * vx - ox * vz + (wz * sx - wx * sz), ox * vy - oy * vx + (wx * sy - wy * sx),
      oy * wz - oz * wy, oz * wx - ox * wz, ox * wy - oy * wx,
    ];
    for (let row = 0; row < 6; row++) Jdot[row * dof + k] = Jdot[row * dof + k]! + m * d[row]!;
    sx -= vx * r; sy -= vy * r; sz -= vz * r;
    ox += wx * r; oy += wy * r; oz += wz * r;
  }
}

/**
 * The Hessian (dof x 6 x dof, LOCAL_WORLD_ALIGNED) from joint twists T (6 x P, chain order): the
 * loops of codegen/second-order-kernels.ts (hessianKernelSource, which derives them).
 */
export function referenceHessian(joints: readonly PathJoint[], dof: number, T: Float64Array, H: Float64Array): void {
  const P = joints.length, slice = 6 * dof;
  const v = (p: number, r: number): number => T[r * P + p]!, w = (p: number, r: number): number => T[(3 + r) * P + p]!;
  const cross = (a: (r: number) => number, b: (r: number) => number): number[] =>
    [a(1) * b(2) - a(2) * b(1), a(2) * b(0) - a(0) * b(2), a(0) * b(1) - a(1) * b(0)];
  H.fill(0, 0, slice * dof);
  for (let i = 0; i < P; i++) {
    for (let j = 0; j < P; j++) {
      const ji = joints[i]!, jj = joints[j]!;
      const o = ji.qIndex * slice + jj.qIndex, f = ji.multiplier * jj.multiplier;
      const add = (row: number, value: number): void => { H[o + row * dof] = H[o + row * dof]! + f * value; };
      if (i < j) {
        if (ji.prismatic) continue; // a translation carries j's axis and point along unchanged
        cross((r) => w(i, r), (r) => v(j, r)).forEach((value, r) => add(r, value));
        cross((r) => w(i, r), (r) => w(j, r)).forEach((value, r) => add(3 + r, value));
      } else if (!jj.prismatic) {
        cross((r) => w(j, r), (r) => v(i, r)).forEach((value, r) => add(r, value)); // only the tip point moves
      }
    }
  }
}
