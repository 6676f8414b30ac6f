/**
 * Byte-exact encoders for scripts/make-fixtures.mjs: a minimal PDF writer (Helvetica, WinAnsi text, exact xref
 * offsets), a PNG and a baseline JPEG. Compression is avoided or done by hand (stored deflate blocks, a fixed
 * Huffman table) so the output cannot change with the zlib that a Node version bundles.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

// ---------- PDF: one Helvetica page per entry of `pages`, WinAnsi text, exact xref ----------

const WIN_ANSI_EXTRA = new Map([
  ['€', 0x80],
  ['–', 0x96],
  ['—', 0x97],
  ['’', 0x92],
  ['”', 0x94],
  ['•', 0x95],
]);

function winAnsi(text) {
  const bytes = [];
  for (const ch of text) {
    const code = ch.codePointAt(0);
    const byte = code < 0x80 || (code >= 0xa0 && code <= 0xff) ? code : WIN_ANSI_EXTRA.get(ch);
    if (byte === undefined) throw new Error(`no WinAnsi byte for ${JSON.stringify(ch)}`);
    if (ch === '(' || ch === ')' || ch === '\\') bytes.push(0x5c);
    bytes.push(byte);
  }
  return Buffer.from(bytes);
}

const pdfString = (text) => Buffer.concat([Buffer.from('('), winAnsi(text), Buffer.from(')')]);

/** A page is a list of lines; a line starting with "# " is a bold heading. */
function pageContent(lines, header) {
  const parts = [Buffer.from(`0.2 0.3 0.5 RG 1.5 w 56 790 m 539 790 l S\nBT /F2 9 Tf 56 798 Td `)];
  parts.push(pdfString(header), Buffer.from(' Tj ET\nBT 56 750 Td 16 TL\n'));
  for (const line of lines) {
    const bold = line.startsWith('# ');
    parts.push(Buffer.from(bold ? '/F2 14 Tf ' : '/F1 11 Tf '));
    parts.push(pdfString(bold ? line.slice(2) : line), Buffer.from(" '\n"));
  }
  parts.push(Buffer.from('ET\n'));
  return Buffer.concat(parts);
}

export function makePdf({ title, author, created, header, pages }) {
  const objects = [];
  const add = (body) => {
    objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
    return objects.length;
  };
  const catalog = add('');
  const pagesObj = add('');
  const f1 = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const f2 = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  const kids = [];
  for (const lines of pages) {
    const content = pageContent(lines, header);
    const stream = add(
      Buffer.concat([
        Buffer.from(`<< /Length ${content.length} >>\nstream\n`),
        content,
        Buffer.from('endstream'),
      ]),
    );
    kids.push(
      add(
        `<< /Type /Page /Parent ${pagesObj} 0 R /MediaBox [0 0 595 842] ` +
          `/Resources << /Font << /F1 ${f1} 0 R /F2 ${f2} 0 R >> >> /Contents ${stream} 0 R >>`,
      ),
    );
  }
  objects[catalog - 1] = Buffer.from(`<< /Type /Catalog /Pages ${pagesObj} 0 R >>`);
  objects[pagesObj - 1] = Buffer.from(
    `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`,
  );
  const date = `D:${created.replace(/[-:T]/g, '').slice(0, 14)}Z`;
  const info = add(
    Buffer.concat([
      Buffer.from('<< /Title '),
      pdfString(title),
      Buffer.from(' /Author '),
      pdfString(author),
      Buffer.from(` /Creator (Exempelby kommun) /Producer (bevara make-fixtures) /CreationDate (${date}) >>`),
    ]),
  );

  const chunks = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = chunks[0].length;
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(offset);
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    chunks.push(obj);
    offset += obj.length;
  });
  const id = createHash('sha256').update(title).digest('hex').slice(0, 32);
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n'];
  for (const o of offsets) xref.push(`${String(o).padStart(10, '0')} 00000 n \n`);
  xref.push(`trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R /Info ${info} 0 R `);
  xref.push(`/ID [<${id}> <${id}>] >>\nstartxref\n${offset}\n%%EOF\n`);
  chunks.push(Buffer.from(xref.join('')));
  return Buffer.concat(chunks);
}

// ---------- zlib stream with stored (uncompressed) deflate blocks: identical bytes on every zlib ----------

function zlibStored(data) {
  const parts = [Buffer.from([0x78, 0x01])];
  for (let i = 0; i === 0 || i < data.length; i += 65535) {
    const block = data.subarray(i, i + 65535);
    const head = Buffer.alloc(5);
    head[0] = i + 65535 >= data.length ? 1 : 0;
    head.writeUInt16LE(block.length, 1);
    head.writeUInt16LE(~block.length & 0xffff, 3);
    parts.push(head, block);
  }
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE(((b << 16) | a) >>> 0);
  parts.push(adler);
  return Buffer.concat(parts);
}

