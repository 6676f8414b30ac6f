import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFolderSource } from '../../../src/sources/folder.js';
import { accepted, collect, readAll, rejection, useTempRoot, writeTree } from './helpers.js';

const temp = useTempRoot();
let root: string;
beforeEach(() => {
  root = temp.root;
});

/** Freezes the tree: afterEach checks that the source left it exactly so. */
const seal = async () => {
  await temp.freeze();
};

describe('folder source: good records', () => {
  it('gives metadata from record.json, the raw record.json bytes, and sorted content files', async () => {
    const recordJson =
      '{"title":"Ansökan om bygglov","identifier":"BN 2024/0113","creator":"Byggnadsnämnden",' +
      '"dates":{"created":"2024-01-15","end":"2024-03-04T10:15:00+01:00"},"description":"Förråd",' +
      '"accessRestriction":"OSL 26 kap. 1 §","classification":"3.1.2","language":["sv"],"subject":["bygglov"]}';
    const files: Record<string, string | Buffer> = {
      'rec/record.json': recordJson,
      'rec/ä.txt': 'ä',
      'rec/a/b.txt': 'bb',
      'rec/a-b.txt': 'abc',
      'rec/Z.txt': '',
      'rec/bilagor/djup/ritning.pdf': Buffer.alloc(3000, 7),
    };
    await writeTree(root, files);
    const mtime = new Date('2024-02-03T04:05:06.789Z');
    await utimes(join(root, 'rec/bilagor/djup/ritning.pdf'), mtime, mtime);
    await seal();

    const [item, ...rest] = await collect(createFolderSource({ root }));
    expect(rest).toHaveLength(0);
    const record = accepted(item);
    expect(record.kind).toBe('folder');
    expect(record.key).toBe('rec');
    expect(record.location).toBe(join(root, 'rec'));
    expect(record.metadata).toEqual({
      title: 'Ansökan om bygglov',
      identifier: 'BN 2024/0113',
      creator: 'Byggnadsnämnden',
      dates: { created: '2024-01-15', end: '2024-03-04T10:15:00+01:00' },
      description: 'Förråd',
      accessRestriction: 'OSL 26 kap. 1 §',
      classification: '3.1.2',
      language: ['sv'],
      subject: ['bygglov'],
    });
    expect(record.metadataFiles.map((f) => f.name)).toEqual(['record.json']);
    expect(record.metadataFiles[0]?.bytes.equals(Buffer.from(recordJson))).toBe(true);
    // UTF-8 byte order: "-" (2d) < "/" (2f) < "Z" < "b" < "ä" (c3 a4); record.json is not a content file
    expect(record.files.map((f) => f.path)).toEqual([
      'Z.txt',
      'a-b.txt',
      'a/b.txt',
      'bilagor/djup/ritning.pdf',
      'ä.txt',
    ]);
    expect(record.files.map((f) => f.size)).toEqual([0, 3, 2, 3000, 2]);
    const pdf = record.files[3];
    expect(pdf?.modifiedAt.toISOString()).toBe(mtime.toISOString());
    for (const file of record.files) {
      expect((await readAll(file.open())).equals(Buffer.from(files[`rec/${file.path}`] ?? 'missing'))).toBe(
        true,
      );
    }
  });

  it('uses the folder name as title without record.json, and normalises NFD names to NFC', async () => {
    const nfdFolder = 'KS 2023-0890 Medborgarfo\u0308rslag';
    await writeTree(root, { [`${nfdFolder}/bilder/fo\u0308rslag.txt`]: 'hej' });
    await seal();
    const record = accepted((await collect(createFolderSource({ root })))[0]);
    expect(record.key).toBe('KS 2023-0890 Medborgarförslag');
    expect(record.metadata).toEqual({ title: 'KS 2023-0890 Medborgarförslag' });
    expect(record.metadataFiles).toEqual([]);
    expect(record.files.map((f) => f.path)).toEqual(['bilder/förslag.txt']);
    // the NFC path is for the package; reading goes through the on-disk (NFD) name
    expect((await readAll(record.files[0]?.open() ?? fail())).toString()).toBe('hej');
  });

  it('yields records sorted by key and reports root files through onIgnored', async () => {
    await writeTree(root, { 'b/x': '1', 'ä/x': '1', 'A/x': '1', 'a/x': '1', 'läsmig.txt': 'not a record' });
    await seal();
    const ignored: [string, string][] = [];
    const items = await collect(createFolderSource({ root, onIgnored: (p, why) => ignored.push([p, why]) }));
    expect(items.map((i) => accepted(i).key)).toEqual(['A', 'a', 'b', 'ä']);
    expect(ignored).toHaveLength(1);
    expect(ignored[0]?.[0]).toBe('läsmig.txt');
    expect(ignored[0]?.[1]).toMatch(/not a record/);
  });

  it('reports empty subfolders as ignored but keeps the record', async () => {
    await writeTree(root, { 'rec/a.txt': 'a' });
    await mkdir(join(root, 'rec/tom/tommare'), { recursive: true });
    await seal();
    const ignored: string[] = [];
    const items = await collect(createFolderSource({ root, onIgnored: (p) => ignored.push(p) }));
    expect(accepted(items[0]).files.map((f) => f.path)).toEqual(['a.txt']);
    expect(ignored).toEqual(['rec/tom/tommare', 'rec/tom']);
  });

  it('scans records lazily: a record is looked at only when the consumer asks for it', async () => {
    await writeTree(root, { 'a/1.txt': '1', 'b/1.txt': '1' });
    const iterator = createFolderSource({ root }).scan()[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(accepted(first.value).key).toBe('a');
    await writeFile(join(root, 'b/2.txt'), 'added after the first record was yielded');
    await seal();
    const second = await iterator.next();
    expect(accepted(second.value).files.map((f) => f.path)).toEqual(['1.txt', '2.txt']);
    expect((await iterator.next()).done).toBe(true);
  });

  it('keeps scanning after a rejected record', async () => {
    await writeTree(root, { 'a/x.txt': 'x', 'c/x.txt': 'x' });
    await writeTree(root, { 'b/record.json': '{"titel":"typo"}' });
    await seal();
    const items = await collect(createFolderSource({ root }));
    expect(items.map((i) => i.ok)).toEqual([true, false, true]);
    const rejected = rejection(items[1]);
    expect(rejected.key).toBe('b');
    expect(rejected.errors.map((e) => e.rule).sort()).toEqual(['empty-record', 'record-json-invalid']);
  });

  it('fails the whole scan when the input folder does not exist', async () => {
    await expect(collect(createFolderSource({ root: join(root, 'nope') }))).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
  });
});

function fail(): never {
  throw new Error('missing file');
}
