import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { json, tempDir } from './helpers.js';
import {
  type Archive,
  buildArchive,
  type CatalogView,
  catalogView,
  expectSameCatalog,
} from './rebuild-scenario.js';

const serverUrl = inject('postgres');
const database = `bevara_rebuild_${randomBytes(6).toString('hex')}`;
let admin: pg.Pool;

function urlOf(name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

describe('catalog rebuild from storage (fs locations, PostgreSQL)', () => {
  let archive: Archive;
  let before: CatalogView;

  beforeAll(async () => {
    admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
    admin.on('error', () => {});
    await admin.query(`CREATE DATABASE ${database}`);
    archive = buildArchive(tempDir('rebuild-pg'), ['--catalog', urlOf(database)]);
    before = catalogView(archive);
    expect(before.ls.length).toBe(7);
  }, 900_000);
  afterAll(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin?.end();
    if (archive) fs.rmSync(archive.work, { recursive: true, force: true });
  });

  it('refuses a catalog that holds packages, then rebuilds a dropped one field for field', async () => {
    const refused = archive.cli(['catalog', 'rebuild']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('catalog-not-empty');

    await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${database}`);
    const result = archive.cli(['--json', 'catalog', 'rebuild']);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(json<{ packages: number; failed: unknown[] }>(result)).toMatchObject({ packages: 7, failed: [] });
    expectSameCatalog(before, catalogView(archive), archive.repairedId);
    expect(archive.cli(['audit', '--all']).code).toBe(0);
    expect(archive.cli(['orphans', 'list']).code).toBe(0);

    const again = archive.cli(['--json', 'catalog', 'rebuild']);
    expect(again.code).toBe(0);
    expect(json<{ packages: number }>(again).packages).toBe(0);
  }, 600_000);
});
