import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogError } from '../../../src/catalog/errors.js';
import { createSqliteCatalog } from '../../../src/catalog/sqlite.js';
import type { Catalog, RunItem, RunRecord } from '../../../src/catalog/types.js';
import { NotFoundError } from '../../../src/errors.js';
import { FIVE_GB } from './fixtures.js';

let dir: string;
let catalog: Catalog;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bevara-catalog-runs-'));
  catalog = createSqliteCatalog({ path: join(dir, 'catalog.sqlite') });
  await catalog.migrate();
});

afterEach(async () => {
  await catalog.close();
  await rm(dir, { recursive: true, force: true });
});

describe('sqlite catalog: runs', () => {
  const run = (id: string, kind: RunRecord['kind'], startedAt: string): RunRecord => ({
    id,
    kind,
    startedAt: new Date(startedAt),
    status: 'running',
    params: { source: '/srv/arkiv/inkorg/Överlämning 2024', locations: ['primary', 'offsite-s3'] },
  });

  it('starts, fills, finishes and lists runs', async () => {
    await catalog.startRun(run('r1', 'ingest', '2024-05-01T00:00:00.000Z'));
    await catalog.startRun(run('r2', 'audit', '2024-05-03T00:00:00.000Z'));
    await catalog.startRun(run('r3', 'ingest', '2024-05-02T00:00:00.000Z'));

    const items: RunItem[] = [
      { runId: 'r1', subject: 'Ärende 1', status: 'ok', packageId: 'p1' },
      {
        runId: 'r1',
        subject: 'Ärende 2',
        status: 'rejected',
        message: 'Filnamn ogiltigt',
        details: { rule: 'x' },
      },
      { runId: 'r1', subject: 'Ärende 3', status: 'skipped' },
    ];
    for (const item of items) await catalog.addRunItems([item]);
    await catalog.addRunItems([{ runId: 'r2', subject: 'primary:aip/p1.zip', status: 'orphan' }]);
    expect(await catalog.listRunItems('r1')).toEqual(items);
    expect((await catalog.listRunItems('r1'))[2]).not.toHaveProperty('message');

    const finishedAt = new Date('2024-05-01T00:10:00.250Z');
    await catalog.finishRun(
      'r1',
      'completed-with-failures',
      finishedAt,
      { ok: 1, rejected: 1, bytes: FIVE_GB },
      ['/srv/rapporter/ingest-r1.json'],
    );
    expect(await catalog.getRun('r1')).toEqual({
      ...run('r1', 'ingest', '2024-05-01T00:00:00.000Z'),
      status: 'completed-with-failures',
      finishedAt,
      summary: { ok: 1, rejected: 1, bytes: FIVE_GB },
      reports: ['/srv/rapporter/ingest-r1.json'],
    });
    const open = await catalog.getRun('r3');
    expect(open).toEqual(run('r3', 'ingest', '2024-05-02T00:00:00.000Z'));
    expect(open).not.toHaveProperty('finishedAt');
    expect(open).not.toHaveProperty('summary');

    expect((await catalog.listRuns()).map((r) => r.id)).toEqual(['r2', 'r3', 'r1']);
    expect((await catalog.listRuns({ kind: 'ingest' })).map((r) => r.id)).toEqual(['r3', 'r1']);
    expect((await catalog.listRuns({ limit: 1 })).map((r) => r.id)).toEqual(['r2']);
  });

  it('fails clearly for unknown or duplicate runs', async () => {
    await expect(catalog.addRunItems([{ runId: 'saknas', subject: 's', status: 'ok' }])).rejects.toThrow(
      NotFoundError,
    );
    await expect(catalog.addRunItems([{ runId: 'saknas', subject: 's', status: 'ok' }])).rejects.toThrow(
      'run "saknas" does not exist',
    );
    await expect(catalog.finishRun('saknas', 'succeeded', new Date(), {})).rejects.toThrow(NotFoundError);
    await catalog.startRun(run('r1', 'audit', '2024-05-01T00:00:00.000Z'));
    await expect(catalog.startRun(run('r1', 'audit', '2024-05-01T00:00:00.000Z'))).rejects.toThrow(
      /run "r1": it already exists/,
    );
  });
});

describe('sqlite catalog: closing', () => {
  it('closes once and then refuses work with a catalog error', async () => {
    await catalog.close();
    await catalog.close();
    await expect(catalog.listRuns()).rejects.toThrow(CatalogError);
    await expect(catalog.getRun('r1')).rejects.toThrow(/^\[catalog:sqlite\] cannot get run "r1"/);
  });
});
