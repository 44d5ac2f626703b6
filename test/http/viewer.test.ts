/**
 * The viewer page (GET /viewer) in Debian's chromium, against the real service: it draws, its
 * readouts are the API's answers, Solve reaches a typed target, an uploaded tree shows every
 * joint, and it loads nothing from anywhere else and raises no error. Screenshots go to
 * test/artifacts/viewer/ (not committed) for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_AVAILABLE, CHROMIUM_SKIP_REASON, launchChromium } from '../../scripts/browser.js';
import {
  buildViewerPage, canvasStats, openViewer, readJoints, readNumbers, readout, setJoints, type ViewerPage,
} from '../../scripts/viewer-page.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { serverForSuite } from '../helpers/server.js';

if (!CHROMIUM_AVAILABLE) console.warn(CHROMIUM_SKIP_REASON);

const ARTIFACTS = join(REPO_ROOT, 'test', 'artifacts', 'viewer');

/**
 * A tree: a torso with two 3-joint arms (revolute, continuous, prismatic on the left; three
 * revolute on the right) and a box, a cylinder and a sphere as visuals, uploaded by the test.
 */
const TWO_ARM_URDF = `<?xml version="1.0"?>
<robot name="two_arm_test">
  <material name="steel"><color rgba="0.55 0.6 0.7 1"/></material>
  <link name="torso"><visual><origin xyz="0 0 0.2"/><geometry><box size="0.2 0.3 0.4"/></geometry><material name="steel"/></visual></link>
  <link name="left_upper"><visual><origin xyz="0 0 0.15"/><geometry><cylinder radius="0.03" length="0.3"/></geometry></visual></link>
  <link name="left_fore"/>
  <link name="left_hand"><visual><geometry><sphere radius="0.04"/></geometry></visual></link>
  <link name="right_upper"/>
  <link name="right_fore"/>
  <link name="right_hand"/>
  <joint name="left_shoulder" type="revolute"><parent link="torso"/><child link="left_upper"/>
    <origin xyz="0 0.2 0.4" rpy="-1.5708 0 0"/><axis xyz="1 0 0"/><limit lower="-2" upper="2" effort="10" velocity="2"/></joint>
  <joint name="left_elbow" type="continuous"><parent link="left_upper"/><child link="left_fore"/>
    <origin xyz="0 0 0.3"/><axis xyz="0 1 0"/></joint>
  <joint name="left_slide" type="prismatic"><parent link="left_fore"/><child link="left_hand"/>
    <origin xyz="0 0 0.1"/><axis xyz="0 0 1"/><limit lower="0" upper="0.2" effort="10" velocity="0.5"/></joint>
  <joint name="right_shoulder" type="revolute"><parent link="torso"/><child link="right_upper"/>
    <origin xyz="0 -0.2 0.4" rpy="1.5708 0 0"/><axis xyz="1 0 0"/><limit lower="-2" upper="2" effort="10" velocity="2"/></joint>
  <joint name="right_elbow" type="revolute"><parent link="right_upper"/><child link="right_fore"/>
    <origin xyz="0 0 0.3"/><axis xyz="0 1 0"/><limit lower="-2.5" upper="2.5" effort="10" velocity="2"/></joint>
  <joint name="right_wrist" type="revolute"><parent link="right_fore"/><child link="right_hand"/>
    <origin xyz="0 0 0.25"/><axis xyz="1 0 0"/><limit lower="-1.5" upper="1.5" effort="10" velocity="2"/></joint>
</robot>`;

/** The canvas shows a drawing, not one flat colour: robot, overlays and grid cover a fair part of it in many shades. */
async function expectDrawn(viewer: ViewerPage): Promise<void> {
  const stats = await canvasStats(viewer.page);
  expect(stats.width).toBeGreaterThan(300);
  // the UR5e at rest covers about 6 % of the canvas in this viewport; 1 % is plainly drawn, 0 is not
  expect(stats.drawnFraction).toBeGreaterThan(0.01);
  expect(stats.colours).toBeGreaterThan(20);
}

