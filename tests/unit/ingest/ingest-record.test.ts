import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteCatalog } from '../../../src/catalog/sqlite.js';
import type { Catalog } from '../../../src/catalog/types.js';
import { ValidationError } from '../../../src/errors.js';
import { ingestRecord } from '../../../src/ingest/ingest-record.js';
import { createInlinePackageWriter } from '../../../src/ingest/package-writer.js';
import { loadProfile } from '../../../src/package/profile.js';
import { createFolderSource } from '../../../src/sources/folder.js';
import type { SourceRecord } from '../../../src/sources/types.js';
import { createFsDriver } from '../../../src/storage/fs.js';
import type { Location } from '../../../src/storage/index.js';

const deps = (catalog: Catalog, locations: Location[]) => ({
  catalog,
  logger: pino({ level: 'silent' }),
  agent: { name: 'bevara', version: 'test' },
  now: () => new Date(),
  writer: createInlinePackageWriter(new Map(locations.map((l) => [l.name, l]))),
});

async function scanOne(root: string): Promise<SourceRecord> {
  for await (const scanned of createFolderSource({ root }).scan()) {
    if (scanned.ok) return scanned.record;
    throw new Error(scanned.rejected.errors.map((e) => e.message).join('; '));
  }
  throw new Error('no record');
}

async function storedKeys(location: Location): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of location.driver.list()) keys.push(object.key);
  return keys;
}

describe('ingestRecord', () => {
  let work: string;
  let catalog: Catalog;
  let locations: Location[];

  beforeEach(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-ingest-'));
    fs.mkdirSync(path.join(work, 'in', 'ärende'), { recursive: true });
    fs.writeFileSync(path.join(work, 'in', 'ärende', 'a.txt'), 'första filen\n');
    fs.writeFileSync(path.join(work, 'in', 'ärende', 'b.bin'), Buffer.alloc(3 << 20, 7));
    catalog = createSqliteCatalog({ path: path.join(work, 'catalog.sqlite') });
    await catalog.migrate();
    locations = ['one', 'two'].map((name) => ({
      name,
      driver: createFsDriver({ root: path.join(work, 'store', name) }),
    }));
  });
  afterEach(async () => {
    await catalog.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('reads each source file exactly once, writes every copy from that read, and records them verified', async () => {
    const record = await scanOne(path.join(work, 'in'));
    const opened: Record<string, number> = {};
    const bytesRead: Record<string, number> = {};
    const counted: SourceRecord = {
      ...record,
      files: record.files.map((file) => ({
        ...file,
        open: () => {
          opened[file.path] = (opened[file.path] ?? 0) + 1;
          const stream = file.open();
          return Readable.from(
            (async function* () {
              for await (const chunk of stream) {
                bytesRead[file.path] = (bytesRead[file.path] ?? 0) + (chunk as Buffer).length;
                yield chunk as Buffer;
              }
            })(),
          );
        },
      })),
    };
    const outcome = await ingestRecord(deps(catalog, locations), {
      record: counted,
      profile: loadProfile('eark-aip'),
      copies: ['one', 'two'],
      runId: 'r1',
    });
    expect(outcome.status).toBe('archived');
    expect(opened).toEqual({ 'a.txt': 1, 'b.bin': 1 });
    expect(bytesRead).toEqual({ 'a.txt': record.files[0]?.size, 'b.bin': 3 << 20 });
    const copies = await catalog.listCopies({ packageId: outcome.packageId });
    expect(copies.map((c) => [c.location, c.status])).toEqual([
      ['one', 'verified'],
      ['two', 'verified'],
    ]);
    const [first, second] = await Promise.all(locations.map(storedKeys));
    expect(first).toEqual(second);
    const copyOne = fs.readFileSync(path.join(work, 'store', 'one', ...(first?.[0] ?? '').split('/')));
    const copyTwo = fs.readFileSync(path.join(work, 'store', 'two', ...(second?.[0] ?? '').split('/')));
    expect(copyOne.equals(copyTwo)).toBe(true);
    expect((await catalog.getPackage(outcome.packageId))?.state).toBe('archived');
  });

  it('rejects a file that changes while it is read and leaves nothing behind in storage or catalog', async () => {
    const record = await scanOne(path.join(work, 'in'));
    const growing: SourceRecord = {
      ...record,
      files: record.files.map((file) => ({
        ...file,
        open: () => {
          const stream = file.open();
          if (file.path === 'b.bin')
            stream.once('data', () => fs.appendFileSync(path.join(work, 'in', 'ärende', 'b.bin'), 'more'));
          return stream;
        },
      })),
    };
    const error = await ingestRecord(deps(catalog, locations), {
      record: growing,
      profile: loadProfile('eark-aip'),
      copies: ['one', 'two'],
      runId: 'r2',
    }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).rule).toBe('file-changed');
    expect((error as Error).message).toContain('b.bin');
    expect((error as Error).message).toContain('ärende');
    for (const location of locations) expect(await storedKeys(location)).toEqual([]);
    for (const name of ['one', 'two'])
      expect(fs.readdirSync(path.join(work, 'store', name, '.tmp'))).toEqual([]);
    expect(await catalog.listPackages()).toEqual([]);
  });

  it('keeps the verified copy and records the package as waiting when one location fails', async () => {
    const record = await scanOne(path.join(work, 'in'));
    fs.mkdirSync(path.join(work, 'store'), { recursive: true });
    fs.writeFileSync(path.join(work, 'store', 'broken'), 'a file where a folder should be');
    const broken: Location = {
      name: 'broken',
      driver: createFsDriver({ root: path.join(work, 'store', 'broken') }),
    };
    const outcome = await ingestRecord(deps(catalog, [locations[0] as Location, broken]), {
      record,
      profile: loadProfile('eark-aip'),
      copies: ['one', 'broken'],
      runId: 'r3',
    });
    expect(outcome.status).toBe('waiting');
    if (outcome.status !== 'waiting') return;
    expect(outcome.missing.map((m) => m.location)).toEqual(['broken']);
    expect(await storedKeys(locations[0] as Location)).toHaveLength(1);
    expect((await catalog.getPackage(outcome.packageId))?.state).toBe('stored');
    const copies = await catalog.listCopies({ packageId: outcome.packageId });
    expect(copies.map((c) => `${c.location}:${c.status}`)).toEqual(['one:verified']);
    const events = await catalog.listEvents(outcome.packageId);
    expect(events.find((e) => e.type === 'replication')).toMatchObject({
      outcome: 'failure',
      object: expect.stringContaining('broken:'),
    });
  });

  it('removes what was written and records nothing when every location fails', async () => {
    const record = await scanOne(path.join(work, 'in'));
    fs.mkdirSync(path.join(work, 'store'), { recursive: true });
    const brokenLocations: Location[] = ['b1', 'b2'].map((name) => {
      fs.writeFileSync(path.join(work, 'store', name), 'a file where a folder should be');
      return { name, driver: createFsDriver({ root: path.join(work, 'store', name) }) };
    });
    const error = await ingestRecord(deps(catalog, brokenLocations), {
      record,
      profile: loadProfile('eark-aip'),
      copies: ['b1', 'b2'],
      runId: 'r4',
    }).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toMatch(/b1|b2/);
    expect(await catalog.listPackages()).toEqual([]);
  });
});
