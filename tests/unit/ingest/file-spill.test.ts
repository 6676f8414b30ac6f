import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogError } from '../../../src/catalog/errors.js';
import { createSqliteCatalog } from '../../../src/catalog/sqlite.js';
import type { Catalog } from '../../../src/catalog/types.js';
import { readSpilledFiles, removeSpill, spillFiles } from '../../../src/ingest/file-spill.js';
import type { FileRecord } from '../../../src/model/package.js';
import { processTag } from '../../../src/processes.js';
import { makeFile, makePackage } from '../catalog/fixtures.js';

let dir: string;
let catalog: Catalog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bevara-spill-'));
  catalog = createSqliteCatalog({ path: join(dir, 'catalog.sqlite') });
  await catalog.migrate();
});

afterEach(async () => {
  await catalog.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `count` files of package `p1`, every third with a format, names with åäö and a newline. */
function manyFiles(count: number): FileRecord[] {
  return Array.from({ length: count }, (_, i) =>
    makeFile('p1', `Bilagor/ärende ${i}\n§${i}.pdf`, {
      size: i,
      modifiedAt: new Date(Date.UTC(2024, 4, 13, 8, 15, 30, i % 1000)),
      ...(i % 3 === 0 ? { format: { puid: 'fmt/354', name: 'PDF/A', version: '1b', basis: 'header' } } : {}),
    }),
  );
}

async function collect(path: string): Promise<FileRecord[]> {
  const out: FileRecord[] = [];
  for await (const file of readSpilledFiles(path)) out.push(file);
  return out;
}

describe('file list spilled between the packaging thread and the catalog', () => {
  it('reads back every file as written, dates as dates, in its own folder readable by this user only', async () => {
    const files = manyFiles(2500);
    const path = spillFiles(files, dir);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(2501);
    expect(statSync(path).mode & 0o077).toBe(0);
    expect(statSync(dirname(path)).mode & 0o077).toBe(0);
    expect(await collect(path)).toEqual(files);
    removeSpill(path);
    expect(existsSync(dirname(path))).toBe(false);
  });

  it('is streamed into the catalog in one transaction: every file, in batches, from disk', async () => {
    const files = manyFiles(2500);
    const path = spillFiles(files, dir);
    await catalog.addPackage(makePackage('p1', { fileCount: files.length }), readSpilledFiles(path), []);
    const listed = await catalog.listFiles('p1');
    expect(listed).toHaveLength(2500);
    expect(new Map(listed.map((f) => [f.path, f]))).toEqual(new Map(files.map((f) => [f.path, f])));
  });

  it('adds nothing when a later batch fails: the package and the files of earlier batches are rolled back', async () => {
    const files = [...manyFiles(2500), makeFile('p1', 'Bilagor/ärende 7\n§7.pdf')];
    const path = spillFiles(files, dir);
    const error = await catalog
      .addPackage(makePackage('p1', { fileCount: files.length }), readSpilledFiles(path), [])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(CatalogError);
    expect(String(error)).toContain('already exists');
    expect(await catalog.getPackage('p1')).toBeNull();
    expect(await catalog.listFiles('p1')).toEqual([]);
  });

  it('removes what killed processes of this host left, and nothing of a live one', () => {
    const parent = join(dir, 'tmp');
    const dead = join(parent, `bevara-files-${hostname()}#999999999-a1`);
    const live = join(parent, `bevara-files-${processTag()}-b2`);
    for (const folder of [dead, live]) mkdirSync(folder, { recursive: true });
    const path = spillFiles(manyFiles(3), parent);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(readdirSync(parent).sort()).toEqual(
      [dirname(path).slice(parent.length + 1), live.slice(parent.length + 1)].sort(),
    );
  });
});
