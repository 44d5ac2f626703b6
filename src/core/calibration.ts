/**
 * Kinematic calibration: the parameters of kinematic-parameters.ts estimated from measured tip
 * poses or positions at known joint readings, by Levenberg–Marquardt over the identifiable ones.
 *
 * A sample's residual is r = [p_meas - p(θ); log(R_meas R(θ)ᵀ)] (base axes; 3 rows for a
 * position), and the identification Jacobian A is its model's derivative, so the Gauss–Newton
 * step solves AᵀA δ = Aᵀ r (exact for the position rows; for the orientation rows A is the
 * derivative of log at the identity, exact as the residual goes to 0). Marquardt's damping
 * (AᵀA + λ diag(AᵀA)) δ = Aᵀ r makes the step independent of the parameters' units; λ falls
 * tenfold after a step that lowers ½|r|² and rises tenfold after one that does not.
 *
 * Only the parameters that the samples can determine are estimated (sensitivity.ts, chosen at the
 * nominal robot, and chosen again at the estimate, where a direction degenerate at the nominal
 * robot may have opened up: a tip on a joint's axis); the others stay at 0 and are reported as
 * not identifiable. Position and
 * orientation rows are weighted alike (1 m per rad).
 *
 * Standard errors: with the residual variances σ̂²_pos and σ̂²_ori estimated per group from the
 * final residuals (each group's squares over its share of the degrees of freedom m - r), the
 * covariance of the least-squares estimate is the sandwich N⁻¹ (Aᵀ S A) N⁻¹ with N = AᵀA and S
 * the diagonal of the rows' variances, which is σ̂² N⁻¹ when the two groups' variances agree.
 */
import { KinematicsError } from './errors.js';
import { choleskyFactor, choleskySolve, choleskySubstitute } from './ik/small-matrix.js';
import { evaluatePreparedParameterChain, prepareParameterChain, type ParameterChain } from './kinematic-parameters.js';
import { rpyFromRotation } from './rpy.js';
import { JointCode } from './model.js';
import { identifiableSubset, type IdentifiabilityAnalysis } from './sensitivity.js';
import { SE3_SIZE, rotationLog, setFromXyzRpy } from './se3.js';

/** A measurement: joint readings and the tip point's position, and with `rotation` the tip frame's orientation (row-major 3 x 3), in the base frame. */
export interface CalibrationSample {
  readonly q: Float64Array;
  readonly position: ArrayLike<number>;
  readonly rotation?: ArrayLike<number>;
}

/** Residuals over samples: RMS and largest of |δp| (m) and, for samples with orientation, |δθ| (rad). */
export interface ResidualSummary {
  readonly positionRms: number;
  readonly positionMax: number;
  readonly orientationRms?: number;
  readonly orientationMax?: number;
}

export interface CalibrationOptions {
  /** Most Levenberg–Marquardt iterations; default 100. */
  maxIterations?: number;
}

export interface CalibrationResult {
  readonly converged: boolean;
  readonly iterations: number;
  /** One value per chain parameter; 0 for those not identifiable. */
  readonly estimates: Float64Array;
  readonly identifiable: readonly boolean[];
  /** Standard errors; NaN for parameters not identifiable. */
  readonly stdErrors: Float64Array;
  readonly residual: { readonly before: ResidualSummary; readonly after: ResidualSummary };
  readonly holdout?: { readonly before: ResidualSummary; readonly after: ResidualSummary };
  /** The identifiability of the parameters over the samples, where the estimated subset was chosen. */
  readonly analysis: IdentifiabilityAnalysis;
}

const DEFAULT_MAX_ITERATIONS = 100;
const INITIAL_DAMPING = 1e-3;
const MIN_DAMPING = 1e-12;
/** Beyond this damping no step lowers the cost: the estimate is at a minimum to rounding. */
const MAX_DAMPING = 1e12;
/**
 * Converged when a step changes the fit (|A δ| per column, max) by less than this fraction of the
 * RMS residual, or by less than STEP_ABSOLUTE_TOLERANCE (m or rad): far below any measurement.
 */
const STEP_RELATIVE_TOLERANCE = 1e-9;
const STEP_ABSOLUTE_TOLERANCE = 1e-15;
/** The part of the largest diagonal entry that the damping adds to every diagonal entry. */
const DIAGONAL_FLOOR = 1e-9;

function rowsOfSample(s: CalibrationSample): number {
  return s.rotation ? 6 : 3;
}

