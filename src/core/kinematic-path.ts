/**
 * A kinematic path: what moves a tip link relative to a base link. In a tree the base need not
 * be an ancestor of the tip; the path then runs up from the base to their deepest common
 * ancestor C and down to the tip, and the joints on the base side move the base instead of the
 * tip. A path carries its kernels: compiled straight-line code, or the reference loops where code
 * generation is not allowed. Paths are made and kept by a {@link CompiledRobot}.
 */
import { compileKernel } from './codegen/compile.js';
import { compileDlsKernels, type DlsKernels } from './codegen/dls-kernels.js';
import {
  fusedHessianKernelSource, fusedJacobianDerivativeKernelSource, hessianKernelSource, jacobianDerivativeKernelSource,
  type FusedHessianKernel, type FusedJacobianDerivativeKernel, type HessianKernel, type JacobianDerivativeKernel,
} from './codegen/second-order-kernels.js';
import {
  jacobianKernelSource, jointTwistsKernelSource, pathJointsOf, poseKernelSource,
  type JacobianKernel, type JointTwistsKernel, type PathJoint, type PathLinks, type PoseKernel,
} from './codegen/kinematics-kernels.js';
import { JointCode, type KinematicModel } from './model.js';
import {
  referenceHessian, referenceJacobianDerivative, referencePathJacobian, referencePathJointTwists, referencePathPose,
} from './reference-kinematics.js';
import { SE3_SIZE } from './se3.js';

/**
 * The most joints whose Hessian is generated as straight-line code (about 60 statements per pair
 * of joints: 24 joints make 35,000); longer paths use the loops.
 */
export const MAX_COMPILED_HESSIAN_JOINTS = 24;

/**
 * Paths of more links than this are not generated at all: their kernels would be longer than V8
 * optimises (codegen/compile.ts, MAX_KERNEL_BODY_CHARS: an axis-aligned revolute chain of 48
 * links already is), so the loops run at once, without the cost of writing and parsing the code.
 */
export const MAX_COMPILED_PATH_LINKS = 64;

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
  /** The prismatic joints among the moving ones (indices into q, ascending). */
  readonly prismaticJoints: Int32Array;
  /**
   * The sum of the lengths of the fixed joint offsets along the path (m): the size of the arm,
   * apart from its prismatic travel; a length scale for sampling (ik/solve.ts restarts).
   */
  readonly reach: number;
  readonly implementation: KernelImplementation;
  /** Writes X_BE. */
  readonly pose: PoseKernel;
  /** Writes X_BE and the LOCAL_WORLD_ALIGNED Jacobian at the tip-link origin (6 x dof, row-major). */
  readonly jacobian: JacobianKernel;
  /** The moving joints in chain order from the base (see PathJoint), and their mimic multipliers and types as arrays. */
  readonly joints: readonly PathJoint[];
  readonly jointQIndex: Int32Array;
  readonly jointMultiplier: Float64Array;
  readonly jointPrismatic: Uint8Array;
  /**
   * Writes X_BE and the unit twists of the path's joints (6 x joints.length, chain order) at the
   * tip-link origin in base axes: the Jacobian's columns before the mimic sums, which
   * second-order kinematics differentiates. Compiled the first time it is called.
   */
  readonly jointTwists: JointTwistsKernel;
  /** J̇ from the joint twists and q̇ (6 x dof, LOCAL_WORLD_ALIGNED); compiled on first use. */
  readonly jacobianDerivative: JacobianDerivativeKernel;
  /**
   * The Hessian from the joint twists (dof x 6 x dof, LOCAL_WORLD_ALIGNED); compiled on first use
   * for paths of up to MAX_COMPILED_HESSIAN_JOINTS joints (its code grows with their square).
   */
  readonly hessian: HessianKernel;
  /** jointTwists then jacobianDerivative in one kernel, writing X_BE and J̇ (no tip offset); compiled on first use. */
  readonly jacobianDerivativeFromQ: FusedJacobianDerivativeKernel;
  /** jointTwists then hessian in one kernel, writing X_BE and H (no tip offset); compiled on first use. */
  readonly hessianFromQ: FusedHessianKernel;
  /**
   * The damped least-squares step of the moving joints, compiled (codegen/dls-kernels.ts);
   * undefined for the reference implementation and for paths of more than MAX_COMPILED_JOINTS
   * moving joints, which IK then solves with the loops of ik/damped-least-squares.ts.
   */
  readonly stepKernels: DlsKernels | undefined;
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

/**
 * Builds the path from link `base` to link `tip` with freshly made kernels. Use
 * {@link CompiledRobot.path}, which keeps them, unless you want a path of your own (the tests and
 * benchmarks compare the two implementations).
 */
