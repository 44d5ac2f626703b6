/**
 * The cost model of the heavy requests (heavy-requests.ts): their computation time estimated
 * before they run, from the robot's joints and the request's sizes, to decide where they run:
 * - at most INLINE_WORK_MS: on the event loop (a worker round trip would cost more);
 * - more: on a worker thread, so that the event loop stays free for control loops;
 * - more than MAX_REQUEST_WORK_MS (config): refused beforehand with 422 too-much-work, saying
 *   the estimate and what to ask for instead.
 * The constants are per unit of work, measured on the 2-core machine of this project with
 * revolute chains of 50, 200 and 999 joints (`npm run bench -- --cost-model` measures them again
 * and prints estimate against measurement); they are rounded up, so the estimates are upper
 * bounds of the computation (serialising the answer included) on such a machine.
 */
import type { HeavyRequestName } from './heavy-requests.js';

/** Work estimated at most this long (ms) runs on the event loop. */
export const INLINE_WORK_MS = 2;

/** µs per joint² (n: the robot's joints). */
const HESSIAN_US = 4; // 200 joints: 150 ms (240,000 numbers to compute and write)
const MANIPULABILITY_US = 1.5; // 200 joints: 60 ms (the Hessian, contracted)
const UNSCENTED_US = 0.4; // 2n + 1 sigma points, each FK of n joints: 200 joints 15 ms, 999 joints 400 ms
const SECOND_ORDER_US = 1.5; // the Hessian contracted with the covariance: 200 joints 40 ms, 999 joints 1.4 s
const FULL_COVARIANCE_US = 0.4; // J Σq Jᵀ with a full n x n Σq: 200 joints 16 ms
/** µs per joint, per configuration, per parameter of the identification Jacobian. */
const IDENTIFICATION_US = 0.02; // 5 configurations of 200 joints (1,400 parameters): 28 ms
/** µs per multiply-add of the pivoted QR of the identification Jacobian (rows x parameters x min of both). */
const QR_US = 0.002;
/** Calibration: about this many identification Jacobians and QRs (measured: 60 samples of a 7-joint arm, 40). */
const CALIBRATION_PASSES = 40;
/** Parameters per joint of each group (at most: a fixed joint has no offset). */
const GROUP_SIZE: Record<string, number> = { jointOffset: 1, originXyz: 3, originRpy: 3 };

interface SizedBody {
  method?: string;
  jointCovariance?: unknown;
  qs?: unknown[];
  samples?: unknown[];
  holdout?: unknown[];
  measure?: string;
  parameters?: string[];
}

function identificationMs(n: number, body: SizedBody, configurations: number, rowsEach: number): number {
  const perJoint = (body.parameters ?? Object.keys(GROUP_SIZE)).reduce((sum, group) => sum + (GROUP_SIZE[group] ?? 0), 0);
  const p = perJoint * n, rows = rowsEach * configurations;
  return (IDENTIFICATION_US * configurations * n * p + QR_US * rows * p * Math.min(rows, p)) / 1000;
}

/** The estimated computation time (ms) of a heavy request on a robot of `n` joints. */
export function estimateWorkMs(name: HeavyRequestName, n: number, body: SizedBody): number {
  const n2 = n * n;
  switch (name) {
    case 'hessian': return (HESSIAN_US * n2) / 1000;
    case 'manipulability': return (MANIPULABILITY_US * n2) / 1000;
    case 'uncertainty': {
      const covariance = body.jointCovariance !== undefined ? FULL_COVARIANCE_US * n2 : 0;
      const method = body.method === 'unscented' ? UNSCENTED_US * n2 : body.method === 'secondOrder' ? SECOND_ORDER_US * n2 : 0;
      return (covariance + method) / 1000;
    }
    case 'sensitivity': return identificationMs(n, body, body.qs?.length ?? 0, body.measure === 'position' ? 3 : 6);
    case 'calibrate': {
      const samples = (body.samples?.length ?? 0) + (body.holdout?.length ?? 0);
      return CALIBRATION_PASSES * identificationMs(n, body, samples, 6);
    }
  }
}

/** What a request of this estimate is told to do instead, per route. */
export const SMALLER_WORK: Record<HeavyRequestName, string> = {
  hessian: 'ask for the Jacobian derivative along qdot instead (POST /robots/{id}/jacobian/derivative), or use a robot of fewer joints',
  manipulability: 'use a robot (or a base and tip) of fewer joints',
  uncertainty: 'use method "linear" with jointStdDev, which costs a Jacobian',
  sensitivity: 'send fewer configurations, or ask for fewer parameters',
  calibrate: 'send fewer samples, or calibrate fewer parameters (the "parameters" field)',
};
