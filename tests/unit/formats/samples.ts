/**
 * Makes small but real sample files for every format the identifier knows, byte by byte: ZIP containers
 * (tests/helpers/zip-bytes.ts), PDFs with a correct xref table and an optional XMP packet,
 * an 8x8 baseline JPEG, PNG/GIF/TIFF images, PCM WAVE, MP3 frames, an MP4 box tree, and text formats.
 */
import { crc32, deflateSync } from 'node:zlib';

export { makeZip, type ZipSampleEntry } from '../../helpers/zip-bytes.js';

import { makeZip, type ZipSampleEntry } from '../../helpers/zip-bytes.js';

const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

export const OOXML_KINDS = {
  docx: {
    main: 'word/document.xml',
    type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
    body: '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Protokoll</w:t></w:r></w:p></w:body></w:document>',
  },
  xlsx: {
    main: 'xl/workbook.xml',
    type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
    body: '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>',
  },
  pptx: {
    main: 'ppt/presentation.xml',
    type: 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml',
    body: '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>',
  },
} as const;

export const OOXML_MIME = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
} as const;

/** The parts of a minimal OOXML package, `[Content_Types].xml` first as Office writes it. */
export function ooxmlEntries(kind: keyof typeof OOXML_KINDS): ZipSampleEntry[] {
  const k = OOXML_KINDS[kind];
  return [
    {
      name: '[Content_Types].xml',
      deflate: true,
      data: `${XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/${k.main}" ContentType="${k.type}"/></Types>`,
    },
    {
      name: '_rels/.rels',
      deflate: true,
      data: `${XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="${k.main}"/></Relationships>`,
    },
    { name: k.main, deflate: true, data: `${XML_DECL}${k.body}` },
  ];
}

/** An ODF package: `mimetype` stored first, then content (with office:version), manifest last. */
export function makeOdf(kind: 'text' | 'spreadsheet', version: string | undefined): Buffer {
  const mime = `application/vnd.oasis.opendocument.${kind}`;
  const versionAttr = version === undefined ? '' : ` office:version="${version}"`;
  const body = kind === 'text' ? '<office:text><text:p>Hej</text:p></office:text>' : '<office:spreadsheet/>';
  return makeZip([
    { name: 'mimetype', data: mime },
    {
      name: 'content.xml',
      deflate: true,
      data: `${XML_DECL}<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"${versionAttr}><office:body>${body}</office:body></office:document-content>`,
    },
    {
      name: 'META-INF/manifest.xml',
      deflate: true,
      data: `${XML_DECL}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"${version === undefined ? '' : ` manifest:version="${version}"`}><manifest:file-entry manifest:full-path="/" manifest:media-type="${mime}"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`,
    },
  ]);
}

/** The XMP packet declaring PDF/A part and conformance, as attributes or as elements. */
export function pdfaXmp(part: string, conformance: string, style: 'attribute' | 'element'): string {
  const ns = 'xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"';
  const description =
    style === 'attribute'
      ? `<rdf:Description rdf:about="" ${ns} pdfaid:part="${part}" pdfaid:conformance="${conformance}"/>`
      : `<rdf:Description rdf:about="" ${ns}>\n<pdfaid:part>${part}</pdfaid:part>\n<pdfaid:conformance>${conformance}</pdfaid:conformance>\n</rdf:Description>`;
  return `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n${description}\n</rdf:RDF></x:xmpmeta>\n<?xpacket end="w"?>`;
}

/**
 * A one-page PDF with a correct cross-reference table. With `xmp`, the catalog has an uncompressed /Metadata
 * stream; `padding` bytes of page content push it away from both ends of the file.
 */
