/**
 * The damped least-squares step of ik/damped-least-squares.ts, generated as straight-line code for
 * one set of moving joints. V8 runs the small nested loops of a 6 x 7 Gram matrix and Cholesky
 * factorisation about ten times slower than the same arithmetic written out (their variable
 * bounds and index arithmetic defeat its optimisations), and IK runs them at every iteration.
 *
 * The shape is fixed per path: the moving joints' columns and all six task rows. Joints taken out
 * of a step (pinned at a limit) are zero columns, and axes with zero task weight zero rows; each
 * gets a 1 on the diagonal of the Gram matrix it would otherwise make singular, which decouples
 * it with a zero solution. The emitted text holds only indices and names made here.
 */
import { compileKernel, type KernelSource } from './compile.js';
import { CodeBuilder } from './expression.js';

/**
 * Writes into dq (all dof entries; zero for joints not in `columns` or with activeScale 0) the
 * step for Jacobian J (6 x dof), error e, task weight roots sqrtW (6), per-joint scale (Wq^(-1/2),
 * or 0 to take the joint out) and damping λ². Returns false when the system is not positive definite.
 */
export type DlsKernel = (
  J: Float64Array, e: Float64Array, sqrtW: Float64Array, activeScale: Float64Array, lambda2: number, dq: Float64Array,
) => boolean;

const ROWS = 6;

/** Statements of an unrolled Cholesky solve of the k x k matrix g{i}_{j} (lower half used) for x{i} := rhs. */
function choleskyStatements(k: number, matrix: (i: number, j: number) => string, rhs: (i: number) => string, out: string): string[] {
  const lines: string[] = [];
  const L = (i: number, j: number): string => `l${i}_${j}`;
  for (let j = 0; j < k; j++) {
    const diagonal = [matrix(j, j), ...Array.from({ length: j }, (_, p) => `-${L(j, p)}*${L(j, p)}`)].join('');
    lines.push(`let d${j}=${diagonal};`, `if(!(d${j}>0))return false;`, `const ${L(j, j)}=Math.sqrt(d${j}),i${j}=1/${L(j, j)};`);
    for (let i = j + 1; i < k; i++) {
      const sum = [matrix(i, j), ...Array.from({ length: j }, (_, p) => `-${L(i, p)}*${L(j, p)}`)].join('');
      lines.push(`const ${L(i, j)}=(${sum})*i${j};`);
    }
  }
  for (let i = 0; i < k; i++) {
    const sum = [rhs(i), ...Array.from({ length: i }, (_, p) => `-${L(i, p)}*y${p}`)].join('');
    lines.push(`const y${i}=(${sum})*i${i};`);
  }
  for (let i = k - 1; i >= 0; i--) {
    const sum = [`y${i}`, ...Array.from({ length: k - 1 - i }, (_, p) => `-${L(i + 1 + p, i)}*${out}${i + 1 + p}`)].join('');
    lines.push(`const ${out}${i}=(${sum})*i${i};`);
  }
  return lines;
}

/**
 * Which system a kernel solves: primal (ÃᵀÃ + λ²I) u = Ãᵀẽ, n x n; dual (ÃÃᵀ + λ²I) y = ẽ,
 * 6 x 6. The caller picks the one of the smaller rank (active joints vs weighted axes), so that the
 * system stays positive definite with λ = 0 whenever Ã has full rank.
 */
export type DlsForm = 'primal' | 'dual';

/** The variable holding entry (i, j) of the symmetric Gram matrix: one name for (i, j) and (j, i). */
function gramEntry(i: number, j: number): string {
  return i >= j ? `g${i}_${j}` : `g${j}_${i}`;
}

/** The kernel for the moving joints `columns` of a robot with `dof` joints. */
export function dlsKernelSource(dof: number, columns: ArrayLike<number>, form: DlsForm): KernelSource {
  const code = new CodeBuilder();
  code.comment(`${form} system of the joints q${Array.from(columns).join(', q')} against the six task rows`);
  for (const line of dlsStatements(dof, columns, form)) code.statement(line);
  return { name: `dls${form === 'primal' ? 'Primal' : 'Dual'}`, params: ['J', 'e', 'sqrtW', 'activeScale', 'lambda2', 'dq'], body: code.body() };
}

function dlsStatements(dof: number, columns: ArrayLike<number>, form: DlsForm): string[] {
  const n = columns.length;
  const lines: string[] = [];
  for (let k = 0; k < dof; k++) lines.push(`dq[${k}]=0;`);
  if (n === 0) return [...lines, 'return true;'];
  for (let j = 0; j < n; j++) lines.push(`const s${j}=activeScale[${columns[j]}];`);
  for (let r = 0; r < ROWS; r++) {
    lines.push(`const w${r}=sqrtW[${r}],b${r}=w${r}*e[${r}];`);
    for (let j = 0; j < n; j++) lines.push(`const a${r}_${j}=w${r}*J[${r * dof + columns[j]!}]*s${j};`);
  }
  if (form === 'primal') {
    // primal: (ÃᵀÃ + λ²I + pinned) u = Ãᵀẽ
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const sum = Array.from({ length: ROWS }, (_, r) => `a${r}_${i}*a${r}_${j}`).join('+');
        lines.push(`const ${gramEntry(i, j)}=${sum}${i === j ? `+lambda2+(s${i}===0?1:0)` : ''};`);
      }
      lines.push(`const r${i}=${Array.from({ length: ROWS }, (_, r) => `a${r}_${i}*b${r}`).join('+')};`);
    }
    lines.push(...choleskyStatements(n, gramEntry, (i) => `r${i}`, 'u'));
    for (let j = 0; j < n; j++) lines.push(`dq[${columns[j]}]=u${j}*s${j};`);
  } else {
    // dual: (ÃÃᵀ + λ²I + weightless rows) y = ẽ, u = Ãᵀ y
    for (let i = 0; i < ROWS; i++) {
      for (let j = 0; j <= i; j++) {
        const sum = Array.from({ length: n }, (_, c) => `a${i}_${c}*a${j}_${c}`).join('+');
        lines.push(`const ${gramEntry(i, j)}=${sum}${i === j ? `+lambda2+(w${i}===0?1:0)` : ''};`);
      }
    }
    lines.push(...choleskyStatements(ROWS, gramEntry, (i) => `b${i}`, 'z'));
    for (let j = 0; j < n; j++) {
      lines.push(`dq[${columns[j]}]=(${Array.from({ length: ROWS }, (_, r) => `a${r}_${j}*z${r}`).join('+')})*s${j};`);
    }
  }
  lines.push('return true;');
  return lines;
}

export interface DlsKernels {
  primal: DlsKernel;
  dual: DlsKernel;
}

/**
 * Paths with more moving joints than this solve with the loops of damped-least-squares.ts: the
 * primal kernel's unrolled Cholesky grows with the cube of the joint count (seconds to compile
 * beyond a hundred joints), and no arm of that size needs the last nanoseconds.
 */
export const MAX_COMPILED_JOINTS = 16;

/** Compiles both kernels; undefined where code generation is not allowed or the path is too long. */
export function compileDlsKernels(dof: number, columns: ArrayLike<number>): DlsKernels | undefined {
  if (columns.length > MAX_COMPILED_JOINTS) return undefined;
  const primal = compileKernel<DlsKernel>(dlsKernelSource(dof, columns, 'primal'));
  const dual = compileKernel<DlsKernel>(dlsKernelSource(dof, columns, 'dual'));
  return primal && dual ? { primal, dual } : undefined;
}
