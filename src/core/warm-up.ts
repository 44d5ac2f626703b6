/**
 * Warming a robot: running its hot paths before it is served, so that the first request meets
 * the same budget as the millionth.
 *
 * Each robot's kernels are functions of their own (generated per path, codegen/), and V8 runs a
 * new function in its interpreter until it has been called often enough to be optimised: on a
 * freshly compiled robot an IK solve of 5 ms could run out of time in its first few dozen calls
 * (issue 10: 4 timeouts in the first 30 solves of an uploaded FANUC arm, none after). Warming calls
 * every kernel a request of the main paths uses (FK, the pose and Jacobian of the paths from the
 * root to the tips, the DLS step, resolved-rate control, full solves to reachable targets, J̇
 * and the Hessian) enough times for V8 to optimise them. The work comes as small units, so that
 * a caller on an event loop can run them in slices and answer other requests in between.
 */
import { analyzeJacobian } from './analysis.js';
import { computeLinkPoses } from './forward-kinematics.js';
import { computeIkStep } from './ik/damped-step.js';
import { SeededRandom, randomConfiguration } from './ik/random.js';
import { solveIk } from './ik/solve.js';
import { computeVelocityCommand } from './ik/velocity-control.js';
import { computeHessian, computeJacobianDerivative } from './jacobian-derivative.js';
import { computeEndEffectorPose, computeJacobian, resolveEndEffector, type EndEffector } from './jacobian.js';
import { MAX_COMPILED_HESSIAN_JOINTS } from './kinematic-path.js';
import type { KinematicModel } from './model.js';
import type { RobotContext } from './robot-context.js';

/**
 * How many path links (root to tip, summed over tips) are compiled and warmed: a robot with
 * hundreds of tips compiles the others on first use, not all at load.
 */
export const WARMED_PATH_LINKS = 512;

/**
 * Calls per kernel, and full solves per path. V8 (Node 20) optimises a function once it has run
 * enough bytecode, and a generated kernel is large: measured in-process on freshly compiled UR5e
 * and Panda arms (TRAC-IK's protocol, 1e-5), the first ten solves averaged 8 to 10 times the
 * steady time cold, and 1.5 to 2 times after these calls (more calls did not do better, within
 * the noise); `npm run bench:ik -- --first-requests` measures it over HTTP.
 */
const KERNEL_CALLS = 200;
/**
 * Calls of a kernel that runs the reference loops (a large robot's): those functions are shared
 * by every robot that uses them, and their loops make V8 optimise them within a few calls, so
 * more calls would only hold the event loop (200 FK calls of a 999-link chain: 26 ms).
 */
const REFERENCE_CALLS = 10;

function callsFor(implementation: 'compiled' | 'reference'): number {
  return implementation === 'compiled' ? KERNEL_CALLS : REFERENCE_CALLS;
}
const WARM_SOLVES = 16;
const WARM_SOLVE_TIMEOUT_MS = 2;

/**
 * Paths of more moving joints are warmed for FK and the Jacobian only: IK on them runs in the
 * workers with budgets of their own, and a warm solve there would cost more than it saves.
 */
const MAX_WARMED_IK_JOINTS = 64;

/** The tips whose paths from the root are warmed (and so compiled at load): leaves, within WARMED_PATH_LINKS. */
export function warmedTips(model: KinematicModel): number[] {
  const tips: number[] = [];
  let budget = WARMED_PATH_LINKS;
  for (const tip of model.tipLinks) {
    const link = model.linkIndex.get(tip)!;
    budget -= model.depth[link]!;
    if (budget < 0) break;
    tips.push(link);
  }
  return tips;
}

/** One unit of warming work: a few milliseconds at most on the robots the caps allow. */
export type WarmUnit = () => void;

/**
 * Calls per unit: a call on a robot at the caps (999 joints, FK of every link or its Jacobian
 * with the loops) takes about 0.15 ms warm and up to 6 ms on its very first call, so ten calls
 * keep a unit within a few milliseconds there and cost nothing on small robots.
 */
const CALLS_PER_UNIT = 10;

