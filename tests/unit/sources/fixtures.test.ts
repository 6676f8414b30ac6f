import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFolderSource } from '../../../src/sources/folder.js';
import { accepted, collect, makeTempRoot, removeTempRoot, snapshot } from './helpers.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = join(REPO, 'fixtures/records');
const BYGGLOV = '2024-0113 Bygglov Östra Gränd 3';

let generated: string;

beforeAll(async () => {
  generated = await makeTempRoot('bevara-fixtures-');
  execFileSync(process.execPath, [join(REPO, 'scripts/make-fixtures.mjs'), join(generated, 'a')]);
  execFileSync(process.execPath, [join(REPO, 'scripts/make-fixtures.mjs'), join(generated, 'b')]);
});

afterAll(async () => {
  await removeTempRoot(generated);
});

/** Checks a PDF's cross-reference table: every offset lands on its "N 0 obj", stream lengths are exact. */
function checkPdf(pdf: Buffer): number {
  const text = pdf.toString('latin1');
  expect(text.startsWith('%PDF-1.4\n')).toBe(true);
  expect(text.endsWith('%%EOF\n')).toBe(true);
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
  expect(text.slice(startxref, startxref + 5)).toBe('xref\n');
  const [, first, count] = /^xref\n(\d+) (\d+)\n/.exec(text.slice(startxref)) ?? [];
  expect(first).toBe('0');
  const entries = text
    .slice(startxref)
    .split('\n')
    .slice(2, 2 + Number(count));
  expect(entries[0]).toBe('0000000000 65535 f ');
  entries.slice(1).forEach((entry, i) => {
    expect(entry).toMatch(/^\d{10} 00000 n $/);
    const offset = Number(entry.slice(0, 10));
    expect(text.slice(offset, offset + `${i + 1} 0 obj\n`.length)).toBe(`${i + 1} 0 obj\n`);
  });
  for (const m of text.matchAll(/<< \/Length (\d+) >>\nstream\n/g)) {
    const start = (m.index ?? 0) + m[0].length;
    expect(text.slice(start + Number(m[1]), start + Number(m[1]) + 9)).toBe('endstream');
  }
  expect(text).toContain(`/Size ${count} /Root 1 0 R`);
  return (text.match(/\/Type \/Page /g) ?? []).length;
}

function checkPng(png: Buffer) {
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  const chunks = new Map<string, Buffer>();
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    // CRC-32 per the PNG spec, computed here bit by bit rather than with the library the script uses
    let crc = 0xffffffff;
    for (const byte of png.subarray(at + 4, at + 8 + length)) {
      crc ^= byte;
      for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
    }
    expect(png.readUInt32BE(at + 8 + length)).toBe((crc ^ 0xffffffff) >>> 0);
    chunks.set(type, body);
    at += 12 + length;
  }
  const ihdr = chunks.get('IHDR') as Buffer;
  const [width, height, depth] = [ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8] ?? 0];
  expect(inflateSync(chunks.get('IDAT') as Buffer).length).toBe(
    height * (1 + Math.ceil((width * depth) / 8)),
  );
  expect(chunks.has('IEND')).toBe(true);
}

function checkJpeg(jpeg: Buffer) {
  expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
  expect([jpeg.at(-2), jpeg.at(-1)]).toEqual([0xff, 0xd9]);
  const markers: number[] = [];
  let at = 2;
  while (jpeg[at] === 0xff && jpeg[at + 1] !== 0xda) {
    markers.push(jpeg[at + 1] ?? 0);
    at += 2 + jpeg.readUInt16BE(at + 2);
  }
  expect(markers).toEqual([0xe0, 0xdb, 0xc0, 0xc4, 0xc4]);
  const scan = jpeg.subarray(at + 2 + jpeg.readUInt16BE(at + 2), -2);
  // inside entropy-coded data every 0xFF is stuffed with 0x00
  for (let i = 0; i < scan.length; i++) if (scan[i] === 0xff) expect(scan[i + 1]).toBe(0);
}

describe('fixtures/records', () => {
  it('scans as 3 records with no rejections and leaves the folder as it was', async () => {
    const before = await snapshot(FIXTURES);
    const ignored: string[] = [];
    const items = await collect(createFolderSource({ root: FIXTURES, onIgnored: (p) => ignored.push(p) }));
    expect(items.map((i) => accepted(i).key)).toEqual([
      BYGGLOV,
      '2024-0257 Försörjningsstöd',
      'KS 2023-0890 Medborgarförslag',
    ]);
    expect(ignored).toEqual([]);
    const [bygglov, stod, forslag] = items.map(accepted);
    expect(bygglov?.metadata).toMatchObject({
      title: 'Ansökan om bygglov, Östra Gränd 3',
      identifier: 'BN 2024/0113',
      creator: 'Byggnadsnämnden, Exempelby kommun',
      classification: '3.1.2',
    });
    expect(bygglov?.metadata.accessRestriction).toBeUndefined();
    expect(bygglov?.files.map((f) => f.path)).toEqual([
      'ansökan.pdf',
      'beslut/Beslut om bygglov.pdf',
      'bilagor/fasadritning söder.png',
      'e-tjänst/ansökan.xml',
    ]);
    expect(stod?.metadata.accessRestriction).toBe('OSL 26 kap. 1 §');
    expect(stod?.metadata.description).toBeTruthy();
    expect(forslag?.metadata).toEqual({ title: 'KS 2023-0890 Medborgarförslag' });
    expect(forslag?.metadataFiles).toEqual([]);
    expect(await snapshot(FIXTURES)).toEqual(before);
  });

  it('are what the script writes, byte for byte, with fixed mtimes on every run', async () => {
    const [a, b, committed] = await Promise.all([
      snapshot(join(generated, 'a')),
      snapshot(join(generated, 'b')),
      snapshot(FIXTURES),
    ]);
    const strip = (s: typeof a, keepMtime: boolean) =>
      [...s].filter(([k]) => k !== '.').map(([k, v]) => [k, v.type, v.content, keepMtime ? v.mtimeNs : 0n]);
    expect(strip(a, true)).toEqual(strip(b, true));
    // git does not keep mtimes, so the committed copy is compared by name and content only
    expect(strip(a, false)).toEqual(strip(committed, false));
    const mtimes = [...a].filter(([k]) => k !== '.').map(([, v]) => new Date(Number(v.mtimeNs / 1_000_000n)));
    expect(mtimes.every((t) => t >= new Date('2023-10-01') && t <= new Date('2024-03-31'))).toBe(true);
  });

  it('hold structurally valid PDF, PNG, JPEG, XML and record.json files', async () => {
    const items = await collect(createFolderSource({ root: FIXTURES }));
    const kinds = new Map<string, number>();
    for (const record of items.map(accepted)) {
      for (const file of record.files) {
        const bytes = await readFile(join(FIXTURES, record.key, file.path));
        expect(bytes.length).toBe(file.size);
        const ext = file.path.slice(file.path.lastIndexOf('.') + 1);
        kinds.set(ext, (kinds.get(ext) ?? 0) + 1);
        if (ext === 'pdf') expect(checkPdf(bytes)).toBeGreaterThan(0);
        if (ext === 'png') checkPng(bytes);
        if (ext === 'jpg') checkJpeg(bytes);
        if (ext === 'xml') expect(XMLValidator.validate(bytes.toString('utf8'))).toBe(true);
        if (ext === 'txt')
          expect(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toMatch(/Tjänsteanteckning/);
      }
    }
    expect(Object.fromEntries(kinds)).toEqual({ pdf: 4, png: 1, jpg: 1, xml: 1, txt: 1 });
  });
});
