/**
 * Format identification by content signatures, in the ingest's single pass: `update()` sees each chunk once and
 * keeps only a bounded head (default 64 KiB) and tail (default 1 MiB) of the stream, plus what the structure
 * walkers need (PNG chunk types, ISO-BMFF box types, RIFF chunks, PDF/A markers). `result()` decides from that;
 * the file name is never used, except to report `extensionHint`. Memory per file is bounded whatever its size.
 */
import { PreservationError } from '../errors.js';
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import {
  createBoxWalker,
  createRiffWalker,
  identifyIsoMedia,
  identifyMp3,
  identifyWave,
  isIsoMedia,
  isWave,
} from './audio-video.js';
import { HeadWindow, RetainedBytes, TailWindow } from './byte-window.js';
import type { ChunkWalker } from './chunk-walker.js';
import {
  createPngWalker,
  identifyGif,
  identifyJpeg,
  identifyPng,
  identifyTiff,
  isJpeg,
  isPng,
} from './images.js';
import { identifyHtml, identifyRtf, identifyXml } from './markup.js';
import { identifyOffice } from './office.js';
import { identifyPdf, isPdf, PdfScanner } from './pdf.js';
import { decodeText, identifyCsv, identifyEmail, identifyPlainText } from './text.js';
import {
  type FormatIdentification,
  type FormatIdentifier,
  type FormatIdentifierOptions,
  UNKNOWN_FORMAT,
} from './types.js';
import { isZip } from './zip-container.js';

const DEFAULT_PREFIX = 64 * 1024;
const DEFAULT_SUFFIX = 1024 * 1024;
/** Bytes needed before the streaming helpers (PDF scanner, chunk walkers) can be chosen. */
const SNIFF_BYTES = 16;

type Streaming =
  | { kind: 'pdf'; scanner: PdfScanner }
  | { kind: 'png' | 'wave' | 'iso'; walker: ChunkWalker }
  | { kind: 'none' };

function chooseStreaming(head: Buffer): Streaming {
  if (isPdf(head)) return { kind: 'pdf', scanner: new PdfScanner() };
  if (isPng(head)) return { kind: 'png', walker: createPngWalker() };
  if (isWave(head)) return { kind: 'wave', walker: createRiffWalker() };
  if (isIsoMedia(head)) return { kind: 'iso', walker: createBoxWalker() };
  return { kind: 'none' };
}

function feed(streaming: Streaming, chunk: Uint8Array, base: number): void {
  if (streaming.kind === 'pdf') streaming.scanner.update(chunk);
  else if (streaming.kind !== 'none') streaming.walker.update(chunk, base);
}

/** A streaming identifier for one file. Options are validated; sizes below the minimums are raised to them. */
export function createFormatIdentifier(options: FormatIdentifierOptions = {}): FormatIdentifier {
  const head = new HeadWindow(Math.max(4096, options.prefixBytes ?? DEFAULT_PREFIX));
  const tail = new TailWindow(Math.max(65536, options.suffixBytes ?? DEFAULT_SUFFIX));
  let total = 0;
  let streaming: Streaming | undefined;
  let finished: FormatIdentification | undefined;

  /** Chooses the streaming helper from the first bytes and feeds it everything seen so far (`chunk` included). */
  const start = (chunk: Uint8Array | undefined, base: number): Streaming => {
    const chosen = chooseStreaming(head.bytes());
    feed(chosen, head.bytes().subarray(0, base), 0);
    if (chunk) feed(chosen, chunk, base);
    return chosen;
  };

  return {
    get bytesSeen() {
      return total;
    },
    update(chunk: Uint8Array): void {
      if (finished) throw new PreservationError('[formats] update() called after result()');
      if (chunk.byteLength === 0) return;
      head.write(chunk);
      tail.write(chunk);
      const base = total;
      total += chunk.byteLength;
      if (streaming) feed(streaming, chunk, base);
      else if (total >= SNIFF_BYTES) streaming = start(chunk, base);
    },
    result(): FormatIdentification {
      if (!finished) {
        streaming ??= start(undefined, total);
        const { bytes, start: tailStart } = tail.snapshot();
        const retained = new RetainedBytes(head.bytes(), bytes, tailStart, total);
        finished = decide(retained, streaming);
        if (options.fileName !== undefined) {
          const ext = extname(options.fileName).slice(1).toLowerCase();
          if (ext) finished = { ...finished, extensionHint: ext };
        }
      }
      return finished;
    },
  };
}

function decide(bytes: RetainedBytes, streaming: Streaming): FormatIdentification {
  if (bytes.size === 0) return { ...UNKNOWN_FORMAT, basis: 'empty file: no signature matched' };
  switch (streaming.kind) {
    case 'pdf':
      streaming.scanner.finish();
      return identifyPdf(bytes, streaming.scanner);
    case 'png':
      streaming.walker.finish();
      return identifyPng(bytes, streaming.walker);
    case 'wave':
      streaming.walker.finish();
      return identifyWave(streaming.walker);
    case 'iso':
      streaming.walker.finish();
      return identifyIsoMedia(streaming.walker);
    default:
      return decideStatic(bytes);
  }
}

function decideStatic(bytes: RetainedBytes): FormatIdentification {
  const head = bytes.head;
  if (isZip(head)) return identifyOffice(bytes);
  if (isJpeg(head)) return identifyJpeg(bytes);
  const found = identifyGif(bytes) ?? identifyTiff(bytes) ?? identifyMp3(bytes) ?? identifyRtf(head);
  if (found) return found;
  const text = decodeText(head, bytes.tail, bytes.size);
  if (!text) return { ...UNKNOWN_FORMAT };
  return (
    identifyXml(head) ??
    identifyHtml(bytes) ??
    identifyEmail(text) ??
    identifyCsv(text) ??
    identifyPlainText(text)
  );
}

/** Identify an in-memory buffer (tests, small files). */
export function identifyBuffer(buf: Uint8Array, options: FormatIdentifierOptions = {}): FormatIdentification {
  const identifier = createFormatIdentifier(options);
  identifier.update(buf);
  return identifier.result();
}

/** Identify a file by streaming it once; `extensionHint` is filled from the path but not used to decide. */
export async function identifyFile(
  path: string,
  options: FormatIdentifierOptions = {},
): Promise<FormatIdentification> {
  const identifier = createFormatIdentifier({ fileName: path, ...options });
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 }))
    identifier.update(chunk as Buffer);
  return identifier.result();
}
