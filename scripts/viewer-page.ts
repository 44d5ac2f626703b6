/**
 * Driving the viewer page (GET /viewer) from playwright, as a person would, through its
 * data-testid hooks (API.md, "Viewer"): for the browser tests and the screenshot script.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from './repo-root.js';

/** Builds the page into dist/viewer (what `npm run build` does for it). */
export function buildViewerPage(): void {
  execFileSync(process.execPath, [join(ROOT, 'viewer', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' });
}

export interface ViewerPage {
  page: Page;
  /**
   * What must never happen, as it happened: page errors, requests to another origin, content
   * security policy refusals.
   */
  problems: string[];
}

/** Opens /viewer?robot=<id> and waits until it has drawn the robot's first answers. */
export async function openViewer(browser: Browser, baseUrl: string, robot: string, viewport = { width: 1400, height: 820 }): Promise<ViewerPage> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  const origin = new URL(baseUrl).origin;
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin) problems.push(`request to another origin: ${url}`);
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  await page.goto(`${baseUrl}/viewer?robot=${encodeURIComponent(robot)}`);
  await waitForReady(page);
  return { page, problems };
}

/** Waits for the status to say ready and the tip readout to be filled in (or fails with what the status says). */
export async function waitForReady(page: Page, timeout = 60_000): Promise<void> {
  try {
    await page.getByTestId('status').filter({ hasText: /^ready/ }).waitFor({ timeout });
    await page.getByTestId('tip-position').filter({ hasText: /\d/ }).waitFor({ timeout });
  } catch (error) {
    const status = await page.getByTestId('status').innerText().catch(() => '?');
    throw new Error(`the viewer did not become ready; its status says: ${status}`, { cause: error });
  }
}

/** Moves joint sliders to values (rad or m), as dragging them does: the value set, then input and change events. */
export async function setJoints(page: Page, values: Record<string, number>): Promise<void> {
  for (const [name, value] of Object.entries(values)) await page.locator(`[data-testid="joint-slider-${name}"]`).fill(String(value));
}

/** The joint values the sliders hold, in the order of `names`. */
export async function readJoints(page: Page, names: readonly string[]): Promise<number[]> {
  return Promise.all(names.map(async (name) => Number(await page.locator(`[data-testid="joint-slider-${name}"]`).inputValue())));
}

/** A readout's text. */
export async function readout(page: Page, testId: string): Promise<string> {
  return page.locator(`[data-testid="${testId}"]`).innerText();
}

/** A readout of numbers separated by spaces. */
export async function readNumbers(page: Page, testId: string): Promise<number[]> {
  return (await readout(page, testId)).trim().split(/\s+/).map(Number);
}

/**
 * What the canvas shows, read back from its pixels: the fraction of pixels that differ from the
 * background colour (the top-left pixel), and how many distinct colours there are (8 levels per
 * channel, to count shades, not noise).
 */
export interface CanvasStats { width: number; height: number; drawnFraction: number; colours: number }

const CANVAS_STATS = `(() => {
  const canvas = document.querySelector('[data-testid="viewer-canvas"]');
  const copy = document.createElement('canvas');
  copy.width = canvas.width;
  copy.height = canvas.height;
  const context = copy.getContext('2d');
  context.drawImage(canvas, 0, 0);
  const { data } = context.getImageData(0, 0, copy.width, copy.height);
  const [r0, g0, b0] = [data[0], data[1], data[2]];
  let drawn = 0;
  const colours = new Set();
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i], g = data[i + 1], b = data[i + 2];
    if (Math.abs(r - r0) + Math.abs(g - g0) + Math.abs(b - b0) > 24) drawn++;
    colours.add(((r >> 5) << 6) | ((g >> 5) << 3) | (b >> 5));
  }
  return { width: copy.width, height: copy.height, drawnFraction: drawn / (data.length / 4), colours: colours.size };
})()`;

export async function canvasStats(page: Page): Promise<CanvasStats> {
  return page.evaluate<CanvasStats>(CANVAS_STATS);
}
