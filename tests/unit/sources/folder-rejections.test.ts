import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { createFolderSource, type FolderSourceOptions } from '../../../src/sources/folder.js';
import { collect, rejection, removeTempRoot, useTempRoot, writeTree } from './helpers.js';

const temp = useTempRoot();
let root: string;
beforeEach(() => {
  root = temp.root;
});

/** Seals the tree, scans it, and returns the only record's errors as [rule, file, message]. */
async function scanOne(options: Partial<FolderSourceOptions> = {}) {
  await temp.freeze();
  const items = await collect(createFolderSource({ root, ...options }));
  expect(items).toHaveLength(1);
  const rejected = rejection(items[0]);
  expect(rejected.kind).toBe('folder');
  for (const e of rejected.errors) {
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.subject.record).toBe(rejected.key);
    expect(e.message.startsWith(`record "${rejected.key}"`)).toBe(true);
    if (e.subject.file !== undefined)
      expect(e.message).toContain(` file "${escapeControls(e.subject.file)}": `);
  }
  return rejected.errors.map((e) => [e.rule, e.subject.file, e.message] as const);
}

/** Messages stay on one line: control characters appear as \uNNNN. */
const escapeControls = (name: string) =>
  [...name]
    .map((c) => (/\p{Cc}/u.test(c) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c))
    .join('');

const rules = (errors: readonly (readonly [string, string | undefined, string])[]) =>
  errors.map(([rule, file]) => [rule, file]);

