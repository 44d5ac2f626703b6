/**
 * The uncertainty, sensitivity and calibration routes over HTTP against the real service (a
 * child process on a free port), checked against the core and against a perturbed robot.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveEndEffector } from '../../src/core/jacobian.js';
import { createSecondOrderWorkspace } from '../../src/core/second-order-workspace.js';
import { createUncertaintyWorkspace, propagateUncertainty, setJointStdDev } from '../../src/core/uncertainty.js';
import { createWorkspace } from '../../src/core/workspace.js';
import { computeEndEffectorPose } from '../../src/core/jacobian.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { measure, perturbOrigins, robotOf } from '../helpers/calibration-data.js';
import { readBuiltinUrdf } from '../helpers/paths.js';
import { builtinRobot } from '../helpers/robots.js';
import { serverForSuite } from '../helpers/server.js';
import { untilServing } from '../ops/until-serving.js';

const Q = [0, -1.2, 1.5, -1.9, -1.57, 0];

describe('uncertainty routes over HTTP', () => {
  const suite = serverForSuite('uncertainty', { LOG_LEVEL: 'warn' });
  beforeAll(async () => untilServing(suite.server.url));

  async function post(path: string, body: unknown): Promise<{ status: number; body: any; type: string }> {
    const response = await fetch(`${suite.server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: await response.json(), type: response.headers.get('content-type') ?? '' };
  }

  function expectProblem(r: { status: number; body: any; type: string }, ...fragments: string[]): void {
    expect(r.status).toBe(400);
    expect(r.type).toContain('application/problem+json');
    for (const f of fragments) expect(r.body.detail).toContain(f);
  }

  it('uncertainty answers the core\'s covariance and ellipsoids, in each method and frame', async () => {
    const robot = builtinRobot('ur5e');
    const std = [1e-3, 2e-3, 1e-3, 3e-3, 1e-3, 2e-3];
    for (const method of ['linear', 'unscented', 'secondOrder'] as const) {
      for (const referenceFrame of ['LOCAL_WORLD_ALIGNED', 'LOCAL', 'WORLD'] as const) {
        const r = await post('/robots/ur5e/uncertainty', { q: Q, jointStdDev: std, method, referenceFrame, tipOffset: [0, 0, 0.1], confidence: 0.99 });
        expect(r.status).toBe(200);
        const ws = createUncertaintyWorkspace(robot.model);
        setJointStdDev(ws, std);
        const core = propagateUncertainty(robot, ws, createWorkspace(robot.model), createSecondOrderWorkspace(robot.model), Float64Array.from(Q),
          resolveEndEffector(robot, { referenceFrame, tipOffset: [0, 0, 0.1] }), method, 0.99);
        expect(r.body.covariance.flat()).toEqual(Array.from(core.covariance));
        expect(r.body.position.ellipsoid.radii).toEqual(Array.from(core.position.radii));
        expect(r.body.orientation.stdDev).toEqual(Array.from(core.orientation.stdDev));
        expect(r.body.position.ellipsoid.confidence).toBe(0.99);
        expect(r.body.meanShift === undefined).toBe(method === 'linear');
        expect(r.body).toMatchObject({ method, referenceFrame, tip: 'tool0', rowOrder: ['vx', 'vy', 'vz', 'wx', 'wy', 'wz'] });
      }
    }
  });

  it('uncertainty refuses what is not a joint covariance, saying why', async () => {
    const n = 6, eye: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1e-6 : 0)));
    expectProblem(await post('/robots/ur5e/uncertainty', { q: Q }), 'exactly one of jointStdDev');
    expectProblem(await post('/robots/ur5e/uncertainty', { q: Q, jointStdDev: [1, 1, 1, 1, 1, 1], jointCovariance: eye }), 'not both');
    expectProblem(await post('/robots/ur5e/uncertainty', { q: Q, jointStdDev: [1, 1] }), 'jointStdDev has 2 values', '6 active joints');
    const asymmetric = eye.map((row) => [...row]); asymmetric[0]![1] = 1e-7;
    expectProblem(await post('/robots/ur5e/uncertainty', { q: Q, jointCovariance: asymmetric }), 'not symmetric');
    const indefinite = eye.map((row) => [...row]); indefinite[0]![1] = indefinite[1]![0] = 2e-6;
    expectProblem(await post('/robots/ur5e/uncertainty', { q: Q, jointCovariance: indefinite }), 'not positive semi-definite');
    expectProblem(await post('/robots/ur5e/uncertainty', { q: Q, jointCovariance: eye.slice(1) }), 'jointCovariance has 5 rows');
    expect((await post('/robots/ur5e/uncertainty', { q: Q, jointCovariance: eye, confidence: 1 })).status).toBe(400);
  });

  it('sensitivity stacks rows per configuration and names the identifiable parameters', async () => {
    const qs = [Q, [0.5, -1.0, 1.2, -1.5, -1.2, 0.4], [-0.6, -1.6, 1.9, -2.2, -1.9, -0.5], [1, -0.5, 0.7, -1, 1, 1]];
    const r = await post('/robots/ur5e/sensitivity', { qs, parameters: ['jointOffset', 'originXyz'], measure: 'position' });
    expect(r.status).toBe(200);
    const p = r.body.parameters.length;
    expect(r.body.jacobian).toHaveLength(3 * qs.length);
    expect(r.body.jacobian[0]).toHaveLength(p);
    expect(r.body.rowOrder).toEqual(['vx', 'vy', 'vz']);
    expect(r.body.parameters).toContainEqual({ joint: 'shoulder_pan_joint', kind: 'offset' });
    expect(r.body.parameters.some((x: any) => x.kind === 'roll')).toBe(false);
    expect(r.body.identifiable).toHaveLength(r.body.rank);
    expect(r.body.rank).toBeLessThan(p);
    expect(r.body.observabilityMeasure).toBe('O1');
    expect(r.body.observabilityIndex).toBeGreaterThan(0);
    expect(r.body.singularValues[r.body.rank - 1]).toBeGreaterThan(r.body.rankTolerance);
    expectProblem(await post('/robots/ur5e/sensitivity', { qs: [[1, 2]] }), 'qs[0]');
  });

  it('calibrate recovers a perturbed UR5e from poses, returns and registers the calibrated URDF', async () => {
    const urdf = readBuiltinUrdf('ur5e');
    const truth = robotOf(perturbOrigins(urdf, 1e-3, 1e-3, 9));
    const asJson = (s: ReturnType<typeof measure>[number]) => ({
      q: Array.from(s.q),
      ...(s.rotation
        ? { pose: { position: Array.from(s.position), rotation: [0, 1, 2].map((i) => Array.from(s.rotation!).slice(3 * i, 3 * i + 3)) } }
        : { position: Array.from(s.position) }),
    });
    const samples = measure(truth, {}, 30, 1, 'pose').map(asJson), holdout = measure(truth, {}, 10, 2, 'pose');
    const r = await post('/robots/ur5e/calibrate', { samples, holdout: holdout.map(asJson), saveAs: 'ur5e_calibrated' });
    expect(r.status).toBe(200);
    expect(r.body.converged).toBe(true);
    expect(r.body.residual.before.positionRms).toBeGreaterThan(1e-4);
    expect(r.body.residual.after.positionMax).toBeLessThan(1e-6);
    expect(r.body.holdout.after.positionMax).toBeLessThan(1e-6);
    expect(r.body.holdout.after.orientationMax).toBeLessThan(1e-6);
    expect(r.body.parameters.filter((x: any) => x.identifiable)).toHaveLength(r.body.rank);
    const unidentified = r.body.parameters.filter((x: any) => !x.identifiable);
    expect(unidentified.every((x: any) => x.estimate === 0 && x.stdError === undefined)).toBe(true);
    // the URDF: only origins (and limits) changed, and it reproduces the perturbed robot
    const calibrated = robotOf(r.body.urdf);
    const ee = resolveEndEffector(calibrated, {});
    for (const s of holdout) {
      const X = computeEndEffectorPose(calibrated, s.q, ee, new Float64Array(12));
      for (let a = 0; a < 3; a++) expect(Math.abs(X[9 + a]! - s.position[a]!)).toBeLessThan(1e-6);
    }
    const stripped = (text: string) => text.replace(/<origin[^>]*>/g, '').replace(/<limit[^>]*>/g, '');
    expect(stripped(r.body.urdf)).toBe(stripped(urdf));
    expect(loadUrdf(r.body.urdf).dof).toBe(6);
    expect(r.body.robot.id).toBe('ur5e_calibrated');
    const saved = await fetch(`${suite.server.url}/robots/ur5e_calibrated/urdf`);
    expect(await saved.text()).toBe(r.body.urdf);
  });

  it('calibrate refuses too few samples, a wrong q length and a sample with both pose and position', async () => {
    expectProblem(await post('/robots/ur5e/calibrate', { samples: [{ q: Q, position: [0.1, 0.2, 0.3] }] }), 'too few samples');
    expectProblem(await post('/robots/ur5e/calibrate', { samples: [{ q: [1, 2], position: [0, 0, 0] }] }), 'samples[0].q');
    const both = { q: Q, position: [0, 0, 0], pose: { position: [0, 0, 0], quaternion: [0, 0, 0, 1] } };
    expectProblem(await post('/robots/ur5e/calibrate', { samples: [both] }), 'exactly one of');
    expectProblem(await post('/robots/ur5e/calibrate', { samples: [{ q: Q, pose: { position: [0, 0, 0], quaternion: [0, 0, 0, 2] } }] }), 'samples[0].pose.quaternion');
  });
});
