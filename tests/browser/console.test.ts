/**
 * The console in a real Chromium, once in Swedish and once in English: log in, add a job through the form, run it
 * and follow the run to its end, find the package by its diarienummer, download a file and hold it against the
 * catalogued digest, damage the stored copy on disk, audit from the audits page and see the failure and the
 * repair. Every element is found by its role and accessible name (so labels are checked as we go), and each page
 * of the flow is written to docs/screenshots/ for the README (rewritten every run, never compared).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../src/http/users.js';
import { type Lang, translator } from '../../src/http/i18n/labels.js';
import { packageDetail } from '../../src/http/services/packages.js';
import { SV as REPORT_SV } from '../../src/reports/labels-sv.js';
import { FIXTURES } from '../e2e/helpers.js';
import { type Console, PASSWORD, startConsole, tempDir } from '../http/harness.js';
import { launchChromium, screenshot, VIEWPORT } from './chromium.js';

const IDENTIFIER = 'BN 2024/0113';
const TITLE = 'Ansökan om bygglov, Östra Gränd 3';
const FILE = 'bilagor/fasadritning söder.png';
const JOB = 'inkorg';
/** Generous for one ingest of three records or one audit of six copies on a busy machine. */
const WAIT = 45_000;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Two fs locations, both in the copy policy, so that a damaged copy is repaired from the other. */
const CONFIG = {
  locations: { local: { driver: 'fs' }, offsite: { driver: 'fs' } },
  copies: ['local', 'offsite'],
  // A period as long as the run interval: every copy is due now, so "audit now" verifies them all.
  audit: { policies: { local: { every: '1d' }, offsite: { every: '1d' } } },
};

/** Flips bytes in the middle of the package's ZIP in one fs location, as bit rot would. */
function damageStoredCopy(dataDir: string, location: string, packageId: string): string {
  const dir = path.join(dataDir, 'store', location, 'packages', packageId);
  const entry = fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .find((e) => e.isFile() && e.name.endsWith('.zip'));
  if (!entry) throw new Error(`no stored ZIP of ${packageId} under ${dir}`);
  const zip = path.join(entry.parentPath, entry.name);
  const bytes = fs.readFileSync(zip);
  const at = Math.floor(bytes.length / 2);
  for (let i = at; i < at + 16; i++) bytes[i] = (bytes[i] ?? 0) ^ 0xff;
  fs.chmodSync(zip, 0o640);
  fs.writeFileSync(zip, bytes);
  return zip;
}

