/**
 * Audio and video signatures: WAVE (RIFF chunks: the `fmt ` chunk decides PCMWAVEFORMAT / WAVEFORMATEX /
 * WAVEFORMATEXTENSIBLE as PRONOM does), MP3 (ID3v2 tag and/or a chain of valid MPEG audio Layer III frame
 * headers) and MP4 (top-level ISO-BMFF boxes: `ftyp` with an MP4 brand, and a `moov` box anywhere).
 */
import type { RetainedBytes } from './byte-window.js';
import { ChunkWalker } from './chunk-walker.js';
import { pronom, unregistered } from './registry.js';
import type { FormatIdentification } from './types.js';

export function isWave(head: Buffer): boolean {
  return (
    head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WAVE'
  );
}

export function createRiffWalker(): ChunkWalker {
  return new ChunkWalker({
    start: 12,
    minHeader: 8,
    capture: (type) => (type === 'fmt ' ? 40 : 0),
    parse: (h) => {
      const size = h.readUInt32LE(4);
      return { type: h.toString('latin1', 0, 4), total: 8 + size + (size & 1), header: 8, payload: size };
    },
  });
}

export function identifyWave(walker: ChunkWalker): FormatIdentification {
  const fmt = walker.captured.get('fmt ');
  const fmtSize = walker.payloadSizes.get('fmt ') ?? 0;
  const hasData = walker.types.includes('data');
  if (!fmt || fmt.length < 16 || !hasData) {
    return pronom(
      'fmt/6',
      `RIFF WAVE header${fmt ? '' : '; no fmt chunk read'}${hasData ? '' : '; no data chunk'}`,
    );
  }
  const tag = fmt.readUInt16LE(0);
  if (tag === 0xfffe && fmtSize >= 40)
    return pronom('fmt/143', 'RIFF WAVE, fmt wFormatTag 0xFFFE, data chunk');
  if (tag === 1 && fmtSize === 16 && walker.types[0] === 'fmt ') {
    return pronom('fmt/141', 'RIFF WAVE, fmt chunk of 16 bytes with wFormatTag 1 (PCM), data chunk');
  }
  if (fmtSize >= 18 && tag !== 0xfffe) {
    return pronom('fmt/142', `RIFF WAVE, fmt chunk of ${fmtSize} bytes, wFormatTag ${tag}, data chunk`);
  }
  return pronom('fmt/6', `RIFF WAVE header, fmt chunk of ${fmtSize} bytes with wFormatTag ${tag}`);
}

const MP4_BRANDS = new Set(['mp42', 'mp41', 'isom', 'iso2']);

export function isIsoMedia(head: Buffer): boolean {
  return head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp';
}

/** Walks top-level ISO-BMFF boxes from offset 0, capturing the `ftyp` payload (brands). */
export function createBoxWalker(): ChunkWalker {
  return new ChunkWalker({
    start: 0,
    minHeader: 8,
    capture: (type) => (type === 'ftyp' ? 64 : 0),
    parse: (h, length) => {
      const size = h.readUInt32BE(0);
      const type = h.toString('latin1', 4, 8);
      if (size === 0) return { type, total: 'rest', header: 8 };
      if (size === 1) {
        if (length < 16) return { need: 16 };
        const large = Number(h.readBigUInt64BE(8));
        return large < 16 ? { invalid: 'bad box size' } : { type, total: large, header: 16 };
      }
      return size < 8 ? { invalid: 'bad box size' } : { type, total: size, header: 8 };
    },
  });
}

export function identifyIsoMedia(walker: ChunkWalker): FormatIdentification {
  const ftyp = walker.captured.get('ftyp') ?? Buffer.alloc(0);
  const brands: string[] = [];
  for (let at = 0; at + 4 <= ftyp.length; at += 4)
    if (at !== 4) brands.push(ftyp.toString('latin1', at, at + 4));
  const brand = brands.find((b) => MP4_BRANDS.has(b));
  const list = brands.map((b) => b.trim()).join(',');
  if (brand && walker.types.includes('moov')) {
    return pronom('fmt/199', `ISO-BMFF ftyp with brand ${brand} (brands ${list}), moov box`);
  }
  if (brands[0] === 'qt  ') return unregistered('video/quicktime', `QuickTime ftyp (brands ${list})`);
  return unregistered(
    'application/octet-stream',
    `ISO-BMFF ftyp box (brands ${list})${walker.types.includes('moov') ? '' : ', no moov box'}: no signature matched`,
  );
}

const BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const RATES: Record<number, number[]> = {
  3: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  0: [11025, 12000, 8000],
};

/** Length of the MPEG audio Layer III frame whose header is at `at`, or 0 if it is not a valid header. */
function frameLength(b: Buffer, at: number): number {
  if (at + 4 > b.length || b[at] !== 0xff) return 0;
  const b1 = b[at + 1] as number;
  const b2 = b[at + 2] as number;
  const version = (b1 >> 3) & 3;
  if ((b1 & 0xe0) !== 0xe0 || version === 1 || ((b1 >> 1) & 3) !== 1) return 0;
  const bitrate = (version === 3 ? BITRATES_V1 : BITRATES_V2)[b2 >> 4];
  const rate = RATES[version]?.[(b2 >> 2) & 3];
  if (!bitrate || !rate) return 0;
  return Math.floor(((version === 3 ? 144 : 72) * bitrate * 1000) / rate) + ((b2 >> 1) & 1);
}

/** True if `count` valid frames follow each other from `at`. */
function frameChain(b: Buffer, at: number, count: number): boolean {
  let pos = at;
  for (let i = 0; i < count; i++) {
    const length = frameLength(b, pos);
    if (length === 0) return false;
    pos += length;
  }
  return true;
}

/** MP3: an ID3v2 tag followed by 4 chained frames, or 10 chained frames within the first 1795 bytes. */
export function identifyMp3(bytes: RetainedBytes): FormatIdentification | undefined {
  const head = bytes.head;
  if (head.toString('latin1', 0, 3) === 'ID3' && head.length >= 10) {
    const size = ((head[6] ?? 0) << 21) | ((head[7] ?? 0) << 14) | ((head[8] ?? 0) << 7) | (head[9] ?? 0);
    const audio = 10 + size + ((head[5] ?? 0) & 0x10 ? 10 : 0);
    const window = bytes.range(audio, Math.min(16384, bytes.size - audio));
    if (window && frameChain(window, 0, 4))
      return pronom('fmt/134', 'ID3v2 tag followed by MPEG audio Layer III frames');
    const tail = bytes.tail;
    for (let at = tail.indexOf(0xff); at >= 0 && at < tail.length - 4; at = tail.indexOf(0xff, at + 1)) {
      if (frameChain(tail, at, 7))
        return pronom('fmt/134', 'ID3v2 tag; chained MPEG audio Layer III frames near end');
    }
    return undefined;
  }
  for (let at = 0; at < Math.min(1796, head.length); at++) {
    if (frameChain(head, at, 10))
      return pronom('fmt/134', `10 chained MPEG audio Layer III frames from offset ${at}`);
  }
  return undefined;
}
