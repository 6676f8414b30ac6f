/** Accounts, login (form and JSON), sessions, CSRF, logout, rate limit; no secret in any log line. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Console, addRoleUsers, cookiesOf, login, PASSWORD, startConsole } from './harness.js';

describe('console login and sessions', () => {
  let c: Console;
  const logs: string[] = [];
  beforeAll(async () => {
    c = await startConsole({ logs, server: { loginAttemptsPerMinute: 1000 } });
    await addRoleUsers(c.ctx);
  });
  afterAll(async () => c.close());

  async function loginForm() {
    const res = await fetch(`${c.url}/login?next=/runs`);
    expect(res.status).toBe(200);
    const token = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? '';
    return { cookie: cookiesOf(res), token };
  }
  const post = (cookie: string, fields: Record<string, string>) =>
    fetch(`${c.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams(fields).toString(),
    });

  it('logs in with the form into a secure, HttpOnly, SameSite=Strict session kept hashed in the catalog', async () => {
    const form = await loginForm();
    const res = await post(form.cookie, {
      name: 'archivist',
      password: PASSWORD,
      _csrf: form.token,
      next: '/runs',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/runs');
    const set = res.headers.getSetCookie().find((h) => h.startsWith('__Host-bevara-session=')) ?? '';
    expect(set).toMatch(/; Path=\//);
    expect(set).toMatch(/; HttpOnly/);
    expect(set).toMatch(/; Secure/);
    expect(set).toMatch(/; SameSite=Strict/);
    const id = set.split(';')[0]?.split('=')[1] ?? '';
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const hash = createHash('sha256').update(id).digest('hex');
    const session = await c.ctx.catalog.getSession(hash, c.ctx.now());
    expect(session?.user).toBe('archivist');
    const page = await fetch(`${c.url}/runs`, {
      headers: { cookie: `__Host-bevara-session=${id}` },
      redirect: 'manual',
    });
    expect(page.status).not.toBe(303);
  });

  it('refuses the form without its own token, and a wrong password or unknown name alike', async () => {
    const form = await loginForm();
    const forged = await post(form.cookie, { name: 'archivist', password: PASSWORD, _csrf: 'forged' });
    expect(forged.status).toBe(403);
    expect(forged.headers.getSetCookie().some((h) => h.startsWith('__Host-bevara-session='))).toBe(false);
    const wrong = await post(form.cookie, {
      name: 'archivist',
      password: 'fel lösenord här',
      _csrf: form.token,
    });
    const unknown = await post(form.cookie, { name: 'ingen', password: PASSWORD, _csrf: form.token });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    const [a, b] = [await wrong.text(), await unknown.text()];
    expect(a).toContain('Fel användarnamn eller lösenord.');
    expect(a.replace(/value="[^"]+"/g, '')).toBe(b.replace(/value="[^"]+"/g, ''));
  });

  it('sends only this server as the next page', async () => {
    const form = await loginForm();
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const res = await post(form.cookie, { name: 'reader', password: PASSWORD, _csrf: form.token, next });
      expect(res.headers.get('location')).toBe('/');
    }
  });

  it('logs in with JSON, tells the session, needs the CSRF token to log out, and ends the session', async () => {
    const s = await login(c.url, 'operations');
    const info = (await (await s.fetch('/api/session')).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ user: { name: 'operations', role: 'operations' }, csrfToken: s.csrf });
    expect(info.permissions).toEqual(['read', 'download', 'audits']);
    const forged = await s.fetch('/api/logout', { method: 'POST', csrf: 'x'.repeat(43) });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { rule: string }).rule).toBe('csrf');
    expect((await s.fetch('/api/logout', { method: 'POST' })).status).toBe(204);
    const after = await s.fetch('/api/session');
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ status: 401, rule: 'login-required' });
  });

  it('takes the JSON login as application/json only', async () => {
    const res = await fetch(`${c.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ name: 'admin', password: PASSWORD }),
    });
    expect(res.status).toBe(415);
  });

  it('refuses an expired session and a session of a removed account', async () => {
    const s = await login(c.url, 'reader');
    const later = new Date(Date.now() + 9 * 3_600_000);
    const { now } = c.ctx;
    c.ctx.now = () => later;
    try {
      expect((await s.fetch('/api/session')).status).toBe(401);
    } finally {
      c.ctx.now = now;
    }
    expect((await s.fetch('/api/session')).status).toBe(200);
    const reader = await c.ctx.catalog.getUser('reader');
    if (!reader) throw new Error('no reader');
    await c.ctx.catalog.addUser({ ...reader, name: 'tillfällig' });
    const t = await login(c.url, 'tillfällig');
    await c.ctx.catalog.removeUser('tillfällig');
    expect((await t.fetch('/api/session')).status).toBe(401);
  });

  it('sends a page request without a session to the login page, and an unknown path too', async () => {
    for (const path of ['/', '/packages?text=x', '/ingen-sida']) {
      const res = await fetch(`${c.url}${path}`, { redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
    expect((await fetch(`${c.url}/api/ingenting`)).status).toBe(401);
    const s = await login(c.url, 'reader');
    expect((await s.fetch('/api/ingenting')).status).toBe(404);
  });

  it('never writes a password, session id or CSRF token to the log', async () => {
    const s = await login(c.url, 'admin');
    await s.fetch('/api/logout', { method: 'POST' });
    const text = logs.join('\n');
    expect(text).toContain('"msg":"logged in"');
    expect(text).toContain('"user":"admin"');
    const id = s.cookie.split('=')[1] ?? '';
    for (const secret of [PASSWORD, id, s.csrf, createHash('sha256').update(id).digest('hex')])
      expect(text).not.toContain(secret);
  });
});

describe('console login rate limit', () => {
  it('refuses more than the configured attempts per minute from one address', async () => {
    const c = await startConsole({ server: { loginAttemptsPerMinute: 3 } });
    try {
      const attempt = () =>
        fetch(`${c.url}/api/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'ingen', password: 'fel fel fel fel' }),
        });
      expect([(await attempt()).status, (await attempt()).status, (await attempt()).status]).toEqual([
        401, 401, 401,
      ]);
      const limited = await attempt();
      expect(limited.status).toBe(429);
      expect(await limited.json()).toMatchObject({ status: 429, rule: 'login-rate' });
    } finally {
      await c.close();
    }
  });
});
