/**
 * Bounded views of a stream read once: the first `capacity` bytes (`HeadWindow`) and the last `capacity` bytes
 * (`TailWindow`, a ring buffer). Memory is fixed at construction whatever the stream's length; each byte is copied
 * at most once into each window (a chunk longer than the tail only has its last `capacity` bytes copied).
 */
export class HeadWindow {
  readonly #buf: Buffer;
  #fill = 0;

  constructor(capacity: number) {
    this.#buf = Buffer.alloc(capacity);
  }

  /** True once the window holds `capacity` bytes; later writes are ignored. */
  get full(): boolean {
    return this.#fill === this.#buf.length;
  }

  write(chunk: Uint8Array): void {
    if (this.full) return;
    const n = Math.min(chunk.byteLength, this.#buf.length - this.#fill);
    this.#buf.set(chunk.subarray(0, n), this.#fill);
    this.#fill += n;
  }

  /** The bytes held so far (a view, not a copy). */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.#fill);
  }
}

export class TailWindow {
  readonly #buf: Buffer;
  /** Total bytes written; the ring's write position is `#total % capacity`. */
  #total = 0;

  constructor(capacity: number) {
    this.#buf = Buffer.alloc(capacity);
  }

  write(chunk: Uint8Array): void {
    const cap = this.#buf.length;
    let data = chunk;
    if (data.byteLength > cap) {
      this.#total += data.byteLength - cap;
      data = data.subarray(data.byteLength - cap);
    }
    let pos = this.#total % cap;
    let offset = 0;
    while (offset < data.byteLength) {
      const n = Math.min(cap - pos, data.byteLength - offset);
      this.#buf.set(data.subarray(offset, offset + n), pos);
      offset += n;
      pos = (pos + n) % cap;
    }
    this.#total += data.byteLength;
  }

  /** The last min(total, capacity) bytes in order (a new buffer), and the stream offset of its first byte. */
  snapshot(): { bytes: Buffer; start: number } {
    const cap = this.#buf.length;
    if (this.#total <= cap) return { bytes: Buffer.from(this.#buf.subarray(0, this.#total)), start: 0 };
    const pos = this.#total % cap;
    const bytes = Buffer.concat([this.#buf.subarray(pos), this.#buf.subarray(0, pos)]);
    return { bytes, start: this.#total - cap };
  }
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
