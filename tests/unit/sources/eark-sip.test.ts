import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { createXmlValidator } from '../../../src/metadata/xml-validator.js';
import { createEarkSipSource, type EarkSipSourceOptions } from '../../../src/sources/eark-sip/sip-source.js';
import { fromTransferable, toTransferable } from '../../../src/sources/transfer.js';
import type { RejectedRecord, SourceRecord } from '../../../src/sources/types.js';
import { folderEntries, writeSamplePackage, writeZip } from '../../helpers/eark-package.js';
import { snapshot } from '../../e2e/helpers.js';

const VALID_ZIP = path.resolve('fixtures/sips/BN-2024-0113.zip');
const BROKEN = path.resolve('fixtures/sips-broken');
const validator = createXmlValidator();

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The bytes of one ZIP entry as Info-ZIP's unzip extracts them (an independent reader). */
const unzipEntry = (zip: string, name: string) =>
  execFileSync('unzip', ['-p', zip, name], { maxBuffer: 64 << 20 });

interface Scan {
  records: Map<string, SourceRecord>;
  rejected: Map<string, RejectedRecord>;
  ignored: string[];
}

async function scanInbox(options: Omit<EarkSipSourceOptions, 'onIgnored'>): Promise<Scan> {
  const scan: Scan = { records: new Map(), rejected: new Map(), ignored: [] };
  const source = createEarkSipSource({
    validator,
    ...options,
    onIgnored: (p, reason) => scan.ignored.push(`${p}: ${reason}`),
  });
  for await (const item of source.scan()) {
    if (item.ok) scan.records.set(item.record.key, item.record);
    else scan.rejected.set(item.rejected.key, item.rejected);
  }
  return scan;
}

const rulesOf = (rejected: RejectedRecord | undefined) => new Set(rejected?.errors.map((e) => e.rule));