describe('the console in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  describe.each<Lang>(['sv', 'en'])('in %s', (lang) => {
    const t = translator(lang);
    let c: Console;
    let page: Page;
    let source: string;

    beforeAll(async () => {
      c = await startConsole({ config: CONFIG });
      await addUser(c.ctx.catalog, { name: 'karin', role: 'admin', password: PASSWORD }, c.ctx.now());
      source = path.join(tempDir('browser'), JOB);
      fs.cpSync(FIXTURES, source, { recursive: true });
      const context = await browser.newContext({ viewport: VIEWPORT, locale: lang, acceptDownloads: true });
      page = await context.newPage();
    });
    afterAll(async () => {
      await page?.context().close();
      await c?.close();
    });

    const menu = (key: Parameters<typeof t>[0]) =>
      page.getByRole('navigation', { name: t('mainNav') }).getByRole('link', { name: t(key), exact: true });

    it('logs in, adds a job and follows its run to the end', async () => {
      await page.goto(`${c.url}/login?lang=${lang}`);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      await page.getByLabel(t('login.name')).fill('karin');
      await page.getByLabel(t('login.password')).fill(PASSWORD);
      await screenshot(page, 'login', lang);
      await page.getByRole('button', { name: t('login.submit') }).click();
      await page.getByRole('heading', { level: 1, name: t('overview.title') }).waitFor();

      await menu('nav.jobs').click();
      await page.getByLabel(t('jobs.name'), { exact: true }).fill(JOB);
      await page.getByLabel(t('jobs.sourceKind')).selectOption('folder');
      await page.getByLabel(t('jobs.sourcePath')).fill(source);
      await page.getByRole('button', { name: t('jobs.add') }).click();
      await page
        .getByRole('status')
        .filter({ hasText: t('jobs.added', { name: JOB }) })
        .waitFor();
      await screenshot(page, 'jobs', lang);

      await page.getByRole('button', { name: `${t('jobs.runNow')}: ${JOB}` }).click();
      await page.waitForURL(/\/runs\/ingest-inkorg-/);
      await page.getByRole('progressbar').waitFor();
      // The page follows the run by itself (console.js) and reloads once it has ended.
      await page
        .getByRole('progressbar', { name: new RegExp(`^${escapeRegExp(t('status.succeeded'))}: 3 / 3`) })
        .waitFor({ timeout: WAIT });
      const packages = page.getByRole('table', { name: t('runs.packages') }).getByRole('row');
      expect(await packages.count()).toBe(4);
      await screenshot(page, 'run', lang);
    });

    let packageId: string;

    it('finds the package by its diarienummer and downloads a file with the catalogued digest', async () => {
      await menu('nav.packages').click();
      await page.getByLabel(t('packages.identifier'), { exact: true }).fill(IDENTIFIER);
      await page.getByRole('button', { name: t('packages.submit'), exact: true }).click();
      const hits = page.getByRole('table', { name: t('packages.search') }).getByRole('row');
      expect(await hits.count()).toBe(2);
      await screenshot(page, 'packages', lang);

      await page.getByRole('link', { name: TITLE }).click();
      await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
      packageId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
      await screenshot(page, 'package', lang);

      const row = page.getByRole('table', { name: t('packages.files') }).getByRole('row', { name: FILE });
      const shown = (await row.getByRole('cell').nth(3).textContent())?.trim();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: t('packages.downloadFile', { file: FILE }) }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('fasadritning söder.png');
      const bytes = fs.readFileSync(await download.path());
      const catalogued = (await packageDetail(c.ctx, packageId)).files.find((f) => f.path === FILE)?.sha256;
      expect(sha256(bytes)).toBe(catalogued);
      expect(shown).toBe(catalogued);
    });

    it('audits from the audits page and shows the damaged copy failed and repaired', async () => {
      damageStoredCopy(c.dataDir, 'local', packageId);

      await menu('nav.audits').click();
      await page.getByRole('button', { name: t('audits.runNow') }).click();
      await page.waitForURL(/\/audits\/audit-/);
      const runId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
      // The page follows the audit by itself and reloads once it has ended, with the report in a frame.
      const report = page.getByTitle(t('audits.report', { run: runId }));
      await report.waitFor({ timeout: WAIT });
      const frame = page.frameLocator('iframe.report');
      await frame
        .getByRole('heading', { name: new RegExp(escapeRegExp(REPORT_SV.sections.repaired)) })
        .waitFor();
      // The repaired copy: in "local", replaced from "offsite", with what was wrong with it (the package's digest
      // no longer matches the catalog). The report is in the archive's language, Swedish, whatever the console's.
      const repairedRow = frame
        .getByRole('row')
        .filter({ hasText: packageId })
        .filter({ hasText: 'offsite' })
        .filter({ hasText: 'package-digest' });
      expect(await repairedRow.count()).toBeGreaterThan(0);
      await screenshot(page, 'audit', lang);

      await menu('nav.audits').click();
      const row = page.getByRole('row', { name: new RegExp(escapeRegExp(runId)) });
      const cells = row.getByRole('cell');
      // Copies, verified, failed, repaired: the damaged copy counts as repaired (replaced from the other location),
      // not as failed, which is for copies left as they were.
      expect(await cells.allTextContents()).toMatchObject({ 3: '6', 4: '5', 5: '0', 6: '1' });
      await screenshot(page, 'audits', lang);

      await menu('nav.overview').click();
      const lastAudit = page.getByRole('region', { name: t('overview.lastAudit') });
      await lastAudit.getByRole('link', { name: runId }).waitFor();
      const tiles = await lastAudit.getByRole('listitem').allTextContents();
      expect(tiles).toContain(`1${t('overview.repaired')}`);
      expect(tiles).toContain(`0${t('overview.failedCopies')}`);
      await screenshot(page, 'overview', lang);

      // The report on its own, whole: the repaired copy, where from, and what was wrong with it.
      await page.goto(`${c.url}/audits/${encodeURIComponent(runId)}/report`);
      await screenshot(page, 'audit-report', lang);
    });

    it('shows a refused record in quarantine with its rule, releases it, and the next run archives it', async () => {
      const root = tempDir('browser-quarantine');
      const inbox = path.join(root, 'inkorg');
      const quarantine = path.join(root, 'karantän');
      const record = path.join(inbox, 'Trasig 2024-07');
      fs.mkdirSync(record, { recursive: true });
      fs.writeFileSync(path.join(record, 'record.json'), '{"title": ');
      fs.writeFileSync(path.join(record, 'brev.txt'), 'Hej!\n');
      const job = 'karantan';
      await page.goto(`${c.url}/jobs?lang=${lang}`);
      await page.getByLabel(t('jobs.name'), { exact: true }).fill(job);
      await page.getByLabel(t('jobs.sourceKind')).selectOption('folder');
      await page.getByLabel(t('jobs.sourcePath')).fill(inbox);
      await page.getByLabel(t('jobs.quarantine')).fill(quarantine);
      await page.getByRole('button', { name: t('jobs.add') }).click();
      await page
        .getByRole('status')
        .filter({ hasText: t('jobs.added', { name: job }) })
        .waitFor();
      const runNow = async (status: 'completed-with-failures' | 'succeeded') => {
        await page.goto(`${c.url}/jobs?lang=${lang}`);
        await page.getByRole('button', { name: `${t('jobs.runNow')}: ${job}` }).click();
        await page.waitForURL(/\/runs\/ingest-karantan-/);
        await page
          .getByRole('progressbar', { name: new RegExp(`^${escapeRegExp(t(`status.${status}`))}: 1 / 1`) })
          .waitFor({ timeout: WAIT });
      };
      await runNow('completed-with-failures');

      await menu('nav.quarantine').click();
      const row = page
        .getByRole('table', { name: t('quarantine.title') })
        .getByRole('row', { name: /Trasig 2024-07/ });
      await row.waitFor();
      expect(await row.textContent()).toContain('record-json-invalid');
      expect(await row.textContent()).toContain('record.json');
      await screenshot(page, 'quarantine', lang);

      // The archivist mends the record where it lies in quarantine, then gives it back to the inbox.
      const [moved] = fs.readdirSync(quarantine);
      fs.writeFileSync(path.join(quarantine, moved as string, 'record.json'), '{"title": "Lagad"}');
      await row
        .getByLabel(
          new RegExp(`^${escapeRegExp(t('quarantine.reason'))} \\(${escapeRegExp(t('quarantine.release'))}`),
        )
        .fill('lagad');
      await row.getByRole('button', { name: `${t('quarantine.release')}: Trasig 2024-07` }).click();
      await page.getByRole('status').filter({ hasText: 'Trasig 2024-07' }).waitFor();
      await page.getByText(t('quarantine.none')).waitFor();
      expect(fs.readdirSync(record).sort()).toEqual(['brev.txt', 'record.json']);
      expect(fs.readdirSync(quarantine)).toEqual([]);

      await runNow('succeeded');
      const archived = page.getByRole('table', { name: t('runs.packages') }).getByRole('row');
      expect(await archived.count()).toBe(2);
    });
  });
});
