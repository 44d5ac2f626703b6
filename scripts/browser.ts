/**
 * Debian's chromium for the browser tests and the screenshot script, driven by playwright-core:
 * a downloaded browser is never used. `.ci/run` installs chromium; where it is missing the tests
 * are skipped and say so.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** The browser: /usr/bin/chromium, or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_AVAILABLE = existsSync(CHROMIUM);
export const CHROMIUM_SKIP_REASON = `skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;

/**
 * Headless chromium without network side channels (no background fetches, updates or sync, so
 * that a test's record of requests holds only the page's). WebGL runs on SwiftShader, chromium's
 * CPU renderer, which newer versions enable only when asked.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
