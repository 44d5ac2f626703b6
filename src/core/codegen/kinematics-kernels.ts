/**
 * Generates kinematic kernels for one model as straight-line JavaScript (see expression.ts for
 * why): the pose of a tip link in a base link, the Jacobian of that pair, and the poses of all
 * links. The kernels allocate nothing and read only `q`. Each link's statements start with a
 * comment naming the link and its joint, so that a listing (`npm run kernels`) reads as the chain.
 *
 * Frames: W is the root link, C the deepest common ancestor of base B and tip E, L a link, J a
 * joint frame. Along a path, X_CL = X_CP · X_PJ · M(v) where M(v) is the joint motion: a rotation
 * by v about the unit axis a for revolute joints, a translation v·a for prismatic ones, where
 * v = multiplier · q[leader] + offset.
 */
import type { KinematicModel } from '../model.js';
import { JointCode } from '../model.js';
import { SE3_SIZE } from '../se3.js';
import type { KernelSource } from './compile.js';
import {
  CodeBuilder, add, constant, scale, subtract, variable, type Expr,
} from './expression.js';
import { SINCOS_CONSTANTS, sincosStatements } from './sincos.js';

/** Writes X_BE (12 doubles) for the compiled path. */
export type PoseKernel = (q: Float64Array, X_BE: Float64Array) => void;
/**
 * Writes X_BE and the 6 x dof Jacobian (row-major, linear rows first) of the tip-link origin
 * relative to the base, expressed in base axes (LOCAL_WORLD_ALIGNED).
 */
export type JacobianKernel = (q: Float64Array, X_BE: Float64Array, J: Float64Array) => void;
/** Writes X_WL of every link (12 doubles per link, link order). */
export type LinkPosesKernel = (q: Float64Array, X_WL: Float64Array) => void;

/** The links of a path from base B to tip E through their deepest common ancestor C. */
export interface PathLinks {
  /** Links from C (exclusive) down to E (inclusive). */
  readonly tipSide: Int32Array;
  /** Links from C (exclusive) down to B (inclusive); empty when B is an ancestor of E. */
  readonly baseSide: Int32Array;
}

type Transform = Expr[]; // 12 entries, see se3.ts

const IDENTITY: readonly number[] = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0];

/** A symbolic joint axis through a point, recorded for a Jacobian column. */
interface JointColumn {
  readonly column: number;
  /** ±multiplier: the mimic chain rule and the side of the path (base side subtracts) */
  readonly factor: number;
  /** -1 on the base side, +1 on the tip side */
  readonly sign: number;
  readonly prismatic: boolean;
  readonly axis: Expr[]; // in C
  readonly origin: Expr[]; // in C
}

class KinematicsBuilder {
  readonly code = new CodeBuilder();
  private readonly qUsed = new Set<number>();

  constructor(private readonly model: KinematicModel) {}

  /** A·B for symbolic transforms. */
  compose(A: Transform, B: Transform): Transform {
    const c = this.code;
    const out: Expr[] = new Array<Expr>(SE3_SIZE);
    for (let i = 0; i < 3; i++) {
      const row = [A[3 * i]!, A[3 * i + 1]!, A[3 * i + 2]!];
      for (let j = 0; j < 3; j++) out[3 * i + j] = c.dot(row, [B[j]!, B[3 + j]!, B[6 + j]!]);
      out[9 + i] = add(A[9 + i]!, c.dot(row, [B[9]!, B[10]!, B[11]!]));
    }
    return out;
  }

  /** Rᵀ v for the rotation part of a symbolic transform. */
  rotateInverse(X: Transform, v: readonly Expr[]): Expr[] {
    const c = this.code;
    return [0, 1, 2].map((j) => c.dot([X[j]!, X[3 + j]!, X[6 + j]!], v));
  }

  materialize(X: readonly Expr[]): Expr[] {
    return X.map((e) => this.code.materialize(e));
  }

  /** The joint value v of the link's joint, as an expression in the q variables. */
  private jointValue(link: number): Expr {
    const k = this.model.qIndex[link]!;
    this.qUsed.add(k);
    return add(scale(variable(`q${k}`), this.model.qMultiplier[link]!), constant(this.model.qOffset[link]!));
  }

  /** A variable name holding `e` (declared when `e` is not already a plain variable). */
  private named(e: Expr, prefix: string): string {
    if (e.k === 0 && e.terms.size === 1) {
      const [m, coefficient] = e.terms.entries().next().value as [string, number];
      if (coefficient === 1 && !m.includes('*')) return m;
    }
    const name = this.code.fresh(prefix);
    this.code.statement(`const ${name}=${this.code.source(e)};`);
    return name;
  }

