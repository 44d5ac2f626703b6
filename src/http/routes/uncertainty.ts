/**
 * Uncertainty and sensitivity: joint covariance propagated to the tip, the identification
 * Jacobian of the kinematic parameters, and calibration from measured poses or positions. The
 * computations are heavy-requests.ts's, run where the cost model says (heavy-runner.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppConfig } from '../../config.js';
import type { RobotRegistry } from '../../robots/registry.js';
import { requireAdmin } from '../access-control.js';
import type { calibrationAnswer } from '../heavy-requests.js';
import type { HeavyAnswer } from '../heavy-runner.js';
import { HEAVY_PROBLEMS, RobotIdParams, problemResponses } from '../schemas/common.js';
import {
  CalibrateResponse, SensitivityResponse, UncertaintyRequest, UncertaintyResponse, calibrateRequest, sensitivityRequest,
} from '../schemas/uncertainty.js';

export interface UncertaintyRoutesOptions {
  registry: RobotRegistry;
  config: AppConfig;
  answer: HeavyAnswer;
}

export const uncertaintyRoutes: FastifyPluginAsyncTypebox<UncertaintyRoutesOptions> = async (app, { registry, config, answer }) => {
  const problems = problemResponses(...HEAVY_PROBLEMS);
  const admin = requireAdmin(config.adminToken, config.host);

  app.post('/robots/:id/uncertainty', {
    schema: {
      tags: ['uncertainty'], summary: 'Tip pose uncertainty from joint uncertainty',
      description: 'Propagates a joint covariance (per-joint standard deviations or a full positive semi-definite matrix) to the covariance of the '
        + 'tip\'s pose error in the reference frame: linear (J Σq Jᵀ), unscented (sigma points through the forward kinematics) or secondOrder '
        + '(adds the Hessian\'s mean shift), with the position and orientation ellipsoids at the confidence (exact χ² quantile, 3 degrees of freedom).',
      params: RobotIdParams, body: UncertaintyRequest, response: { 200: UncertaintyResponse, ...problems },
    },
  }, async (request, reply) => answer('uncertainty', registry.get(request.params.id), request.body, reply));

  app.post('/robots/:id/sensitivity', {
    schema: {
      tags: ['uncertainty'], summary: 'Identification Jacobian of the kinematic parameters',
      description: 'The derivative of the tip pose (or position) with respect to joint offsets and joint origins on the way from base to tip, stacked '
        + 'over the configurations, with its singular values, rank, the O1 observability index and a largest identifiable subset (QR with column pivoting).',
      params: RobotIdParams, body: sensitivityRequest(config.maxBatch), response: { 200: SensitivityResponse, ...problems },
    },
  }, async (request, reply) => answer('sensitivity', registry.get(request.params.id), request.body, reply));

  app.post('/robots/:id/calibrate', {
    schema: {
      tags: ['uncertainty'], summary: 'Calibrate the kinematic parameters from measurements',
      description: 'Estimates the identifiable joint offsets and origin errors from measured tip poses or positions at known joint readings '
        + '(Levenberg–Marquardt), with standard errors and residuals before and after (and on held-out samples), and returns the robot\'s URDF '
        + 'with the estimates applied. With saveAs the result is also registered (the access rules of POST /robots: Authorization: Bearer <ADMIN_TOKEN> '
        + 'when one is configured).',
      params: RobotIdParams, body: calibrateRequest(config.maxBatch),
      response: { 200: CalibrateResponse, ...problemResponses(...HEAVY_PROBLEMS, 401, 403, 409) },
    },
  }, async (request, reply) => {
    const body = request.body;
    if (body.saveAs !== undefined) await admin(request);
    const entry = registry.get(request.params.id);
    if (body.saveAs === undefined) return answer('calibrate', entry, body, reply);
    // registering needs the answer's URDF: a worker's JSON is read back (a calibration's answer is small)
    const computed = await answer.compute('calibrate', entry, body);
    const result = typeof computed === 'string' ? JSON.parse(computed) as ReturnType<typeof calibrationAnswer> : computed;
    const saved = (await registry.add(body.saveAs, result.urdf)).entry;
    return { ...result, robot: saved.summary };
  });
};
