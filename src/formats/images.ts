/**
 * Raster image signatures: JPEG (JFIF 1.01/1.02, Exif 2.21, raw stream), PNG (1.0/1.1/1.2 by chunk types, as
 * PRONOM distinguishes them), GIF (87a/89a) and TIFF. Each rule mirrors the PRONOM internal signature of its PUID,
 * including the end-of-file part (JPEG EOI, PNG IEND, GIF trailer).
 */
import type { RetainedBytes } from './byte-window.js';
import { ChunkWalker } from './chunk-walker.js';
import { pronom, unregistered } from './registry.js';
import type { FormatIdentification } from './types.js';

const PNG_SIGNATURE = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const PNG_IEND = Buffer.from('0000000049454e44ae426082', 'hex');

export function isJpeg(head: Buffer): boolean {
  return head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
}

export function identifyJpeg(bytes: RetainedBytes): FormatIdentification {
  const head = bytes.head;
  const tail = bytes.tail.subarray(Math.max(0, bytes.tail.length - 65536 - 2));
  if (tail.indexOf(Buffer.from([0xff, 0xd9])) < 0) {
    return unregistered(
      'image/jpeg',
      'JPEG SOI marker, but no EOI marker within 64 KiB of the end (truncated?)',
    );
  }
  if (head[3] === 0xe0 && head.toString('latin1', 6, 11) === 'JFIF\0' && head[11] === 1) {
    const units = head[13] ?? 0xff;
    if (units <= 2 && head[12] === 1)
      return pronom('fmt/43', 'JPEG SOI + JFIF APP0 version 1.01, EOI near end');
    if (units <= 2 && head[12] === 2)
      return pronom('fmt/44', 'JPEG SOI + JFIF APP0 version 1.02, EOI near end');
  }
  if (head[3] === 0xe1 && head.toString('latin1', 6, 12) === 'Exif\0\0') {
    const version = exifVersion(head.subarray(12));
    if (version === '0221') return pronom('fmt/645', 'JPEG SOI + Exif APP1, ExifVersion 0221, EOI near end');
    return pronom('fmt/41', `JPEG SOI + Exif APP1 (ExifVersion ${version ?? 'not found'}), EOI near end`);
  }
  return pronom('fmt/41', 'JPEG SOI marker at start, EOI marker near end');
}

/** The ExifVersion tag (0x9000) of the Exif IFD of a TIFF structure, as its 4 ASCII characters. */
function exifVersion(tiff: Buffer): string | undefined {
  if (tiff.length < 8) return undefined;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const le = order === 'II';
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const findTag = (ifd: number, tag: number): number | undefined => {
    if (ifd + 2 > tiff.length) return undefined;
    const count = u16(ifd);
    for (let i = 0; i < count; i++) {
      const entry = ifd + 2 + i * 12;
      if (entry + 12 > tiff.length) return undefined;
      if (u16(entry) === tag) return entry;
    }
    return undefined;
  };
  const pointer = findTag(u32(4), 0x8769);
  if (pointer === undefined) return undefined;
  const version = findTag(u32(pointer + 8), 0x9000);
  return version === undefined ? undefined : tiff.toString('latin1', version + 8, version + 12);
}

export function isPng(head: Buffer): boolean {
  return head.length >= 16 && head.subarray(0, 16).equals(PNG_SIGNATURE);
}

/** Walks the PNG chunk chain from offset 8, recording chunk types up to IEND. */
export function createPngWalker(): ChunkWalker {
  return new ChunkWalker({
    start: 8,
    minHeader: 8,
    last: 'IEND',
    parse: (h) => {
      const length = h.readUInt32BE(0);
      const type = h.toString('latin1', 4, 8);
      if (length > 0x7fffffff || !/^[A-Za-z]{4}$/.test(type)) return { invalid: 'bad PNG chunk header' };
      return { type, total: 12 + length, header: 8 };
    },
  });
}

export function identifyPng(bytes: RetainedBytes, walker: ChunkWalker): FormatIdentification {
  const at = bytes.tail.lastIndexOf(PNG_IEND);
  const trailing = at < 0 ? -1 : bytes.tail.length - at - PNG_IEND.length;
  if (trailing < 0 || trailing > 4) {
    return unregistered('image/png', 'PNG signature and IHDR, but no IEND chunk at the end (truncated?)');
  }
  const types = walker.types;
  const seen = `chunks ${types.join(',')}`;
  if (trailing === 0 && types.includes('iTXt'))
    return pronom('fmt/13', `PNG signature, IHDR, iTXt chunk, IEND; ${seen}`);
  const v11 = types.find((t) => t === 'iCCP' || t === 'sPLT' || t === 'sRGB');
  if (trailing === 0 && v11) return pronom('fmt/12', `PNG signature, IHDR, ${v11} chunk, IEND; ${seen}`);
  return pronom('fmt/11', `PNG signature, IHDR, IEND; no chunk introduced after PNG 1.0; ${seen}`);
}

export function identifyGif(bytes: RetainedBytes): FormatIdentification | undefined {
  const magic = bytes.head.toString('latin1', 0, 6);
  if (magic !== 'GIF87a' && magic !== 'GIF89a') return undefined;
  const end = bytes.tail.subarray(Math.max(0, bytes.tail.length - 5));
  if (!end.includes(0x3b))
    return unregistered('image/gif', `${magic} header, but no trailer (0x3B) at the end`);
  return pronom(magic === 'GIF87a' ? 'fmt/3' : 'fmt/4', `${magic} header and trailer`);
}

export function identifyTiff(bytes: RetainedBytes): FormatIdentification | undefined {
  const head = bytes.head;
  if (head.length < 8) return undefined;
  const magic = head.toString('hex', 0, 4);
  if (magic !== '49492a00' && magic !== '4d4d002a') return undefined;
  const ifd = magic === '49492a00' ? head.readUInt32LE(4) : head.readUInt32BE(4);
  if (ifd < 8) return undefined;
  return pronom('fmt/353', `TIFF header (${magic === '49492a00' ? 'little' : 'big'}-endian)`);
}
