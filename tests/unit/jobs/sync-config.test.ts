import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteCatalog } from '../../../src/catalog/sqlite.js';
import type { Catalog, JobRecord } from '../../../src/catalog/types.js';
import { createLogger } from '../../../src/logger.js';
import { syncConfigJobs } from '../../../src/jobs/sync-config.js';

const T0 = new Date('2025-03-01T10:00:00Z');
const T1 = new Date('2025-03-02T10:00:00Z');
const T2 = new Date('2025-03-03T10:00:00Z');

function job(name: string, over: Partial<JobRecord> = {}): JobRecord {
  return {
    name,
    source: { kind: 'folder', path: `/exports/${name}` },
    profile: 'eark-aip',
    schedule: { cron: '0 2 * * *', timezone: 'Europe/Stockholm' },
    afterSuccess: { action: 'leave' },
    enabled: true,
    origin: 'config',
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

describe('syncConfigJobs', () => {
  let dir: string;
  let catalog: Catalog;
  let logLines: { msg: string; job?: string; level: number }[];
  let logger: ReturnType<typeof createLogger>;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-jobsync-'));
    catalog = createSqliteCatalog({ path: path.join(dir, 'catalog.sqlite') });
    await catalog.migrate();
    logLines = [];
    logger = createLogger({
      level: 'info',
      format: 'json',
      sink: { write: (line: string) => void logLines.push(JSON.parse(line)) },
    });
  });
  afterEach(async () => {
    await catalog.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('adds declared jobs with origin config, and leaves an unchanged job untouched', async () => {
    const first = await syncConfigJobs(catalog, [job('a'), job('b', { enabled: false })], T1, logger);
    expect(first).toEqual({ added: ['a', 'b'], updated: [], removed: [], adopted: [] });
    const stored = await catalog.listJobs();
    expect(stored.map((j) => [j.name, j.origin, j.enabled, j.createdAt.toISOString()])).toEqual([
      ['a', 'config', true, T1.toISOString()],
      ['b', 'config', false, T1.toISOString()],
    ]);
    const again = await syncConfigJobs(catalog, [job('a'), job('b', { enabled: false })], T2, logger);
    expect(again).toEqual({ added: [], updated: [], removed: [], adopted: [] });
    expect((await catalog.getJob('a'))?.updatedAt).toEqual(T1);
  });

  it('takes a changed definition from the file, keeping createdAt and a pause', async () => {
    await syncConfigJobs(catalog, [job('a')], T0, logger);
    const paused = await catalog.getJob('a');
    await catalog.putJob({ ...(paused as JobRecord), enabled: false, updatedAt: T1 });

    // A restart that reads the same file: the pause stays.
    await syncConfigJobs(catalog, [job('a')], T1, logger);
    expect((await catalog.getJob('a'))?.enabled).toBe(false);

    const changed = job('a', {
      profile: 'bagit',
      schedule: { cron: '30 3 * * *', timezone: 'UTC' },
      afterSuccess: { action: 'move', to: '/done' },
      limits: { maxBytes: 1000 },
    });
    const result = await syncConfigJobs(catalog, [changed], T2, logger);
    expect(result.updated).toEqual(['a']);
    const now = await catalog.getJob('a');
    expect(now).toMatchObject({
      profile: 'bagit',
      schedule: { cron: '30 3 * * *', timezone: 'UTC' },
      afterSuccess: { action: 'move', to: '/done' },
      limits: { maxBytes: 1000 },
      enabled: false,
      origin: 'config',
    });
    expect(now?.createdAt).toEqual(T0);
    expect(now?.updatedAt).toEqual(T2);
  });

  it('enabled: false in the file disables a job the catalog has enabled', async () => {
    await syncConfigJobs(catalog, [job('a')], T0, logger);
    await syncConfigJobs(catalog, [job('a', { enabled: false })], T1, logger);
    expect((await catalog.getJob('a'))?.enabled).toBe(false);
  });

  it('removes config jobs the file no longer declares and leaves CLI jobs alone', async () => {
    await catalog.putJob(job('by-hand', { origin: 'cli', enabled: false }));
    await syncConfigJobs(catalog, [job('a'), job('b')], T0, logger);
    const result = await syncConfigJobs(catalog, [job('b')], T1, logger);
    expect(result.removed).toEqual(['a']);
    expect((await catalog.listJobs()).map((j) => [j.name, j.origin, j.enabled])).toEqual([
      ['b', 'config', true],
      ['by-hand', 'cli', false],
    ]);
    expect(logLines.some((l) => l.job === 'a' && /no longer declared/.test(l.msg))).toBe(true);
  });

  it('a CLI job the file now declares becomes a config job, logged, keeping its pause', async () => {
    await catalog.putJob(job('w3d3', { origin: 'cli', enabled: false, profile: 'bagit' }));
    const result = await syncConfigJobs(catalog, [job('w3d3')], T1, logger);
    expect(result.adopted).toEqual(['w3d3']);
    expect(await catalog.getJob('w3d3')).toMatchObject({
      origin: 'config',
      profile: 'eark-aip',
      enabled: false,
    });
    const warned = logLines.find((l) => l.job === 'w3d3');
    expect(warned?.level).toBe(40);
    expect(warned?.msg).toMatch(/now declared in the config file/);
    // Removed from the file later, it goes: it is a config job now.
    await syncConfigJobs(catalog, [], T2, logger);
    expect(await catalog.getJob('w3d3')).toBeNull();
  });
});
