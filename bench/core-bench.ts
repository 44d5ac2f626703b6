/**
 * `npm run bench`: times the kinematics core in-process and, in the same run, Orocos KDL's C++
 * solvers on the same chains (when KDL is installed) and the core's own loop-based reference
 * implementation.
 *
 *   fk           poses of all links (computeLinkPoses)
 *   fk-chain     pose of the tip in the base (computeEndEffectorPose): what KDL's
 *                ChainFkSolverPos_recursive computes
 *   jacobian     6 x dof Jacobian and tip pose (computeJacobian, LOCAL_WORLD_ALIGNED): KDL's
 *                ChainJntToJacSolver
 *   jacobianDerivative  J̇ along q̇ (computeJacobianDerivative, LOCAL_WORLD_ALIGNED): KDL's
 *                ChainJntToJacDotSolver (HYBRID)
 *   hessian      the whole dof x 6 x dof Hessian (computeHessian), beside one KDL J̇
 *   uncertainty-linear  J Σq Jᵀ and both ellipsoids from per-joint σ (propagateUncertainty,
 *                linear); its baseline is the jacobian row (goal: under 2 µs on the Panda)
 *   calibration-60  a 60-pose Levenberg–Marquardt calibration of every joint offset and origin
 *                of the 7-DoF Panda, identifiability analysis included (goal: under 50 ms)
 *
 * Flags: --json prints { results: [{ name, robot, tip, dof, nsPerOp, ... }] } (run it as
 * `npm run -s bench -- --json` for nothing but the JSON on stdout); --quick shortens the batches;
 * --only <substring> times only the rows whose name contains it (e.g. `npm run bench -- --only
 * uncertainty`), and builds KDL only when a kept row compares with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeLinkPoses } from '../src/core/forward-kinematics.js';
import { computeEndEffectorPose, computeJacobian, resolveEndEffector } from '../src/core/jacobian.js';
import { computeHessian, computeJacobianDerivative } from '../src/core/jacobian-derivative.js';
import { calibrate, type CalibrationSample } from '../src/core/calibration.js';
import { createParameterChain } from '../src/core/kinematic-parameters.js';
import { createSecondOrderWorkspace } from '../src/core/second-order-workspace.js';
import { createUncertaintyWorkspace, propagateUncertainty, setJointStdDev } from '../src/core/uncertainty.js';
import { editJoints } from '../src/urdf/urdf-edit.js';
import { SeededRandom, randomConfiguration } from '../src/core/ik/random.js';
import { createKinematicPath } from '../src/core/kinematic-path.js';
import type { KinematicModel } from '../src/core/model.js';
import { createWorkspace } from '../src/core/workspace.js';
import { loadRobot } from '../src/urdf/load-urdf.js';
import { buildKdlBaseline, type KdlTiming } from './kdl-baseline.js';
import { ROOT } from './paths.js';
import { benchFlags, timeOperation } from './timing.js';

const ROBOTS_DIR = join(ROOT, 'robots');
/** The 'tip' of the fk rows, which compute the poses of every link. */
const ALL_LINKS = '(all links)';
const CHAINS = [
  { robot: 'franka_panda', base: 'panda_link0', tip: 'panda_hand_tcp' },
  { robot: 'ur5e', base: 'base_link', tip: 'tool0' },
  { robot: 'kuka_iiwa14', base: 'base', tip: 'iiwa_link_ee' },
  { robot: 'kinova_gen3', base: 'base_link', tip: 'EndEffector_Link' },
  { robot: 'abb_irb2400', base: 'base_link', tip: 'tool0' },
];

interface Result {
  /** dof: the joints that move the tip (the chain's joints), modelDof: the length of q */
  name: string; robot: string; tip: string; dof: number; modelDof: number; nsPerOp: number; minNsPerOp: number;
  kdlNsPerOp?: number; speedupVsKdl?: number; referenceNsPerOp?: number;
}

/** 1024 configurations inside the limits (continuous joints in [-π, π]). */
function configurations(model: KinematicModel): Float64Array[] {
  const random = new SeededRandom(12345);
  return Array.from({ length: 1024 }, () => randomConfiguration(model, random, new Float64Array(model.dof)));
}

/** Poses of the robot with every joint origin moved by 1 mm and 1 mrad (alternating signs), at `qs`. */
function calibrationSamples(urdf: string, chain: { base: string; tip: string }, qs: Float64Array[]): CalibrationSample[] {
  const nominal = loadRobot(urdf);
  const edits = new Map(nominal.model.description.joints.map((j, k) => [j.name, {
    xyz: j.xyz.map((x, a) => x + ((k + a) % 2 === 0 ? 1e-3 : -1e-3)), rpy: j.rpy.map((x, a) => x + ((k + a) % 3 === 0 ? 1e-3 : -1e-3)),
  }]));
  const truth = loadRobot(editJoints(urdf, edits));
  const ee = resolveEndEffector(truth, chain);
  return qs.map((q) => {
    const X = computeEndEffectorPose(truth, q, ee, new Float64Array(12));
    return { q, position: X.subarray(9, 12), rotation: X.subarray(0, 9) };
  });
}