/**
 * The residual r = measured - model of sample `s` into res[row..] (and its A rows into `block`
 * when given), after prepareParameterChain(chain, θ).
 */
function residualOf(
  chain: ParameterChain, s: CalibrationSample, theta: Float64Array, res: Float64Array, row: number,
  block: Float64Array | undefined, X: Float64Array, D: Float64Array,
): void {
  evaluatePreparedParameterChain(chain, s.q, theta, X, block);
  for (let a = 0; a < 3; a++) res[row + a] = s.position[a]! - X[9 + a]!;
  if (s.rotation) {
    const R = s.rotation;
    // R_meas R_modelᵀ
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) D[3 * i + j] = R[3 * i]! * X[3 * j]! + R[3 * i + 1]! * X[3 * j + 1]! + R[3 * i + 2]! * X[3 * j + 2]!;
    }
    rotationLog(res, row + 3, D, 0);
  }
}

/** Residuals r = measured - model of every sample at θ into `res` (and A rows when given); returns ½|r|². */
function evaluate(
  chain: ParameterChain, samples: readonly CalibrationSample[], theta: Float64Array, res: Float64Array,
  A: Float64Array | undefined, block: Float64Array, X: Float64Array, D: Float64Array,
): number {
  const p = chain.parameters.length;
  let row = 0, cost = 0;
  // the origins depend on θ only: once for all samples
  prepareParameterChain(chain, theta);
  for (const s of samples) {
    residualOf(chain, s, theta, res, row, A ? block : undefined, X, D);
    const rows = rowsOfSample(s);
    if (A) A.set(block.subarray(0, rows * p), row * p);
    for (let a = 0; a < rows; a++) cost += res[row + a]! ** 2;
    row += rows;
  }
  return cost / 2;
}

/** RMS and largest residual norms of `samples` at θ. */
export function summarizeResiduals(chain: ParameterChain, samples: readonly CalibrationSample[], theta: Float64Array): ResidualSummary {
  const res = new Float64Array(6), X = new Float64Array(SE3_SIZE), D = new Float64Array(SE3_SIZE);
  let p2 = 0, pMax = 0, o2 = 0, oMax = 0, oriented = 0;
  prepareParameterChain(chain, theta);
  for (const s of samples) {
    residualOf(chain, s, theta, res, 0, undefined, X, D);
    const dp = Math.hypot(res[0]!, res[1]!, res[2]!);
    p2 += dp * dp; pMax = Math.max(pMax, dp);
    if (s.rotation) {
      const dt = Math.hypot(res[3]!, res[4]!, res[5]!);
      o2 += dt * dt; oMax = Math.max(oMax, dt); oriented++;
    }
  }
  const n = Math.max(samples.length, 1);
  return {
    positionRms: Math.sqrt(p2 / n), positionMax: pMax,
    ...(oriented > 0 ? { orientationRms: Math.sqrt(o2 / oriented), orientationMax: oMax } : {}),
  };
}

/**
 * Estimates the chain's parameters from `samples`, and judges the estimate on `holdout` too.
 * @throws KinematicsError `INVALID_ARGUMENT` when the samples hold no more values than there are
 *   parameters; `INVALID_VALUE` for a non-finite measurement.
 */
