import { execFileSync } from 'node:child_process';
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { type BagSourceRecord, createBagitSource } from '../../../src/sources/bagit/bag-source.js';
import { fromTransferable, toTransferable } from '../../../src/sources/transfer.js';
import { writeBag } from './bagit-helpers.js';
import {
  accepted,
  collect,
  makeTempRoot,
  readAll,
  rejection,
  removeTempRoot,
  snapshot,
  useTempRoot,
  writeTree,
} from './helpers.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BAG = 'BN 2024-0342 Strandskyddsdispens';
const FIXTURE = join(REPO, 'fixtures/bags', BAG);
const PAYLOAD = [
  'beslut/Beslut 2024-05-14.pdf',
  'handlingar/ansökan om strandskyddsdispens.pdf',
  'ärende.xml',
];
const TAG_FILES = [
  'bag-info.txt',
  'bagit.txt',
  'manifest-sha256.txt',
  'manifest-sha512.txt',
  'tagmanifest-sha256.txt',
];

const temp = useTempRoot();
const copyFixture = (to: string) => execFileSync('cp', ['-a', FIXTURE, to]);

describe('bagit source: the fixture bag', () => {
  it('scans as one record with the payload as files, bag-info as metadata, tag files kept verbatim', async () => {
    copyFixture(temp.root);
    await temp.freeze();
    const items = await collect(createBagitSource({ root: temp.root }));
    expect(items).toHaveLength(1);
    const record = accepted(items[0]) as BagSourceRecord;
    expect(record.kind).toBe('bagit');
    expect(record.key).toBe(BAG);
    expect(record.location).toBe(join(temp.root, BAG));
    expect(record.files.map((f) => f.path)).toEqual(PAYLOAD);
    for (const file of record.files) {
      const onDisk = await readFile(join(FIXTURE, 'data', file.path));
      expect(file.size).toBe(onDisk.length);
      expect((await readAll(file.open())).equals(onDisk)).toBe(true);
      // Git does not keep modification times: compare with the copy scanned, not with the generator's stamp.
      const copied = await stat(join(temp.root, BAG, 'data', file.path));
      // Within a millisecond: nanosecond times are rounded to Date's milliseconds in more than one way.
      expect(Math.abs(file.modifiedAt.getTime() - copied.mtimeMs)).toBeLessThanOrEqual(1);
    }
    expect(record.metadata).toEqual({
      title: 'Ansökan om strandskyddsdispens för brygga vid Lillsjön, fastigheten Exempelby Sjövik 2:7',
      identifier: 'BN 2024/0342',
      creator: 'Exempelby kommun',
      dates: { created: '2024-05-20' },
      description: 'Ansökan om strandskyddsdispens för brygga vid Lillsjön, fastigheten Exempelby Sjövik 2:7',
    });
    expect(record.metadataFiles.map((f) => f.name)).toEqual(TAG_FILES);
    for (const tag of record.metadataFiles) {
      expect(tag.bytes.equals(await readFile(join(FIXTURE, tag.name)))).toBe(true);
      expect(tag.mimeType).toBe('text/plain');
    }
    expect(record.bag.version).toBe('1.0');
    expect(record.bag.algorithms).toEqual(['sha256', 'sha512']);
    expect(record.bag.info.find((e) => e.label === 'Payload-Oxum')?.value).toMatch(/^\d+\.3$/);
  });

  it('a root that is itself a bag is one record named after the folder', async () => {
    copyFixture(temp.root);
    const items = await collect(createBagitSource({ root: join(temp.root, BAG) }));
    expect(items).toHaveLength(1);
    expect(accepted(items[0]).key).toBe(BAG);
  });

  it('the committed fixtures are what the generator writes', async () => {
    const out = await makeTempRoot('bevara-bag-fixtures-');
    try {
      execFileSync(process.execPath, [join(REPO, 'scripts/make-bag-fixtures.mjs'), out]);
      const content = (tree: Map<string, { type: string; content?: string }>) =>
        [...tree].map(([k, v]) => [k, v.type, v.content]);
      for (const dir of ['bags', 'bags-broken']) {
        const made = await snapshot(join(out, dir));
        const committed = await snapshot(join(REPO, 'fixtures', dir));
        committed.delete(`/${Buffer.from('README.md').toString('hex')}`);
        expect(content(made)).toEqual(content(committed));
      }
    } finally {
      await removeTempRoot(out);
    }
  });

  it('records cross a thread boundary: rebuilt files open and read the same bytes (async and sync)', async () => {
    copyFixture(temp.root);
    const record = accepted((await collect(createBagitSource({ root: temp.root })))[0]);
    const data = structuredClone(toTransferable(record));
    for (const sync of [false, true]) {
      const rebuilt = fromTransferable(data, { sync });
      expect(rebuilt.metadataFiles.map((f) => f.name)).toEqual(TAG_FILES);
      for (const [i, file] of rebuilt.files.entries()) {
        const original = await readAll(record.files[i]?.open() ?? file.open());
        expect((await readAll(file.open())).equals(original)).toBe(true);
      }
    }
  });
});