  /**
   * X_PL = X_PJ · M(v) for the link's joint. A rotation by v about unit axis a is
   * R = cos v (I - a aᵀ) + sin v [a]× + a aᵀ (Rodrigues); for an axis along x, y or z the
   * constant parts fold to the familiar 2x2 block.
   */
  linkPlacement(link: number): Transform {
    const m = this.model;
    const X_PJ = Array.from(m.X_PJ.subarray(SE3_SIZE * link, SE3_SIZE * (link + 1)), constant);
    const type = m.jointCode[link]!;
    this.code.comment(describeLink(m, link));
    if (type === JointCode.FIXED) return X_PJ;
    const a = [m.axis[3 * link]!, m.axis[3 * link + 1]!, m.axis[3 * link + 2]!];
    const v = this.jointValue(link);
    if (type === JointCode.PRISMATIC) {
      const motion = IDENTITY.map(constant);
      for (let i = 0; i < 3; i++) motion[9 + i] = scale(v, a[i]!);
      return this.compose(X_PJ, motion);
    }
    const x = this.named(v, 'x');
    const s = `s${link}`, c = `c${link}`;
    this.code.statement(sincosStatements(x, s, c, String(link)));
    const K = [0, -a[2]!, a[1]!, a[2]!, 0, -a[0]!, -a[1]!, a[0]!, 0];
    const motion: Expr[] = IDENTITY.map(constant);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const aa = a[i]! * a[j]!;
        motion[3 * i + j] = add(
          add(variable(c, (i === j ? 1 : 0) - aa), variable(s, K[3 * i + j])),
          constant(aa),
        );
      }
    }
    return this.compose(X_PJ, motion);
  }

  /**
   * X_CL for the last link of `links` (a downward path from C), materialized after every moving
   * joint; records one Jacobian column per moving joint when `columns` is given.
   */
  walkDown(links: Int32Array, sign: number, columns: JointColumn[] | undefined): Transform {
    const m = this.model;
    let X: Transform = IDENTITY.map(constant);
    for (const link of links) {
      X = this.compose(X, this.linkPlacement(link));
      const type = m.jointCode[link]!;
      if (type === JointCode.FIXED) continue;
      X = this.materialize(X);
      if (!columns) continue;
      // the axis is the same before and after the joint moves: a_C = R_CL a
      const a = [m.axis[3 * link]!, m.axis[3 * link + 1]!, m.axis[3 * link + 2]!].map(constant);
      const axis = this.materialize([0, 1, 2].map((i) => this.code.dot([X[3 * i]!, X[3 * i + 1]!, X[3 * i + 2]!], a)));
      columns.push({
        column: m.qIndex[link]!,
        factor: sign * m.qMultiplier[link]!,
        sign,
        prismatic: type === JointCode.PRISMATIC,
        axis,
        origin: [X[9]!, X[10]!, X[11]!],
      });
    }
    return X;
  }

  /** Declarations of the q entries used, to be placed before the body. */
  prologue(): string {
    return [...this.qUsed].sort((x, y) => x - y).map((k) => `const q${k}=q[${k}];`).join('\n');
  }
}

const JOINT_WORDS = ['fixed', 'revolute', 'continuous', 'prismatic'];

/** "link forearm_link: joint elbow_joint, revolute about [0 0 1], q2" for the listing. */
function describeLink(m: KinematicModel, link: number): string {
  const code = m.jointCode[link]!;
  const joint = `link ${m.linkNames[link]}: joint ${m.jointNameOfLink[link]}, ${JOINT_WORDS[code]}`;
  if (code === JointCode.FIXED) return joint;
  const axis = [0, 1, 2].map((i) => m.axis[3 * link + i]!).join(' ');
  const k = m.qIndex[link]!;
  const value = m.qMultiplier[link] === 1 && m.qOffset[link] === 0 ? `q${k}` : `${m.qMultiplier[link]} * q${k} + ${m.qOffset[link]} (mimic)`;
  return `${joint} ${code === JointCode.PRISMATIC ? 'along' : 'about'} [${axis}], ${value}`;
}

function source(name: string, params: string[], b: KinematicsBuilder): KernelSource {
  return { name, params, body: `${b.prologue()}\n${b.code.body()}`, constants: SINCOS_CONSTANTS };
}

function writeTransform(b: KinematicsBuilder, X: Transform, target: string, offset: number): void {
  for (let i = 0; i < SE3_SIZE; i++) b.code.statement(`${target}[${offset + i}]=${b.code.source(X[i]!)};`);
}

