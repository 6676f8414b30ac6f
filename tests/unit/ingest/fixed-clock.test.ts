import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteCatalog } from '../../../src/catalog/sqlite.js';
import type { Catalog } from '../../../src/catalog/types.js';
import { ingestRecord } from '../../../src/ingest/ingest-record.js';
import { createInlinePackageWriter } from '../../../src/ingest/package-writer.js';
import { loadProfile } from '../../../src/package/profile.js';
import { createFolderSource } from '../../../src/sources/folder.js';
import { createFsDriver } from '../../../src/storage/fs.js';
import type { Location } from '../../../src/storage/index.js';
import { packageKey } from '../../../src/storage/keys.js';
import { readZipDirectory, walkZip } from '../../../src/zip/reader.js';

const FIXED = new Date('2031-02-03T04:05:06.789Z');

async function unzip(bytes: Buffer): Promise<Map<string, string>> {
  const directory = await readZipDirectory(
    async (start, end) => bytes.subarray(start, end + 1),
    bytes.length,
  );
  const entries = new Map<string, Buffer[]>();
  await walkZip(Readable.from([bytes]), directory, {
    onEntry: (entry) => {
      const parts: Buffer[] = [];
      entries.set(entry.name, parts);
      return { write: (chunk) => void parts.push(Buffer.from(chunk)), end: () => undefined };
    },
  });
  return new Map([...entries].map(([name, parts]) => [name, Buffer.concat(parts).toString('utf8')]));
}

describe('one clock', () => {
  let work: string;
  let catalog: Catalog;
  let location: Location;

  beforeEach(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-clock-'));
    fs.mkdirSync(path.join(work, 'in', 'case'), { recursive: true });
    fs.writeFileSync(path.join(work, 'in', 'case', 'a.txt'), 'a letter\n');
    catalog = createSqliteCatalog({ path: path.join(work, 'catalog.sqlite'), now: () => FIXED });
    await catalog.migrate();
    location = { name: 'one', driver: createFsDriver({ root: path.join(work, 'store') }) };
  });
  afterEach(async () => {
    await catalog.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('dates the METS, the PREMIS events and the catalogue by the injected clock, not the wall clock', async () => {
    let record: Parameters<typeof ingestRecord>[1]['record'] | undefined;
    for await (const scanned of createFolderSource({ root: path.join(work, 'in') }).scan())
      if (scanned.ok) record = scanned.record;
    if (!record) throw new Error('no record scanned');
    const outcome = await ingestRecord(
      {
        catalog,
        logger: pino({ level: 'silent' }),
        agent: { name: 'bevara', version: 'test' },
        now: () => FIXED,
        writer: createInlinePackageWriter(new Map([[location.name, location]])),
      },
      { record, profile: loadProfile('eark-aip'), copies: ['one'], runId: 'ingest-test' },
    );
    expect(outcome.status).toBe('archived');
    const packageId = outcome.packageId;
    // The package id (UUID version 7) carries the clock's millisecond too.
    const ms = Number.parseInt(packageId.slice(5, 13) + packageId.slice(14, 18), 16);
    expect(ms).toBe(FIXED.getTime());

    const zip = await unzip(await buffer(await location.driver.get(packageKey(packageId))));
    const iso = FIXED.toISOString();
    const rootMets = zip.get(`${packageId}/METS.xml`) ?? '';
    expect(rootMets).toContain(`CREATEDATE="${iso}"`);
    expect(rootMets).toContain(`LASTMODDATE="${iso}"`);
    const repMets = zip.get(`${packageId}/representations/rep1/METS.xml`) ?? '';
    expect(repMets).toContain(`CREATEDATE="${iso}"`);
    const premis = zip.get(`${packageId}/metadata/preservation/premis.xml`) ?? '';
    const dates = [...premis.matchAll(/<premis:eventDateTime>([^<]*)<\/premis:eventDateTime>/g)].map(
      (m) => m[1],
    );
    expect(dates.length).toBeGreaterThanOrEqual(2);
    expect(new Set(dates)).toEqual(new Set([iso]));

    const pkg = await catalog.getPackage(packageId);
    expect(pkg?.createdAt.toISOString()).toBe(iso);
    expect(pkg?.archivedAt?.toISOString()).toBe(iso);
    const events = await catalog.listEvents(packageId);
    expect(events.map((e) => e.type).sort()).toEqual([
      'fixity check',
      'ingestion',
      'message digest calculation',
    ]);
    for (const e of events) expect(e.at.toISOString()).toBe(iso);
  });
});