export function calibrate(
  chain: ParameterChain, samples: readonly CalibrationSample[], holdout: readonly CalibrationSample[] | undefined = undefined,
  options: CalibrationOptions = {},
): CalibrationResult {
  const p = chain.parameters.length;
  const m = samples.reduce((sum, s) => sum + rowsOfSample(s), 0);
  if (m <= p) {
    const allPoses = samples.every((s) => s.rotation), per = allPoses && samples.length > 0 ? 6 : 3;
    throw new KinematicsError('INVALID_ARGUMENT',
      `too few samples for the parameters asked: ${samples.length} samples give ${m} measured values (6 per pose, 3 per position), `
      + `and estimating ${p} parameters needs more values than parameters; give at least ${Math.floor(p / per) + 1} ${per === 6 ? 'poses' : 'positions'}, `
      + 'or ask for fewer parameters (e.g. parameters: ["jointOffset"])');
  }
  for (const [list, name] of [[samples, 'samples'], [holdout ?? [], 'holdout']] as const) {
    list.forEach((s, i) => {
      for (const [values, what] of [[s.position, 'position'], [s.rotation ?? [], 'orientation']] as const) {
        for (let a = 0; a < values.length; a++) {
          if (!Number.isFinite(values[a])) throw new KinematicsError('INVALID_VALUE', `${name}[${i}].${what} has a value that is not a finite number`);
        }
      }
    });
  }
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const work: Work = {
    chain, samples, m, p, res: new Float64Array(m), trialRes: new Float64Array(m), A: new Float64Array(m * p),
    block: new Float64Array(6 * p), X: new Float64Array(SE3_SIZE), D: new Float64Array(SE3_SIZE),
  };
  // the nominal robot's residuals and A, where both fits start
  const cost0 = evaluate(chain, samples, new Float64Array(p), work.res, work.A, work.block, work.X, work.D);
  const nominal: Start = { cost: cost0, res: Float64Array.from(work.res), A: Float64Array.from(work.A) };
  // the subsets are chosen without singular values; the analysis reported computes them (once)
  let chosen = identifiableSubset(work.A, m, p, samples.length);
  let S = chosen.identifiable;
  let fit = solve(work, S, maxIterations, nominal);
  // the subset is chosen at the nominal robot; a direction that is degenerate there (a tip on a
  // joint's axis) can open up at the estimate: choose again there, and if the choice differs fit
  // that subset from the nominal robot, keeping it if it fits better. solve leaves work.res and
  // work.A at its estimate.
  const atEstimate = identifiableSubset(work.A, m, p, samples.length), S1 = atEstimate.identifiable;
  if (S1.length !== S.length || S1.some((x, i) => x !== S[i])) {
    const refit = solve(work, S1, maxIterations, nominal);
    if (refit.cost < fit.cost) {
      fit = refit; S = S1; chosen = atEstimate;
    } else {
      // back to the kept fit's residuals and A
      evaluate(chain, samples, fit.theta, work.res, work.A, work.block, work.X, work.D);
    }
  }
  const analysis = chosen.analysis();
  const { theta, converged } = fit;
  const iterations = fit.iterations;
  const A = work.A, res = work.res;
  const stdErrors = standardErrors(samples, A, res, m, p, S);
  return {
    converged, iterations, estimates: theta,
    identifiable: chain.parameters.map((_, i) => S.includes(i)), stdErrors,
    residual: { before: summarizeResiduals(chain, samples, new Float64Array(p)), after: summarizeResiduals(chain, samples, theta) },
    ...(holdout && holdout.length > 0
      ? { holdout: { before: summarizeResiduals(chain, holdout, new Float64Array(p)), after: summarizeResiduals(chain, holdout, theta) } }
      : {}),
    analysis,
  };
}

interface Work {
  readonly chain: ParameterChain;
  readonly samples: readonly CalibrationSample[];
  readonly m: number;
  readonly p: number;
  readonly res: Float64Array;
  readonly trialRes: Float64Array;
  readonly A: Float64Array;
  readonly block: Float64Array;
  readonly X: Float64Array;
  readonly D: Float64Array;
}

/** What evaluate gives at the nominal robot (θ = 0). */
interface Start { readonly cost: number; readonly res: Float64Array; readonly A: Float64Array }

/**
 * Levenberg–Marquardt from the nominal robot (its residuals and A in `start`) over the parameters
 * S (the others stay 0); leaves w.res and w.A at the estimate. The damping adds λ (diag(N) + ε max
 * diag(N)) so that a column that is 0 at the start (it opens up as the others move) does not make
 * the system singular.
 */
