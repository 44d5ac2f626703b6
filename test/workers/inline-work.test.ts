import { describe, expect, it } from 'vitest';
import { InlineWorkLoad } from '../../src/workers/inline-work.js';

describe('the recent inline IK time', () => {
  it('has room until the limit, then again once it has decayed by its half-life', () => {
    let t = 0;
    const load = new InlineWorkLoad(10, 100, () => t);
    expect(load.hasRoom()).toBe(true);
    load.add(4);
    load.add(5);
    expect(load.hasRoom()).toBe(true); // 9 ms < 10
    load.add(5);
    expect(load.recentMs()).toBeCloseTo(14, 12);
    expect(load.hasRoom()).toBe(false);
    t = 100; // one half-life: 7 ms
    expect(load.recentMs()).toBeCloseTo(7, 12);
    expect(load.hasRoom()).toBe(true);
    load.add(0.05);
    t = 1100; // ten more half-lives
    expect(load.recentMs()).toBeCloseTo(7.05 / 1024, 12);
  });

  it('lets a steady stream of cheap solves stay inline', () => {
    // 1,000 solves per second of 50 µs: 5% of the loop, a recent load of about 7 ms
    let t = 0;
    const load = new InlineWorkLoad(10, 100, () => t);
    let inline = 0;
    for (let i = 0; i < 5000; i++, t += 1) {
      if (load.hasRoom()) { inline++; load.add(0.05); }
    }
    expect(inline).toBe(5000);
  });
});
