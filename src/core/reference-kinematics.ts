/**
 * Loop-based kinematics written as the textbook states them, with Math.sin / Math.cos and the
 * se3 helpers. It is the fallback where code generation is not allowed
 * (`node --disallow-code-generation-from-strings`) or a model is too large to compile, and an
 * independent implementation that the tests hold the compiled kernels against.
 */
import type { PathLinks } from './codegen/kinematics-kernels.js';
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

function addToColumn(
  J: Float64Array, dof: number, k: number, vx: number, vy: number, vz: number, wx: number, wy: number, wz: number,
): void {
  J[k] = J[k]! + vx; J[dof + k] = J[dof + k]! + vy; J[2 * dof + k] = J[2 * dof + k]! + vz;
  J[3 * dof + k] = J[3 * dof + k]! + wx; J[4 * dof + k] = J[4 * dof + k]! + wy; J[5 * dof + k] = J[5 * dof + k]! + wz;
}

/**
 * X_BE and the LOCAL_WORLD_ALIGNED Jacobian of a path, from the poses of all links in W: each
 * moving joint contributes [a × (p_E - o); a] (revolute) or [a; 0] (prismatic) with a and o in W,
 * scaled by its mimic multiplier, negated on the base side, and the sum is rotated by R_WBᵀ.
 */
export function referencePathJacobian(
  model: KinematicModel, base: number, tip: number, path: PathLinks,
  q: Float64Array, X_WL: Float64Array, X_BE: Float64Array, J: Float64Array,
): void {
  referenceLinkPoses(model, q, X_WL);
  composeInverseTransform(X_BE, 0, X_WL, SE3_SIZE * base, X_WL, SE3_SIZE * tip);
  const dof = model.dof;
  J.fill(0, 0, 6 * dof);
  const e = SE3_SIZE * tip;
  const ex = X_WL[e + 9]!, ey = X_WL[e + 10]!, ez = X_WL[e + 11]!;
  for (const [links, sign] of [[path.tipSide, 1], [path.baseSide, -1]] as const) {
    for (const link of links) {
      const type = model.jointCode[link]!;
      if (type === JointCode.FIXED) continue;
      const l = SE3_SIZE * link;
      const a0 = model.axis[3 * link]!, a1 = model.axis[3 * link + 1]!, a2 = model.axis[3 * link + 2]!;
      const ax = X_WL[l]! * a0 + X_WL[l + 1]! * a1 + X_WL[l + 2]! * a2;
      const ay = X_WL[l + 3]! * a0 + X_WL[l + 4]! * a1 + X_WL[l + 5]! * a2;
      const az = X_WL[l + 6]! * a0 + X_WL[l + 7]! * a1 + X_WL[l + 8]! * a2;
      const k = model.qIndex[link]!;
      const f = sign * model.qMultiplier[link]!;
      if (type === JointCode.PRISMATIC) {
        addToColumn(J, dof, k, f * ax, f * ay, f * az, 0, 0, 0);
        continue;
      }
      const dx = ex - X_WL[l + 9]!, dy = ey - X_WL[l + 10]!, dz = ez - X_WL[l + 11]!;
      addToColumn(J, dof, k, f * (ay * dz - az * dy), f * (az * dx - ax * dz), f * (ax * dy - ay * dx), f * ax, f * ay, f * az);
    }
  }
  // rotate every column from W axes into B axes: x_B = R_WBᵀ x_W
  const b = SE3_SIZE * base;
  const r0 = X_WL[b]!, r1 = X_WL[b + 1]!, r2 = X_WL[b + 2]!, r3 = X_WL[b + 3]!, r4 = X_WL[b + 4]!;
  const r5 = X_WL[b + 5]!, r6 = X_WL[b + 6]!, r7 = X_WL[b + 7]!, r8 = X_WL[b + 8]!;
  for (let k = 0; k < dof; k++) {
    for (let half = 0; half < 6; half += 3) {
      const x = J[half * dof + k]!, y = J[(half + 1) * dof + k]!, z = J[(half + 2) * dof + k]!;
      J[half * dof + k] = r0 * x + r3 * y + r6 * z;
      J[(half + 1) * dof + k] = r1 * x + r4 * y + r7 * z;
      J[(half + 2) * dof + k] = r2 * x + r5 * y + r8 * z;
    }
  }
}
