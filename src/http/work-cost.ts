/**
 * The cost model of the heavy requests (heavy-requests.ts): their computation time estimated
 * before they run, from the robot's joints and the request's sizes, to decide where they run:
 * - at most INLINE_WORK_MS: on the event loop (a worker round trip would cost more);
 * - more: on a worker thread, so that the event loop stays free for control loops;
 * - more than MAX_REQUEST_WORK_MS (config): refused beforehand with 422 too-much-work, saying
 *   the estimate and what to ask for instead.
 * The constants were measured on the 2-core machine of this project (`npm run bench:cost` measures
 * again and prints each estimate beside its measurement), so that the estimates bound the
 * computation, the answer's JSON included, on such a machine (calibration: see CALIBRATION).
 */
import type { HeavyRequestName } from './heavy-requests.js';

/** Work estimated at most this long (ms) runs on the event loop. */
export const INLINE_WORK_MS = 1;

/*
 * Each estimate is a fixed part (ms) plus terms in the joints n: measured by `npm run bench:cost`
 * on chains of 7, 50, 200 and 999 joints (a 2-core machine shared with other work), and set
 * so that every measured case stays under its estimate.
 */
/**
 * FK and the Jacobian: µs per number of the answer (16 per pose, 6 per joint of the Jacobian),
 * which writing dominates (999 joints: FK of every link 3.2 ms, the Jacobian with its analysis 1.5 ms).
 */
const ANSWER = { ms: 0.2, usPerNumber: 0.3 };
/** Hessian: n² slices to compute and write (200 joints: 46 ms). */
const HESSIAN = { ms: 0.1, us2: 2.5 };
/** Manipulability and its gradient: the Hessian contracted (999 joints: 470 ms). */
const MANIPULABILITY = { ms: 0.4, us2: 0.6 };
/** Linear uncertainty with per-joint deviations: a Jacobian and 6 x 6 products (999 joints: 0.4 ms). */
const LINEAR = { ms: 0.1, us1: 0.4 };
/** Unscented: 2n + 1 sigma points, each FK of n joints (999 joints: 306 ms). */
const UNSCENTED = { ms: 0.2, us2: 0.9 };
/** Second order: the Hessian contracted with the covariance (999 joints: 438 ms). */
const SECOND_ORDER = { ms: 0.1, us2: 0.6 };
/**
 * A full joint covariance: its symmetric eigendecomposition (the check that it is positive
 * semi-definite, and the square root of the sigma points) is n³ work (200 joints: 356 ms, 999
 * joints: 147 s); unscented decomposes it twice.
 */
const FULL_COVARIANCE_US3 = 0.2;
/**
 * Sensitivity: µs per value of the identification Jacobian (configurations x parameters; a
 * column costs a cross product, and its JSON most of the time), then its pivoted QR and SVD
 * (5 configurations: 2.6 ms at 7 joints, 22 ms at 200, 118 ms at 999).
 */
const IDENTIFICATION = { ms: 3, us: 4 };
/** µs per multiply-add of the pivoted QR (rows x parameters x the smaller of both). */
const QR_US = 0.002;
/**
 * Calibration: at most 100 Levenberg–Marquardt iterations (calibration.ts), each about an
 * identification Jacobian (µs per sample x parameter) and a QR. A bound of the worst case:
 * chains of 7 and 50 joints with 30 positions that do not fit them (every iteration runs) took
 * 8.8 and 129 ms; 60 poses of the Panda, which converge in a few iterations, 20 ms against 325
 * estimated. Always on a worker (the fixed part alone is above INLINE_WORK_MS); at the default
 * cap, about 400 poses of a 7-joint arm (raise MAX_REQUEST_WORK_MS for more).
 */
const CALIBRATION = { ms: 5, iterations: 100, us: 0.5 };
/** Parameters per joint of each group (at most: a fixed joint has no offset). */
const GROUP_SIZE: Record<string, number> = { jointOffset: 1, originXyz: 3, originRpy: 3 };

interface SizedBody {
  method?: string;
  jointCovariance?: unknown;
  qs?: unknown[];
  samples?: unknown[];
  measure?: string;
  parameters?: string[];
  links?: unknown[];
}

function parametersOf(n: number, body: SizedBody): number {
  return n * (body.parameters ?? Object.keys(GROUP_SIZE)).reduce((sum, group) => sum + (GROUP_SIZE[group] ?? 0), 0);
}

/** The pivoted QR of a rows x p matrix (ms). */
function qrMs(rows: number, p: number): number {
  return (QR_US * rows * p * Math.min(rows, p)) / 1000;
}

/**
 * The estimated computation time (ms) of a heavy request on a robot of `n` joints (and `links`
 * links, for FK of every link), the answer's JSON included.
 */
export function estimateWorkMs(name: HeavyRequestName, n: number, body: SizedBody, links = n + 1): number {
  const n2 = n * n;
  switch (name) {
    case 'fk': return ANSWER.ms + (ANSWER.usPerNumber * 16 * (body.links?.length ?? links)) / 1000;
    case 'jacobian': return ANSWER.ms + (ANSWER.usPerNumber * (6 * n + 16)) / 1000;
    case 'hessian': return HESSIAN.ms + (HESSIAN.us2 * n2) / 1000;
    case 'manipulability': return MANIPULABILITY.ms + (MANIPULABILITY.us2 * n2) / 1000;
    case 'uncertainty': {
      const method = body.method === 'unscented' ? UNSCENTED.ms + (UNSCENTED.us2 * n2) / 1000
        : body.method === 'secondOrder' ? SECOND_ORDER.ms + (SECOND_ORDER.us2 * n2) / 1000
          : LINEAR.ms + (LINEAR.us1 * n) / 1000;
      const decompositions = body.jointCovariance === undefined ? 0 : body.method === 'unscented' ? 2 : 1;
      return method + (decompositions * FULL_COVARIANCE_US3 * n2 * n) / 1000;
    }
    case 'sensitivity': {
      const configurations = body.qs?.length ?? 0, p = parametersOf(n, body);
      return IDENTIFICATION.ms + (IDENTIFICATION.us * configurations * p) / 1000 + qrMs((body.measure === 'position' ? 3 : 6) * configurations, p);
    }
    case 'calibrate': {
      // held-out samples are only evaluated; poses give 6 rows each (positions 3: bounded by 6)
      const samples = body.samples?.length ?? 0, p = parametersOf(n, body);
      return CALIBRATION.ms + CALIBRATION.iterations * ((CALIBRATION.us * samples * p) / 1000 + qrMs(6 * samples, p));
    }
  }
}

/** What a request of this estimate is told to do instead, per route. */
export const SMALLER_WORK: Record<HeavyRequestName, string> = {
  fk: 'name fewer links in "links"',
  jacobian: 'use a robot (or a base and tip) of fewer joints',
  hessian: 'ask for the Jacobian derivative along qdot instead (POST /robots/{id}/jacobian/derivative), or use a robot of fewer joints',
  manipulability: 'use a robot (or a base and tip) of fewer joints',
  uncertainty: 'use method "linear" with jointStdDev, which costs a Jacobian (a full jointCovariance costs n³ to decompose)',
  sensitivity: 'send fewer configurations, or ask for fewer parameters',
  calibrate: 'send fewer samples, or calibrate fewer parameters (the "parameters" field)',
};