export function createKinematicPath(
  model: KinematicModel, base: number, tip: number, implementation: KernelImplementation = 'compiled',
): KinematicPath {
  const common = commonAncestor(model, base, tip);
  const tipSide = linksBelow(model, common, tip);
  const baseSide = linksBelow(model, common, base);
  const moving = new Set<number>();
  for (const link of [...tipSide, ...baseSide]) if (model.qIndex[link]! >= 0) moving.add(model.qIndex[link]!);
  const movingJoints = Int32Array.from([...moving].sort((x, y) => x - y));
  const prismaticJoints = movingJoints.filter((k) => model.jointCode[model.jointLink[k]!] === JointCode.PRISMATIC);
  let reach = 0;
  for (const link of [...tipSide, ...baseSide]) {
    const o = SE3_SIZE * link;
    reach += Math.hypot(model.X_PJ[o + 9]!, model.X_PJ[o + 10]!, model.X_PJ[o + 11]!);
  }
  const links: PathLinks = { tipSide, baseSide };
  const joints = pathJointsOf(model, links);
  let kernels: { pose: PoseKernel; jacobian: JacobianKernel } | undefined;
  if (implementation === 'compiled' && tipSide.length + baseSide.length <= MAX_COMPILED_PATH_LINKS) {
    const pose = compileKernel<PoseKernel>(poseKernelSource(model, links));
    const jacobian = pose && compileKernel<JacobianKernel>(jacobianKernelSource(model, links));
    if (pose && jacobian) kernels = { pose, jacobian };
  }
  const X_WL = new Float64Array(SE3_SIZE * model.linkNames.length);
  const twists = new Float64Array(6 * joints.length);
  const referenceTwists: JointTwistsKernel = (q, X_BE, T) => referencePathJointTwists(model, base, tip, joints, q, X_WL, X_BE, T);
  if (!kernels) {
    implementation = 'reference';
    kernels = {
      pose: (q, X_BE) => referencePathPose(model, base, tip, q, X_WL, X_BE),
      jacobian: (q, X_BE, J) => referencePathJacobian(model, base, tip, joints, q, X_WL, X_BE, J, twists),
    };
  }
  // second-order kinematics is asked for less often: its kernel is compiled on first use
  let compiledTwists: JointTwistsKernel | undefined;
  const jointTwists: JointTwistsKernel = implementation === 'reference' ? referenceTwists
    : (q, X_BE, T) => (compiledTwists ??= compileKernel<JointTwistsKernel>(jointTwistsKernelSource(model, links)) ?? referenceTwists)(q, X_BE, T);
  const referenceJdot: JacobianDerivativeKernel = (T, qdot, Jdot) => referenceJacobianDerivative(joints, model.dof, T, qdot, Jdot);
  const referenceH: HessianKernel = (T, H) => referenceHessian(joints, model.dof, T, H);
  let compiledJdot: JacobianDerivativeKernel | undefined, compiledH: HessianKernel | undefined;
  const jacobianDerivative: JacobianDerivativeKernel = implementation === 'reference' ? referenceJdot
    : (T, qdot, Jdot) => (compiledJdot ??= compileKernel<JacobianDerivativeKernel>(jacobianDerivativeKernelSource(model.dof, joints)) ?? referenceJdot)(T, qdot, Jdot);
  const hessian: HessianKernel = implementation === 'reference' || joints.length > MAX_COMPILED_HESSIAN_JOINTS ? referenceH
    : (T, H) => (compiledH ??= compileKernel<HessianKernel>(hessianKernelSource(model.dof, joints)) ?? referenceH)(T, H);
  // the fused kernels, and the same two steps through the separate ones where they cannot be compiled
  const twistsThen = <A extends unknown[]>(second: (T: Float64Array, ...rest: A) => void) =>
    (q: Float64Array, X_BE: Float64Array, ...rest: A): void => { jointTwists(q, X_BE, twists); second(twists, ...rest); };
  const separateJdot: FusedJacobianDerivativeKernel = (q, qdot, X_BE, Jdot) => twistsThen(jacobianDerivative)(q, X_BE, qdot, Jdot);
  const separateH: FusedHessianKernel = (q, X_BE, H) => twistsThen(hessian)(q, X_BE, H);
  let fusedJdot: FusedJacobianDerivativeKernel | undefined, fusedH: FusedHessianKernel | undefined;
  const compileFusedJdot = (): FusedJacobianDerivativeKernel =>
    compileKernel<FusedJacobianDerivativeKernel>(fusedJacobianDerivativeKernelSource(model, links, joints)) ?? separateJdot;
  const jacobianDerivativeFromQ: FusedJacobianDerivativeKernel = implementation === 'reference' ? separateJdot
    : (q, qdot, X_BE, Jdot) => (fusedJdot ??= compileFusedJdot())(q, qdot, X_BE, Jdot);
  const hessianFromQ: FusedHessianKernel = implementation === 'reference' || joints.length > MAX_COMPILED_HESSIAN_JOINTS ? separateH
    : (q, X_BE, H) => (fusedH ??= compileKernel<FusedHessianKernel>(fusedHessianKernelSource(model, links, joints)) ?? separateH)(q, X_BE, H);
  const stepKernels = implementation === 'compiled' ? compileDlsKernels(model.dof, movingJoints) : undefined;
  return Object.freeze({
    base, tip, common, tipSide, baseSide, movingJoints, prismaticJoints, reach, implementation, ...kernels, stepKernels,
    joints, jointQIndex: Int32Array.from(joints, (j) => j.qIndex), jointMultiplier: Float64Array.from(joints, (j) => j.multiplier),
    jointPrismatic: Uint8Array.from(joints, (j) => (j.prismatic ? 1 : 0)), jointTwists, jacobianDerivative, hessian, jacobianDerivativeFromQ, hessianFromQ,
  });
}