function solve(
  w: Work, S: readonly number[], maxIterations: number, start: Start,
): { theta: Float64Array; cost: number; iterations: number; converged: boolean } {
  const { chain, samples, m, p, res, trialRes, A, block, X, D } = w;
  const r = S.length;
  const theta = new Float64Array(p), trial = new Float64Array(p);
  res.set(start.res); A.set(start.A);
  let cost = start.cost;
  const N = new Float64Array(r * r), M = new Float64Array(r * r), g = new Float64Array(r), step = new Float64Array(r);
  const AS = new Float64Array(m * r);
  let lambda = INITIAL_DAMPING, iterations = 0, converged = r === 0;
  while (!converged && iterations < maxIterations) {
    iterations++;
    // N = A_Sᵀ A_S, g = A_Sᵀ r, over the columns S (gathered into A_S, m x r, row-major)
    gatherColumns(A, m, p, S, AS);
    N.fill(0); g.fill(0);
    for (let row = 0; row < m; row++) {
      const o = row * r, e = res[row]!;
      for (let i = 0; i < r; i++) {
        const ai = AS[o + i]!;
        if (ai === 0) continue;
        g[i] = g[i]! + ai * e;
        for (let j = i, ni = i * r; j < r; j++) N[ni + j] = N[ni + j]! + ai * AS[o + j]!;
      }
    }
    let top = 0;
    for (let i = 0; i < r; i++) { for (let j = 0; j < i; j++) N[i * r + j] = N[j * r + i]!; top = Math.max(top, N[i * r + i]!); }
    let accepted = false;
    while (!accepted) {
      M.set(N);
      for (let i = 0; i < r; i++) M[i * r + i] = N[i * r + i]! + lambda * (N[i * r + i]! + DIAGONAL_FLOOR * top);
      step.set(g);
      if (choleskySolve(M, step, r)) {
        trial.set(theta);
        for (let i = 0; i < r; i++) trial[S[i]!] = trial[S[i]!]! + step[i]!;
        const trialCost = evaluate(chain, samples, trial, trialRes, undefined, block, X, D);
        if (trialCost < cost) {
          accepted = true;
          let change = 0;
          for (let i = 0; i < r; i++) change = Math.max(change, Math.abs(step[i]!) * Math.sqrt(N[i * r + i]!));
          const rms = Math.sqrt((2 * cost) / m);
          theta.set(trial);
          cost = evaluate(chain, samples, theta, res, A, block, X, D);
          lambda = Math.max(lambda / 10, MIN_DAMPING);
          if (change <= STEP_RELATIVE_TOLERANCE * rms || change <= STEP_ABSOLUTE_TOLERANCE) converged = true;
          continue;
        }
      }
      lambda *= 10;
      if (lambda > MAX_DAMPING) { converged = true; break; }
    }
  }
  return { theta, cost, iterations, converged };
}

/** AS (m x |S|, row-major) = the columns S of A (m x p, row-major). */
function gatherColumns(A: Float64Array, m: number, p: number, S: readonly number[], AS: Float64Array): void {
  const r = S.length;
  for (let row = 0; row < m; row++) for (let i = 0; i < r; i++) AS[row * r + i] = A[row * p + S[i]!]!;
}

/** The sandwich standard errors of the module comment, at the final residuals and Jacobian. */
function standardErrors(
  samples: readonly CalibrationSample[], A: Float64Array, res: Float64Array, m: number, p: number, S: readonly number[],
): Float64Array {
  const r = S.length, out = new Float64Array(p).fill(NaN);
  if (r === 0) return out;
  // which rows are orientation rows, and each group's variance
  const isOrientation = new Uint8Array(m);
  let row = 0, ssPos = 0, ssOri = 0, mPos = 0, mOri = 0;
  for (const s of samples) {
    for (let a = 0; a < (s.rotation ? 6 : 3); a++, row++) {
      isOrientation[row] = a >= 3 ? 1 : 0;
      if (a >= 3) { ssOri += res[row]! ** 2; mOri++; } else { ssPos += res[row]! ** 2; mPos++; }
    }
  }
  const dof = m - r;
  const varPos = mPos > 0 ? ssPos / (dof * (mPos / m)) : 0, varOri = mOri > 0 ? ssOri / (dof * (mOri / m)) : 0;
  const N = new Float64Array(r * r), B = new Float64Array(r * r), AS = new Float64Array(m * r);
  gatherColumns(A, m, p, S, AS);
  for (let k = 0; k < m; k++) {
    const o = k * r, v = isOrientation[k] ? varOri : varPos;
    for (let i = 0; i < r; i++) {
      const ai = AS[o + i]!;
      if (ai === 0) continue;
      for (let j = 0, ni = i * r; j < r; j++) {
        const aj = AS[o + j]!;
        N[ni + j] = N[ni + j]! + ai * aj;
        B[ni + j] = B[ni + j]! + v * ai * aj;
      }
    }
  }
  // N⁻¹ column by column, from one factorisation
  const inverse = new Float64Array(r * r), L = Float64Array.from(N), e = new Float64Array(r);
  if (!choleskyFactor(L, r)) return out;
  for (let c = 0; c < r; c++) {
    e.fill(0); e[c] = 1;
    choleskySubstitute(L, e, r);
    for (let i = 0; i < r; i++) inverse[i * r + c] = e[i]!;
  }
  // diag(N⁻¹ B N⁻¹)
  for (let i = 0; i < r; i++) {
    let sum = 0;
    for (let a = 0; a < r; a++) {
      const nia = inverse[i * r + a]!;
      for (let b = 0; b < r; b++) sum += nia * B[a * r + b]! * inverse[b * r + i]!;
    }
    out[S[i]!] = Math.sqrt(Math.max(sum, 0));
  }
  return out;
}

