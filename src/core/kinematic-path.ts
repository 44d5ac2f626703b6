/**
 * A kinematic path: what moves a tip link relative to a base link. In a tree the base need not
 * be an ancestor of the tip; the path then runs up from the base to their deepest common
 * ancestor C and down to the tip, and the joints on the base side move the base instead of the
 * tip. Paths carry their kernels (compiled, or the reference loops) and are cached per model.
 */
import {
  compileJacobianKernel, compilePoseKernel, type JacobianKernel, type PathLinks, type PoseKernel,
} from './codegen/kernel-compiler.js';
import type { KinematicModel } from './model.js';
import { referencePathJacobian, referencePathPose } from './reference-kinematics.js';
import { SE3_SIZE } from './se3.js';

/** Which implementation a path's kernels use. */
export type KernelImplementation = 'compiled' | 'reference';

/** The joints between a base and a tip link, with kernels that compute their pose and Jacobian. */
export interface KinematicPath extends PathLinks {
  readonly base: number;
  readonly tip: number;
  /** The deepest common ancestor of base and tip. */
  readonly common: number;
  /** Active joints (indices into q, ascending) whose motion moves the tip relative to the base. */
  readonly movingJoints: Int32Array;
  readonly implementation: KernelImplementation;
  /** Writes X_BE. */
  readonly pose: PoseKernel;
  /** Writes X_BE and the LOCAL_WORLD_ALIGNED Jacobian at the tip-link origin (6 x dof, row-major). */
  readonly jacobian: JacobianKernel;
}

/** Links from `ancestor` (exclusive) down to `link` (inclusive). */
function linksBelow(model: KinematicModel, ancestor: number, link: number): Int32Array {
  const out: number[] = [];
  for (let l = link; l !== ancestor; l = model.parent[l]!) out.push(l);
  return Int32Array.from(out.reverse());
}

function commonAncestor(model: KinematicModel, a: number, b: number): number {
  while (model.depth[a]! > model.depth[b]!) a = model.parent[a]!;
  while (model.depth[b]! > model.depth[a]!) b = model.parent[b]!;
  while (a !== b) { a = model.parent[a]!; b = model.parent[b]!; }
  return a;
}

/** Builds a path with freshly made kernels (not cached). */
export function createKinematicPath(
  model: KinematicModel, base: number, tip: number, implementation: KernelImplementation = 'compiled',
): KinematicPath {
  const common = commonAncestor(model, base, tip);
  const tipSide = linksBelow(model, common, tip);
  const baseSide = linksBelow(model, common, base);
  const moving = new Set<number>();
  for (const link of [...tipSide, ...baseSide]) if (model.qIndex[link]! >= 0) moving.add(model.qIndex[link]!);
  const links: PathLinks = { tipSide, baseSide };
  let kernels: { pose: PoseKernel; jacobian: JacobianKernel } | undefined;
  if (implementation === 'compiled') kernels = tryCompile(model, links);
  if (!kernels) {
    implementation = 'reference';
    const X_WL = new Float64Array(SE3_SIZE * model.linkNames.length);
    kernels = {
      pose: (q, X_BE) => referencePathPose(model, base, tip, q, X_WL, X_BE),
      jacobian: (q, X_BE, J) => referencePathJacobian(model, base, tip, links, q, X_WL, X_BE, J),
    };
  }
  return Object.freeze({
    base, tip, common, tipSide, baseSide,
    movingJoints: Int32Array.from([...moving].sort((x, y) => x - y)),
    implementation, ...kernels,
  });
}

function tryCompile(model: KinematicModel, links: PathLinks): { pose: PoseKernel; jacobian: JacobianKernel } | undefined {
  try {
    return { pose: compilePoseKernel(model, links), jacobian: compileJacobianKernel(model, links) };
  } catch (error) {
    // code generation from strings is disabled in this process: use the reference loops
    if (error instanceof EvalError) return undefined;
    throw error;
  }
}

/** Paths kept per model; beyond this the oldest is dropped (a tree of n links has n² pairs). */
const MAX_CACHED_PATHS = 512;
const cache = new WeakMap<KinematicModel, Map<number, KinematicPath>>();

/** The path from `base` to `tip` (link indices), compiled on first use and cached per model. */
export function getKinematicPath(model: KinematicModel, base: number, tip: number): KinematicPath {
  let paths = cache.get(model);
  if (!paths) { paths = new Map(); cache.set(model, paths); }
  const key = base * model.linkNames.length + tip;
  let path = paths.get(key);
  if (!path) {
    path = createKinematicPath(model, base, tip);
    if (paths.size >= MAX_CACHED_PATHS) paths.delete(paths.keys().next().value!);
    paths.set(key, path);
  }
  return path;
}
