/**
 * The README's picture of the viewer: builds the page, starts the service, moves a builtin robot
 * through a few configurations with the sliders (so the trace shows) and saves the page.
 *
 *   npm run screenshots [-- --out docs/viewer.png] [--robot ur5e]
 *
 * Needs Debian's chromium (/usr/bin/chromium or CHROMIUM_PATH).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CHROMIUM_AVAILABLE, CHROMIUM_SKIP_REASON, launchChromium } from './browser.js';
import { ROOT } from './repo-root.js';
import { startServer } from './server-process.js';
import { buildViewerPage, openViewer, readJoints, readout, setJoints } from './viewer-page.js';

const { values: options } = parseArgs({
  options: { out: { type: 'string', default: join(ROOT, 'docs', 'viewer.png') }, robot: { type: 'string', default: 'ur5e' } },
});

/** The UR5e for the picture (rad, active-joint order): a working pose, then the base swept so that the trace draws an arc. */
const START = [0.9, -1.25, 1.6, -1.9, -1.4, 0.6];
const PATH = Array.from({ length: 16 }, (_unused, i) => [0.9 - 0.08 * i, ...START.slice(1)]);

async function main(): Promise<void> {
  if (!CHROMIUM_AVAILABLE) throw new Error(CHROMIUM_SKIP_REASON);
  buildViewerPage();
  const dataDir = mkdtempSync(join(tmpdir(), 'kinematics-screenshots-'));
  const server = await startServer({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, { timeoutMs: 60_000 });
  const browser = await launchChromium();
  try {
    const { page, problems } = await openViewer(browser, server.url, options.robot);
    const robot = await (await fetch(`${server.url}/robots/${options.robot}`)).json() as { joints: { name: string }[] };
    const names = robot.joints.map((j) => j.name);
    for (const [step, q] of (options.robot === 'ur5e' ? [START, ...PATH] : []).entries()) {
      await setJoints(page, Object.fromEntries(names.map((name, k) => [name, q[k]!])));
      // wait for this configuration's answers before the next, so that the trace has every point
      const fk = await (await fetch(`${server.url}/robots/${options.robot}/fk`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ q: await readJoints(page, names) }),
      })).json() as { poses: Record<string, { position: number[] }> };
      const tip = await page.getByTestId('tip-select').inputValue();
      const expected = fk.poses[tip]!.position.map(String).join(' ');
      for (let tries = 0; tries < 200 && await readout(page, 'tip-position') !== expected; tries++) await page.waitForTimeout(25);
      // the way to the start pose is no part of the picture
      if (step === 0) await page.locator('#clear-trace').click();
    }
    await page.waitForTimeout(300);
    const out = resolve(options.out);
    await page.screenshot({ path: out });
    if (problems.length > 0) throw new Error(`the page had problems:\n${problems.join('\n')}`);
    console.log(`wrote ${out}`);
  } finally {
    await browser.close();
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
