/**
 * Where a heavy request runs (see work-cost.ts): on the event loop when its estimate is small or
 * there are no workers, on a worker otherwise, and nowhere beyond MAX_REQUEST_WORK_MS.
 */
import type { FastifyReply } from 'fastify';
import type { AppConfig } from '../config.js';
import type { RobotEntry } from '../robots/registry.js';
import type { BatchRunner } from '../workers/batch-runner.js';
import { taskRobotOf } from '../workers/robot-contexts.js';
import { HEAVY_REQUEST_TASK_FILE, answerOf, type RequestOutcome, type RequestTask } from './heavy-request-task.js';
import { HEAVY_REQUESTS, type HeavyLimits, type HeavyRequestName } from './heavy-requests.js';
import { HttpProblem } from './problem.js';
import { INLINE_WORK_MS, SMALLER_WORK, estimateWorkMs } from './work-cost.js';

type Answer<N extends HeavyRequestName> = ReturnType<(typeof HEAVY_REQUESTS)[N]>;
type Body<N extends HeavyRequestName> = Parameters<(typeof HEAVY_REQUESTS)[N]>[1];

/**
 * Answers heavy requests: `answer(name, entry, body, reply)` from a route handler, or
 * `answer.compute(name, entry, body)` for the answer object or a worker's JSON text.
 */
export function heavyRunner(batches: BatchRunner, config: Pick<AppConfig, 'maxRequestWorkMs' | 'batchMaxOutputValues'>) {
  const limits: HeavyLimits = { batchMaxOutputValues: config.batchMaxOutputValues };
  /**
   * The answer object (computed here, for Fastify to serialise), or the JSON text a worker
   * computed (for a caller with more to do than send it: see answer).
   * @throws HttpProblem 422 too-much-work beyond MAX_REQUEST_WORK_MS.
   */
  async function compute<N extends HeavyRequestName>(name: N, entry: RobotEntry, body: Body<N>): Promise<Answer<N> | string> {
    const { dof, linkNames } = entry.context.robot.model;
    const estimateMs = estimateWorkMs(name, dof, body as Parameters<typeof estimateWorkMs>[2], linkNames.length);
    if (estimateMs > config.maxRequestWorkMs) {
      throw new HttpProblem(422, 'too-much-work', 'Too much work for one request',
        `this ${name} request on robot "${entry.id}" (${dof} joints) is estimated at ${Math.ceil(estimateMs)} ms of computation, more than the `
        + `${config.maxRequestWorkMs} ms one request may take (MAX_REQUEST_WORK_MS); ${SMALLER_WORK[name]}`);
    }
    const run = HEAVY_REQUESTS[name] as unknown as (e: RobotEntry, b: Body<N>, l: HeavyLimits) => Answer<N>;
    if (estimateMs <= INLINE_WORK_MS || !batches.hasWorkers) return run(entry, body, limits);
    const task: RequestTask = { kind: 'request', name, id: entry.id, robot: taskRobotOf(entry), body, limits };
    return answerOf(await batches.runFile<RequestOutcome>(HEAVY_REQUEST_TASK_FILE, task));
  }

  /** The answer of a heavy request: the object for Fastify to serialise, or the reply sent with a worker's JSON. */
  async function answer<N extends HeavyRequestName>(name: N, entry: RobotEntry, body: Body<N>, reply: FastifyReply): Promise<Answer<N>> {
    const computed = await compute(name, entry, body);
    if (typeof computed !== 'string') return computed;
    // already JSON: sent as it is (the shape is the handler's, the same code as inline)
    return reply.type('application/json; charset=utf-8').send(computed) as unknown as Answer<N>;
  }

  return Object.assign(answer, { compute });
}

export type HeavyAnswer = ReturnType<typeof heavyRunner>;