/** X_BE from X_CB and X_CE: R_BE = R_CBᵀ R_CE, p_BE = R_CBᵀ (p_CE - p_CB). */
function relativePose(b: KinematicsBuilder, X_CB: Transform | undefined, X_CE: Transform): Transform {
  if (!X_CB) return X_CE;
  const R_BE: Expr[] = [];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      R_BE[3 * i + j] = b.code.dot([X_CB[i]!, X_CB[3 + i]!, X_CB[6 + i]!], [X_CE[j]!, X_CE[3 + j]!, X_CE[6 + j]!]);
    }
  }
  const d = [0, 1, 2].map((i) => subtract(X_CE[9 + i]!, X_CB[9 + i]!));
  return [...R_BE, ...b.rotateInverse(X_CB, d)];
}

/** [a × (p_E - o); a] (revolute) or [a; 0] (prismatic) of a recorded joint, in C, per unit joint rate. */
function unitTwist(b: KinematicsBuilder, col: JointColumn, X_CE: Transform): Expr[] {
  const c = b.code;
  if (col.prismatic) return [...col.axis, constant(0), constant(0), constant(0)];
  const d = [0, 1, 2].map((i) => c.materialize(subtract(X_CE[9 + i]!, col.origin[i]!)));
  const [ax, ay, az] = col.axis as [Expr, Expr, Expr];
  const [dx, dy, dz] = d as [Expr, Expr, Expr];
  return [
    subtract(c.multiply(ay, dz), c.multiply(az, dy)),
    subtract(c.multiply(az, dx), c.multiply(ax, dz)),
    subtract(c.multiply(ax, dy), c.multiply(ay, dx)),
    ax, ay, az,
  ];
}

/** The pose kernel of a path ({@link PoseKernel}). */
export function poseKernelSource(model: KinematicModel, path: PathLinks): KernelSource {
  const b = new KinematicsBuilder(model);
  b.code.comment('tip side: from the common ancestor C down to the tip E');
  const X_CE = b.walkDown(path.tipSide, 1, undefined);
  if (path.baseSide.length > 0) b.code.comment('base side: from C down to the base B');
  const X_CB = path.baseSide.length > 0 ? b.materialize(b.walkDown(path.baseSide, -1, undefined)) : undefined;
  b.code.comment('X_BE = inv(X_CB) X_CE');
  writeTransform(b, relativePose(b, X_CB, b.materialize(X_CE)), 'X', 0);
  return source('pose', ['q', 'X'], b);
}

/**
 * The Jacobian kernel of a path ({@link JacobianKernel}). Column of a joint with unit axis a through point o
 * (both in C), for the tip origin p_E: [a × (p_E - o); a] if revolute, [a; 0] if prismatic; times
 * the mimic multiplier, summed into the leader's column; subtracted for joints on the base side
 * (they move the base, not the tip); finally rotated into base axes by R_CBᵀ.
 */
export function jacobianKernelSource(model: KinematicModel, path: PathLinks): KernelSource {
  const b = new KinematicsBuilder(model);
  const c = b.code;
  const columns: JointColumn[] = [];
  c.comment('tip side: from the common ancestor C down to the tip E');
  const X_CE = b.materialize(b.walkDown(path.tipSide, 1, columns));
  if (path.baseSide.length > 0) c.comment('base side: from C down to the base B');
  const X_CB = path.baseSide.length > 0 ? b.materialize(b.walkDown(path.baseSide, -1, columns)) : undefined;
  c.comment('X_BE = inv(X_CB) X_CE');
  writeTransform(b, relativePose(b, X_CB, X_CE), 'X', 0);
  c.comment('columns: [a x (p_E - o); a] (revolute) or [a; 0] (prismatic) in C, rotated into B');

  const sums = new Map<number, Expr[]>();
  for (const col of columns) {
    const twist = unitTwist(b, col, X_CE);
    const sum = sums.get(col.column) ?? [0, 0, 0, 0, 0, 0].map(constant);
    sums.set(col.column, sum.map((e, r) => add(e, scale(twist[r]!, col.factor))));
  }

  const dof = model.dof;
  for (let k = 0; k < dof; k++) {
    let column = sums.get(k) ?? [0, 0, 0, 0, 0, 0].map(constant);
    if (X_CB && sums.has(k)) {
      const linear = b.rotateInverse(X_CB, column.slice(0, 3).map((e) => c.materialize(e)));
      const angular = b.rotateInverse(X_CB, column.slice(3).map((e) => c.materialize(e)));
      column = [...linear, ...angular];
    }
    for (let r = 0; r < 6; r++) c.statement(`J[${r * dof + k}]=${c.source(column[r]!)};`);
  }
  return source('jacobian', ['q', 'X', 'J'], b);
}

