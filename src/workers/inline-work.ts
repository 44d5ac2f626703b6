/**
 * How much event-loop time inline IK has taken lately, to decide whether the next solve may run
 * inline too. One solve inline is the cheapest answer (no worker round trip), but an unreachable
 * target takes its whole budget, and a burst of them queued on the event loop would delay the
 * cheap requests of control loops by their sum. So solves run inline while the recent inline
 * time, a sum decaying with a half-life, stays below a limit; past it they go to the workers
 * until it has decayed.
 */

/** Recent inline IK time beyond which solves go to the workers (ms), and its half-life (ms). */
export const INLINE_IK_LOAD_LIMIT_MS = 10;
export const INLINE_IK_LOAD_HALF_LIFE_MS = 100;

export class InlineWorkLoad {
  private load = 0;
  private at: number;

  constructor(
    private readonly limitMs = INLINE_IK_LOAD_LIMIT_MS,
    private readonly halfLifeMs = INLINE_IK_LOAD_HALF_LIFE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.at = now();
  }

  /** The recent inline time (ms), decayed to now. */
  recentMs(): number {
    const t = this.now();
    this.load *= 2 ** (-(t - this.at) / this.halfLifeMs);
    this.at = t;
    return this.load;
  }

  /** Whether more work may run inline now. */
  hasRoom(): boolean {
    return this.recentMs() < this.limitMs;
  }

  /** Counts work that ran inline (ms). */
  add(elapsedMs: number): void {
    this.recentMs();
    this.load += elapsedMs;
  }
}
