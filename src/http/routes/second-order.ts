/**
 * Second-order kinematics: the Jacobian's time derivative with the bias acceleration, the
 * kinematic Hessian, and manipulability measures with their gradients.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { computeTipAcceleration } from '../../core/jacobian-derivative.js';
import type { HeavyAnswer } from '../heavy-runner.js';
import type { RobotRegistry } from '../../robots/registry.js';
import { ROW_ORDER, assertFinite, endEffectorOf, jointVectorOf, toRows } from '../robot-request.js';
import { HEAVY_PROBLEMS, KINEMATICS_PROBLEMS, RobotIdParams, problemResponses } from '../schemas/common.js';
import {
  HessianRequest, HessianResponse, JacobianDerivativeRequest, JacobianDerivativeResponse, ManipulabilityRequest, ManipulabilityResponse,
} from '../schemas/second-order.js';

export interface SecondOrderRoutesOptions {
  registry: RobotRegistry;
  /** Answers the heavy requests (Hessian, manipulability) where the cost model says (heavy-runner.ts). */
  answer: HeavyAnswer;
}

function vector3(v: Float64Array, o: number): [number, number, number] {
  return [v[o]!, v[o + 1]!, v[o + 2]!];
}

export const secondOrderRoutes: FastifyPluginAsyncTypebox<SecondOrderRoutesOptions> = async (app, { registry, answer }) => {
  const problems = problemResponses(...KINEMATICS_PROBLEMS);
  const heavyProblems = problemResponses(...HEAVY_PROBLEMS);

  app.post('/robots/:id/jacobian/derivative', {
    schema: {
      tags: ['kinematics'], summary: 'Time derivative of the Jacobian, and the bias acceleration',
      description: 'J̇ = dJ/dt along qdot in the reference frame (the same matrix as Orocos KDL\'s ChainJntToJacDotSolver in its '
        + 'HYBRID, BODYFIXED and INERTIAL representations), the bias acceleration J̇ q̇, and with qddot the acceleration J q̈ + J̇ q̇. '
        + 'From the Jacobian\'s columns by cross products (Haviland and Corke); any base, tip, tip offset; mimic joints by the chain rule.',
      params: RobotIdParams, body: JacobianDerivativeRequest, response: { 200: JacobianDerivativeResponse, ...problems },
    },
  }, async (request) => {
    const entry = registry.get(request.params.id);
    const { robot, secondOrder } = entry.context;
    const { model } = robot;
    const ee = endEffectorOf(entry, request.body);
    const q = jointVectorOf(entry, request.body.q, 'q'), qdot = jointVectorOf(entry, request.body.qdot, 'qdot');
    const qddot = request.body.qddot === undefined ? undefined : jointVectorOf(entry, request.body.qddot, 'qddot');
    const bias = computeTipAcceleration(robot, secondOrder, q, qdot, undefined, ee, new Float64Array(6));
    // computeTipAcceleration leaves J̇ (in the end effector's frame) in secondOrder.Jdot
    const Jdot = Float64Array.from(secondOrder.Jdot);
    const acceleration = qddot ? computeTipAcceleration(robot, secondOrder, q, qdot, qddot, ee, new Float64Array(6)) : undefined;
    assertFinite(Jdot, 'Jacobian derivative');
    assertFinite(bias, 'bias acceleration');
    if (acceleration) assertFinite(acceleration, 'acceleration');
    return {
      base: ee.baseName, tip: ee.tipName, referenceFrame: ee.referenceFrame, rowOrder: ROW_ORDER, joints: model.jointNames as string[],
      jacobianDerivative: toRows(Jdot, 6, model.dof),
      biasAcceleration: { linear: vector3(bias, 0), angular: vector3(bias, 3) },
      ...(acceleration ? { acceleration: { linear: vector3(acceleration, 0), angular: vector3(acceleration, 3) } } : {}),
    };
  });

  app.post('/robots/:id/hessian', {
    schema: {
      tags: ['kinematics'], summary: 'Kinematic Hessian',
      description: 'hessian[k][r][c] = ∂J[r][c]/∂q_k of the Jacobian in the reference frame, so that J̇ = Σ_k hessian[k] q̇_k: in '
        + 'LOCAL_WORLD_ALIGNED the slices are cross products of the Jacobian\'s columns (the linear part symmetric in k and c).',
      params: RobotIdParams, body: HessianRequest, response: { 200: HessianResponse, ...heavyProblems },
    },
  }, async (request, reply) => answer('hessian', registry.get(request.params.id), request.body, reply));

  app.post('/robots/:id/manipulability', {
    schema: {
      tags: ['kinematics'], summary: 'A manipulability measure and its gradient',
      description: 'Yoshikawa\'s measure (default), σmin, the inverse condition number or log det of the Jacobian\'s rows (all, translation '
        + 'or rotation) over the joints that move the tip, and its exact gradient ∂value/∂q from the Hessian, for null-space and '
        + 'trajectory optimisation. At a singularity the measures are not differentiable (differentiable: false).',
      params: RobotIdParams, body: ManipulabilityRequest, response: { 200: ManipulabilityResponse, ...heavyProblems },
    },
  }, async (request, reply) => answer('manipulability', registry.get(request.params.id), request.body, reply));
};
