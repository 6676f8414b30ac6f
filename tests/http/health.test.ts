import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Console, startConsole, tempDir } from './harness.js';

describe('bevara serve: health, headers, errors', () => {
  let c: Console;
  beforeAll(async () => {
    c = await startConsole();
  });
  afterAll(async () => c.close());

  it('answers /healthz without login', async () => {
    const res = await fetch(`${c.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('is ready when the catalog answers and every location is writable', async () => {
    const res = await fetch(`${c.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ready: true,
      catalog: { ok: true },
      locations: [{ name: 'local', ok: true }],
    });
  });

  it('sends a strict Content-Security-Policy and the other security headers', async () => {
    const res = await fetch(`${c.url}/healthz`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('serves its two static files with an ETag', async () => {
    const css = await fetch(`${c.url}/assets/console.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const again = await fetch(`${c.url}/assets/console.css`, {
      headers: { 'if-none-match': css.headers.get('etag') ?? '' },
    });
    expect(again.status).toBe(304);
    expect((await fetch(`${c.url}/assets/console.js`)).headers.get('content-type')).toBe(
      'text/javascript; charset=utf-8',
    );
  });

  it('tells errors as problem+json, with the rule when there is one', async () => {
    const res = await fetch(`${c.url}/api/nothing-here`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const body = (await res.json()) as { detail: unknown };
    expect(body).toMatchObject({
      type: 'urn:bevara:rule:login-required',
      title: 'Unauthorized',
      status: 401,
      rule: 'login-required',
    });
    expect(body.detail).toEqual(expect.any(String));
  });
});

describe('bevara serve: readiness when a location cannot take writes', () => {
  it('is not ready, and names the location without its problems', async () => {
    const dataDir = tempDir('unready');
    // A location whose root is a file, not a folder: nothing can be written there, whoever runs the test.
    const blocker = path.join(dataDir, 'not-a-folder');
    fs.writeFileSync(blocker, 'x');
    const c = await startConsole({
      dataDir,
      config: { locations: { local: { driver: 'fs', root: blocker } } },
    });
    try {
      const res = await fetch(`${c.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        ready: false,
        catalog: { ok: true },
        locations: [{ name: 'local', ok: false }],
        checkedAt: expect.any(String),
      });
    } finally {
      await c.close();
    }
  });
});