describe('E-ARK SIP source', () => {
  let tmp: string;
  let inbox: string;
  let quarantine: string;
  let scan: Scan;
  let before: Record<string, string>;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-sip-'));
    inbox = path.join(tmp, 'inbox');
    quarantine = path.join(tmp, 'quarantine');
    fs.mkdirSync(inbox);
    fs.cpSync(VALID_ZIP, path.join(inbox, path.basename(VALID_ZIP)), { preserveTimestamps: true });
    fs.cpSync(BROKEN, inbox, { recursive: true, preserveTimestamps: true });
    // A SIP as a folder, and the same SIP as a deflated ZIP.
    const sample = writeSamplePackage(inbox, 'sample-sip');
    writeZip(path.join(inbox, 'deflated.zip'), folderEntries(sample, 'sample-sip/'), true);
    before = snapshot(inbox);
    scan = await scanInbox({ root: inbox, quarantineDir: quarantine });
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('makes one record of a valid SIP ZIP: every file at <SIP root>/<path>, metadata from its METS', () => {
    const record = scan.records.get('BN-2024-0113');
    expect(
      record,
      JSON.stringify([...scan.rejected.values()].map((r) => r.errors.map((e) => e.message))),
    ).toBeDefined();
    const names = execFileSync('unzip', ['-Z1', VALID_ZIP], { encoding: 'utf8' })
      .split('\n')
      .filter((n) => n !== '' && !n.endsWith('/'))
      .sort();
    expect(record?.files.map((f) => f.path).sort()).toEqual(names);
    expect(record?.files.map((f) => f.path)).toContain('BN-2024-0113/METS.xml');
    expect(record?.metadata).toEqual({
      title: 'Ansökan om bygglov, Östra Gränd 3',
      identifier: 'BN-2024-0113',
      creator: 'Exempelby kommun',
      dates: { created: '2024-03-05T14:20:00Z' },
    });
    expect(record?.submission).toEqual({
      objid: 'BN-2024-0113',
      metsPath: 'BN-2024-0113/METS.xml',
      label: 'Ansökan om bygglov, Östra Gränd 3',
    });
    expect(record?.metadataFiles).toEqual([]);
    expect(record?.files.every((f) => f.modifiedAt.toISOString() === '2024-03-05T14:20:00.000Z')).toBe(true);
  });

  it('streams each file of a stored ZIP back byte for byte, also through a reference from another thread', async () => {
    const record = scan.records.get('BN-2024-0113') as SourceRecord;
    const copy = fromTransferable(structuredClone(toTransferable(record)), { sync: true });
    for (const [i, file] of record.files.entries()) {
      const expected = unzipEntry(VALID_ZIP, file.path);
      const bytes = await readAll(file.open());
      expect([file.path, bytes.length, sha256(bytes)]).toEqual([file.path, file.size, sha256(expected)]);
      const again = await readAll((copy.files[i] as SourceRecord['files'][number]).open());
      expect(sha256(again)).toBe(sha256(expected));
    }
  });

  it('reads deflated ZIP entries and SIP folders as the bytes on disk', async () => {
    const sampleDir = path.join(inbox, 'sample-sip');
    for (const key of ['deflated', 'sample-sip']) {
      const record = scan.records.get(key);
      expect(record, key).toBeDefined();
      expect(record?.submission?.metsPath).toBe('sample-sip/METS.xml');
      expect(record?.metadata.creator).toBe('Stadsbyggnadskontoret');
      expect(record?.files.map((f) => f.path)).toContain('sample-sip/representations/rep1/data/brev 1.txt');
      for (const file of record?.files ?? []) {
        const onDisk = fs.readFileSync(path.join(sampleDir, file.path.slice('sample-sip/'.length)));
        expect(sha256(await readAll(file.open())), `${key} ${file.path}`).toBe(sha256(onDisk));
      }
    }
    expect(scan.ignored.some((i) => i.startsWith('README.md'))).toBe(true);
    expect(scan.ignored.some((i) => i.startsWith('deflated/sample-sip/representations/rep1/metadata'))).toBe(
      true,
    );
  });

  it('rejects each broken SIP naming the requirement it fails, the SIP and the file', () => {
    const expected: Record<string, string> = {
      'checksum-mismatch': 'CSIP71',
      'file-missing': 'CSIP79',
      'path-escape': 'zip-unsafe-path',
      'mets-not-well-formed': 'METS-XML',
    };
    expect([...scan.rejected.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [key, rule] of Object.entries(expected)) {
      const rejected = scan.rejected.get(key);
      expect([key, [...rulesOf(rejected)]]).toEqual([key, [rule]]);
      const error = rejected?.errors[0] as ValidationError;
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.subject.record).toBe(key);
      expect(error.subject.file).toBeTruthy();
      expect(error.message).toContain(`record "${key}"`);
      expect(error.message).toContain(rule);
    }
  });

  it('quarantines a copy of each refused SIP with both reports and leaves the inbox untouched', () => {
    expect(fs.readdirSync(quarantine).sort()).toEqual(
      ['checksum-mismatch', 'file-missing', 'mets-not-well-formed', 'path-escape'].sort(),
    );
    for (const key of fs.readdirSync(quarantine)) {
      const dir = path.join(quarantine, key);
      expect(fs.readdirSync(dir).sort()).toEqual(
        [`${key}.zip`, 'validation-report.json', 'validation-report.txt'].sort(),
      );
      const original = path.join(inbox, `${key}.zip`);
      expect(sha256(fs.readFileSync(path.join(dir, `${key}.zip`)))).toBe(sha256(fs.readFileSync(original)));
      // The copy keeps the modification time to the millisecond (utimes does not carry nanoseconds).
      const kept = fs.statSync(path.join(dir, `${key}.zip`)).mtimeMs - fs.statSync(original).mtimeMs;
      expect(Math.abs(kept)).toBeLessThan(1);
      const report = JSON.parse(fs.readFileSync(path.join(dir, 'validation-report.json'), 'utf8'));
      const rule = [...rulesOf(scan.rejected.get(key))][0];
      expect(report.valid).toBe(false);
      expect(report.findings.map((f: { id: string }) => f.id)).toContain(rule);
      expect(fs.readFileSync(path.join(dir, 'validation-report.txt'), 'utf8')).toMatch(
        new RegExp(`NOT VALID[\\s\\S]*MUST +${rule}`),
      );
    }
    expect(snapshot(inbox)).toEqual(before);
  });

  it('fails the read with file-changed when the SIP ZIP changes after the scan', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'changed-'));
    const zip = path.join(dir, 'BN-2024-0113.zip');
    fs.copyFileSync(VALID_ZIP, zip);
    const { records } = await scanInbox({ root: dir, quarantineDir: path.join(dir, 'q') });
    const file = records.get('BN-2024-0113')?.files[0];
    fs.appendFileSync(zip, Buffer.from('appended'));
    await expect(readAll(file?.open() as Readable)).rejects.toMatchObject({ rule: 'file-changed' });
  });
});