// ---------- PNG: 2-bit palette drawing of a south facade ----------

function pngChunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

export function facadePng() {
  const [w, h] = [320, 200];
  const px = new Uint8Array(w * h); // 0 white, 1 black, 2 grey, 3 blue
  const rect = (x0, y0, x1, y1, c) => {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) px[y * w + x] = c;
  };
  const frame = (x0, y0, x1, y1, fill) => {
    rect(x0, y0, x1, y1, 1);
    rect(x0 + 2, y0 + 2, x1 - 2, y1 - 2, fill);
  };
  rect(0, 176, w, 178, 1); // ground
  frame(60, 90, 260, 177, 0); // walls
  for (let y = 30; y < 90; y++) {
    const half = Math.round(((y - 30) / 60) * 115);
    rect(160 - half, y, 160 + half, y + 1, y === 89 || half < 2 ? 1 : 2); // roof
    rect(160 - half - 2, y, 160 - half, y + 1, 1);
    rect(160 + half, y, 160 + half + 2, y + 1, 1);
  }
  for (const x of [80, 125, 210]) frame(x, 105, x + 30, 140, 3); // windows
  frame(168, 120, 196, 177, 2); // door
  const raw = Buffer.alloc(h * (1 + w / 4));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) raw[y * (1 + w / 4) + 1 + (x >> 2)] |= px[y * w + x] << (6 - 2 * (x & 3));
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([2, 3, 0, 0, 0], 8); // bit depth 2, palette, deflate, filter 0, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('PLTE', Buffer.from([255, 255, 255, 0, 0, 0, 190, 190, 190, 90, 140, 200])),
    pngChunk('tEXt', Buffer.from('Title\0Fasadritning söder, Östra Gränd 3', 'latin1')),
    pngChunk('IDAT', zlibStored(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------- JPEG: baseline greyscale, each 8x8 block flat (DC only), standard DC Huffman table ----------

function huffmanCodes(bits, values) {
  const codes = new Map();
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < bits[len - 1]; i++) codes.set(values[k++], { code: code++, len });
    code <<= 1;
  }
  return codes;
}

export function photoJpeg() {
  const [w, h] = [256, 160];
  const level = (bx, by) => {
    if (by < 9) return 215 - by * 6; // sky
    const tree = (bx - 8) ** 2 + (by - 10) ** 2 < 12 || (bx === 8 && by < 17);
    return tree ? 60 : 120 + ((bx * 7 + by * 3) % 5) * 6; // tree on grass
  };
  const dcBits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
  const dcValues = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const dc = huffmanCodes(dcBits, dcValues);
  const out = [];
  let acc = 0;
  let n = 0;
  const put = (value, len) => {
    for (let i = len - 1; i >= 0; i--) {
      acc = (acc << 1) | ((value >> i) & 1);
      if (++n === 8) {
        out.push(acc);
        if (acc === 0xff) out.push(0); // byte stuffing
        acc = 0;
        n = 0;
      }
    }
  };
  let prev = 0;
  for (let by = 0; by < h / 8; by++) {
    for (let bx = 0; bx < w / 8; bx++) {
      const q = level(bx, by) - 128; // DC of a flat block is 8*(p-128); quantiser 8
      const diff = q - prev;
      prev = q;
      const size = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
      const { code, len } = dc.get(size);
      put(code, len);
      if (size > 0) put(diff > 0 ? diff : diff + (1 << size) - 1, size);
      put(0, 1); // EOB in the one-symbol AC table
    }
  }
  if (n > 0) put(0x7f, 8 - n); // pad with ones
  const seg = (marker, body) => {
    const head = Buffer.from([0xff, marker, 0, 0]);
    head.writeUInt16BE(body.length + 2, 2);
    return Buffer.concat([head, body]);
  };
  const size = Buffer.alloc(4);
  size.writeUInt16BE(h, 0);
  size.writeUInt16BE(w, 2);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    seg(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 1, 0, 72, 0, 72, 0, 0])),
    seg(0xdb, Buffer.from([0, 8, ...new Array(63).fill(16)])),
    seg(0xc0, Buffer.concat([Buffer.from([8]), size, Buffer.from([1, 1, 0x11, 0])])),
    seg(0xc4, Buffer.from([0x00, ...dcBits, ...dcValues])),
    seg(0xc4, Buffer.from([0x10, 1, ...new Array(15).fill(0), 0x00])),
    seg(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0])),
    Buffer.from(out),
    Buffer.from([0xff, 0xd9]),
  ]);
}
