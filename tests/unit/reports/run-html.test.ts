import { describe, expect, it } from 'vitest';
import type { RunItem, RunRecord } from '../../../src/catalog/types.js';
import { BANNER_COLORS } from '../../../src/reports/html-page.js';
import { labelsFor } from '../../../src/reports/labels.js';
import { renderRunHtml } from '../../../src/reports/run-html.js';
import type { RunReport } from '../../../src/reports/write-report.js';
import { sampleAudit, sampleReport } from './sample-audit.js';

const bannerOf = (html: string) => /<div class="banner (\w+)"[^>]*><h1>([^<]*)<\/h1>(.*?)<\/div>/.exec(html);
const ok = (location: string, n: number): RunItem => ({
  runId: 'r',
  subject: `${location}:packages/p${n}.zip`,
  packageId: `p${n}`,
  status: 'ok',
  message: 'verified',
});
const auditReport = (items: RunItem[], summary?: Record<string, unknown>): RunReport => ({
  report: 'bevara-run-report',
  version: 2,
  language: 'sv',
  run: {
    id: 'audit-1',
    kind: 'audit',
    startedAt: new Date('2025-03-01T02:00:00Z'),
    finishedAt: new Date('2025-03-01T02:00:10Z'),
    status: 'succeeded',
    params: {},
    summary,
  },
  items,
});