describe('E-ARK SIP source limits', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-sip-limits-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const inboxWith = (name: string, write: (zip: string) => void) => {
    const dir = fs.mkdtempSync(path.join(tmp, 'inbox-'));
    write(path.join(dir, name));
    return dir;
  };

  it('refuses a ZIP bomb from its central directory, before reading any data', async () => {
    const sample = writeSamplePackage(fs.mkdtempSync(path.join(tmp, 'src-')), 'bomb');
    const inbox = inboxWith('bomb.zip', (zip) => {
      const entries = folderEntries(sample, 'bomb/');
      entries.push({ name: 'bomb/representations/rep1/data/zeros.bin', data: Buffer.alloc(64 * 1024) });
      writeZip(zip, entries, true);
      // Make the central directory claim 4 GiB - 1 for the 64 KiB of zeros (a few hundred bytes deflated).
      const bytes = fs.readFileSync(zip);
      const name = Buffer.from('bomb/representations/rep1/data/zeros.bin');
      const directory = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      const central = bytes.indexOf(name, directory) - 46;
      expect(bytes.readUInt32LE(central)).toBe(0x02014b50);
      bytes.writeUInt32LE(0xffffffff - 1, central + 24);
      fs.writeFileSync(zip, bytes);
    });
    const quarantineDir = path.join(inbox, '..', `${path.basename(inbox)}-q`);
    const { rejected } = await scanInbox({ root: inbox, quarantineDir });
    expect([...rulesOf(rejected.get('bomb'))]).toEqual(['zip-compression-ratio', 'zip-total-expansion']);
    expect(fs.readdirSync(path.join(quarantineDir, 'bomb')).sort()).toEqual([
      'bomb.zip',
      'validation-report.json',
      'validation-report.txt',
    ]);
  });

  it('refuses SIPs with more entries or more bytes than allowed, ZIP or folder', async () => {
    const inbox = fs.mkdtempSync(path.join(tmp, 'inbox-'));
    const sample = writeSamplePackage(inbox, 'folder-sip');
    writeZip(path.join(inbox, 'zip-sip.zip'), folderEntries(sample, 'zip-sip/'), true);
    const q = path.join(tmp, 'q-limits');
    const many = await scanInbox({ root: inbox, quarantineDir: q, maxEntries: 5 });
    expect([...rulesOf(many.rejected.get('folder-sip'))]).toEqual(['sip-too-many-entries']);
    expect([...rulesOf(many.rejected.get('zip-sip'))]).toEqual(['sip-too-many-entries']);
    const large = await scanInbox({ root: inbox, quarantineDir: q, maxBytes: 1000 });
    expect([...rulesOf(large.rejected.get('folder-sip'))]).toEqual(['sip-too-large']);
    expect([...rulesOf(large.rejected.get('zip-sip'))]).toEqual(['sip-too-large']);
    // The folder SIP was copied as a tree, report beside it.
    expect(fs.existsSync(path.join(q, 'folder-sip', 'folder-sip', 'METS.xml'))).toBe(true);
    expect(fs.readFileSync(path.join(q, 'folder-sip', 'validation-report.txt'), 'utf8')).toContain(
      'sip-too-large',
    );
    // Within the limits the same SIPs are records.
    const ok = await scanInbox({ root: inbox, quarantineDir: q, maxEntries: 100, maxBytes: 100_000 });
    expect([...ok.records.keys()].sort()).toEqual(['folder-sip', 'zip-sip']);
  });

  it('lists at most 20 failed requirements and summarises the rest', async () => {
    const inbox = fs.mkdtempSync(path.join(tmp, 'inbox-'));
    const sample = writeSamplePackage(inbox, 'many-faults');
    const txt = path.join(sample, 'representations/rep1/data/brev 1.txt');
    fs.writeFileSync(txt, 'changed');
    const repMets = path.join(sample, 'representations/rep1/METS.xml');
    const text = fs.readFileSync(repMets, 'utf8');
    // 30 file elements, each with a wrong checksum of the same file.
    const file = /<file ID="ID-rep1-f1"[\s\S]*?<\/file>/.exec(text)?.[0] as string;
    const files = Array.from({ length: 30 }, (_, i) => file.replace('ID-rep1-f1', `ID-rep1-f${i + 1}`));
    fs.writeFileSync(repMets, text.replace(file, files.join('\n')));
    const { rejected } = await scanInbox({ root: inbox, quarantineDir: path.join(tmp, 'q-many') });
    const errors = rejected.get('many-faults')?.errors ?? [];
    expect(errors.length).toBe(21);
    expect(errors.at(-1)?.rule).toBe('sip-invalid');
    expect(errors.at(-1)?.message).toMatch(/more failed requirement\(s\)/);
  });
});