describe("bagit source: checksums: 'defer' (checked by the packaging read)", () => {
  it('does not read the payload at scan; the read fails with bagit-checksum when bytes differ', async () => {
    const bag = join(temp.root, 'bag');
    await writeBag(bag, { 'protokoll.txt': 'Protokoll KS 2024-06-01, § 1-12\n', 'bilaga.txt': 'Bilaga 1\n' });
    const file = join(bag, 'data/protokoll.txt');
    const when = new Date('2024-06-01T12:00:00Z');
    await utimes(file, when, when);
    const source = createBagitSource({ root: temp.root, checksums: 'defer' });
    // Same size, same mtime, same inode: only the content differs, which the scan does not look at.
    await writeFile(file, 'Protokoll KS 2024-06-01, § 1-13\n', { flag: 'r+' });
    await utimes(file, when, when);
    const record = accepted((await collect(source))[0]);
    const [bilaga, protokoll] = record.files;
    expect((await readAll(bilaga?.open() ?? fail())).toString()).toBe('Bilaga 1\n');
    for (const sync of [false, true]) {
      const rebuilt = fromTransferable(structuredClone(toTransferable(record)), { sync });
      const error = await readAll(rebuilt.files[1]?.open() ?? fail()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).rule).toBe('bagit-checksum');
      expect((error as ValidationError).subject).toEqual({ record: 'bag', file: 'data/protokoll.txt' });
    }
    const error = await readAll(protokoll?.open() ?? fail()).catch((e: unknown) => e);
    expect((error as ValidationError).rule).toBe('bagit-checksum');

    // The default mode reads at scan and rejects the same bag.
    const scanned = rejection((await collect(createBagitSource({ root: temp.root })))[0]);
    expect(scanned.errors.map((e) => [e.rule, e.subject.file])).toEqual([
      ['bagit-checksum', 'data/protokoll.txt'],
      ['bagit-checksum', 'data/protokoll.txt'],
    ]);
  });
});

describe('bagit source: the input root', () => {
  let root: string;
  beforeAll(async () => {
    root = await makeTempRoot();
    await writeBag(join(root, 'a-bag'), { 'x.txt': 'x' });
    await writeTree(root, { 'not-a-bag/data/y.txt': 'y' });
    await writeFile(join(root, 'readme.txt'), 'inte en påse');
  });
  afterAll(() => removeTempRoot(root));

  it('a folder without bagit.txt is rejected, files at the root are reported as ignored', async () => {
    const ignored: string[] = [];
    const items = await collect(createBagitSource({ root, onIgnored: (path) => ignored.push(path) }));
    expect(items.map((i) => (i.ok ? i.record.key : i.rejected.key))).toEqual(['a-bag', 'not-a-bag']);
    expect(accepted(items[0]).files.map((f) => f.path)).toEqual(['x.txt']);
    const rejected = rejection(items[1]);
    expect(rejected.errors.map((e) => e.rule)).toEqual(['bagit-declaration']);
    expect(rejected.errors[0]?.message).toBe('record "not-a-bag": not a bag: bagit.txt is missing');
    expect(ignored).toEqual(['readme.txt']);
  });
});

function fail(): never {
  throw new Error('missing file');
}
