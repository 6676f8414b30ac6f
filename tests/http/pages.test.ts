/**
 * The server-rendered pages, in Swedish and English, for each role: what they show, the job form's errors beside
 * its fields, and that no page carries inline script or style (the CSP would block them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../e2e/helpers.js';
import { type Console, addRoleUsers, login, type Session, startConsole, tempDir } from './harness.js';

const form = (s: Session, url: string, fields: Record<string, string>) =>
  s.fetch(url, {
    method: 'POST',
    csrf: null,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: new URLSearchParams({ _csrf: s.csrf, ...fields }).toString(),
  });

function checkMarkup(page: string): void {
  expect(page).toMatch(/^<!doctype html>/);
  expect(page).not.toMatch(/<script(?![^>]*\ssrc=)/);
  expect(page).not.toMatch(/\sstyle=/);
  expect(page).not.toMatch(/<style/);
  expect(page).not.toMatch(/\son[a-z]+=/);
  expect(page).toContain('<main id="main"');
  // Every input that is not hidden has a label.
  for (const m of page.matchAll(/<input ([^>]*)>/g)) {
    const attrs = m[1] ?? '';
    if (/type="(hidden|checkbox)"/.test(attrs)) continue;
    const id = /id="([^"]+)"/.exec(attrs)?.[1];
    expect(id, attrs).toBeDefined();
    expect(page).toContain(`for="${id}"`);
  }
}

describe('console pages', () => {
  let c: Console;
  let archivist: Session;
  let reader: Session;
  let source: string;

  beforeAll(async () => {
    c = await startConsole();
    await addRoleUsers(c.ctx);
    archivist = await login(c.url, 'archivist');
    reader = await login(c.url, 'reader');
    source = path.join(tempDir('pages'), 'inkorg');
    fs.cpSync(FIXTURES, source, { recursive: true });
  });
  afterAll(async () => c.close());

  it("shows the job form's errors beside their fields, as the CLI words them, and keeps what was typed", async () => {
    const res = await form(archivist, '/jobs', {
      name: 'nattlig',
      sourceKind: 'folder',
      sourcePath: source,
      cron: '0 25 * * *',
    });
    expect(res.status).toBe(422);
    const page = await res.text();
    checkMarkup(page);
    expect(page).toContain('class="error-summary" role="alert"');
    expect(page).toMatch(/<span class="field-error" id="job-cron-error">[^<]*\[job-cron\]/);
    expect(page).toMatch(
      /<input id="job-cron" name="cron" value="0 25 \* \* \*"[^>]* aria-describedby="job-cron-hint job-cron-error" aria-invalid="true"/,
    );
    expect(page).toContain(`value="${source}"`);
  });

  it('adds a job from the form, then pauses, resumes and runs it, each by a redirect', async () => {
    const added = await form(archivist, '/jobs', {
      name: 'nattlig',
      sourceKind: 'folder',
      sourcePath: source,
      cron: '0 2 * * *',
    });
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe('/jobs?added=nattlig');
    const list = await (await archivist.fetch('/jobs?added=nattlig')).text();
    checkMarkup(list);
    expect(list).toContain('Jobbet nattlig är tillagt.');
    // The cron expression read back as its next three firings, at 02:00 in the job's (default) time zone.
    const next = /Nästa körningar \(Europe\/Stockholm\): ([^<]*)</.exec(list)?.[1]?.split(', ') ?? [];
    expect(next).toHaveLength(3);
    for (const time of next) expect(time).toMatch(/^\d{4}-\d{2}-\d{2} 02:00$/);
    expect(new Set(next).size).toBe(3);
    expect((await form(archivist, '/jobs/nattlig/pause', {})).headers.get('location')).toBe(
      '/jobs?paused=nattlig',
    );
    expect(await (await archivist.fetch('/jobs')).text()).toContain('pausat');
    expect((await form(archivist, '/jobs/nattlig/resume', {})).status).toBe(303);
    const run = await form(archivist, '/jobs/nattlig/run', {});
    expect(run.status).toBe(303);
    const runUrl = run.headers.get('location') ?? '';
    expect(runUrl).toMatch(/^\/runs\/ingest-nattlig-/);
    for (let i = 0; i < 100; i++) {
      const view = (await (await reader.fetch(`/api${runUrl}`)).json()) as { status: string };
      if (view.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const runPage = await (await reader.fetch(runUrl)).text();
    checkMarkup(runPage);
    expect(runPage).toContain('lyckades');
    expect(runPage).toContain('(archivist)');
  });

  it("refuses a form without the session's token, and hides forms from roles that may not use them", async () => {
    const forged = await archivist.fetch('/jobs/nattlig/pause', {
      method: 'POST',
      csrf: null,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: '_csrf=falsk',
    });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('csrf');
    const readerJobs = await (await reader.fetch('/jobs')).text();
    expect(readerJobs).not.toContain('action="/jobs"');
    expect(readerJobs).not.toContain('/pause"');
    expect((await form(reader, '/jobs/nattlig/pause', {})).status).toBe(403);
  });

  it('renders every page in Swedish, and in English once asked, remembered by a cookie', async () => {
    const pkg = (await (await reader.fetch('/api/packages?identifier=BN%202024%2F0113')).json()) as {
      packages: { id: string }[];
    };
    const id = pkg.packages[0]?.id ?? '';
    const pages = [
      '/',
      '/jobs',
      '/runs',
      '/packages',
      `/packages?identifier=${encodeURIComponent('BN 2024/0113')}`,
      `/packages/${id}`,
      '/audits',
      '/orphans',
    ];
    for (const url of pages) {
      const res = await reader.fetch(url);
      expect(res.status, url).toBe(200);
      const page = await res.text();
      checkMarkup(page);
      expect(page).toContain('<html lang="sv">');
      expect(page).toContain('Hoppa till innehållet');
    }
    const english = await reader.fetch('/?lang=en');
    const cookie = english.headers.getSetCookie().find((h) => h.startsWith('bevara-lang=en')) ?? '';
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(await english.text()).toContain('<h1>Overview</h1>');
    for (const url of pages) {
      const res = await reader.fetch(url, { headers: { cookie: `${reader.cookie}; bevara-lang=en` } });
      const page = await res.text();
      checkMarkup(page);
      expect(page, url).toContain('<html lang="en">');
      expect(page).not.toContain('Hoppa till innehållet');
    }
    const found = await (
      await reader.fetch(`/packages?identifier=${encodeURIComponent('BN 2024/0113')}`)
    ).text();
    expect(found).toContain('Ansökan om bygglov, Östra Gränd 3');
    const detail = await (await reader.fetch(`/packages/${id}`)).text();
    expect(detail).toContain(`/api/packages/${id}/file?path=`);
  });

  it('offers no download links of a restricted record to a reader, and does to an archivist', async () => {
    const pkg = (await (await reader.fetch('/api/packages?identifier=SN%202024%2F0257')).json()) as {
      packages: { id: string }[];
    };
    const id = pkg.packages[0]?.id ?? '';
    const seen = await (await reader.fetch(`/packages/${id}`)).text();
    expect(seen).toContain('Begränsad åtkomst: OSL 26 kap. 1 §');
    expect(seen).not.toContain(`/api/packages/${id}/file`);
    expect(await (await archivist.fetch(`/packages/${id}`)).text()).toContain(`/api/packages/${id}/file`);
  });

  it('tells a bad search beside the form, and a missing page as a page', async () => {
    const bad = await reader.fetch('/packages?digest=abc');
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('[search-digest]');
    const missing = await reader.fetch('/packages/finns-inte', { headers: { accept: 'text/html' } });
    expect(missing.status).toBe(404);
    checkMarkup(await missing.text());
  });
});
