import { SeededRandom } from '../../src/core/ik/random.js';

/** The core's seeded generator, with conveniences for tests. */
export class Random extends SeededRandom {
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  vector(n: number, lo = -1, hi = 1): Float64Array {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = this.uniform(lo, hi);
    return v;
  }
}
