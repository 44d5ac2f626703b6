/**
 * A small seeded random generator (mulberry32): fast, allocation-free and reproducible, so that
 * a solve with a given randomSeed restarts from the same configurations on every machine; and
 * random configurations inside the joint limits.
 */
import type { KinematicModel } from '../model.js';

/** mulberry32: 32 bits of state, a period of 2³², good enough for restarts and tests. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Starts the sequence of `seed` again, as a new generator would. */
  reseed(seed: number): void {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
}

/** A source of uniform numbers in [lo, hi) (SeededRandom, or a test's generator). */
export interface UniformSource {
  uniform(lo: number, hi: number): number;
}

/**
 * Writes a random configuration inside the limits into `out` and returns it: for each of `joints`
 * (default every joint) uniform between its limits, or for a continuous joint uniform within ±π
 * of `center` (default 0). The other entries of `out` are left as they are.
 */
export function randomConfiguration(
  model: KinematicModel, random: UniformSource, out: Float64Array,
  joints?: ArrayLike<number>, center?: ArrayLike<number>,
): Float64Array {
  const count = joints ? joints.length : model.dof;
  for (let i = 0; i < count; i++) {
    const k = joints ? joints[i]! : i;
    out[k] = model.continuous[k]
      ? (center ? center[k]! : 0) + random.uniform(-Math.PI, Math.PI)
      : random.uniform(model.qLower[k]!, model.qUpper[k]!);
  }
  return out;
}