describe('renderRunHtml: audit runs', () => {
  const sample = sampleAudit();
  const sv = renderRunHtml(sampleReport('sv'));

  it('is one self-contained page: inline CSS, no scripts, no external resources', () => {
    expect(sv.startsWith('<!doctype html>')).toBe(true);
    expect(sv).toContain('<html lang="sv">');
    expect(sv).toContain('<style>');
    expect(sv).not.toMatch(/<script|\bsrc=|\bhref=|url\(|@import|<link/i);
  });

  it('opens with a red verdict banner that counts every kind of problem, in Swedish', () => {
    const banner = bannerOf(sv);
    expect(sv.indexOf('<div class="banner')).toBeLessThan(sv.indexOf('<h2>'));
    expect(banner?.[1]).toBe('red');
    expect(banner?.[2]).toBe(labelsFor('sv').verdict.damaged);
    expect(banner?.[3]).toContain(
      'Granskning: Slutförd med fel — 3 fel, 1 saknas, 1 skadat paket, 1 reparerad',
    );
    expect(banner?.[3]).toContain('1 okänt objekt, 3 uppskjutna');
    expect(sv).toContain(`.banner.red{background:${BANNER_COLORS.red}}`);
  });

  it('shows every failure with package, label, location, file, rule and both digests', () => {
    const { corrupted, missing, damaged, repaired, orphan } = sample;
    for (const text of [
      corrupted.packageId,
      corrupted.label,
      corrupted.file,
      corrupted.expected,
      corrupted.actual,
      missing.key,
      'copy-missing',
      damaged.packageId,
      repaired.previousKey,
      orphan.key,
    ])
      expect(sv).toContain(text);
    for (const label of ['Fel', 'Saknas', 'Reparerad', 'Okänt objekt', 'Täckning', 'Förväntad', 'Faktisk'])
      expect(sv).toContain(`>${label}<`);
    expect(sv).toContain('<h2>Utvecklingen</h2>');
    expect(sv).toContain('<h2>Skadade paket (1)</h2>');
  });

  it('shows the counts, coverage and trend with figures computed from the run', () => {
    expect(sv).toContain('<b>1,1 GB</b><span>Lästa data</span>');
    expect(sv).toContain('<b>14 min 05 s</b><span>Tid</span>');
    const mbps = (1_234_567_890 / 1e6 / 845).toFixed(1).replace('.', ',');
    expect(sv).toContain(`<b>${mbps} MB/s</b>`);
    expect(sv).toContain('95,8 % (1\u00a0150 av 1\u00a0200)');
    expect(sv).toContain('aldrig · 97 dagar');
    // Trend: this run first, then the earlier runs newest first, each with its own MB/s.
    const dates = [...sv.matchAll(/<td>(\d{4}-\d\d-\d\d) \d\d:\d\d:\d\d UTC/g)].map((m) => m[1]);
    expect(dates.slice(-4)).toEqual(['2025-03-01', '2025-02-01', '2025-01-01', '2024-12-01']);
    expect(sv).toContain(`<td class="num">${(1_200_000_000 / 1e6 / 720).toFixed(1).replace('.', ',')}</td>`);
    expect(sv).toContain('startad 2025-03-01 02:00:05 UTC');
  });

  it('collapses the copies that were fine', () => {
    const fine = /<details>(.*?)<\/details>/s.exec(sv)?.[1] ?? '';
    expect(fine).toContain('Felfria kopior (2)');
    expect(fine).toContain('local');
    expect(fine).toContain('offsite');
    expect(fine).not.toContain(sample.corrupted.packageId);
  });

  it('renders the same from the JSON form, where dates are strings', () => {
    const report = sampleReport('sv');
    expect(renderRunHtml(JSON.parse(JSON.stringify(report)) as RunReport)).toBe(renderRunHtml(report));
  });

  it('speaks English when asked, with no Swedish left', () => {
    const en = renderRunHtml(sampleReport('en'));
    expect(en).toContain('<html lang="en">');
    expect(bannerOf(en)?.[3]).toContain('Audit: Completed with failures — 3 failed, 1 missing');
    expect(en).toContain('<b>1.1 GB</b><span>Bytes read</span>');
    expect(en).not.toMatch(/Granskning|Saknas|Täckning|Förväntad|Utvecklingen|startad/);
  });

  it('is green when every copy verified, amber after repairs or with orphans, red when one is missing', () => {
    const green = bannerOf(renderRunHtml(auditReport([ok('local', 1), ok('offsite', 1)])));
    expect(green?.slice(1, 3)).toEqual(['green', 'Alla kopior intakta']);

    const repaired: RunItem = {
      ...ok('offsite', 2),
      status: 'repaired',
      details: { repair: { from: 'local' } },
    };
    const amber = bannerOf(renderRunHtml(auditReport([ok('local', 1), repaired])));
    expect(amber?.slice(1, 3)).toEqual(['amber', 'Alla kopior intakta efter reparation']);
    expect(amber?.[3]).toContain('1 reparerad');

    const orphan: RunItem = { runId: 'r', subject: 'local:x.zip', status: 'orphan', message: 'unknown' };
    expect(bannerOf(renderRunHtml(auditReport([ok('local', 1), orphan])))?.[1]).toBe('amber');

    const missing: RunItem = {
      ...ok('offsite', 3),
      status: 'failed',
      details: { problems: [{ rule: 'copy-missing', message: 'gone' }] },
    };
    const red = bannerOf(renderRunHtml(auditReport([ok('local', 1), missing])));
    expect(red?.[1]).toBe('red');
    // No summary: the counts come from the items.
    expect(red?.[3]).toContain('— 1 saknas');
    expect(red?.[3]).not.toContain('fel,');
  });

  it('escapes everything that comes from records and storage', () => {
    const evil = '<script>alert("x")</script>';
    const item: RunItem = {
      ...ok('local', 1),
      status: 'failed',
      subject: `local:${evil}`,
      details: {
        label: evil,
        problems: [{ rule: evil, message: evil, file: `a&b/${evil}`, expected: evil }],
      },
    };
    const html = renderRunHtml({ ...auditReport([item]), run: { ...auditReport([]).run, id: evil } });
    expect(html).not.toContain('<script');
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
    expect(html).toContain('a&#38;b/');
  });
});

describe('renderRunHtml: ingest runs', () => {
  const run: RunRecord = {
    id: 'ingest-1',
    kind: 'ingest',
    startedAt: new Date('2025-03-01T08:00:00Z'),
    finishedAt: new Date('2025-03-01T08:01:00Z'),
    status: 'completed-with-failures',
    params: {},
    summary: {
      archived: 1,
      unchanged: 0,
      rejected: 1,
      failed: 0,
      waiting: 1,
      bytes: 4096,
      interrupted: false,
    },
  };
  const items: RunItem[] = [
    { runId: 'ingest-1', subject: 'KS 2024-0113', packageId: 'pkg-1', status: 'ok', message: 'archived' },
    {
      runId: 'ingest-1',
      subject: 'KS 2024-0200',
      status: 'rejected',
      message: 'bad',
      details: { problems: [{ rule: 'file-empty', file: 'bilaga/tom.pdf', message: 'file is empty' }] },
    },
    {
      runId: 'ingest-1',
      subject: 'KS 2024-0300',
      packageId: 'pkg-3',
      status: 'waiting',
      details: { missing: [{ location: 'offsite', message: 'connection refused' }] },
    },
  ];
  const report = (language: 'sv' | 'en'): RunReport => ({
    report: 'bevara-run-report',
    version: 2,
    language,
    run,
    items,
  });

  it('shows rejected and waiting records with rule, file and reason, and the rest collapsed', () => {
    const html = renderRunHtml(report('sv'));
    expect(bannerOf(html)?.slice(1, 3)).toEqual([
      'red',
      'Inleverans: Slutförd med fel — 1 avvisad, 1 väntar på kopior',
    ]);
    for (const text of [
      'KS 2024-0200',
      'file-empty',
      'bilaga/tom.pdf',
      'file is empty',
      'offsite: connection refused',
    ])
      expect(html).toContain(text);
    expect(/<details>(.*?)<\/details>/s.exec(html)?.[1]).toContain('KS 2024-0113');
    expect(bannerOf(renderRunHtml(report('en')))?.[2]).toBe(
      'Ingest: Completed with failures — 1 rejected, 1 waiting for copies',
    );
  });
});
