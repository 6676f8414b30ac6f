import { execFileSync } from 'node:child_process';
import { readFile, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { type BagitSourceOptions, createBagitSource } from '../../../src/sources/bagit/bag-source.js';
import { writeBag } from './bagit-helpers.js';
import { accepted, collect, rejection, snapshot, useTempRoot, writeTree } from './helpers.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BROKEN = join(REPO, 'fixtures/bags-broken');

/** What each fixture in fixtures/bags-broken must be rejected for: [rule, file] in report order. */
const EXPECTED: Record<string, [string, string | undefined][]> = {
  'bag-info-bad-line': [['bagit-info', 'bag-info.txt']],
  'bag-info-latin1': [['bagit-info', 'bag-info.txt']],
  'bagit-txt-missing': [['bagit-declaration', undefined]],
  'checksum-mismatch': [
    ['bagit-checksum', 'data/ärende.xml'],
    ['bagit-checksum', 'data/ärende.xml'],
  ],
  'fetch-txt': [['bagit-fetch', 'fetch.txt']],
  'manifest-incomplete': [['bagit-manifest-incomplete', 'data/beslut/Beslut 2024-05-14.pdf']],
  'no-payload-manifest': [['bagit-manifest-missing', undefined]],
  'path-escape': [['bagit-path-escape', 'manifest-sha256.txt']],
  'payload-file-missing': [
    ['bagit-file-missing', 'data/beslut/Beslut 2024-05-14.pdf'],
    ['bagit-oxum', 'bag-info.txt'],
  ],
  'payload-oxum-wrong': [['bagit-oxum', 'bag-info.txt']],
  'tagmanifest-mismatch': [['bagit-tagmanifest', 'bag-info.txt']],
  'unlisted-file': [
    ['bagit-unlisted-file', 'data/handlingar/kompletterande yttrande.txt'],
    ['bagit-oxum', 'bag-info.txt'],
  ],
};

const temp = useTempRoot();

/** Seals the temp root, scans it and returns the only bag's errors as [rule, file]. */
async function rulesOf(options: Partial<BagitSourceOptions> = {}) {
  await temp.freeze();
  const items = await collect(createBagitSource({ root: temp.root, ...options }));
  expect(items).toHaveLength(1);
  return rejection(items[0]).errors.map((e) => [e.rule, e.subject.file]);
}

describe('bagit source: the broken fixtures', () => {
  it('rejects each with its rules, naming bag and file, and leaves every byte as it was', async () => {
    const before = await snapshot(BROKEN);
    const items = await collect(createBagitSource({ root: BROKEN }));
    expect(await snapshot(BROKEN)).toEqual(before);
    const rejected = Object.fromEntries(
      items.filter((i) => !i.ok).map((i) => [rejection(i).key, rejection(i).errors]),
    );
    expect(Object.keys(rejected).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const [key, errors] of Object.entries(rejected)) {
      expect([key, errors.map((e) => [e.rule, e.subject.file])]).toEqual([key, EXPECTED[key]]);
      for (const e of errors) {
        expect(e).toBeInstanceOf(ValidationError);
        expect(e.subject.record).toBe(key);
        const where = `record "${key}"${e.subject.file === undefined ? '' : ` file "${e.subject.file}"`}: `;
        expect(e.message.startsWith(where)).toBe(true);
      }
    }
    expect(rejected['checksum-mismatch']?.map((e) => e.message.split(' in ').pop())).toEqual([
      'manifest-sha256.txt',
      'manifest-sha512.txt',
    ]);
    expect(rejected['fetch-txt']?.[0]?.message).toContain('fetch.txt is not supported');
    expect(rejected['path-escape']?.[0]?.message).toContain('"data/../../utanför.txt" contains ".."');
  });

  it('accepts a bag whose payload XML is not well-formed: a bag vouches for bytes, not formats', async () => {
    const items = await collect(createBagitSource({ root: BROKEN }));
    const ok = items.filter((i) => i.ok).map((i) => accepted(i));
    expect(ok.map((r) => r.key)).toEqual(['payload-xml-not-well-formed']);
    const xml = await readFile(join(BROKEN, 'payload-xml-not-well-formed/data/ärende.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).not.toBe(true);
    expect(ok[0]?.files.map((f) => f.path)).toContain('ärende.xml');
  });
});

describe('bagit source: links, special files and odd names', () => {
  it('a symbolic link in the payload is refused (not followed), without follow-on errors', async () => {
    const bag = join(temp.root, 'bag');
    await writeBag(bag, { 'a.txt': 'Beslut', 'länk.txt': 'Beslut' });
    await rm(join(bag, 'data/länk.txt'));
    await symlink('a.txt', join(bag, 'data/länk.txt'));
    expect(await rulesOf()).toEqual([['symlink', 'data/länk.txt']]);
  });

  it('a symbolic link as a tag file is refused; a linked bagit.txt makes it no bag', async () => {
    const bag = join(temp.root, 'bag');
    await writeBag(bag, { 'a.txt': 'Beslut' });
    await rename(join(bag, 'bagit.txt'), join(temp.root, 'deklaration.txt'));
    await symlink('../deklaration.txt', join(bag, 'bagit.txt'));
    expect(await rulesOf()).toEqual([
      ['symlink', 'bagit.txt'],
      ['bagit-declaration', undefined],
    ]);
  });

  it('a FIFO in the payload is refused without blocking', async () => {
    const bag = join(temp.root, 'bag');
    await writeBag(bag, { 'a.txt': 'Beslut' });
    execFileSync('mkfifo', [join(bag, 'data/rör')]);
    expect(await rulesOf()).toEqual([['special-file', 'data/rör']]);
  });

  it('percent-encoded manifest paths and NFD names (on disk and in the manifest) are matched', async () => {
    const nfd = 'Ärende.txt'.normalize('NFD');
    await writeBag(join(temp.root, 'bag'), { '100% klart.txt': 'ok', [nfd]: 'ärende' });
    const manifest = await readFile(join(temp.root, 'bag/manifest-sha256.txt'), 'utf8');
    expect(manifest).toContain('data/100%25 klart.txt');
    expect(manifest).toContain(`data/${nfd}`);
    await temp.freeze();
    const record = accepted((await collect(createBagitSource({ root: temp.root })))[0]);
    expect(record.files.map((f) => f.path)).toEqual(['100% klart.txt', 'Ärende.txt'.normalize('NFC')]);
  });

  it('an unsupported algorithm, a required one missing, a bad manifest line', async () => {
    const bag = join(temp.root, 'bag');
    await writeBag(bag, { 'a.txt': 'Beslut' }, { algorithms: ['sha256'] });
    await writeTree(bag, { 'manifest-blake3.txt': 'abcd  data/a.txt\n' });
    const sha256 = await readFile(join(bag, 'manifest-sha256.txt'), 'utf8');
    await writeTree(bag, { 'manifest-sha256.txt': `${sha256}kort  data/a.txt\n` });
    expect(await rulesOf({ requiredAlgorithms: ['md5'] })).toEqual([
      ['bagit-algorithm', 'manifest-blake3.txt'],
      ['bagit-manifest-line', 'manifest-sha256.txt'],
      ['bagit-manifest-missing', 'manifest-md5.txt'],
      ['bagit-tagmanifest', 'manifest-sha256.txt'],
    ]);
  });

  it('a bag without data/ and a bag with an empty data/', async () => {
    await writeTree(temp.root, {
      'utan-data/bagit.txt': 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n',
      'utan-data/manifest-sha256.txt': '',
      'tom-data/bagit.txt': 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n',
      'tom-data/manifest-sha256.txt': '',
    });
    execFileSync('mkdir', [join(temp.root, 'tom-data/data')]);
    await temp.freeze();
    const items = await collect(createBagitSource({ root: temp.root }));
    expect(items.map((i) => rejection(i).errors.map((e) => [e.rule, e.subject.file]))).toEqual([
      [['empty-record', 'data']],
      [['bagit-payload-folder', 'data']],
    ]);
  });
});

describe('bagit source: scale', () => {
  it('a bag of 1000 small files scans (and reads every file) in reasonable time', async () => {
    const payload: Record<string, string> = {};
    for (let i = 0; i < 1000; i++)
      payload[`akt ${String(Math.floor(i / 100))}/handling-${i}.txt`] = `Handling ${i}\n`;
    await writeBag(join(temp.root, 'stor'), payload);
    const started = performance.now();
    const items = await collect(createBagitSource({ root: temp.root }));
    const ms = performance.now() - started;
    const record = accepted(items[0]);
    expect(record.files).toHaveLength(1000);
    expect(ms).toBeLessThan(15_000);
    console.info(`[bagit] 1000-file bag scanned and verified (sha256+sha512) in ${ms.toFixed(0)} ms`);
  });
});
