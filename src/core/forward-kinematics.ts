/**
 * Forward kinematics: poses of links relative to the root or to any base link.
 */
import { compileLinkPosesKernel, type LinkPosesKernel } from './codegen/kernel-compiler.js';
import { assertLength } from './errors.js';
import { getKinematicPath } from './kinematic-path.js';
import { assertLinkIndex, type KinematicModel } from './model.js';
import { referenceLinkPoses } from './reference-kinematics.js';
import { SE3_SIZE, composeInverseTransform, copyTransform } from './se3.js';
import type { KinematicWorkspace } from './workspace.js';

/**
 * Trees larger than this use the reference loop for all-link FK: a straight-line kernel of several
 * hundred links is too large for V8 to optimise, and the loop is then as fast.
 */
const MAX_COMPILED_LINKS = 128;

const kernels = new WeakMap<KinematicModel, LinkPosesKernel>();

/**
 * The kernel of a model, made on first use. (The making is a function of its own because a
 * closure over `model` here would make V8 allocate a context on every call of the hot path.)
 */
function linkPosesKernel(model: KinematicModel): LinkPosesKernel {
  return kernels.get(model) ?? makeLinkPosesKernel(model);
}

function makeLinkPosesKernel(model: KinematicModel): LinkPosesKernel {
  let kernel: LinkPosesKernel = (q, X_WL) => referenceLinkPoses(model, q, X_WL);
  if (model.linkNames.length <= MAX_COMPILED_LINKS) {
    try {
      kernel = compileLinkPosesKernel(model);
    } catch (error) {
      if (!(error instanceof EvalError)) throw error; // code generation disabled: keep the loop
    }
  }
  kernels.set(model, kernel);
  return kernel;
}

/**
 * Writes X_WL, the pose of every link in the root frame W (12 doubles per link, in
 * `model.linkNames` order) and returns `out`.
 */
export function computeLinkPoses(
  model: KinematicModel, q: Float64Array, out: Float64Array,
): Float64Array {
  assertLength('q', model.dof, q.length);
  assertLength('link poses output', SE3_SIZE * model.linkNames.length, out.length);
  linkPosesKernel(model)(q, out);
  return out;
}

/**
 * Writes X_BL, the pose of every link in the frame of link `base`, and returns `out`.
 * With base 0 (the root) this is {@link computeLinkPoses}.
 */
export function computeLinkPosesInBase(
  model: KinematicModel, ws: KinematicWorkspace, q: Float64Array, base: number, out: Float64Array,
): Float64Array {
  assertLinkIndex(model, base, 'base');
  if (base === 0) return computeLinkPoses(model, q, out);
  assertLength('link poses output', SE3_SIZE * model.linkNames.length, out.length);
  computeLinkPoses(model, q, ws.X_WL);
  const b = SE3_SIZE * base;
  const X_WB = ws.X_BE;
  copyTransform(X_WB, 0, ws.X_WL, b);
  for (let link = 0; link < model.linkNames.length; link++) {
    composeInverseTransform(out, SE3_SIZE * link, X_WB, 0, ws.X_WL, SE3_SIZE * link);
  }
  return out;
}

/** Writes X_BE, the pose of link `tip` in the frame of link `base`, and returns `out`. */
export function computePose(
  model: KinematicModel, q: Float64Array, base: number, tip: number, out: Float64Array,
): Float64Array {
  assertLength('q', model.dof, q.length);
  assertLength('pose output', SE3_SIZE, out.length);
  assertLinkIndex(model, base, 'base');
  assertLinkIndex(model, tip, 'tip');
  getKinematicPath(model, base, tip).pose(q, out);
  return out;
}