export function makePdf(version: string, xmp?: string, padding = 0): Buffer {
  const content = `BT /F1 12 Tf 72 720 Td (Protokoll) Tj ET\n% ${'x'.repeat(padding)}\n`;
  const objects = [
    `<< /Type /Catalog /Pages 2 0 R${xmp ? ' /Metadata 5 0 R' : ''} >>`,
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>',
    `<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}endstream`,
  ];
  if (xmp)
    objects.push(
      `<< /Type /Metadata /Subtype /XML /Length ${Buffer.byteLength(xmp)} >>\nstream\n${xmp}\nendstream`,
    );
  let out = `%PDF-${version}\n%\xe2\xe3\xcf\xd3\n`;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** An 8x8 grey baseline JPEG (one DC and one AC Huffman code), with a JFIF APP0 or an Exif APP1 segment. */
export function makeJpeg(app: { jfif: 1 | 2 } | { exif: string }): Buffer {
  const segment = (marker: number, body: Buffer) => {
    const head = Buffer.from([0xff, marker, 0, 0]);
    head.writeUInt16BE(body.length + 2, 2);
    return Buffer.concat([head, body]);
  };
  const appSegment =
    'jfif' in app
      ? segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, app.jfif, 0, 0, 1, 0, 1, 0, 0]))
      : segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifTiff(app.exif)]));
  const dqt = segment(0xdb, Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 1)]));
  const sof = segment(0xc0, Buffer.from([8, 0, 8, 0, 8, 1, 1, 0x11, 0]));
  const counts = (n: number) => Buffer.from([1, ...new Array(15).fill(0), n]);
  const dht = segment(0xc4, Buffer.concat([Buffer.from([0x00]), counts(0), Buffer.from([0x10]), counts(0)]));
  const sos = segment(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0]));
  // DC category 0 = code "0", AC EOB = code "0": bits 00, padded with ones.
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    appSegment,
    dqt,
    sof,
    dht,
    sos,
    Buffer.from([0x3f, 0xff, 0xd9]),
  ]);
}

/** A big-endian TIFF structure with IFD0 -> Exif IFD -> ExifVersion. */
function exifTiff(version: string): Buffer {
  const b = Buffer.alloc(8 + 2 + 12 + 4 + 2 + 12 + 4);
  b.write('MM', 0, 'latin1');
  b.writeUInt16BE(42, 2);
  b.writeUInt32BE(8, 4);
  b.writeUInt16BE(1, 8);
  b.writeUInt16BE(0x8769, 10);
  b.writeUInt16BE(4, 12);
  b.writeUInt32BE(1, 14);
  b.writeUInt32BE(26, 18); // Exif IFD offset
  b.writeUInt16BE(1, 26);
  b.writeUInt16BE(0x9000, 28);
  b.writeUInt16BE(7, 30);
  b.writeUInt32BE(4, 32);
  b.write(version, 36, 'latin1');
  return b;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A 1x1 grey PNG, with extra ancillary chunks (e.g. `sRGB`, `iTXt`) before the image data. */
export function makePng(extra: { type: string; data: Buffer }[] = []): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    pngChunk('IHDR', ihdr),
    ...extra.map((c) => pngChunk(c.type, c.data)),
    pngChunk('IDAT', deflateSync(Buffer.from([0, 0x80]))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export function makeGif(version: '87a' | '89a'): Buffer {
  // Logical screen 1x1 with a 2-colour table, one 1x1 image (LZW minimum code size 2), trailer.
  const body = '01000100800000' + '000000ffffff' + '2c00000000010001000002024401003b';
  return Buffer.concat([Buffer.from(`GIF${version}`, 'latin1'), Buffer.from(body, 'hex')]);
}

/** A 1x1 8-bit greyscale uncompressed TIFF, little-endian. */
export function makeTiff(): Buffer {
  const tags: [number, number, number][] = [
    [256, 3, 1],
    [257, 3, 1],
    [258, 3, 8],
    [259, 3, 1],
    [262, 3, 1],
    [273, 4, 8 + 2 + 8 * 12 + 4],
    [278, 3, 1],
    [279, 4, 1],
  ];
  const b = Buffer.alloc(8 + 2 + tags.length * 12 + 4 + 1);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(8, 4);
  b.writeUInt16LE(tags.length, 8);
  tags.forEach(([tag, type, value], i) => {
    const at = 10 + i * 12;
    b.writeUInt16LE(tag, at);
    b.writeUInt16LE(type, at + 2);
    b.writeUInt32LE(1, at + 4);
    if (type === 3) b.writeUInt16LE(value, at + 8);
    else b.writeUInt32LE(value, at + 8);
  });
  b[b.length - 1] = 0x80;
  return b;
}

/** A mono 16-bit 8 kHz WAVE: PCMWAVEFORMAT (fmt of 16 bytes) or WAVEFORMATEXTENSIBLE (fmt of 40 bytes). */
export function makeWav(kind: 'pcm' | 'extensible', samples = 800): Buffer {
  const fmt = Buffer.alloc(kind === 'pcm' ? 16 : 40);
  fmt.writeUInt16LE(kind === 'pcm' ? 1 : 0xfffe, 0);
  fmt.writeUInt16LE(1, 2);
  fmt.writeUInt32LE(8000, 4);
  fmt.writeUInt32LE(16000, 8);
  fmt.writeUInt16LE(2, 12);
  fmt.writeUInt16LE(16, 14);
  if (kind === 'extensible') {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(16, 18);
    fmt.writeUInt32LE(4, 20);
    Buffer.from('0100000000001000800000aa00389b71', 'hex').copy(fmt, 24); // KSDATAFORMAT_SUBTYPE_PCM
  }
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(8000 * Math.sin(i / 4)), i * 2);
  const chunk = (id: string, body: Buffer) => {
    const h = Buffer.alloc(8);
    h.write(id, 0, 'latin1');
    h.writeUInt32LE(body.length, 4);
    return Buffer.concat([h, body]);
  };
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), chunk('fmt ', fmt), chunk('data', data)]);
  return chunk('RIFF', body);
}

