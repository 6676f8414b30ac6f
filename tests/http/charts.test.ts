/**
 * The overview's storage chart: running totals per location from the catalog's copies (SQLite, after a real
 * ingest), drawn as SVG with a title, a description and the same numbers in a table; no script, no style attribute.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coverageTrend } from '../../src/http/services/coverage-trend.js';
import { storageTrend } from '../../src/http/services/storage-trend.js';
import { formatBytes } from '../../src/reports/format-bytes.js';
import { FIXTURES } from '../e2e/helpers.js';
import { type Console, addRoleUsers, login, type Session, startConsole, tempDir } from './harness.js';

describe('storage over time', () => {
  it('adds up each location day by day, keeping the latest days', () => {
    const trend = storageTrend(
      [
        { location: 'local', day: '2026-01-01', bytes: 10 },
        { location: 'offsite', day: '2026-01-01', bytes: 10 },
        { location: 'local', day: '2026-01-03', bytes: 5 },
        { location: 'offsite', day: '2026-01-04', bytes: 7 },
      ],
      3,
    );
    expect(trend).toEqual({
      days: ['2026-01-01', '2026-01-03', '2026-01-04'],
      locations: [
        { name: 'local', bytes: [10, 15, 15] },
        { name: 'offsite', bytes: [10, 10, 17] },
      ],
    });
    expect(storageTrend([], 3)).toEqual({ days: [], locations: [] });
    expect(
      storageTrend(
        [
          { location: 'a', day: '2026-01-01', bytes: 1 },
          { location: 'a', day: '2026-01-02', bytes: 2 },
        ],
        1,
      ),
    ).toEqual({
      days: ['2026-01-02'],
      locations: [{ name: 'a', bytes: [3] }],
    });
  });

  it('charts each location’s coverage run by run, leaving out runs that did not report it', () => {
    const run = (id: string, at: string, coverage?: unknown) => ({
      id,
      kind: 'audit' as const,
      status: 'succeeded' as const,
      startedAt: new Date(at),
      finishedAt: new Date(at),
      params: {},
      summary: coverage ? { coverage } : {},
    });
    const trend = coverageTrend([
      run('b', '2026-01-02T00:00:00Z', [{ location: 'local', copies: 4, withinPolicy: 3 }]),
      run('decision', '2026-01-03T00:00:00Z'),
      run('a', '2026-01-01T00:00:00Z', [
        { location: 'local', copies: 4, withinPolicy: 2 },
        { location: 'offsite', copies: 0, withinPolicy: 0 },
      ]),
    ]);
    expect(trend.runs.map((r) => r.id)).toEqual(['a', 'b']);
    expect(trend.locations).toEqual([
      { name: 'local', percent: [50, 75] },
      { name: 'offsite', percent: [100, undefined] },
    ]);
  });

  describe('on the overview', () => {
    let c: Console;
    let reader: Session;
    beforeAll(async () => {
      c = await startConsole({
        config: {
          locations: { local: { driver: 'fs' }, offsite: { driver: 'fs' } },
          copies: ['local', 'offsite'],
        },
      });
      await addRoleUsers(c.ctx);
      reader = await login(c.url, 'reader');
    });
    afterAll(async () => c.close());

    it('says there is nothing yet, then draws what the catalog holds after an ingest', async () => {
      expect(await (await reader.fetch('/?lang=en')).text()).toContain('No copies stored yet.');
      const archivist = await login(c.url, 'archivist');
      const source = path.join(tempDir('charts'), 'inkorg');
      fs.cpSync(FIXTURES, source, { recursive: true });
      await archivist.fetch('/api/jobs', {
        method: 'POST',
        json: { name: 'inkorg', source: `folder:${source}` },
      });
      const { id } = (await (await archivist.fetch('/api/jobs/inkorg/run', { method: 'POST' })).json()) as {
        id: string;
      };
      for (let i = 0; i < 300; i++) {
        const run = (await (await reader.fetch(`/api/runs/${id}`)).json()) as { status: string };
        if (run.status !== 'running') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const page = await (await reader.fetch('/?lang=en')).text();
      const svg = /<svg[^>]*role="img"[^>]*>[\s\S]*?<\/svg>/.exec(page)?.[0] ?? '';
      expect(svg).toContain('<title id="growth-chart-title">Storage over time</title>');
      expect(svg).toMatch(
        /<desc id="growth-chart-desc">Bytes each location holds, day by day, 1 days from \d{4}-\d\d-\d\d/,
      );
      expect(svg).not.toMatch(/style=|<script/);
      expect((svg.match(/<polyline /g) ?? []).length).toBe(2);
      const copies = await c.ctx.catalog.listCopies({ location: 'local' });
      const bytes = copies.reduce((n, cp) => n + cp.size, 0);
      expect(bytes).toBeGreaterThan(0);
      // The table below the chart carries the same total as the catalog.
      const figure = /<figure class="chart">[\s\S]*?<\/figure>/.exec(page)?.[0] ?? '';
      expect(figure).toContain(`<td class="num">${formatBytes(bytes)}</td>`);
    });

    it('charts coverage per location on the audits page after an audit', async () => {
      expect(await (await reader.fetch('/audits?lang=en')).text()).toContain(
        'No audit has reported coverage yet.',
      );
      const operations = await login(c.url, 'operations');
      const started = (await (
        await operations.fetch('/api/audits', { method: 'POST', json: {} })
      ).json()) as {
        runId?: string;
      };
      expect(started.runId).toBeDefined();
      for (let i = 0; i < 300; i++) {
        const run = (await (await reader.fetch(`/api/audits/${started.runId}`)).json()) as { status: string };
        if (run.status !== 'running') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const page = await (await reader.fetch('/audits?lang=en')).text();
      const svg = /<svg[^>]*role="img"[^>]*>[\s\S]*?<\/svg>/.exec(page)?.[0] ?? '';
      expect(svg).toContain('<title id="coverage-chart-title">Coverage over time</title>');
      expect(svg).toMatch(/Now: local 100\.0 %, offsite 100\.0 %/);
      expect((svg.match(/<polyline /g) ?? []).length).toBe(2);
    });
  });
});
