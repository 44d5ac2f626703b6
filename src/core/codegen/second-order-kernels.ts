/**
 * J̇ and the kinematic Hessian of one path, generated as straight-line code from its joint twists
 * (jacobian-derivative.ts derives the formulas; reference-kinematics.ts holds the same arithmetic
 * as loops). Written out with the path's joint count, columns and mimic multipliers as constants,
 * the arithmetic runs two to three times faster than the loops: V8 keeps the 6 x P twists in
 * registers and drops the index arithmetic and bounds checks.
 *
 * Both read T (6 x P, row-major: row r of joint p at T[r·P + p]) in chain order, where joint i
 * before joint j carries j's axis. Every output entry is written (0 where no joint contributes),
 * each as the sum of its terms, so that mimic joints sharing a column add up.
 */
import type { KinematicModel } from '../model.js';
import { jointTwistsKernelSource, type PathJoint, type PathLinks } from './kinematics-kernels.js';
import type { KernelSource } from './compile.js';

/** Writes J̇ (6 x dof, LOCAL_WORLD_ALIGNED) from the joint twists T and the joint rates q̇. */
export type JacobianDerivativeKernel = (T: Float64Array, qdot: Float64Array, Jdot: Float64Array) => void;
/** Writes the Hessian H (dof x 6 x dof, LOCAL_WORLD_ALIGNED; H[k·6·dof + r·dof + c] = ∂J[r][c]/∂q_k) from T. */
export type HessianKernel = (T: Float64Array, H: Float64Array) => void;

const AXES = ['x', 'y', 'z'] as const;
const MAX_EXPLICIT_ZEROS = 4096;

/** Number text for the generated code: finite numbers only (a multiplier from the model). */
function literal(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`second-order kernel: ${value} is not a finite multiplier`);
  return value < 0 ? `(${value})` : String(value);
}

/** `f*(expression)`, or the expression itself for f = 1. */
function scaled(f: number, expression: string): string {
  return f === 1 ? expression : `${literal(f)}*(${expression})`;
}

/** The three components of a × b for vectors named by prefix (a + 'x', ...). */
function cross(a: string, b: string): [string, string, string] {
  return [`${a}y*${b}z-${a}z*${b}y`, `${a}z*${b}x-${a}x*${b}z`, `${a}x*${b}y-${a}y*${b}x`];
}

/**
 * The source of entry i of the joint twists (6 x P, row-major): T[i] from the array, or the local
 * that a fused kernel's twist code assigned it to (see fusedWithJointTwists).
 */
export type TwistEntry = (i: number) => string;
const fromArray: TwistEntry = (i) => `T[${i}]`;

/**
 * Declarations of the twists of all joints as locals _v{p}x.. and _w{p}x.. (prismatic joints have
 * no w). Every local of these kernels starts with an underscore: the generators of
 * kinematics-kernels.ts never make such a name, so that the two can share one function body.
 */
function loadTwists(joints: readonly PathJoint[], entry: TwistEntry): string[] {
  const P = joints.length;
  return joints.map((joint, p) => {
    const parts = AXES.map((a, r) => `_v${p}${a}=${entry(r * P + p)}`);
    if (!joint.prismatic) parts.push(...AXES.map((a, r) => `_w${p}${a}=${entry((3 + r) * P + p)}`));
    return `const ${parts.join(',')};`;
  });
}

/** Terms per output index, emitted as one assignment each over `size` entries (0 where none). */
class Sums {
  private readonly terms = new Map<number, string[]>();
  add(index: number, term: string): void {
    const list = this.terms.get(index);
    if (list) list.push(term); else this.terms.set(index, [term]);
  }
  statements(out: string, size: number): string[] {
    // explicit zeros up to a few thousand entries: a typed array's fill() is a runtime call that
    // costs more than the stores it saves
    const zeros = size - this.terms.size <= MAX_EXPLICIT_ZEROS;
    const lines: string[] = zeros || this.terms.size === size ? [] : [`${out}.fill(0);`];
    for (let index = 0; index < size; index++) {
      const terms = this.terms.get(index);
      if (terms) lines.push(`${out}[${index}]=${terms.join('+')};`);
      else if (zeros) lines.push(`${out}[${index}]=0;`);
    }
    return lines;
  }
}

/**
 * The J̇ kernel of a path ({@link JacobianDerivativeKernel}): with θ̇_p = m_p q̇[k_p], the running
 * Ω_p = Σ_{i<p} w_i θ̇_i and S_p = Σ_{i>=p} v_i θ̇_i,
 *   v̇_p = Ω_p × v_p + w_p × S_p,  ẇ_p = Ω_p × w_p,  J̇[:, k_p] += m_p [v̇_p; ẇ_p].
 */
