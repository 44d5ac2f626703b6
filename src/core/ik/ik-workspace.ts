/**
 * The preallocated state of inverse kinematics for one model: arrays only, grouped by the job
 * that writes them. No function reads what another left here: each IK function loads what it
 * needs itself (see ik-problem.ts), so a workspace carries no hidden precondition. One workspace
 * serves one computation at a time.
 */
import { KinematicsError } from '../errors.js';
import type { KinematicModel } from '../model.js';
import { SE3_SIZE } from '../se3.js';
import { createSecondOrderWorkspace, type SecondOrderWorkspace } from '../second-order-workspace.js';
import { createWorkspace, type KinematicWorkspace } from '../workspace.js';
import { createDlsScratch, type DlsScratch } from './damped-least-squares.js';
import { SeededRandom } from './random.js';

/** The tip's pose, Jacobian and error at one configuration (see evaluatePoseError). */
export interface IkEvaluation {
  /** X_BE, the tip point's pose in the base frame. */
  readonly X_BE: Float64Array;
  /** J_BE, the 6 x dof Jacobian of the tip point, row-major, in the frame of e. */
  readonly J_BE: Float64Array;
  /** e, linear first: the pose error in base axes (J_BE then LOCAL_WORLD_ALIGNED), or a commanded twist. */
  readonly e: Float64Array;
}

/** The weights of a call: √Wx of the six task axes and Wq^(-1/2) of each joint. */
export interface IkWeights {
  readonly sqrtTask: Float64Array;
  readonly jointScale: Float64Array;
}

/** Scratch of the limit-respecting damped step (limited-step.ts) and of the singularity measures. */
export interface StepScratch {
  readonly dls: DlsScratch;
  /** 1 for the joints a step may move (moving and not pinned at a limit), 0 for the others. */
  readonly free: Uint8Array;
  /** Wq^(-1/2) of free joints, 0 for the others (the compiled kernels' input). */
  readonly activeScale: Float64Array;
  /** The step: all dof entries, zero for joints that do not move. */
  readonly dq: Float64Array;
}

/** Scratch of the singularity direction test (singularity-trend.ts). */
export interface TrendScratch {
  /** Singular vectors of σmin: task space (6) and scaled joint space (dof). */
  readonly u: Float64Array;
  readonly v: Float64Array;
  /** The undamped joint rates q̇* = Ã⁺ẽ of a command. */
  readonly qdotExact: Float64Array;
  /** A configuration near q, and the Jacobians J(q ± h q̇*) with the pose they leave. */
  readonly qProbe: Float64Array;
  readonly J_plus: Float64Array;
  readonly J_minus: Float64Array;
  readonly X_BE: Float64Array;
}

/** The configurations of the full solver (solve.ts). */
export interface SolverScratch {
  /** The target pose X_BT. */
  readonly X_BT: Float64Array;
  /** The seed, the current configuration, a trial, and the best seen. */
  readonly qSeed: Float64Array;
  readonly q: Float64Array;
  readonly qTrial: Float64Array;
  readonly qBest: Float64Array;
  /** The joint scales of the steps (the call's, with those of prismatic joints changed per step). */
  readonly jointScale: Float64Array;
  /** E after the last accepted steps, newest at (accepted - 1) mod length (the stall test). */
  readonly recentErrors: Float64Array;
  /** The restarts' generator, reseeded by each solve from its randomSeed. */
  readonly random: SeededRandom;
}

/**
 * The results of computeIkStep (q, dq), computeVelocityCommand (qdot) and solveIk (q): owned by
 * the workspace, valid until the same function runs on it again. Copy what you keep.
 */
export interface IkResults {
  readonly stepQ: Float64Array;
  readonly stepDq: Float64Array;
  readonly qdot: Float64Array;
  readonly solution: Float64Array;
}

/** The IK state of one model. */
export interface IkWorkspace {
  /** The model the arrays are sized for: the IK functions refuse a workspace of another. */
  readonly model: KinematicModel;
  /** FK and Jacobian scratch. */
  readonly kinematics: KinematicWorkspace;
  /** The current configuration's evaluation, and a copy kept while a trial step is evaluated. */
  readonly current: IkEvaluation;
  readonly saved: IkEvaluation;
  /** Scratch of the pose error: R_BT R_BEᵀ. */
  readonly R_delta: Float64Array;
  readonly weights: IkWeights;
  readonly step: StepScratch;
  readonly trend: TrendScratch;
  readonly solver: SolverScratch;
  /** Second-order scratch (the Hessian and SVDs of null-space objectives), and the null-space gradient and motion. */
  readonly secondOrder: SecondOrderWorkspace;
  readonly nullspace: { readonly gradient: Float64Array; readonly motion: Float64Array };
  /** A copy of the caller's q (which may be a result array of this workspace) and a step's start. */
  readonly qGiven: Float64Array;
  readonly qStart: Float64Array;
  readonly results: IkResults;
}

/** The number of recent errors the solver's stall test compares (see solve.ts). */
export const RECENT_ERRORS = 4;

function createEvaluation(dof: number): IkEvaluation {
  return { X_BE: new Float64Array(SE3_SIZE), J_BE: new Float64Array(6 * dof), e: new Float64Array(6) };
}

/** Allocates an IK workspace for `model`, once; the IK functions then allocate no arrays. */
export function createIkWorkspace(model: KinematicModel): IkWorkspace {
  const dof = model.dof;
  return {
    model,
    kinematics: createWorkspace(model),
    current: createEvaluation(dof),
    saved: createEvaluation(dof),
    R_delta: new Float64Array(9),
    weights: { sqrtTask: new Float64Array(6).fill(1), jointScale: new Float64Array(dof).fill(1) },
    step: { dls: createDlsScratch(dof), free: new Uint8Array(dof), activeScale: new Float64Array(dof), dq: new Float64Array(dof) },
    trend: {
      u: new Float64Array(6), v: new Float64Array(Math.max(dof, 1)), qdotExact: new Float64Array(Math.max(dof, 1)),
      qProbe: new Float64Array(dof), J_plus: new Float64Array(6 * dof), J_minus: new Float64Array(6 * dof), X_BE: new Float64Array(SE3_SIZE),
    },
    solver: {
      X_BT: new Float64Array(SE3_SIZE), qSeed: new Float64Array(dof), q: new Float64Array(dof), qTrial: new Float64Array(dof),
      qBest: new Float64Array(dof), jointScale: new Float64Array(dof), recentErrors: new Float64Array(RECENT_ERRORS), random: new SeededRandom(0),
    },
    secondOrder: createSecondOrderWorkspace(model),
    nullspace: { gradient: new Float64Array(dof), motion: new Float64Array(dof) },
    qGiven: new Float64Array(dof),
    qStart: new Float64Array(dof),
    results: { stepQ: new Float64Array(dof), stepDq: new Float64Array(dof), qdot: new Float64Array(dof), solution: new Float64Array(dof) },
  };
}

/**
 * Checks that `ik` was made for `model` (its arrays are sized for it).
 * @throws KinematicsError `INVALID_ARGUMENT` otherwise.
 */
export function assertIkWorkspaceOf(model: KinematicModel, ik: IkWorkspace): void {
  if (ik.model !== model) {
    throw new KinematicsError('INVALID_ARGUMENT',
      `the IK workspace was made for robot "${ik.model.name}", not for robot "${model.name}": make one with createIkWorkspace(robot.model)`);
  }
}
