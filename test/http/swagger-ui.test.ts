import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_AVAILABLE as AVAILABLE, CHROMIUM_SKIP_REASON, launchChromium } from '../../scripts/browser.js';
import { serverForSuite } from '../helpers/server.js';

if (!AVAILABLE) console.warn(CHROMIUM_SKIP_REASON);

/** Expands an operation, presses "Try it out" and "Execute", and returns the live response status. */
async function tryItOut(page: Page, method: string, path: string): Promise<string> {
  const operation = page.locator(`.opblock-${method}`).filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) }).first();
  await operation.locator('.opblock-summary').click();
  await operation.locator('button.try-out__btn').click();
  await operation.locator('button.execute').click();
  const status = operation.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor({ timeout: 60_000 });
  return (await status.innerText()).trim();
}

describe.runIf(AVAILABLE)('Swagger UI in a real browser', () => {
  const suite = serverForSuite('ui');
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('loads, lists the operations, and "Try it out / Execute" answers 200 for GET /robots and POST /robots/{id}/jacobian', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${suite.server.url}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 60_000 });
    const paths = await page.locator('.opblock-summary-path').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-path')));
    for (const path of ['/robots', '/robots/{id}', '/robots/{id}/fk', '/robots/{id}/jacobian', '/robots/{id}/jacobian/batch', '/healthz']) {
      expect(paths).toContain(path);
    }
    expect(await tryItOut(page, 'get', '/robots')).toBe('200');
    expect(await tryItOut(page, 'post', '/robots/{id}/jacobian')).toBe('200');
    const body = await page.locator('.opblock-post .live-responses-table .response-col_description pre').first().innerText();
    expect(body).toContain('"jacobian"');
    expect(errors).toEqual([]);
  });
});

if (!AVAILABLE) {
  describe('Swagger UI in a real browser', () => {
    it.skipIf(true)(CHROMIUM_SKIP_REASON, () => {});
  });
}
