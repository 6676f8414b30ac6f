/**
 * `/metrics` over a real archive of two locations: the fixtures ingested by a job run from the API, one copy
 * damaged and repaired by an audit, then every value scraped checked against what the catalog itself says.
 */
import fs from 'node:fs';
import path from 'node:path';
import { register as globalRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locationPolicyFor } from '../../src/config/audit-schema.js';
import { FIXTURES } from '../e2e/helpers.js';
import { type Console, addRoleUsers, login, type Session, startConsole, tempDir, until } from './harness.js';

/** The samples of a Prometheus text exposition: `name{a="x",b="y"}` (labels sorted) → value. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const [, name, labels = '', value = ''] = match;
    const pairs = [...labels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => `${k}="${v}"`).sort();
    samples.set(`${name}{${pairs.join(',')}}`, Number(value));
  }
  return samples;
}

/** The key `parseMetrics` files a sample under. */
const sample = (name: string, labels: Record<string, string> = {}) =>
  `bevara_${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',')}}`;

/** Samples of one metric, whatever their labels. */
const samplesOf = (samples: Map<string, number>, name: string) =>
  [...samples].filter(([key]) => key.startsWith(`bevara_${name}{`));

async function waitForRun(s: Session, url: string): Promise<{ status: string }> {
  return until(async () => {
    const view = (await (await s.fetch(url)).json()) as { status: string };
    return view.status === 'running' ? undefined : view;
  });
}