/** A joint's new origin and the shift of its position limits (lower and upper minus `limitShift`). */
export interface JointEdit {
  readonly xyz?: [number, number, number];
  readonly rpy?: [number, number, number];
  readonly limitShift?: number;
}

/**
 * The joints of the robot with `estimates` applied: each changed origin's xyz + δ and rpy + δ,
 * and each joint offset δ of an active joint folded into the origin of every joint it drives
 * (its own and its mimics', θ = m (q + δ) + c): X_PJ' = X_PJ Rot(a, m δ) for a revolute joint,
 * X_PJ Trans(m δ a) for a prismatic one, with the limits, which bound θ, shifted by -m δ in the
 * new reading. Joints without a change are absent.
 */
export function calibratedJoints(chain: ParameterChain, estimates: Float64Array): Map<string, JointEdit> {
  const model = chain.robot.model, { parameters } = chain;
  const origin = new Map<number, { xyz: [number, number, number]; rpy: [number, number, number]; changed: boolean }>();
  const originOf = (link: number) => {
    let o = origin.get(link);
    if (!o) {
      const j = model.description.joints.find((d) => d.name === model.jointNameOfLink[link])!;
      o = { xyz: [...j.xyz], rpy: [...j.rpy], changed: false };
      origin.set(link, o);
    }
    return o;
  };
  const offsets = new Map<number, number>();
  const AXIS_OF = { x: 0, y: 1, z: 2, roll: 0, pitch: 1, yaw: 2 } as const;
  parameters.forEach((param, i) => {
    const delta = estimates[i]!;
    if (delta === 0 || !Number.isFinite(delta)) return;
    if (param.kind === 'offset') { offsets.set(param.qIndex, delta); return; }
    const o = originOf(param.link);
    const field = param.kind === 'x' || param.kind === 'y' || param.kind === 'z' ? o.xyz : o.rpy;
    const axis = AXIS_OF[param.kind];
    field[axis] = field[axis] + delta;
    o.changed = true;
  });
  const edits = new Map<string, JointEdit>();
  const limitShift = new Map<number, number>();
  const X = new Float64Array(SE3_SIZE);
  for (let link = 1; link < model.linkNames.length; link++) {
    const k = model.qIndex[link]!;
    const delta = k >= 0 ? offsets.get(k) : undefined;
    if (delta === undefined) continue;
    const o = originOf(link), md = model.qMultiplier[link]! * delta;
    const a0 = model.axis[3 * link]!, a1 = model.axis[3 * link + 1]!, a2 = model.axis[3 * link + 2]!;
    setFromXyzRpy(X, 0, o.xyz, o.rpy);
    if (model.jointCode[link] === JointCode.PRISMATIC) {
      for (let r = 0; r < 3; r++) o.xyz[r] = o.xyz[r]! + md * (X[3 * r]! * a0 + X[3 * r + 1]! * a1 + X[3 * r + 2]! * a2);
    } else {
      // R' = R Rot(a, mδ) by Rodrigues
      const s = Math.sin(md), t = 1 - Math.cos(md);
      const Ra = [
        1 - t * (a1 * a1 + a2 * a2), -s * a2 + t * a0 * a1, s * a1 + t * a0 * a2,
        s * a2 + t * a0 * a1, 1 - t * (a0 * a0 + a2 * a2), -s * a0 + t * a1 * a2,
        -s * a1 + t * a0 * a2, s * a0 + t * a1 * a2, 1 - t * (a0 * a0 + a1 * a1),
      ];
      const R = new Float64Array(9);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) R[3 * i + j] = X[3 * i]! * Ra[j]! + X[3 * i + 1]! * Ra[3 + j]! + X[3 * i + 2]! * Ra[6 + j]!;
      rpyFromRotation(o.rpy, 0, R);
    }
    o.changed = true;
    if (model.jointCode[link] !== JointCode.CONTINUOUS) limitShift.set(link, md);
  }
  for (const [link, o] of origin) {
    if (!o.changed) continue;
    const shift = limitShift.get(link);
    edits.set(model.jointNameOfLink[link]!, { xyz: o.xyz, rpy: o.rpy, ...(shift !== undefined ? { limitShift: shift } : {}) });
  }
  return edits;
}
