/**
 * Follows a chain of length-prefixed chunks (PNG chunks, ISO-BMFF boxes, RIFF chunks) through a stream without
 * keeping the stream: it only reads each chunk header (and, on request, the first bytes of a chunk's payload),
 * then skips to the next header. Records the chunk types seen, bounded to `MAX_TYPES` distinct ones.
 */
const MAX_TYPES = 64;
const MAX_HEADER = 16;

/** What a header parser makes of the header bytes collected so far. */
export type HeaderParse =
  /** Collect more header bytes (the total header length needed). */
  | { need: number }
  /** A complete header: its type, its total length (header + payload + padding) or `'rest'` (to end of stream). */
  | { type: string; total: number | 'rest'; header: number; payload?: number }
  /** Not a valid chunk: stop walking. */
  | { invalid: string };

export interface ChunkWalkerOptions {
  /** Stream offset of the first chunk header. */
  start: number;
  /** Parses `header` (of which the first `length` bytes are filled); first called with `minHeader` bytes. */
  parse: (header: Buffer, length: number) => HeaderParse;
  minHeader: number;
  /** Payload bytes to capture for a chunk type (0 or absent: none). At most 256. */
  capture?: (type: string) => number;
  /** Stop walking after a chunk of this type (e.g. PNG `IEND`). */
  last?: string;
}

export class ChunkWalker {
  readonly #opts: ChunkWalkerOptions;
  readonly #header = Buffer.alloc(MAX_HEADER);
  #headerFill = 0;
  #headerNeed: number;
  /** Stream offset where the current header starts. */
  #next: number;
  #captureType = '';
  #captureLeft = 0;
  #captureParts: Buffer[] = [];
  #stopped = false;
  /** Distinct chunk types in order of first appearance. */
  readonly types: string[] = [];
  /** Captured payload prefixes, by chunk type (first occurrence). */
  readonly captured = new Map<string, Buffer>();
  /** Payload length (header and padding excluded), by chunk type (first occurrence); absent for `'rest'`. */
  readonly payloadSizes = new Map<string, number>();
  /** Why the walk stopped early, if it did. */
  invalid: string | undefined;
  /** True once the walk reached `last` or a `'rest'` chunk. */
  ended = false;

  constructor(options: ChunkWalkerOptions) {
    this.#opts = options;
    this.#next = options.start;
    this.#headerNeed = options.minHeader;
  }

  /** Feed `chunk`, which starts at stream offset `base`. Chunks must be fed in order without gaps. */
  update(chunk: Uint8Array, base: number): void {
    let i = 0;
    while (!this.#stopped && i < chunk.byteLength) {
      if (this.#captureLeft > 0) {
        const n = Math.min(this.#captureLeft, chunk.byteLength - i);
        this.#captureParts.push(Buffer.from(chunk.subarray(i, i + n)));
        this.#captureLeft -= n;
        if (this.#captureLeft === 0) this.#endCapture();
        i += n;
        continue;
      }
      const headerAt = this.#next + this.#headerFill;
      if (base + i < headerAt) {
        i = headerAt - base;
        continue;
      }
      const n = Math.min(this.#headerNeed - this.#headerFill, chunk.byteLength - i);
      this.#header.set(chunk.subarray(i, i + n), this.#headerFill);
      this.#headerFill += n;
      i += n;
      if (this.#headerFill === this.#headerNeed) this.#parseHeader();
    }
  }

  /** Call at end of stream: a capture cut short is kept as it is. */
  finish(): void {
    if (this.#captureLeft > 0) this.#endCapture();
  }

  #parseHeader(): void {
    const parsed = this.#opts.parse(this.#header, this.#headerFill);
    if ('need' in parsed) {
      if (parsed.need > MAX_HEADER || parsed.need <= this.#headerFill) this.#stop('bad header length');
      else this.#headerNeed = parsed.need;
      return;
    }
    if ('invalid' in parsed) {
      this.#stop(parsed.invalid);
      return;
    }
    if (!this.types.includes(parsed.type) && this.types.length < MAX_TYPES) {
      this.types.push(parsed.type);
      if (parsed.total !== 'rest')
        this.payloadSizes.set(parsed.type, parsed.payload ?? parsed.total - parsed.header);
    }
    const want = Math.min(256, this.#opts.capture?.(parsed.type) ?? 0);
    if (want > 0 && !this.captured.has(parsed.type)) {
      this.#captureType = parsed.type;
      this.#captureLeft = parsed.total === 'rest' ? want : Math.min(want, parsed.total - parsed.header);
    }
    if (parsed.total === 'rest' || parsed.type === this.#opts.last) {
      this.ended = true;
      this.#stopped = this.#captureLeft === 0;
      return;
    }
    this.#next += parsed.total;
    this.#headerFill = 0;
    this.#headerNeed = this.#opts.minHeader;
  }

  #endCapture(): void {
    this.captured.set(this.#captureType, Buffer.concat(this.#captureParts));
    this.#captureParts = [];
    this.#captureLeft = 0;
    if (this.ended) this.#stopped = true;
  }

  #stop(reason: string): void {
    this.invalid = reason;
    this.#stopped = true;
  }
}