describe.runIf(CHROMIUM_AVAILABLE)('the viewer in a real browser', () => {
  // built before the server starts (hooks run in order), as `npm run build` does before `npm start`
  beforeAll(() => {
    buildViewerPage();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  const suite = serverForSuite('viewer');
  let browser: Browser;
  const pages: ViewerPage[] = [];
  beforeAll(async () => { browser = await launchChromium(); });
  afterAll(async () => { await browser?.close(); });

  const post = async (path: string, body: unknown): Promise<any> => {
    const response = await fetch(`${suite.server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  };
  const open = async (robot: string): Promise<ViewerPage> => {
    const viewer = await openViewer(browser, suite.server.url, robot);
    pages.push(viewer);
    return viewer;
  };
  afterAll(async () => {
    for (const viewer of pages) await viewer.page.close();
  });

  it('is linked from the API document that /docs shows', async () => {
    const document = await (await fetch(`${suite.server.url}/openapi.json`)).json() as { info: { description: string } };
    expect(document.info.description).toContain('/viewer');
  });

  it('draws the UR5e; a slider moves the tip readout to exactly what POST fk answers', async () => {
    const viewer = await open('ur5e');
    const { page } = viewer;
    const robot = await (await fetch(`${suite.server.url}/robots/ur5e`)).json() as { joints: { name: string }[] };
    const names = robot.joints.map((j) => j.name);
    for (const name of names) await expect(page.locator(`[data-testid="joint-slider-${name}"]`).count()).resolves.toBe(1);
    await expectDrawn(viewer);

    await setJoints(page, { shoulder_lift_joint: -1.2, elbow_joint: 1.5, wrist_1_joint: -1.9, wrist_2_joint: -1.57, shoulder_pan_joint: 0.3 });
    const q = await readJoints(page, names);
    expect(q).toEqual([0.3, -1.2, 1.5, -1.9, -1.57, 0]);
    const fk = await post('/robots/ur5e/fk', { q, links: ['tool0'] });
    expect(fk.status).toBe(200);
    const expected = (fk.body.poses.tool0.position as number[]).map(String).join(' ');
    await expect.poll(() => readout(page, 'tip-position'), { timeout: 20_000 }).toBe(expected);
    await expectDrawn(viewer);
    await page.screenshot({ path: join(ARTIFACTS, 'ur5e-slider.png') });
    expect(viewer.problems).toEqual([]);
  });

  it('shows the manipulability the API answers, and velocity ellipsoid radii whose product is its translational measure', async () => {
    const viewer = await open('kuka_iiwa14');
    const { page } = viewer;
    const names = (await (await fetch(`${suite.server.url}/robots/kuka_iiwa14`)).json() as { joints: { name: string }[] }).joints.map((j) => j.name);
    await setJoints(page, Object.fromEntries(names.map((name, k) => [name, [0.2, 0.5, 0.4, -1.3, 0.4, 1.0, 0.1][k]!])));
    const q = await readJoints(page, names);
    const yoshikawa = await post('/robots/kuka_iiwa14/manipulability', { q });
    const translation = await post('/robots/kuka_iiwa14/manipulability', { q, axes: 'translation' });
    expect(yoshikawa.status).toBe(200);
    await expect.poll(() => readout(page, 'manipulability'), { timeout: 20_000 }).toBe(String(yoshikawa.body.value));
    expect(await readout(page, 'manipulability-translation')).toBe(String(translation.body.value));
    // the drawn ellipsoid's radii are the singular values of J_v, so their product is
    // sqrt(det(J_v J_vᵀ)): the page's eigen-solver (Jacobi, to rounding) against the service's
    // measure; both are within a few ulps times the condition number (< 1e3 here) of exact
    const radii = await readNumbers(page, 'velocity-radii');
    expect(radii).toHaveLength(3);
    expect(Math.abs(radii[0]! * radii[1]! * radii[2]! / translation.body.value - 1)).toBeLessThan(1e-9);
    // the singular values drawn as bars are the jacobian route's analysis
    const jacobian = await post('/robots/kuka_iiwa14/jacobian', { q, analysis: true });
    const labels = await page.locator('[data-testid="singular-values"] .bar .label').allInnerTexts();
    expect(labels).toEqual(jacobian.body.analysis.singularValues.map((s: number) => `σ = ${s.toPrecision(4)}`));
    await page.locator('#show-force').check();
    await page.locator('#show-angular').check();
    await page.locator('#show-linear').uncheck();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ARTIFACTS, 'iiwa-force-ellipsoid-angular-columns.png') });
    expect(viewer.problems).toEqual([]);
  });

  it('shows the pose uncertainty the uncertainty route answers, or says that the route is not available', async () => {
    const viewer = await open('ur5e');
    const { page } = viewer;
    const q = [0, 0, 0, 0, 0, 0];
    const answer = await post('/robots/ur5e/uncertainty', { q, jointStdDev: q.map(() => 0.001), tip: 'tool0' });
    if (answer.status === 404) {
      await expect.poll(() => readout(page, 'uncertainty'), { timeout: 20_000 }).toContain('not available');
    } else {
      expect(answer.status).toBe(200);
      const radii = (answer.body.position.ellipsoid.radii as number[]).map(String).join(' ');
      await expect.poll(() => readout(page, 'uncertainty'), { timeout: 20_000 }).toContain(radii);
    }
    expect(viewer.problems).toEqual([]);
  });

  it('Solve brings the tip to a typed target, keeping the orientation', async () => {
    const viewer = await open('ur5e');
    const { page } = viewer;
    await setJoints(page, { shoulder_pan_joint: 0.3, shoulder_lift_joint: -1.2, elbow_joint: 1.5, wrist_1_joint: -1.9, wrist_2_joint: -1.57 });
    await expect.poll(async () => (await readNumbers(page, 'tip-position'))[0]).not.toBe(0.8172);
    // wait until the readout is the answer for these sliders, then take a target 5 to 6 cm away
    const q = await readJoints(page, ['shoulder_pan_joint', 'shoulder_lift_joint', 'elbow_joint', 'wrist_1_joint', 'wrist_2_joint', 'wrist_3_joint']);
    const start = (await post('/robots/ur5e/fk', { q, links: ['tool0'] })).body.poses.tool0;
    await expect.poll(() => readout(page, 'tip-position'), { timeout: 20_000 }).toBe(start.position.map(String).join(' '));
    const target = [start.position[0] + 0.04, start.position[1] - 0.03, start.position[2] + 0.05].map((x: number) => Number(x.toFixed(4)));
    await page.locator('[data-testid="target-x"]').fill(String(target[0]));
    await page.locator('[data-testid="target-y"]').fill(String(target[1]));
    await page.locator('[data-testid="target-z"]').fill(String(target[2]));
    await page.locator('[data-testid="solve-button"]').click();
    await expect.poll(() => readout(page, 'ik-result'), { timeout: 20_000 }).toContain('converged');
    // ik/solve's default tolerance is 1e-5 m and 1e-5 rad, and the readout is POST fk at the answer
    await expect.poll(async () => {
      const tip = await readNumbers(page, 'tip-position');
      return Math.hypot(tip[0]! - target[0]!, tip[1]! - target[1]!, tip[2]! - target[2]!);
    }, { timeout: 20_000 }).toBeLessThanOrEqual(1e-5);
    const quaternion = await readNumbers(page, 'tip-quaternion');
    // printed to 5 decimals: each component within 5e-6 of the answer, and the answer within 1e-5 rad of the start
    quaternion.forEach((value, k) => expect(Math.abs(value - start.quaternion[k])).toBeLessThan(2e-5));
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ARTIFACTS, 'ur5e-solve.png') });
    expect(viewer.problems).toEqual([]);
  });

  it('dragging the target gizmo makes the arm follow with ik/step', async () => {
    const viewer = await open('ur5e');
    const { page } = viewer;
    await setJoints(page, { shoulder_pan_joint: 0.3, shoulder_lift_joint: -1.2, elbow_joint: 1.5, wrist_1_joint: -1.9, wrist_2_joint: -1.57 });
    await expect.poll(() => readout(page, 'tip-position'), { timeout: 20_000 }).not.toBe('0.8171999999999999 0.23289999995910238 0.0627999999522314');
    await page.waitForTimeout(300);
    const before = await readNumbers(page, 'tip-position');
    const steps: string[] = [];
    page.on('request', (request) => { if (request.url().endsWith('/ik/step')) steps.push(request.url()); });
    const canvas = page.getByTestId('viewer-canvas');
    const box = (await canvas.boundingBox())!;
    const [x, y] = (await canvas.getAttribute('data-target-screen'))!.split(' ').map(Number) as [number, number];
    // the gizmo's centre handle moves the target in the view plane
    await page.mouse.move(box.x + x, box.y + y);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + x - 6 * i, box.y + y + 3 * i);
    await page.mouse.up();
    await expect.poll(() => steps.length, { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => readout(page, 'ik-result'), { timeout: 30_000 }).toMatch(/^ik\/step: converged/);
    const after = await readNumbers(page, 'tip-position');
    expect(Math.hypot(after[0]! - before[0]!, after[1]! - before[1]!, after[2]! - before[2]!)).toBeGreaterThan(0.01);
    await page.screenshot({ path: join(ARTIFACTS, 'ur5e-drag.png') });
    expect(viewer.problems).toEqual([]);
  });

  it('an uploaded two-arm tree shows every joint, draws, and follows the tip picked', async () => {
    const upload = await fetch(`${suite.server.url}/robots?id=two_arm_test`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: TWO_ARM_URDF });
    expect(upload.status).toBe(201);
    const robot = await upload.json() as { joints: { name: string }[]; tipLinks: string[] };
    expect(robot.tipLinks.sort()).toEqual(['left_hand', 'right_hand']);
    const viewer = await open('two_arm_test');
    const { page } = viewer;
    const names = robot.joints.map((j) => j.name);
    expect(names).toHaveLength(6);
    for (const name of names) expect(await page.locator(`[data-testid="joint-slider-${name}"]`).count()).toBe(1);
    const tips = await page.locator('[data-testid="tip-select"] option').allInnerTexts();
    expect(tips.sort()).toEqual(['left_hand', 'right_hand']);
    await expectDrawn(viewer);

    await setJoints(page, { left_shoulder: 0.6, left_elbow: -0.8, left_slide: 0.1, right_shoulder: -0.5, right_elbow: 1.1, right_wrist: 0.4 });
    for (const tip of ['right_hand', 'left_hand']) {
      await page.locator('[data-testid="tip-select"]').selectOption(tip);
      const q = await readJoints(page, names);
      const fk = await post('/robots/two_arm_test/fk', { q, links: [tip] });
      await expect.poll(() => readout(page, 'tip-position'), { timeout: 20_000 }).toBe(fk.body.poses[tip].position.map(String).join(' '));
    }
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ARTIFACTS, 'two-arm-tree.png') });
    expect(viewer.problems).toEqual([]);
  });
});

if (!CHROMIUM_AVAILABLE) {
  describe('the viewer in a real browser', () => {
    it.skipIf(true)(CHROMIUM_SKIP_REASON, () => {});
  });
}