describe('folder source: rejections', () => {
  it('empty-record: an empty folder, and a folder with only record.json', async () => {
    await mkdir(join(root, 'tom'));
    expect(rules(await scanOne())).toEqual([['empty-record', undefined]]);
    await removeTempRoot(join(root, 'tom'));
    await writeTree(root, { 'bara-metadata/record.json': '{"title":"x"}' });
    const errors = await scanOne();
    expect(rules(errors)).toEqual([['empty-record', undefined]]);
    expect(errors[0]?.[2]).toBe('record "bara-metadata": empty: no content files (only record.json)');
  });

  it('record-json-invalid: bad UTF-8, bad JSON, every schema issue with its path, too big', async () => {
    await writeTree(root, { 'r/a.txt': 'a', 'r/record.json': Buffer.from([0x7b, 0xff, 0x7d]) });
    let errors = await scanOne();
    expect(errors.map((e) => e[2])).toEqual(['record "r" file "record.json": invalid: not valid UTF-8']);

    await writeFile(join(root, 'r/record.json'), '{"title": "x",}');
    errors = await scanOne();
    expect(rules(errors)).toEqual([['record-json-invalid', 'record.json']]);
    expect(errors[0]?.[2]).toMatch(/^record "r" file "record.json": invalid: not valid JSON \(/);

    await writeFile(
      join(root, 'r/record.json'),
      '{"titel":"x","dates":{"created":"2024-02-30"},"language":"sv"}',
    );
    errors = await scanOne();
    expect(rules(errors)).toEqual(Array(3).fill(['record-json-invalid', 'record.json']));
    const messages = errors.map((e) => e[2]).join('\n');
    expect(messages).toMatch(/file "record.json": invalid: dates\.created: expected an ISO 8601 date/);
    expect(messages).toMatch(/file "record.json": invalid: language: /);
    expect(messages).toMatch(/file "record.json": invalid: \(root\): .*titel/);

    await writeFile(join(root, 'r/record.json'), JSON.stringify({ description: 'x'.repeat(200) }));
    errors = await scanOne({ maxMetadataBytes: 100 });
    expect(errors.map((e) => e[2])).toEqual([
      'record "r" file "record.json": too big (218 bytes, limit 100)',
    ]);
  });

  it('symlink: links are reported and never followed, at any depth', async () => {
    await writeTree(root, { 'r/a.txt': 'a', 'r/sub/b.txt': 'b' });
    await symlink('../a.txt', join(root, 'r/sub/länk.txt'));
    await symlink('/etc', join(root, 'r/etc'));
    const errors = await scanOne();
    expect(rules(errors)).toEqual([
      ['symlink', 'etc'],
      ['symlink', 'sub/länk.txt'],
    ]);
    expect(errors[1]?.[2]).toBe('record "r" file "sub/länk.txt": symbolic link (not followed)');
  });

  it('special-file: FIFO and socket', async () => {
    await writeTree(root, { 'r/a.txt': 'a' });
    execFileSync('mkfifo', [join(root, 'r/rör')]);
    const server = createServer();
    await new Promise<void>((ok) => server.listen(join(root, 'r/uttag.sock'), ok));
    try {
      const errors = await scanOne();
      expect(rules(errors)).toEqual([
        ['special-file', 'rör'],
        ['special-file', 'uttag.sock'],
      ]);
      expect(errors[0]?.[2]).toBe('record "r" file "rör": special file: FIFO (named pipe)');
      // check now: closing the server removes its socket file
      await temp.checkNow();
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });

  it('name-encoding: a name that is not UTF-8 is reported with its bytes escaped', async () => {
    await writeTree(root, { 'r/a.txt': 'a' });
    await mkdir(join(root, 'r/sub'));
    await writeFile(Buffer.from(`${root}/r/sub/f\xff.txt`, 'latin1'), 'latin-1 name');
    const errors = await scanOne();
    expect(rules(errors)).toEqual([['name-encoding', 'sub/f\\xff.txt']]);
    expect(errors[0]?.[2]).toBe(
      'record "r" file "sub/f\\xff.txt": name is not valid UTF-8 (bytes 66 ff 2e 74 78 74)',
    );
  });

  it('name-encoding on the record folder itself', async () => {
    await mkdir(Buffer.from(`${root}/\xe5rende`, 'latin1'));
    await writeFile(Buffer.from(`${root}/\xe5rende/a.txt`, 'latin1'), 'a');
    const errors = await scanOne();
    expect(errors).toEqual([
      ['name-encoding', undefined, 'record "\\xe5rende": folder name is not valid UTF-8'],
    ]);
  });

  it('path-too-long: the limit is in characters, default 255', async () => {
    const deep = `${'å'.repeat(100)}/${'ä'.repeat(100)}/${'ö'.repeat(60)}.txt`; // 266 characters, 527 bytes
    await writeTree(root, { [`r/${deep}`]: 'x', 'r/kort.txt': 'x' });
    const errors = await scanOne();
    expect(rules(errors)).toEqual([['path-too-long', deep]]);
    expect(errors[0]?.[2]).toMatch(/path is 266 characters, longer than the limit of 255$/);
    expect(rules(await scanOne({ maxPathLength: 7 }))).toEqual([
      ['path-too-long', 'kort.txt'],
      ['path-too-long', deep],
    ]);
  });

  it('name-collision: two names equal after NFC normalisation', async () => {
    await writeTree(root, { 'r/\u00d6.txt': 'NFC', 'r/O\u0308.txt': 'NFD' });
    const errors = await scanOne();
    expect(rules(errors)).toEqual([['name-collision', 'Ö.txt']]);
    expect(errors[0]?.[2]).toContain('(UTF-8 bytes 4f cc 88 2e 74 78 74 and c3 96 2e 74 78 74)');
  });

  it('name-invalid: control characters, escaped in the message', async () => {
    await writeTree(root, { 'r/rad\nbrytning.txt': 'x', 'r/ok.txt': 'x' });
    const errors = await scanOne();
    expect(rules(errors)).toEqual([['name-invalid', 'rad\nbrytning.txt']]);
    expect(errors[0]?.[2]).toBe(
      'record "r" file "rad\\u000abrytning.txt": name contains control character U+000A',
    );
  });

  it('lists every problem of a record at once', async () => {
    await writeTree(root, { 'r/record.json': '{"title": 1}', 'r/a\tb.txt': 'x' });
    await symlink('a', join(root, 'r/länk'));
    execFileSync('mkfifo', [join(root, 'r/fifo')]);
    const found = rules(await scanOne({ maxPathLength: 3 }));
    expect(found).toEqual([
      ['name-invalid', 'a\tb.txt'],
      ['path-too-long', 'a\tb.txt'],
      ['special-file', 'fifo'],
      ['symlink', 'länk'],
      ['record-json-invalid', 'record.json'],
    ]);
  });
});