/** `times` calls of `run` (given 0 to times - 1), as units of CALLS_PER_UNIT calls. */
function repeat(times: number, run: (i: number) => void): WarmUnit[] {
  const units: WarmUnit[] = [];
  for (let start = 0; start < times; start += CALLS_PER_UNIT) {
    const end = Math.min(times, start + CALLS_PER_UNIT);
    units.push(() => { for (let i = start; i < end; i++) run(i); });
  }
  return units;
}

/** The units that warm one path's kernels and the IK that runs on them. */
function pathUnits(context: RobotContext, ee: EndEffector, random: SeededRandom): WarmUnit[] {
  const { robot, kinematics, ik, secondOrder } = context;
  const { model } = robot;
  const dof = model.dof;
  // a few configurations inside the limits, and the tip poses there as reachable targets
  const configurations = Array.from({ length: 8 }, () => randomConfiguration(model, random, new Float64Array(dof)));
  const targets = configurations.map((q) => computeEndEffectorPose(robot, q, ee, new Float64Array(12)));
  const qdot = new Float64Array(dof).fill(0.1), twist = Float64Array.of(0.01, -0.01, 0.01, 0.05, 0, -0.05);
  const pick = <T>(items: T[], i: number): T => items[i % items.length]!;
  const units = [
    ...repeat(callsFor(ee.path.implementation), (i) => computeEndEffectorPose(robot, pick(configurations, i), ee, kinematics.X_BE)),
    ...repeat(callsFor(ee.path.implementation), (i) => computeJacobian(robot, kinematics, pick(configurations, i), ee, kinematics.J)),
    // the singularity analysis of jacobian requests (shared code, warm after the first robot)
    ...repeat(KERNEL_CALLS / 10, () => analyzeJacobian(kinematics.J, dof, ee.path.movingJoints)),
  ];
  const joints = ee.path.movingJoints.length;
  if (joints > MAX_WARMED_IK_JOINTS) return units;
  units.push(
    ...repeat(KERNEL_CALLS / 2, (i) => computeIkStep(robot, ik, ee, pick(configurations, i), pick(targets, i + 1))),
    ...repeat(KERNEL_CALLS / 4, (i) => computeVelocityCommand(robot, ik, ee, pick(configurations, i), twist)),
    // solves from another configuration of the set, with restarts from random seeds; one per
    // unit, each within a short budget, so that no unit holds an event loop for long
    ...Array.from({ length: WARM_SOLVES }, (_, k): WarmUnit => () => {
      solveIk(robot, ik, ee, pick(targets, k), { seed: pick(configurations, k + 3), randomSeed: k, timeoutMs: WARM_SOLVE_TIMEOUT_MS });
    }),
  );
  if (joints <= MAX_COMPILED_HESSIAN_JOINTS) {
    const H = new Float64Array(6 * dof * dof), Jdot = new Float64Array(6 * dof);
    units.push(...repeat(KERNEL_CALLS / 4, (i) => {
      computeJacobianDerivative(robot, secondOrder, pick(configurations, i), qdot, ee, Jdot);
      computeHessian(robot, secondOrder, pick(configurations, i), ee, H);
    }));
  }
  return units;
}

/**
 * The units that warm a robot: FK of every link, then the paths from the root to the tips of
 * {@link warmedTips}. Deterministic (a fixed random seed), allocation-bounded, and independent
 * of the thread it runs on.
 */
export function warmUpUnits(context: RobotContext): WarmUnit[] {
  const { robot, kinematics } = context;
  const { model } = robot;
  const random = new SeededRandom(0x5eed);
  const q = randomConfiguration(model, random, new Float64Array(model.dof));
  const units: WarmUnit[] = repeat(callsFor(robot.linkPosesImplementation), () => computeLinkPoses(robot, q, kinematics.X_WL));
  for (const tip of warmedTips(model)) {
    const ee = resolveEndEffector(robot, { tip: model.linkNames[tip]! });
    units.push(...pathUnits(context, ee, random));
  }
  return units;
}

/** Warms a robot at once (a worker thread, a test); see {@link warmUpUnits}. */
export function warmUp(context: RobotContext): void {
  for (const unit of warmUpUnits(context)) unit();
}
