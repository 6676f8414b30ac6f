/**
 * Debian's Chromium driven by playwright-core: headless, without the sandbox (the tests run as root), one browser
 * per test file. A missing browser is a failure that says how to get it, never a skip.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian package `chromium`, installed by scripts/test-setup.sh (`npm test`'s pretest step). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Where each page's screenshot goes: docs/screenshots/ (committed, shown in the README) when
 * BEVARA_TEST_SCREENSHOTS=1 asks to refresh them, else a temporary folder, so a test run leaves the work tree clean.
 */
const SCREENSHOTS =
  process.env.BEVARA_TEST_SCREENSHOTS === '1'
    ? path.resolve(import.meta.dirname, '../../docs/screenshots')
    : path.join(os.tmpdir(), 'bevara-screenshots');

export const VIEWPORT = { width: 1280, height: 800 };

/** Fails, saying how to install it, when Debian's Chromium is missing: browser tests never skip. */
export function requireChromium(): void {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(
      `[browser] no Chromium at ${CHROMIUM}: run "bash scripts/test-setup.sh" as root (or "apt-get install chromium")`,
    );
}

export async function launchChromium(): Promise<Browser> {
  requireChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/** A full-page screenshot of what `page` shows, as `docs/screenshots/<name>.<lang>.png`. */
export async function screenshot(page: Page, name: string, lang: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.${lang}.png`), fullPage: true });
}
