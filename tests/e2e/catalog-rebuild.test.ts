import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageSummary } from '../../src/catalog/types.js';
import { bevaraAsync, json, tempDir } from './helpers.js';
import {
  type Archive,
  buildArchive,
  type CatalogView,
  catalogView,
  expectSameCatalog,
} from './rebuild-scenario.js';

interface RebuildJson {
  packages: number;
  failed: unknown[];
  disagreements: string[];
  metadataMismatches: string[];
  resumed: boolean;
  jobs: string[];
}

function removeCatalog(data: string): void {
  for (const suffix of ['', '-wal', '-shm'])
    fs.rmSync(path.join(data, `catalog.sqlite${suffix}`), { force: true });
}

describe('catalog rebuild from storage (fs locations, SQLite)', { timeout: 600_000 }, () => {
  let archive: Archive;
  let before: CatalogView;

  beforeAll(() => {
    archive = buildArchive(tempDir('rebuild'), []);
    before = catalogView(archive);
    expect(before.ls.length).toBe(7);
  }, 900_000);
  afterAll(() => archive && fs.rmSync(archive.work, { recursive: true, force: true }));

  it('refuses to rebuild into a catalog that holds packages', () => {
    const result = archive.cli(['catalog', 'rebuild']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('catalog-not-empty');
    expect(json<PackageSummary[]>(archive.cli(['--json', 'ls'])).length).toBe(7);
  });

  it('gives back every package, file, copy, predecessor and event; audit is clean, no orphans', () => {
    removeCatalog(archive.data);
    const result = archive.cli(['--json', 'catalog', 'rebuild']);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const summary = json<RebuildJson>(result);
    expect(summary).toMatchObject({
      packages: 7,
      failed: [],
      disagreements: [],
      metadataMismatches: [],
      resumed: false,
    });
    expect(summary.jobs).toEqual(['nightly']);
    expect(fs.existsSync(path.join(archive.data, 'rebuild-staging.sqlite'))).toBe(false);
    const after = catalogView(archive);
    expectSameCatalog(before, after, archive.repairedId);
    const changed = after.shown.get(archive.newVersionId);
    expect(changed?.package.predecessorId).toMatch(/^uuid-/);
    expect(before.shown.get(changed?.package.predecessorId ?? '')?.package.sourceKey).toBe(
      changed?.package.sourceKey,
    );

    expect(archive.cli(['audit', '--all']).code).toBe(0);
    expect(archive.cli(['orphans', 'list']).code).toBe(0);
    // The rebuilt catalog knows each record as unchanged: ingest writes nothing.
    const again = archive.cli(['--json', 'ingest', path.join(archive.work, 'records')]);
    expect(again.code).toBe(0);
    expect(json<PackageSummary[]>(archive.cli(['--json', 'ls'])).length).toBe(7);
  });

  it('run twice, changes nothing', () => {
    const view = catalogView(archive);
    const result = archive.cli(['--json', 'catalog', 'rebuild']);
    expect(result.code).toBe(0);
    expect(json<RebuildJson>(result)).toMatchObject({ packages: 0, resumed: true });
    expect(catalogView(archive).ls).toEqual(view.ls);
  });

  it('adopts one orphan package after verifying it, and refuses a damaged one', () => {
    const id = archive.newVersionId;
    const key = `packages/${id}/${id}.zip`;
    // An older catalog that never knew the new version: its copies are orphans.
    const db = new Database(path.join(archive.data, 'catalog.sqlite'));
    for (const table of ['events', 'copies', 'files', 'stored_objects'])
      db.prepare(`DELETE FROM ${table} WHERE package_id = ?`).run(id);
    db.prepare('DELETE FROM packages WHERE id = ?').run(id);
    db.close();
    expect(archive.cli(['orphans', 'list']).code).toBe(1);
    const adopted = archive.cli([
      '--json',
      'orphans',
      'adopt',
      'local',
      key,
      '--by',
      'Ada',
      '--reason',
      'catalog restored from backup',
    ]);
    expect(adopted.code, adopted.stderr.slice(-2000)).toBe(0);
    expect(json<{ copies: { status: string }[] }>(adopted).copies.map((c) => c.status)).toEqual([
      'verified',
      'verified',
    ]);
    const shown = catalogView(archive).shown.get(id);
    expect(shown?.package).toEqual({
      ...before.shown.get(id)?.package,
      archivedAt: shown?.package.archivedAt,
    });
    expect(shown?.files).toEqual(before.shown.get(id)?.files);
    expect(
      shown?.events.filter((e) => e.detail.includes('adopted from the unknown objects by Ada')),
    ).toHaveLength(2);
    expect(archive.cli(['orphans', 'list']).code).toBe(0);
    const twice = archive.cli(['orphans', 'adopt', `local:${key}`, '--by', 'Ada', '--reason', 'again']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('not-an-orphan');
  });
});

describe('catalog rebuild killed half-way', () => {
  let archive: Archive;
  let complete: CatalogView;

  beforeAll(() => {
    archive = buildArchive(tempDir('rebuild-kill'), [], 16);
    removeCatalog(archive.data);
    expect(archive.cli(['catalog', 'rebuild']).code).toBe(0);
    complete = catalogView(archive);
  }, 900_000);
  afterAll(() => archive && fs.rmSync(archive.work, { recursive: true, force: true }));

  it('continues where it stopped and ends with the same catalog', async () => {
    const total = complete.ls.length;
    const kills: number[] = [];
    removeCatalog(archive.data);
    for (const at of [1, Math.floor(total / 2)]) {
      const run = bevaraAsync(archive.data, [
        '--config',
        path.join(archive.work, 'bevara.yaml'),
        'catalog',
        'rebuild',
        '--concurrency',
        '1',
      ]);
      const catalogued = await countWhenKilled(archive.data, run, at);
      kills.push(catalogued);
      expect((await run.done).code).not.toBe(0);
    }
    expect(
      kills.some((n) => n > 0 && n < total),
      `catalogued when killed: ${kills}`,
    ).toBe(true);
    const result = archive.cli(['--json', 'catalog', 'rebuild']);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(json<RebuildJson>(result).resumed).toBe(true);
    const resumed = catalogView(archive);
    expect(resumed.ls).toEqual(complete.ls);
    expect(resumed.shown).toEqual(complete.shown);
    expect(archive.cli(['audit', '--all']).code).toBe(0);
  }, 600_000);
});

/** Kills the rebuild with SIGKILL once the catalog holds `at` packages; returns how many it held then. */
async function countWhenKilled(
  data: string,
  run: ReturnType<typeof bevaraAsync>,
  at: number,
): Promise<number> {
  const file = path.join(data, 'catalog.sqlite');
  for (;;) {
    if (run.child.exitCode !== null) return -1;
    if (fs.existsSync(file)) {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        const { n } = db.prepare('SELECT COUNT(*) AS n FROM packages').get() as { n: number };
        if (n >= at) {
          run.child.kill('SIGKILL');
          return n;
        }
      } catch {
        // not migrated yet
      } finally {
        db.close();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
