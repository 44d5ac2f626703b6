/**
 * Measures what the hot paths allocate, in bytes per call, and prints it as JSON. Run by
 * test/core/allocation.test.ts in a process of its own, started with
 *   --expose-gc --min-semi-space-size=64 --max-semi-space-size=64
 * so that no scavenge falls inside a measured window (64 MB of young generation, measured
 * windows allocate far less): the growth of heapUsed across a window after gc() is then exactly
 * what the window allocated.
 */
import { computeLinkPoses, computeLinkPosesInBase, computePose } from '../../src/core/forward-kinematics.js';
import { computeIkStep } from '../../src/core/ik/damped-step.js';
import { createIkWorkspace } from '../../src/core/ik/ik-workspace.js';
import { solveIk } from '../../src/core/ik/solve.js';
import { computeVelocityCommand } from '../../src/core/ik/velocity-control.js';
import { computeEndEffectorPose, computeJacobian, resolveEndEffector } from '../../src/core/jacobian.js';
import { computeHessian, computeJacobianDerivative, computeTipAcceleration } from '../../src/core/jacobian-derivative.js';
import { createSecondOrderWorkspace } from '../../src/core/second-order-workspace.js';
import { computeJointEfforts } from '../../src/core/statics.js';
import { computeTwist } from '../../src/core/velocity.js';
import { createWorkspace } from '../../src/core/workspace.js';
import { loadRobot } from '../../src/urdf/load-urdf.js';
import { readBuiltinUrdf } from './builtin-urdf.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const CALLS = 20_000;
const WINDOWS = 8;

/**
 * The fewest bytes per call over several windows, after a warm-up that lets V8 optimise. A call
 * that allocates does so in every window; V8's own work (a late tier-up on a busy machine)
 * falls in some only.
 */
function bytesPerCall(run: () => void, calls = CALLS): number {
  for (let i = 0; i < calls; i++) run();
  let fewest = Infinity;
  for (let window = 0; window < WINDOWS && fewest > 0; window++) {
    gc!();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < calls; i++) run();
    fewest = Math.min(fewest, (process.memoryUsage().heapUsed - before) / calls);
  }
  return fewest;
}

const robot = loadRobot(readBuiltinUrdf('franka_panda'));
const { model } = robot;
const ws = createWorkspace(model);
const q = Float64Array.of(0.1, -0.4, 0.3, -2.0, 0.2, 1.6, 0.7, 0.02); // the arm, then the finger
const qdot = Float64Array.of(0.1, 0.2, -0.1, 0.3, 0.1, -0.2, 0.4, 0.01);
const wrench = Float64Array.of(1, -2, 3, 0.1, 0.2, -0.3);
const poses = new Float64Array(12 * model.linkNames.length);
const J = new Float64Array(6 * model.dof);
const twist = new Float64Array(6), efforts = new Float64Array(model.dof);
const ws2 = createSecondOrderWorkspace(model), Jdot = new Float64Array(6 * model.dof), H = new Float64Array(6 * model.dof * model.dof);

const results: Record<string, number> = {};
results.fk = bytesPerCall(() => computeLinkPoses(robot, q, poses));
const hand = model.linkIndex.get('panda_hand_tcp')!, link3 = model.linkIndex.get('panda_link3')!;
const X = new Float64Array(12);
results['fk in a base'] = bytesPerCall(() => computeLinkPosesInBase(robot, ws, q, link3, poses));
results['fk of a chain'] = bytesPerCall(() => computePose(robot, q, link3, hand, X));
for (const referenceFrame of ['LOCAL_WORLD_ALIGNED', 'LOCAL', 'WORLD'] as const) {
  const ee = resolveEndEffector(robot, { tip: 'panda_hand_tcp', tipOffset: [0, 0, 0.05], referenceFrame });
  results[`jacobian ${referenceFrame}`] = bytesPerCall(() => computeJacobian(robot, ws, q, ee, J));
  results[`tip pose ${referenceFrame}`] = bytesPerCall(() => computeEndEffectorPose(robot, q, ee, X));
  results[`twist ${referenceFrame}`] = bytesPerCall(() => computeTwist(robot, ws, q, qdot, ee, twist));
  results[`efforts ${referenceFrame}`] = bytesPerCall(() => computeJointEfforts(robot, ws, q, wrench, ee, efforts));
  results[`jacobian derivative ${referenceFrame}`] = bytesPerCall(() => computeJacobianDerivative(robot, ws2, q, qdot, ee, Jdot));
  results[`hessian ${referenceFrame}`] = bytesPerCall(() => computeHessian(robot, ws2, q, ee, H));
  results[`tip acceleration ${referenceFrame}`] = bytesPerCall(() => computeTipAcceleration(robot, ws2, q, qdot, qdot, ee, twist));
}

// J̇ and the Hessian without a tip offset in LOCAL_WORLD_ALIGNED: one fused kernel each
const eeTcp = resolveEndEffector(robot, { tip: 'panda_hand_tcp' });
results['jacobian derivative fused'] = bytesPerCall(() => computeJacobianDerivative(robot, ws2, q, qdot, eeTcp, Jdot));
results['hessian fused'] = bytesPerCall(() => computeHessian(robot, ws2, q, eeTcp, H));

// IK: a target out of reach makes every solve run its whole budget; the difference between a
// long and a short solve, per step, is what the iterations allocate
const ee = resolveEndEffector(robot, { tip: 'panda_hand_tcp' });
const ik = createIkWorkspace(model);
const target = computeEndEffectorPose(robot, q, ee, new Float64Array(12));
target[9] = 10;
const seed = new Float64Array(model.dof);
const solve = (maxRestarts: number) => solveIk(robot, ik, ee, target, { seed, maxRestarts, maxIterations: 50, timeoutMs: 1e6 });
const shortSolve = bytesPerCall(() => solve(0), 300);
const longSolve = bytesPerCall(() => solve(20), 300);
const steps = solve(20).iterations - solve(0).iterations;
results['ik solve per step'] = (longSolve - shortSolve) / steps;
results['ik solve steps'] = steps;
results['ik step'] = bytesPerCall(() => computeIkStep(robot, ik, ee, q, target), 2000);

// resolved-rate control near and at the UR5e's elbow singularity, where the direction is tested
const ur5e = loadRobot(readBuiltinUrdf('ur5e'));
const ikUr5e = createIkWorkspace(ur5e.model), eeUr5e = resolveEndEffector(ur5e, { tip: 'tool0' });
const command = Float64Array.of(0.01, 0.005, -0.002, 0, 0, 0.01);
for (const [name, elbow] of [['near', 1e-3], ['at', 0]] as const) {
  const qUr5e = Float64Array.of(0, -1.2, elbow, -1, 1.57, 0);
  results[`ik velocity ${name} a singularity`] = bytesPerCall(() => computeVelocityCommand(ur5e, ikUr5e, eeUr5e, qUr5e, command), 2000);
}

console.log(JSON.stringify(results));