describe('/metrics, open, over an archive with two locations', () => {
  let c: Console;
  let samples: Map<string, number>;
  let scrapedFrom: Date;
  let scrapedTo: Date;
  let auditRun: string;

  beforeAll(async () => {
    c = await startConsole({
      server: { metrics: 'open' },
      config: {
        locations: { primary: { driver: 'fs' }, offsite: { driver: 'fs' } },
        copies: ['primary', 'offsite'],
        audit: { policies: { offsite: { every: '30d' } } },
      },
    });
    await addRoleUsers(c.ctx);
    const [archivist, operations] = await Promise.all([
      login(c.url, 'archivist'),
      login(c.url, 'operations'),
    ]);
    const source = path.join(tempDir('inbox'), 'inkorg');
    fs.cpSync(FIXTURES, source, { recursive: true });
    expect(
      (
        await archivist.fetch('/api/jobs', {
          method: 'POST',
          json: { name: 'inkorg', source: `folder:${source}` },
        })
      ).status,
    ).toBe(201);
    const started = await archivist.fetch('/api/jobs/inkorg/run', { method: 'POST' });
    const { id: runId } = (await started.json()) as { id: string };
    expect(await waitForRun(archivist, `/api/runs/${encodeURIComponent(runId)}`)).toMatchObject({
      status: 'succeeded',
    });

    // Damage the offsite copy the audit plans first, so that it repairs it from the primary one.
    const [copy] = await c.ctx.catalog.listCopiesByAge('offsite', { offset: 0, limit: 1 });
    if (!copy) throw new Error('no offsite copy');
    const file = path.join(c.dataDir, 'store', 'offsite', copy.key);
    const bytes = fs.readFileSync(file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    fs.chmodSync(file, 0o640);
    fs.writeFileSync(file, bytes);
    const audit = await operations.fetch('/api/audits', { method: 'POST' });
    auditRun = ((await audit.json()) as { runId: string }).runId;
    await waitForRun(operations, `/api/audits/${auditRun}`);
    // And one offsite copy last verified 40 days ago: outside that location's 30-day period.
    const [, , stale] = await c.ctx.catalog.listCopiesByAge('offsite', { offset: 0, limit: 3 });
    if (!stale) throw new Error('no third offsite copy');
    await c.ctx.catalog.putCopy({ ...stale, lastVerifiedAt: new Date(Date.now() - 40 * 86_400_000) });

    scrapedFrom = new Date();
    const res = await fetch(`${c.url}/metrics`);
    scrapedTo = new Date();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    samples = parseMetrics(await res.text());
  });
  afterAll(async () => c.close());

  it('tells packages and their bytes by state, and files, as the catalog counts them', async () => {
    const stats = await c.ctx.catalog.catalogStats();
    const packages = await c.ctx.catalog.listPackages();
    expect(packages.length).toBe(fs.readdirSync(FIXTURES).length);
    expect(samplesOf(samples, 'packages')).toHaveLength(stats.packages.length);
    for (const state of new Set(packages.map((p) => p.state))) {
      const mine = packages.filter((p) => p.state === state);
      expect(samples.get(sample('packages', { state }))).toBe(mine.length);
      expect(samples.get(sample('package_bytes', { state }))).toBe(mine.reduce((n, p) => n + p.size, 0));
    }
    const files = (await Promise.all(packages.map((p) => c.ctx.catalog.listFiles(p.id)))).flat();
    expect(samples.get(sample('files'))).toBe(files.length);
    expect(samples.get(sample('file_bytes'))).toBe(files.reduce((n, f) => n + f.size, 0));
  });

  it('tells copies by location and status, and runs by kind and status', async () => {
    const copies = await c.ctx.catalog.listCopies();
    const keys = new Set(copies.map((k) => `${k.location}\u0000${k.status}`));
    expect(samplesOf(samples, 'copies')).toHaveLength(keys.size);
    for (const key of keys) {
      const [location = '', status = ''] = key.split('\u0000');
      const mine = copies.filter((k) => k.location === location && k.status === status);
      expect(samples.get(sample('copies', { location, status }))).toBe(mine.length);
      expect(samples.get(sample('copy_bytes', { location, status }))).toBe(
        mine.reduce((n, k) => n + k.size, 0),
      );
    }
    const runs = await c.ctx.catalog.listRuns();
    expect(runs.map((r) => r.kind).sort()).toEqual(['audit', 'ingest']);
    for (const run of runs)
      expect(samples.get(sample('runs', { kind: run.kind, status: run.status }))).toBe(
        runs.filter((r) => r.kind === run.kind && r.status === run.status).length,
      );
  });

  it('counts the repair the audit recorded (its run item and its PREMIS replication event)', async () => {
    const repaired = (await c.ctx.catalog.listRunItems(auditRun)).filter((i) => i.status === 'repaired');
    expect(repaired).toHaveLength(1);
    const packageId = repaired[0]?.packageId ?? '';
    const replications = (await c.ctx.catalog.listEvents(packageId)).filter(
      (e) => e.type === 'replication' && e.runId === auditRun,
    );
    expect(replications).toHaveLength(1);
    expect(samples.get(sample('copy_repairs_total'))).toBe(repaired.length);
  });

  it('tells the records of every job by state (the queue of waiting ones among them)', async () => {
    const records = await c.ctx.catalog.listRecordStates({});
    expect(records.length).toBeGreaterThan(0);
    expect(samplesOf(samples, 'job_records')).toHaveLength(new Set(records.map((r) => r.state)).size);
    for (const { state } of records)
      expect(samples.get(sample('job_records', { state }))).toBe(
        records.filter((r) => r.state === state).length,
      );
    expect(samples.get(sample('job_records', { state: 'waiting' }))).toBeUndefined();
  });

  it("tells coverage within each location's audit period, and how long its least recently verified copy waited", async () => {
    for (const location of ['primary', 'offsite']) {
      const every = locationPolicyFor(c.ctx.config.audit, location).every;
      expect(samples.get(sample('audit_period_seconds', { location }))).toBe(every / 1000);
      const copies = await c.ctx.catalog.listCopies({ location });
      const within = copies.filter(
        (k) => k.lastVerifiedAt && k.lastVerifiedAt.getTime() >= scrapedFrom.getTime() - every,
      ).length;
      expect(copies.length - within).toBe(location === 'offsite' ? 1 : 0);
      expect(samples.get(sample('copies_within_policy', { location }))).toBe(within);
      expect(samples.get(sample('copy_coverage_ratio', { location }))).toBe(within / copies.length);
      const anchors = copies.map((k) => (k.lastVerifiedAt ?? k.storedAt).getTime());
      const oldest = Math.min(...anchors);
      const age = samples.get(sample('oldest_unverified_copy_age_seconds', { location })) ?? -1;
      expect(age).toBeGreaterThanOrEqual((scrapedFrom.getTime() - oldest) / 1000 - 0.001);
      expect(age).toBeLessThanOrEqual((scrapedTo.getTime() - oldest) / 1000 + 0.001);
    }
    expect(
      locationPolicyFor(c.ctx.config.audit, 'offsite').every,
      'the configured period, not the default',
    ).toBe(30 * 86_400_000);
  });

  it('adds process metrics, on a registry of its own (not the global default)', async () => {
    expect(samples.get(sample('process_cpu_user_seconds_total'))).toBeGreaterThan(0);
    expect(samples.has(sample('nodejs_heap_size_used_bytes'))).toBe(true);
    expect(samples.get(sample('metrics_catalog_seconds'))).toBeGreaterThanOrEqual(0);
    expect((await globalRegistry.getMetricsAsJSON()).filter((m) => m.name.startsWith('bevara_'))).toEqual([]);
  });

  it('reads the catalog again on every scrape', async () => {
    const [pkg] = await c.ctx.catalog.listPackages();
    if (!pkg) throw new Error('no package');
    await c.ctx.catalog.setPackageState(pkg.id, 'damaged', c.ctx.now());
    const again = parseMetrics(await (await fetch(`${c.url}/metrics`)).text());
    expect(again.get(sample('packages', { state: 'damaged' }))).toBe(1);
    const stats = await c.ctx.catalog.catalogStats();
    for (const p of stats.packages) expect(again.get(sample('packages', { state: p.state }))).toBe(p.count);
  });
});

describe('/metrics, login', () => {
  it('refuses a scrape without a session and serves any role', async () => {
    const c = await startConsole({ server: { metrics: 'login' } });
    try {
      await addRoleUsers(c.ctx);
      const refused = await fetch(`${c.url}/metrics`, {
        headers: { accept: 'text/html' },
        redirect: 'manual',
      });
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ rule: 'login-required' });
      const reader = await login(c.url, 'reader');
      const res = await reader.fetch('/metrics');
      expect(res.status).toBe(200);
      const scraped = parseMetrics(await res.text());
      expect(scraped.get(sample('files'))).toBe(0);
      expect(scraped.get(sample('copy_repairs_total'))).toBe(0);
      expect(scraped.get(sample('copy_coverage_ratio', { location: 'local' }))).toBe(1);
      expect(scraped.has(sample('oldest_unverified_copy_age_seconds', { location: 'local' }))).toBe(false);
    } finally {
      await c.close();
    }
  });
});
