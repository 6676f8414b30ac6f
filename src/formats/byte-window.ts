/**
 * Bounded views of a stream read once: the first `capacity` bytes (`HeadWindow`) and the last `capacity` bytes
 * (`TailWindow`). The windows keep views of the chunks they are given, not copies: a chunk must not be changed
 * after it was written (the same rule as the ZIP writer's, which passes the same chunks on). Memory held is at
 * most `capacity` plus one chunk per window whatever the stream's length; the bytes are copied only when a
 * window is read and spans several chunks (a file read in one chunk, as most are, is never copied).
 */
export class HeadWindow {
  readonly #capacity: number;
  #chunks: Buffer[] = [];
  #fill = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** True once the window holds `capacity` bytes; later writes are ignored. */
  get full(): boolean {
    return this.#fill === this.#capacity;
  }

  write(chunk: Uint8Array): void {
    if (this.full || chunk.byteLength === 0) return;
    const n = Math.min(chunk.byteLength, this.#capacity - this.#fill);
    this.#chunks.push(view(chunk, 0, n));
    this.#fill += n;
  }

  /** The bytes held so far (a view of the one chunk, or of one buffer they were joined into once). */
  bytes(): Buffer {
    return join(this.#chunks, this.#fill);
  }
}

export class TailWindow {
  readonly #capacity: number;
  /** Views of the last chunks, oldest first: only the first may reach back before the window. */
  #chunks: Buffer[] = [];
  /** Bytes in `#chunks`. */
  #held = 0;
  /** Total bytes written. */
  #total = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  write(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.#total += chunk.byteLength;
    const cap = this.#capacity;
    const kept = chunk.byteLength > cap ? view(chunk, chunk.byteLength - cap, cap) : view(chunk, 0);
    this.#chunks.push(kept);
    this.#held += kept.length;
    // Drop chunks that lie wholly before the last `capacity` bytes.
    while (this.#chunks.length > 1 && this.#held - (this.#chunks[0] as Buffer).length >= cap)
      this.#held -= (this.#chunks.shift() as Buffer).length;
  }

  /** The last min(total, capacity) bytes in order, and the stream offset of its first byte. */
  snapshot(): { bytes: Buffer; start: number } {
    const length = Math.min(this.#total, this.#capacity);
    const skip = this.#held - length;
    if (skip > 0) this.#chunks[0] = (this.#chunks[0] as Buffer).subarray(skip);
    this.#held = length;
    return { bytes: join(this.#chunks, length), start: this.#total - length };
  }
}

/** A Buffer over bytes [from, from + length) of `chunk`, sharing its memory. */
function view(chunk: Uint8Array, from: number, length = chunk.byteLength - from): Buffer {
  return Buffer.from(chunk.buffer, chunk.byteOffset + from, length);
}

/** The chunks as one Buffer: the only chunk itself, or one copy, which replaces them in `chunks`. */
function join(chunks: Buffer[], length: number): Buffer {
  if (chunks.length === 0) return Buffer.alloc(0);
  if (chunks.length > 1) chunks.splice(0, chunks.length, Buffer.concat(chunks, length));
  return chunks[0] as Buffer;
}

/** Random access to what the windows kept: a range is available only if one window holds all of it. */
export class RetainedBytes {
  constructor(
    readonly head: Buffer,
    readonly tail: Buffer,
    /** Stream offset of `tail[0]`. */
    readonly tailStart: number,
    /** Length of the whole stream. */
    readonly size: number,
  ) {}

  /** Bytes [offset, offset + length) of the stream, or undefined when no window holds all of them. */
  range(offset: number, length: number): Buffer | undefined {
    if (offset < 0 || length < 0 || offset + length > this.size) return undefined;
    if (offset + length <= this.head.length) return this.head.subarray(offset, offset + length);
    if (offset >= this.tailStart)
      return this.tail.subarray(offset - this.tailStart, offset - this.tailStart + length);
    return undefined;
  }
}