function main(): void {
  const flags = benchFlags();
  const batchMs = flags.quick ? 40 : 150;
  const keep = (name: string): boolean => flags.only === undefined || name.includes(flags.only);
  const KDL_ROWS = ['fk-chain', 'jacobianDerivative', 'hessian', 'jacobian'];
  const kdl = KDL_ROWS.some(keep) ? buildKdlBaseline(batchMs / 1000) : { unavailable: `not needed by --only ${flags.only}` };
  const results: Result[] = [];
  for (const chain of CHAINS) {
    const file = join(ROBOTS_DIR, `${chain.robot}.urdf`);
    const robot = loadRobot(readFileSync(file, 'utf8'));
    const { model } = robot;
    const ws = createWorkspace(model);
    const ee = resolveEndEffector(robot, { base: chain.base, tip: chain.tip });
    const qs = configurations(model);
    const poses = new Float64Array(12 * model.linkNames.length);
    const X = new Float64Array(12), J = new Float64Array(6 * model.dof);
    const reference = createKinematicPath(model, ee.path.base, ee.path.tip, 'reference');
    const kdlTiming: KdlTiming | undefined = 'run' in kdl ? kdl.run(file, chain.base, chain.tip) : undefined;
    const row = (name: string, op: (i: number) => void, kdlNs?: number, referenceOp?: (i: number) => void, chunk?: number): void => {
      if (!keep(name)) return;
      const t = timeOperation(op, { batchMs, ...(chunk ? { chunk } : {}) });
      // fk computes every link of the model: its 'tip' is all links and its dof the model's
      const allLinks = name === 'fk';
      const result: Result = {
        name, robot: chain.robot, tip: allLinks ? ALL_LINKS : chain.tip, dof: allLinks ? model.dof : ee.path.movingJoints.length,
        modelDof: model.dof, nsPerOp: t.nsPerOp, minNsPerOp: t.minNsPerOp,
      };
      if (kdlNs !== undefined) { result.kdlNsPerOp = kdlNs; result.speedupVsKdl = kdlNs / t.nsPerOp; }
      if (referenceOp) result.referenceNsPerOp = timeOperation(referenceOp, { batchMs }).nsPerOp;
      results.push(result);
    };
    row('fk', (i) => computeLinkPoses(robot, qs[i & 1023]!, poses));
    row('fk-chain', (i) => computeEndEffectorPose(robot, qs[i & 1023]!, ee, X), kdlTiming?.fkNs,
      (i) => reference.pose(qs[i & 1023]!, X));
    const ws2 = createSecondOrderWorkspace(model);
    const qdots = configurations(model).reverse(), Jdot = new Float64Array(6 * model.dof), H = new Float64Array(6 * model.dof * model.dof);
    row('jacobianDerivative', (i) => computeJacobianDerivative(robot, ws2, qs[i & 1023]!, qdots[i & 1023]!, ee, Jdot), kdlTiming?.jacobianDerivativeNs);
    row('hessian', (i) => computeHessian(robot, ws2, qs[i & 1023]!, ee, H), kdlTiming?.jacobianDerivativeNs);
    row('jacobian', (i) => computeJacobian(robot, ws, qs[i & 1023]!, ee, J), kdlTiming?.jacobianNs,
      (i) => reference.jacobian(qs[i & 1023]!, X, J));
    const uws = createUncertaintyWorkspace(model);
    setJointStdDev(uws, Array.from({ length: model.dof }, () => 1e-3));
    row('uncertainty-linear', (i) => propagateUncertainty(robot, uws, ws, ws2, qs[i & 1023]!, ee, 'linear'));
    if (chain.robot === 'franka_panda' && keep('calibration-60')) {
      const samples = calibrationSamples(readFileSync(file, 'utf8'), chain, qs.slice(0, 60));
      const parameterChain = createParameterChain(robot, ee);
      row('calibration-60', () => calibrate(parameterChain, samples), undefined, undefined, 1);
    }
  }
  if (flags.json) {
    console.log(JSON.stringify({ results, kdl: 'unavailable' in kdl ? kdl.unavailable : 'Orocos KDL 1.5.1, same run' }, null, 2));
    return;
  }
  console.log(`node ${process.version}; medians of 9 batches of about ${batchMs} ms; KDL: ${'unavailable' in kdl ? kdl.unavailable : 'measured in this run'}`);
  console.log('name                robot          tip               dof   ns/op    min   reference   KDL C++   vs KDL');
  for (const r of results) {
    console.log([
      r.name.padEnd(19), r.robot.padEnd(14), r.tip.padEnd(17), String(r.dof).padStart(3),
      r.nsPerOp.toFixed(0).padStart(7), r.minNsPerOp.toFixed(0).padStart(6),
      (r.referenceNsPerOp?.toFixed(0) ?? '-').padStart(11), (r.kdlNsPerOp?.toFixed(0) ?? '-').padStart(9),
      (r.speedupVsKdl ? `${r.speedupVsKdl.toFixed(1)}x` : '-').padStart(8),
    ].join(' '));
  }
}

main();