export function jacobianDerivativeKernelSource(dof: number, joints: readonly PathJoint[], entry: TwistEntry = fromArray): KernelSource {
  const lines = loadTwists(joints, entry);
  const sums = new Sums();
  joints.forEach((joint, p) => lines.push(`const _r${p}=${scaled(joint.multiplier, `qdot[${joint.qIndex}]`)};`));
  // S_0 = ṗ, the whole sum; Ω_0 = 0
  const P = joints.length;
  if (P > 0) {
    lines.push(`let ${AXES.map((a) => `_s${a}=${joints.map((_, p) => `_v${p}${a}*_r${p}`).join('+')}`).join(',')};`);
    lines.push('let _ox=0,_oy=0,_oz=0;');
  }
  joints.forEach((joint, p) => {
    const rotating = !joint.prismatic;
    const linear = AXES.map((_, r) => {
      const terms: string[] = [];
      if (p > 0) terms.push(cross('_o', `_v${p}`)[r]!);
      if (rotating) terms.push(cross(`_w${p}`, '_s')[r]!);
      return terms.length > 0 ? terms.join('+') : undefined;
    });
    const angular = AXES.map((_, r) => (rotating && p > 0 ? cross('_o', `_w${p}`)[r]! : undefined));
    [...linear, ...angular].forEach((expression, r) => {
      if (expression === undefined) return;
      lines.push(`const _d${p}_${r}=${expression};`);
      sums.add(r * dof + joint.qIndex, scaled(joint.multiplier, `_d${p}_${r}`));
    });
    if (p < P - 1) {
      lines.push(...AXES.map((a) => `_s${a}-=_v${p}${a}*_r${p};`));
      if (rotating) lines.push(...AXES.map((a) => `_o${a}+=_w${p}${a}*_r${p};`));
    }
  });
  lines.push(...sums.statements('Jdot', 6 * dof));
  return { name: 'jacobianDerivative', params: ['T', 'qdot', 'Jdot'], body: lines.join('\n') };
}

/**
 * The Hessian kernel of a path ({@link HessianKernel}): for i < j (a prismatic i moves nothing
 * of j) ∂v_j/∂θ_i = w_i × v_j and ∂w_j/∂θ_i = w_i × w_j; for i >= j (a prismatic j has none)
 * ∂v_j/∂θ_i = w_j × v_i and ∂w_j/∂θ_i = 0. The linear part is symmetric in (i, j): each cross
 * product is computed once and written to both slices.
 */
export function hessianKernelSource(dof: number, joints: readonly PathJoint[], entry: TwistEntry = fromArray): KernelSource {
  const lines = loadTwists(joints, entry);
  const sums = new Sums();
  const slice = 6 * dof;
  const at = (i: number, j: number, row: number): number => joints[i]!.qIndex * slice + row * dof + joints[j]!.qIndex;
  joints.forEach((ji, i) => {
    if (ji.prismatic) return;
    joints.forEach((jj, j) => {
      if (j < i) return;
      const f = ji.multiplier * jj.multiplier;
      // the linear rows: w_i × v_j is ∂v_j/∂θ_i (i < j) and ∂v_i/∂θ_j (j >= i), the same vector
      AXES.forEach((_, r) => {
        const name = `_h${i}_${j}_${r}`;
        lines.push(`const ${name}=${cross(`_w${i}`, `_v${j}`)[r]!};`);
        sums.add(at(i, j, r), scaled(f, name));
        if (j > i) sums.add(at(j, i, r), scaled(f, name));
      });
      if (j > i && !jj.prismatic) AXES.forEach((_, r) => sums.add(at(i, j, 3 + r), scaled(f, cross(`_w${i}`, `_w${j}`)[r]!)));
    });
  });
  lines.push(...sums.statements('H', slice * dof));
  return { name: 'hessian', params: ['T', 'H'], body: lines.join('\n') };
}

/** J̇ straight from q: X_BE into X and J̇ (LOCAL_WORLD_ALIGNED, tip-link origin) into Jdot. */
export type FusedJacobianDerivativeKernel = (q: Float64Array, qdot: Float64Array, X: Float64Array, Jdot: Float64Array) => void;
/** The Hessian straight from q: X_BE into X and H (LOCAL_WORLD_ALIGNED, tip-link origin). */
export type FusedHessianKernel = (q: Float64Array, X: Float64Array, H: Float64Array) => void;

/**
 * The joint twists kernel and `inner` in one body: the twists become locals (_t{i}) that `inner`
 * reads, instead of 6 x P values stored to an array and loaded back across a call (about a third
 * of J̇'s time on 6- and 7-joint arms).
 */
function fusedWithJointTwists(model: KinematicModel, path: PathLinks, name: string, params: string[], inner: (entry: TwistEntry) => KernelSource): KernelSource {
  const twists = jointTwistsKernelSource(model, path, (i) => `const _t${i}=`);
  const body = inner((i) => `_t${i}`);
  return { name, params, body: `${twists.body}\n${body.body}`, ...(twists.constants ? { constants: twists.constants } : {}) };
}

export function fusedJacobianDerivativeKernelSource(model: KinematicModel, path: PathLinks, joints: readonly PathJoint[]): KernelSource {
  return fusedWithJointTwists(model, path, 'jacobianDerivativeFromQ', ['q', 'qdot', 'X', 'Jdot'], (entry) => jacobianDerivativeKernelSource(model.dof, joints, entry));
}

export function fusedHessianKernelSource(model: KinematicModel, path: PathLinks, joints: readonly PathJoint[]): KernelSource {
  return fusedWithJointTwists(model, path, 'hessianFromQ', ['q', 'X', 'H'], (entry) => hessianKernelSource(model.dof, joints, entry));
}
