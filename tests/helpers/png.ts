/**
 * A small PNG reader for tests (no dependency): the IHDR header, and the pixels of non-interlaced 8-bit images
 * (greyscale, RGB, with or without alpha) as Chromium writes them. Chunks are read in order; the IDAT chunks are
 * concatenated, inflated with node:zlib and unfiltered row by row (filters 0-4 of the PNG specification).
 */
import { inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Bytes per pixel by colour type, at 8 bits per sample. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
}

export interface PngImage extends PngHeader {
  channels: number;
  /** Unfiltered samples, `height` rows of `width * channels` bytes. */
  data: Buffer;
  /** Red, green and blue of one pixel (grey repeated for greyscale). */
  rgb(x: number, y: number): [number, number, number];
}

function* chunks(png: Buffer): Generator<{ type: string; data: Buffer }> {
  if (png.length < 8 || !png.subarray(0, 8).equals(SIGNATURE)) throw new Error('png: not a PNG (signature)');
  for (let at = 8; at + 8 <= png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    yield { type, data: png.subarray(at + 8, at + 8 + length) };
    at += 12 + length;
  }
}

/** The IHDR chunk, which the PNG specification requires to come first. */
export function readPngHeader(png: Buffer): PngHeader {
  const first = chunks(png).next().value;
  if (first?.type !== 'IHDR') throw new Error('png: first chunk is not IHDR');
  const d = first.data;
  return {
    width: d.readUInt32BE(0),
    height: d.readUInt32BE(4),
    bitDepth: d.readUInt8(8),
    colorType: d.readUInt8(9),
    interlace: d.readUInt8(12),
  };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes the whole image; throws for bit depths other than 8 and for interlaced images. */
export function decodePng(png: Buffer): PngImage {
  const header = readPngHeader(png);
  const channels = CHANNELS[header.colorType];
  if (header.bitDepth !== 8 || channels === undefined || header.interlace !== 0) {
    throw new Error(`png: unsupported format ${JSON.stringify(header)}`);
  }
  const idat: Buffer[] = [];
  for (const chunk of chunks(png)) if (chunk.type === 'IDAT') idat.push(chunk.data);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = header.width * channels;
  if (raw.length !== header.height * (stride + 1)) throw new Error('png: image data has the wrong length');
  const data = Buffer.alloc(header.height * stride);
  for (let y = 0; y < header.height; y++) {
    const filter = raw[y * (stride + 1)];
    const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? (data[out + i - channels] as number) : 0;
      const up = y > 0 ? (data[out - stride + i] as number) : 0;
      const upLeft = y > 0 && i >= channels ? (data[out - stride + i - channels] as number) : 0;
      const x = row[i] as number;
      const predictor =
        filter === 0
          ? 0
          : filter === 1
            ? left
            : filter === 2
              ? up
              : filter === 3
                ? (left + up) >> 1
                : filter === 4
                  ? paeth(left, up, upLeft)
                  : Number.NaN;
      if (Number.isNaN(predictor)) throw new Error(`png: unknown filter ${filter} in row ${y}`);
      data[out + i] = (x + predictor) & 0xff;
    }
  }
  return {
    ...header,
    channels,
    data,
    rgb(x, y) {
      const at = y * stride + x * channels;
      const grey = channels < 3;
      const r = data[at] as number;
      return grey ? [r, r, r] : [r, data[at + 1] as number, data[at + 2] as number];
    },
  };
}
