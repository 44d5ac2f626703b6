import { describe, expect, it } from 'vitest';
import { createRobotContext } from '../../src/core/robot-context.js';
import { warmUpUnits } from '../../src/core/warm-up.js';
import { warmInSlices, WARM_SLICE_MS } from '../../src/robots/warming.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { readBuiltinUrdf } from '../helpers/paths.js';

describe('warming on the event loop', () => {
  it('yields between slices so that other work runs meanwhile', async () => {
    const context = createRobotContext(loadUrdf(readBuiltinUrdf('baxter')));
    expect(warmUpUnits(context).length).toBeGreaterThan(10);
    const gaps: number[] = [];
    let last = performance.now(), done = false;
    // a chain of immediates records how long the loop was held between turns
    const tick = (): void => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    const busyMs = await warmInSlices(context);
    done = true;
    // Baxter's warming is many slices long; without yielding, the chain of immediates would run
    // once before it and once after (a slice ends at the first unit past WARM_SLICE_MS, so a busy
    // machine makes fewer, longer slices: only a lower bound is certain)
    expect(busyMs).toBeGreaterThan(10 * WARM_SLICE_MS);
    expect(gaps.length).toBeGreaterThan(5);
  });
});