/** MPEG-1 Layer III, 128 kbit/s, 44.1 kHz silent frames (417 bytes each), optionally after an ID3v2.3 tag. */
export function makeMp3(frames: number, id3: boolean): Buffer {
  const frame = Buffer.alloc(417);
  Buffer.from([0xff, 0xfb, 0x90, 0x64]).copy(frame);
  const parts: Buffer[] = [];
  if (id3) {
    const title = Buffer.concat([
      Buffer.from('TIT2', 'latin1'),
      Buffer.from([0, 0, 0, 9, 0, 0, 0]),
      Buffer.from('Fullmakt', 'latin1'),
    ]);
    const size = title.length;
    const header = Buffer.from([
      0x49,
      0x44,
      0x33,
      3,
      0,
      0,
      (size >> 21) & 0x7f,
      (size >> 14) & 0x7f,
      (size >> 7) & 0x7f,
      size & 0x7f,
    ]);
    parts.push(header, title);
  }
  for (let i = 0; i < frames; i++) parts.push(frame);
  return Buffer.concat(parts);
}

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

/** An MP4: ftyp (isom; isom, iso2, mp41), then moov (mvhd) before or after an mdat of `mdatBytes`. */
export function mp4Parts(
  mdatBytes: number,
  moovFirst: boolean,
): { head: Buffer; mdatHeader: Buffer; moov: Buffer } {
  const ftyp = box(
    'ftyp',
    Buffer.from('isom', 'latin1'),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from('isomiso2mp41', 'latin1'),
  );
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(0x00010000, 20); // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24); // volume 1.0
  for (const [i, v] of [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].entries())
    mvhd.writeUInt32BE(v, 36 + i * 4);
  mvhd.writeUInt32BE(2, 96); // next track id
  const moov = box('moov', box('mvhd', mvhd));
  const mdatHeader = Buffer.alloc(8);
  mdatHeader.writeUInt32BE(8 + mdatBytes, 0);
  mdatHeader.write('mdat', 4, 'latin1');
  return {
    head: moovFirst ? Buffer.concat([ftyp, moov]) : ftyp,
    mdatHeader,
    moov: moovFirst ? Buffer.alloc(0) : moov,
  };
}

export function makeMp4(moovFirst = true): Buffer {
  const { head, mdatHeader, moov } = mp4Parts(16, moovFirst);
  return Buffer.concat([head, mdatHeader, Buffer.alloc(16), moov]);
}

export const EML = [
  'Return-Path: <registrator@kommun.example>',
  'From: Registrator <registrator@kommun.example>',
  'To: arkiv@kommun.example',
  'Subject: =?UTF-8?Q?Beslut_om_bygglov?=',
  'Date: Tue, 4 Mar 2025 09:12:44 +0100',
  'Message-ID: <20250304091244.1234@kommun.example>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=UTF-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  'Hej, beslutet är fattat.',
  '',
].join('\r\n');

export const CSV_SEMICOLON =
  'Diarienummer;Datum;Ärende;Belopp\r\nKS 2025/1;2025-01-02;Bygglov;1 234,50\r\nKS 2025/2;2025-01-03;"Tillstånd; alkohol";99,00\r\nKS 2025/3;2025-01-04;Avslag;0\r\n';
export const CSV_COMMA = 'id,name,amount\n1,"Berg, Anna",12.5\n2,Lind,7\n3,"Multi\nline",0\n';
export const TXT = 'Protokoll fört vid sammanträde med kommunstyrelsen.\n\nNärvarande: se bilaga.\n';
export const RTF =
  '{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0\\fs24 Protokoll\\par}';
export const XML =
  '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<arende id="KS 2025/1"><titel>Bygglov</titel></arende>\n';
export const HTML5 =
  '<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8"><title>Protokoll</title></head><body><p>Hej</p></body></html>\n';
export const HTML401 =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n<html><head><title>P</title></head><body><p>Hej</p></body></html>\n';
export const HTML_LEGACY = '<html><head><title>P</title></head><body><p>Hej</p></body></html>\n';
