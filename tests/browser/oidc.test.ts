/**
 * OpenID Connect login in a real Chromium against a real provider (oidc-provider in this process): the button on
 * the login page, the provider's login and consent pages, and back in the console signed in with the mapped role.
 * A browser keeps the cookie rules a fetch-based test does not (SameSite on the provider's redirect back, `__Host-`
 * cookies), which is what this test is for.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../src/http/i18n/labels.js';
import { type Console, startConsole, tempDir } from '../http/harness.js';
import { CLIENT_ID, CLIENT_SECRET, startProvider, type TestProvider } from '../http/oidc-provider.js';
import { freePort } from '../http/ports.js';
import { launchChromium, screenshot, VIEWPORT } from './chromium.js';

const PROVIDER = 'Kommunens inloggning';

describe('OpenID Connect login in Chromium', () => {
  let browser: Browser;
  let provider: TestProvider;
  let c: Console;

  beforeAll(async () => {
    browser = await launchChromium();
    const port = await freePort();
    const redirectUrl = `http://127.0.0.1:${port}/login/oidc/callback`;
    provider = await startProvider(redirectUrl, 'localhost');
    const dataDir = tempDir('oidc-browser');
    const secretFile = path.join(dataDir, 'oidc-secret');
    fs.writeFileSync(secretFile, `${CLIENT_SECRET}\n`, { mode: 0o600 });
    c = await startConsole({
      dataDir,
      port,
      config: {
        http: {
          localLogin: false,
          oidc: {
            name: PROVIDER,
            issuer: provider.issuer,
            clientId: CLIENT_ID,
            clientSecretFile: secretFile,
            redirectUrl,
            scopes: ['openid', 'profile', 'roles'],
            roleClaim: 'bevara_roles',
            roles: { arkiv: 'archivist', drift: 'operations' },
          },
        },
      },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await c?.close();
    await provider?.close();
  });

  it('logs in through the provider and lands where it was going, signed in with the mapped role', async () => {
    const t = translator('sv');
    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'sv' });
    const page = await context.newPage();
    try {
      await page.goto(`${c.url}/jobs`);
      expect(new URL(page.url()).pathname).toBe('/login');
      // Local accounts are off: only the provider's button.
      expect(await page.getByLabel(t('login.password')).count()).toBe(0);
      await screenshot(page, 'login-oidc', 'sv');
      await page.getByRole('link', { name: t('login.oidc', { provider: PROVIDER }) }).click();

      await page.waitForURL(`${provider.issuer}/interaction/**`);
      await page.locator('input[name="login"]').fill('olle');
      await page.locator('input[name="password"]').fill('vilket som helst');
      await page.locator('button[type="submit"]').click();
      await page.waitForURL(`${provider.issuer}/interaction/**`);
      await page.locator('button[type="submit"]').click();

      await page.waitForURL(`${c.url}/jobs`, { timeout: 20_000 });
      await expect.poll(async () => page.locator('form.logout').textContent()).toContain('oidc:olle.drift');
      expect(await page.locator('form.logout').textContent()).toContain(t('role.operations'));
      const cookies = await context.cookies(c.url);
      const session = cookies.find((k) => k.name === '__Host-bevara-session');
      expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });
      expect(cookies.some((k) => k.name === '__Host-bevara-oidc')).toBe(false);

      await page.getByRole('button', { name: t('logout') }).click();
      await page.waitForURL(`${c.url}/login`);
      await page.goto(`${c.url}/jobs`);
      expect(new URL(page.url()).pathname).toBe('/login');
    } finally {
      await context.close();
    }
  });
});
