/**
 * A compiled robot: the immutable kinematic model and the kernels compiled from it, made once per
 * thread (generated code cannot cross threads) and shared by everything that computes on that
 * thread. Pinocchio splits a robot into a Model and a Data per thread; here the Model is
 * {@link KinematicModel}, its kernels live here, and the per-thread Data are the workspaces
 * (workspace.ts, ik/ik-workspace.ts; robot-context.ts puts them together).
 *
 * What it returns never changes: paths are compiled on first use and kept, so that asking twice
 * gives the same kernels. No other cache of kernels exists.
 */
import { compileKernel } from './codegen/compile.js';
import { linkPosesKernelSource, type LinkPosesKernel } from './codegen/kinematics-kernels.js';
import { createKinematicPath, type KernelImplementation, type KinematicPath } from './kinematic-path.js';
import { assertLinkIndex, type KinematicModel } from './model.js';
import { referenceLinkPoses } from './reference-kinematics.js';

/**
 * Trees larger than this use the reference loop for all-link FK without generating its code: a
 * straight-line kernel of several hundred links is too large for V8 to optimise, and the loop is
 * then faster. (Smaller trees whose kernel is still too long fall back too: compileKernel refuses
 * bodies beyond MAX_KERNEL_BODY_CHARS.)
 */
export const MAX_COMPILED_LINKS = 128;

/** Paths kept per robot; beyond this the oldest is dropped (a tree of n links has n² pairs). */
export const MAX_CACHED_PATHS = 512;

/** A model with its kernels. */
export interface CompiledRobot {
  readonly model: KinematicModel;
  /** 'compiled' unless code generation is not allowed here (or was not asked for). */
  readonly implementation: KernelImplementation;
  /** Writes X_WL of every link (12 doubles per link, link order). */
  readonly linkPoses: LinkPosesKernel;
  /** Whether linkPoses is generated code or the reference loop (a large tree, or no code generation). */
  readonly linkPosesImplementation: KernelImplementation;
  /**
   * The path from link `base` to link `tip` (indices) with its kernels, compiled on first use and
   * kept (the MAX_CACHED_PATHS most recently compiled).
   * @throws KinematicsError `UNKNOWN_LINK` for an index that is not a link.
   */
  path(base: number, tip: number): KinematicPath;
}

/** Options of {@link compileRobot}. */
export interface CompileRobotOptions {
  /** 'reference' uses the loop-based kinematics everywhere (for tests and comparisons). Default 'compiled'. */
  implementation?: KernelImplementation;
}

/** Compiles a model's all-link FK kernel now and its paths on first use. */
export function compileRobot(model: KinematicModel, options: CompileRobotOptions = {}): CompiledRobot {
  const wanted = options.implementation ?? 'compiled';
  let linkPoses: LinkPosesKernel | undefined;
  if (wanted === 'compiled' && model.linkNames.length <= MAX_COMPILED_LINKS) {
    linkPoses = compileKernel<LinkPosesKernel>(linkPosesKernelSource(model));
  }
  // probing one kernel tells whether code generation is allowed in this process
  const implementation: KernelImplementation = wanted === 'compiled'
    && (linkPoses !== undefined || compileKernel<() => void>({ name: 'probe', params: [], body: '' }) !== undefined)
    ? 'compiled' : 'reference';
  const linkPosesImplementation: KernelImplementation = linkPoses ? 'compiled' : 'reference';
  linkPoses ??= (q, X_WL) => referenceLinkPoses(model, q, X_WL);
  const paths = new Map<number, KinematicPath>();
  const links = model.linkNames.length;
  return Object.freeze({
    model,
    implementation,
    linkPoses,
    linkPosesImplementation,
    path(base: number, tip: number): KinematicPath {
      const key = base * links + tip;
      let path = paths.get(key);
      if (!path) {
        assertLinkIndex(model, base, 'base');
        assertLinkIndex(model, tip, 'tip');
        path = createKinematicPath(model, base, tip, implementation);
        if (paths.size >= MAX_CACHED_PATHS) paths.delete(paths.keys().next().value!);
        paths.set(key, path);
      }
      return path;
    },
  });
}