/**
 * One moving joint of a path, in chain order from the base B to the tip E: the joints of the base
 * side from B up to the common ancestor C (they turn B's world about their axes, so seen from B
 * they turn the rest of the path the other way), then those of the tip side from C down to E.
 */
export interface PathJoint {
  /** The link whose joint it is. */
  readonly link: number;
  /** The active joint (index into q) that drives it, and value = multiplier · q + offset. */
  readonly qIndex: number;
  readonly multiplier: number;
  /** -1 on the base side, +1 on the tip side. */
  readonly sign: number;
  readonly prismatic: boolean;
}

/** The moving joints of a path in chain order (see {@link PathJoint}). */
export function pathJointsOf(model: KinematicModel, path: PathLinks): PathJoint[] {
  const joint = (link: number, sign: number): PathJoint => ({
    link, qIndex: model.qIndex[link]!, multiplier: model.qMultiplier[link]!, sign, prismatic: model.jointCode[link] === JointCode.PRISMATIC,
  });
  const moving = (links: Int32Array): number[] => Array.from(links).filter((l) => model.jointCode[l] !== JointCode.FIXED);
  return [...moving(path.baseSide).reverse().map((l) => joint(l, -1)), ...moving(path.tipSide).map((l) => joint(l, 1))];
}

/**
 * Writes X_BE and the unit twist of each moving joint of the path (6 rows x P, row-major, P =
 * the path's moving joints, in chain order: see {@link PathJoint}) at the tip-link origin in base
 * axes: sign · [a × (p_E - o); a] (revolute) or sign · [a; 0] (prismatic), per unit rate of the
 * joint itself (no mimic multiplier): the columns of the Jacobian before they are summed into
 * their leaders, which second-order kinematics differentiates.
 */
export type JointTwistsKernel = (q: Float64Array, X: Float64Array, T: Float64Array) => void;

/**
 * The joint twists kernel of a path ({@link JointTwistsKernel}); `assign` gives the left-hand side
 * of entry i (default `T[i]=`; a fused kernel declares locals instead).
 */
export function jointTwistsKernelSource(
  model: KinematicModel, path: PathLinks, assign: (index: number) => string = (index) => `T[${index}]=`,
): KernelSource {
  const b = new KinematicsBuilder(model);
  const c = b.code;
  const tipColumns: JointColumn[] = [], baseColumns: JointColumn[] = [];
  c.comment('tip side: from the common ancestor C down to the tip E');
  const X_CE = b.materialize(b.walkDown(path.tipSide, 1, tipColumns));
  if (path.baseSide.length > 0) c.comment('base side: from C down to the base B');
  const X_CB = path.baseSide.length > 0 ? b.materialize(b.walkDown(path.baseSide, -1, baseColumns)) : undefined;
  c.comment('X_BE = inv(X_CB) X_CE');
  writeTransform(b, relativePose(b, X_CB, X_CE), 'X', 0);
  c.comment('joint twists in chain order: the base side from B up, then the tip side; rotated into B');
  const chain = [...baseColumns.reverse(), ...tipColumns];
  const P = chain.length;
  chain.forEach((col, p) => {
    let twist = unitTwist(b, col, X_CE).map((e) => scale(e, col.sign));
    if (X_CB) {
      const linear = b.rotateInverse(X_CB, twist.slice(0, 3).map((e) => c.materialize(e)));
      const angular = b.rotateInverse(X_CB, twist.slice(3).map((e) => c.materialize(e)));
      twist = [...linear, ...angular];
    }
    for (let r = 0; r < 6; r++) c.statement(`${assign(r * P + p)}${c.source(twist[r]!)};`);
  });
  return source('jointTwists', ['q', 'X', 'T'], b);
}

/** The kernel that writes X_WL for every link ({@link LinkPosesKernel}). */
export function linkPosesKernelSource(model: KinematicModel): KernelSource {
  const b = new KinematicsBuilder(model);
  const poses: Transform[] = [IDENTITY.map(constant)];
  b.code.comment(`link ${model.linkNames[0]}: the root`);
  writeTransform(b, poses[0]!, 'X', 0);
  for (let link = 1; link < model.linkNames.length; link++) {
    const X_WL = b.materialize(b.compose(poses[model.parent[link]!]!, b.linkPlacement(link)));
    poses.push(X_WL);
    writeTransform(b, X_WL, 'X', SE3_SIZE * link);
  }
  return source('linkPoses', ['q', 'X'], b);
}
