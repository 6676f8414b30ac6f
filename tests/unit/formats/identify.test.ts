import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipArchive } from 'archiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFormatIdentifier, identifyBuffer, identifyFile } from '../../../src/formats/identify.js';
import { PRONOM } from '../../../src/formats/registry.js';
import { createZipStream } from '../../../src/zip/writer.js';
import * as s from './samples.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bevara-formats-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A DOCX written by a third-party ZIP writer (archiver: deflate, data descriptors). */
async function archiverDocx(): Promise<Buffer> {
  const archive = new ZipArchive({ zlib: { level: 6 } });
  const parts: Buffer[] = [];
  archive.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  for (const e of s.ooxmlEntries('docx')) archive.append(Buffer.from(e.data), { name: e.name });
  await archive.finalize();
  await done;
  return Buffer.concat(parts);
}

async function* once(data: string): AsyncGenerator<Buffer> {
  yield Buffer.from(data);
}

async function streamToBuffer(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

interface Case {
  label: string;
  make: () => Buffer | Promise<Buffer>;
  puid: string | undefined;
  mimeType: string;
}

const CASES: Case[] = [
  ...['1.0', '1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7'].map((v, i) => ({
    label: `PDF ${v}`,
    make: () => s.makePdf(v),
    puid: ['fmt/14', 'fmt/15', 'fmt/16', 'fmt/17', 'fmt/18', 'fmt/19', 'fmt/20', 'fmt/276'][i],
    mimeType: 'application/pdf',
  })),
  ...(
    [
      ['1', 'A', 'fmt/95'],
      ['1', 'B', 'fmt/354'],
      ['2', 'A', 'fmt/476'],
      ['2', 'B', 'fmt/477'],
      ['2', 'U', 'fmt/478'],
      ['3', 'A', 'fmt/479'],
      ['3', 'B', 'fmt/480'],
      ['3', 'U', 'fmt/481'],
    ] as const
  ).flatMap(([part, conf, puid]) =>
    (['attribute', 'element'] as const).map((style) => ({
      label: `PDF/A-${part}${conf.toLowerCase()} (${style})`,
      make: () => s.makePdf(part === '1' ? '1.4' : '1.7', s.pdfaXmp(part, conf, style)),
      puid,
      mimeType: 'application/pdf',
    })),
  ),
  {
    label: 'DOCX',
    make: () => s.makeZip(s.ooxmlEntries('docx')),
    puid: 'fmt/412',
    mimeType: s.OOXML_MIME.docx,
  },
  { label: 'DOCX by archiver', make: archiverDocx, puid: 'fmt/412', mimeType: s.OOXML_MIME.docx },
  {
    label: 'XLSX',
    make: () => s.makeZip(s.ooxmlEntries('xlsx')),
    puid: 'fmt/214',
    mimeType: s.OOXML_MIME.xlsx,
  },
  {
    label: 'PPTX',
    make: () => s.makeZip(s.ooxmlEntries('pptx')),
    puid: 'fmt/215',
    mimeType: s.OOXML_MIME.pptx,
  },
  {
    label: 'ODT 1.2',
    make: () => s.makeOdf('text', '1.2'),
    puid: 'fmt/291',
    mimeType: 'application/vnd.oasis.opendocument.text',
  },
  {
    label: 'ODT 1.3',
    make: () => s.makeOdf('text', '1.3'),
    puid: 'fmt/1756',
    mimeType: 'application/vnd.oasis.opendocument.text',
  },
  {
    label: 'ODT without version (PRONOM: 1.1)',
    make: () => s.makeOdf('text', undefined),
    puid: 'fmt/290',
    mimeType: 'application/vnd.oasis.opendocument.text',
  },
  {
    label: 'ODS 1.2',
    make: () => s.makeOdf('spreadsheet', '1.2'),
    puid: 'fmt/295',
    mimeType: 'application/vnd.oasis.opendocument.spreadsheet',
  },
  {
    label: 'ODS 1.0',
    make: () => s.makeOdf('spreadsheet', '1.0'),
    puid: 'fmt/137',
    mimeType: 'application/vnd.oasis.opendocument.spreadsheet',
  },
  {
    label: 'ZIP',
    make: () =>
      s.makeZip([
        { name: 'a.txt', data: 'hej', deflate: true },
        { name: 'b/c.bin', data: Buffer.alloc(10) },
      ]),
    puid: 'x-fmt/263',
    mimeType: 'application/zip',
  },
  { label: 'RTF', make: () => Buffer.from(s.RTF), puid: 'fmt/45', mimeType: 'application/rtf' },
  { label: 'TXT', make: () => Buffer.from(s.TXT), puid: 'x-fmt/111', mimeType: 'text/plain' },
  {
    label: 'TXT windows-1252',
    make: () => Buffer.from('Räksmörgås för 12 €\n', 'latin1'),
    puid: 'x-fmt/111',
    mimeType: 'text/plain',
  },
  { label: 'CSV with ;', make: () => Buffer.from(s.CSV_SEMICOLON), puid: 'x-fmt/18', mimeType: 'text/csv' },
  { label: 'CSV with ,', make: () => Buffer.from(s.CSV_COMMA), puid: 'x-fmt/18', mimeType: 'text/csv' },
  { label: 'XML (BOM)', make: () => Buffer.from(s.XML), puid: 'fmt/101', mimeType: 'application/xml' },
  { label: 'HTML5', make: () => Buffer.from(s.HTML5), puid: 'fmt/471', mimeType: 'text/html' },
  { label: 'HTML 4.01', make: () => Buffer.from(s.HTML401), puid: 'fmt/100', mimeType: 'text/html' },
  {
    label: 'HTML without doctype',
    make: () => Buffer.from(s.HTML_LEGACY),
    puid: 'fmt/96',
    mimeType: 'text/html',
  },
  { label: 'EML', make: () => Buffer.from(s.EML), puid: 'fmt/278', mimeType: 'message/rfc822' },
  { label: 'JPEG JFIF 1.01', make: () => s.makeJpeg({ jfif: 1 }), puid: 'fmt/43', mimeType: 'image/jpeg' },
  { label: 'JPEG JFIF 1.02', make: () => s.makeJpeg({ jfif: 2 }), puid: 'fmt/44', mimeType: 'image/jpeg' },
  {
    label: 'JPEG Exif 2.21',
    make: () => s.makeJpeg({ exif: '0221' }),
    puid: 'fmt/645',
    mimeType: 'image/jpeg',
  },
  {
    label: 'JPEG Exif 2.3 (generic)',
    make: () => s.makeJpeg({ exif: '0230' }),
    puid: 'fmt/41',
    mimeType: 'image/jpeg',
  },
  { label: 'PNG 1.0', make: () => s.makePng(), puid: 'fmt/11', mimeType: 'image/png' },
  {
    label: 'PNG 1.1 (sRGB)',
    make: () => s.makePng([{ type: 'sRGB', data: Buffer.from([0]) }]),
    puid: 'fmt/12',
    mimeType: 'image/png',
  },
  {
    label: 'PNG 1.2 (iTXt)',
    make: () => s.makePng([{ type: 'iTXt', data: Buffer.from('Title\0\0\0\0\0Protokoll') }]),
    puid: 'fmt/13',
    mimeType: 'image/png',
  },
  { label: 'TIFF', make: s.makeTiff, puid: 'fmt/353', mimeType: 'image/tiff' },
  { label: 'GIF 87a', make: () => s.makeGif('87a'), puid: 'fmt/3', mimeType: 'image/gif' },
  { label: 'GIF 89a', make: () => s.makeGif('89a'), puid: 'fmt/4', mimeType: 'image/gif' },
  { label: 'WAV PCM', make: () => s.makeWav('pcm'), puid: 'fmt/141', mimeType: 'audio/x-wav' },
  { label: 'WAV extensible', make: () => s.makeWav('extensible'), puid: 'fmt/143', mimeType: 'audio/x-wav' },
  { label: 'MP3 with ID3v2', make: () => s.makeMp3(12, true), puid: 'fmt/134', mimeType: 'audio/mpeg' },
  { label: 'MP3 frames only', make: () => s.makeMp3(12, false), puid: 'fmt/134', mimeType: 'audio/mpeg' },
  { label: 'MP4 (moov first)', make: () => s.makeMp4(true), puid: 'fmt/199', mimeType: 'video/mp4' },
  { label: 'MP4 (moov last)', make: () => s.makeMp4(false), puid: 'fmt/199', mimeType: 'video/mp4' },
];

describe('identification of every listed format, from files made here', () => {
  it.each(CASES)('$label', async ({ label, make, puid, mimeType }) => {
    const path = join(dir, `${label.replace(/\W+/g, '_')}.bin`);
    await writeFile(path, await make());
    const result = await identifyFile(path);
    expect(result.puid, result.basis).toBe(puid);
    expect(result.mimeType).toBe(mimeType);
    expect(result.registry).toBe('PRONOM');
    const entry = PRONOM.get(puid as string);
    expect(result.formatName).toBe(entry?.name);
    expect(result.formatVersion).toBe(entry?.version);
    expect(result.basis.length).toBeGreaterThan(10);
    expect(result.extensionHint).toBe('bin');
  });

  it('gives the same answer whatever the chunking (1, 7 and 4096-byte chunks)', async () => {
    for (const { label, make } of CASES) {
      const bytes = await make();
      const whole = identifyBuffer(bytes);
      for (const size of [1, 7, 4096]) {
        const identifier = createFormatIdentifier();
        for (let at = 0; at < bytes.length; at += size) identifier.update(bytes.subarray(at, at + size));
        expect(identifier.result(), `${label} in ${size}-byte chunks`).toEqual(whole);
      }
    }
  });
});

describe('content decides, never the name', () => {
  it('a PDF named .docx is a PDF, with the extension only as a hint', async () => {
    const path = join(dir, 'beslut.docx');
    await writeFile(path, s.makePdf('1.7'));
    const result = await identifyFile(path);
    expect(result).toMatchObject({ puid: 'fmt/276', mimeType: 'application/pdf', extensionHint: 'docx' });
  });

  it('a DOCX named .pdf is a DOCX; an ODT named .zip is an ODT', async () => {
    await writeFile(join(dir, 'x.pdf'), s.makeZip(s.ooxmlEntries('docx')));
    await writeFile(join(dir, 'y.zip'), s.makeOdf('text', '1.2'));
    expect((await identifyFile(join(dir, 'x.pdf'))).puid).toBe('fmt/412');
    expect((await identifyFile(join(dir, 'y.zip'))).puid).toBe('fmt/291');
  });

  it('unknown binary is recorded as unknown, not guessed', async () => {
    const bytes = randomBytes(100_000);
    bytes[0] = 0; // no magic at offset 0
    bytes[1] = 0;
    const path = join(dir, 'mystery.pdf');
    await writeFile(path, bytes);
    const result = await identifyFile(path);
    expect(result).toMatchObject({
      mimeType: 'application/octet-stream',
      puid: undefined,
      formatName: undefined,
      registry: undefined,
    });
    expect(result.basis).toMatch(/no signature matched/);
  });

  it('an empty file and a truncated PDF get no PUID', () => {
    expect(identifyBuffer(Buffer.alloc(0))).toMatchObject({
      mimeType: 'application/octet-stream',
      puid: undefined,
    });
    const truncated = s.makePdf('1.4').subarray(0, 200);
    expect(identifyBuffer(truncated)).toMatchObject({
      mimeType: 'application/pdf',
      puid: undefined,
      registry: undefined,
    });
  });

  it('PDF/A declared without the pdfaid namespace, or an unknown level, falls back to the PDF version', () => {
    const noNs = s.makePdf(
      '1.4',
      s.pdfaXmp('1', 'B', 'attribute').replace('http://www.aiim.org/pdfa/ns/id/', 'urn:x'),
    );
    expect(identifyBuffer(noNs).puid).toBe('fmt/18');
    expect(identifyBuffer(s.makePdf('1.7', s.pdfaXmp('1', 'U', 'attribute'))).puid).toBe('fmt/276');
  });

  it('prose with commas is text, not CSV; a one-line list is text', () => {
    const prose = 'Vi åkte, sedan kom vi hem.\nHan sa, hej.\nDet var, bra.\n';
    expect(identifyBuffer(Buffer.from(prose)).puid).toBe('x-fmt/111');
    expect(identifyBuffer(Buffer.from('a;b;c\n')).puid).toBe('x-fmt/111');
    expect(identifyBuffer(Buffer.from('a;b\n1;2;3\n')).puid).toBe('x-fmt/111');
  });

  it('an ODT written with a data descriptor and extra field (project ZIP writer) is still an ODT', async () => {
    const mtime = new Date('2025-01-01T00:00:00Z');
    const odt = await streamToBuffer(
      createZipStream(
        (async function* () {
          yield { name: 'mimetype', mtime, data: once('application/vnd.oasis.opendocument.text') };
          yield { name: 'content.xml', mtime, data: once('<office:document-content office:version="1.2"/>') };
        })(),
      ),
    );
    expect(identifyBuffer(odt)).toMatchObject({
      puid: 'fmt/291',
      mimeType: 'application/vnd.oasis.opendocument.text',
    });
  });

  it('a ZIP whose [Content_Types].xml declares no listed main part is a plain ZIP, not DOCX', () => {
    const entries = s
      .ooxmlEntries('docx')
      .map((e) =>
        e.name === '[Content_Types].xml'
          ? { ...e, data: String(e.data).replace('document.main+xml', 'template.main+xml') }
          : e,
      );
    expect(identifyBuffer(s.makeZip(entries)).puid).toBe('x-fmt/263');
  });
});

describe('signatures split across chunk boundaries', () => {
  it('finds the PDF/A declaration wherever two chunks split it', () => {
    const pdf = s.makePdf('1.7', s.pdfaXmp('2', 'U', 'element'), 200_000);
    const marker = pdf.indexOf('pdfaid:conformance>');
    for (let cut = marker - 2; cut < marker + 24; cut++) {
      const identifier = createFormatIdentifier();
      identifier.update(pdf.subarray(0, cut));
      identifier.update(pdf.subarray(cut));
      expect(identifier.result().puid, `cut at ${cut - marker}`).toBe('fmt/478');
    }
  });

  it('reads a PNG chunk header split between chunks', () => {
    const png = s.makePng([{ type: 'iTXt', data: Buffer.from('Title\0\0\0\0\0x') }]);
    const at = png.indexOf('iTXt');
    for (let cut = at - 4; cut <= at + 4; cut++) {
      const identifier = createFormatIdentifier();
      identifier.update(png.subarray(0, cut));
      identifier.update(png.subarray(cut));
      expect(identifier.result().puid).toBe('fmt/13');
    }
  });
});
