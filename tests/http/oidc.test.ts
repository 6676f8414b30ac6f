/**
 * OpenID Connect login against a real provider (oidc-provider, in this process on 127.0.0.1): the whole
 * authorization code flow over HTTP, as a browser would go through it, and the ways it must fail.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Hop, Jar, loginAt } from './browser-jar.js';
import { type Console, startConsole, tempDir } from './harness.js';
import { CLIENT_ID, CLIENT_SECRET, startProvider, type TestProvider } from './oidc-provider.js';
import { freePort } from './ports.js';

let provider: TestProvider;
let consoleServer: Console;
const logs: string[] = [];

beforeAll(async () => {
  const port = await freePort();
  const redirectUrl = `http://127.0.0.1:${port}/login/oidc/callback`;
  provider = await startProvider(redirectUrl);
  const dataDir = tempDir('oidc');
  const secretFile = path.join(dataDir, 'oidc-secret');
  fs.writeFileSync(secretFile, `${CLIENT_SECRET}\n`, { mode: 0o600 });
  consoleServer = await startConsole({
    dataDir,
    port,
    logs,
    config: {
      http: {
        oidc: {
          name: 'Kommunens inloggning',
          issuer: provider.issuer,
          clientId: CLIENT_ID,
          clientSecretFile: secretFile,
          redirectUrl,
          scopes: ['openid', 'profile', 'roles'],
          roleClaim: 'bevara_roles',
          roles: { arkiv: 'archivist', drift: 'operations', alla: 'reader' },
        },
      },
    },
  });
});

afterAll(async () => {
  await consoleServer?.close();
  await provider?.close();
});

const callbackOf = (hops: Hop[]) => hops.find((h) => h.url.includes('/login/oidc/callback'));

describe('OpenID Connect login', () => {
  it('offers the provider on the login page beside the local form', async () => {
    const page = await new Jar().hop(`${consoleServer.url}/login?lang=en`);
    expect(page.body).toContain('Log in with Kommunens inloggning');
    expect(page.body).toContain('href="/login/oidc?next=%2F"');
    expect(page.body).toContain('name="password"');
  });

  it('logs in through the provider, maps name and role, and opens a session like a local one', async () => {
    const jar = new Jar();
    const hops = await loginAt(jar, consoleServer.url, 'anna', { next: '/jobs' });
    const start = hops[0];
    const toProvider = new URL(start?.location ?? '');
    expect(toProvider.origin).toBe(provider.issuer);
    expect(toProvider.searchParams.get('code_challenge_method')).toBe('S256');
    expect(toProvider.searchParams.get('state')).toBeTruthy();
    expect(toProvider.searchParams.get('nonce')).toBeTruthy();
    expect(start?.setCookies.join()).toMatch(/__Host-bevara-oidc=.*HttpOnly.*SameSite=Lax/i);

    const callback = callbackOf(hops);
    expect(callback?.status).toBe(200);
    expect(callback?.headers.get('refresh')).toBe('0; url=/jobs');
    const session = callback?.setCookies.find((c) => c.startsWith('__Host-bevara-session='));
    expect(session).toMatch(/; Secure/i);
    expect(session).toMatch(/; HttpOnly/i);
    expect(session).toMatch(/; SameSite=Strict/i);
    expect(jar.cookies.has('__Host-bevara-oidc')).toBe(false);

    const me = await fetch(`${consoleServer.url}/api/session`, { headers: { cookie: jar.header() } });
    expect(me.status).toBe(200);
    const body = (await me.json()) as { user: { name: string; role: string }; permissions: string[] };
    // "arkiv" maps to archivist, "alla" to reader: the larger wins.
    expect(body.user).toEqual({ name: 'oidc:anna.arkivarie', role: 'archivist' });
    expect(body.permissions).toContain('jobs');
    const page = await jar.hop(`${consoleServer.url}/jobs?lang=en`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('oidc:anna.arkivarie');

    // Logout ends the session like a local one.
    const csrf = body as unknown as { csrfToken: string };
    const out = await fetch(`${consoleServer.url}/api/logout`, {
      method: 'POST',
      headers: { cookie: jar.header(), 'x-csrf-token': csrf.csrfToken },
    });
    expect(out.status).toBe(204);
    const after = await fetch(`${consoleServer.url}/api/session`, { headers: { cookie: jar.header() } });
    expect(after.status).toBe(401);
  });

  it('maps another role, and a local password login never opens an OpenID account', async () => {
    const jar = new Jar();
    expect(callbackOf(await loginAt(jar, consoleServer.url, 'olle'))?.status).toBe(200);
    const me = await fetch(`${consoleServer.url}/api/session`, { headers: { cookie: jar.header() } });
    expect(((await me.json()) as { user: unknown }).user).toEqual({
      name: 'oidc:olle.drift',
      role: 'operations',
    });
    const local = await fetch(`${consoleServer.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'oidc:olle.drift', password: '' }),
    });
    expect(local.status).toBe(401);
  });

  it('refuses an account whose role claim maps to no role, or that has no role claim', async () => {
    for (const account of ['ingen', 'tom']) {
      const jar = new Jar();
      const callback = callbackOf(await loginAt(jar, consoleServer.url, account));
      expect(callback?.status).toBe(403);
      expect(callback?.body).toContain('ingen roll i den här konsolen');
      expect(callback?.setCookies.join()).not.toContain('__Host-bevara-session=');
    }
    expect(logs.join('\n')).toContain('"rule":"oidc-no-role"');
    expect(logs.join('\n')).toContain('no claim \\"bevara_roles\\"');
  });

  it('refuses a callback whose state is not the one sent, or with no login in progress', async () => {
    const jar = new Jar();
    const hops = await loginAt(jar, consoleServer.url, 'anna', { beforeCallback: true });
    const callbackUrl = new URL(hops.at(-1)?.location ?? '');
    expect(callbackUrl.pathname).toBe('/login/oidc/callback');
    expect(callbackUrl.searchParams.get('code')).toBeTruthy();
    callbackUrl.searchParams.set('state', 'forged-state');
    const refused = await jar.hop(callbackUrl.href);
    expect(refused.status).toBe(401);
    expect(refused.body).toContain('misslyckades eller godtogs inte');
    expect(refused.setCookies.join()).not.toContain('__Host-bevara-session=');
    expect(logs.join('\n')).toMatch(/"rule":"oidc-failed".*state/);

    // No login cookie at all (a callback out of nowhere, or the cookie expired).
    const stray = await new Jar().hop(`${consoleServer.url}/login/oidc/callback?code=x&state=y`);
    expect(stray.status).toBe(400);
    expect(stray.body).toContain('hade gått ut');
  });

  const REASON = {
    'altered-payload': /"rule":"oidc-failed".*signature/i,
    'wrong-issuer': /"rule":"oidc-failed".*(iss|signature)/i,
    'wrong-key': /"rule":"oidc-failed".*signature/i,
  };
  for (const forgery of ['altered-payload', 'wrong-issuer', 'wrong-key'] as const) {
    it(`refuses a forged ID token (${forgery})`, async () => {
      provider.forge = forgery;
      try {
        const callback = callbackOf(await loginAt(new Jar(), consoleServer.url, 'anna'));
        expect(callback?.status).toBe(401);
        expect(callback?.setCookies.join()).not.toContain('__Host-bevara-session=');
        expect(logs.at(-1)).toMatch(REASON[forgery]);
      } finally {
        provider.forge = undefined;
      }
    });
  }

  it('keeps the client secret, codes and tokens out of the log', () => {
    const text = logs.join('\n');
    expect(text).toContain('logged in');
    expect(text).not.toContain(CLIENT_SECRET);
    expect(text).not.toMatch(/code=[A-Za-z0-9_-]{20}/);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
