/**
 * Bounded views of a stream read once: the first `capacity` bytes (`HeadWindow`) and the last `capacity` bytes
 * (`TailWindow`, a ring buffer). Memory never exceeds `capacity` per window whatever the stream's length, and grows
 * only as bytes arrive: most files are small, and a fixed 1 MiB per file would cost more than reading them.
 * Each byte is copied at most once into each window (plus the copies of a doubling buffer while small).
 */
export class HeadWindow {
  readonly #capacity: number;
  #buf: Buffer = Buffer.alloc(0);
  #fill = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** True once the window holds `capacity` bytes; later writes are ignored. */
  get full(): boolean {
    return this.#fill === this.#capacity;
  }

  write(chunk: Uint8Array): void {
    if (this.full) return;
    const n = Math.min(chunk.byteLength, this.#capacity - this.#fill);
    this.#buf = ensure(this.#buf, this.#fill, this.#fill + n, this.#capacity);
    this.#buf.set(chunk.subarray(0, n), this.#fill);
    this.#fill += n;
  }

  /** The bytes held so far (a view, not a copy). */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.#fill);
  }
}

export class TailWindow {
  readonly #capacity: number;
  /** Linear while the stream fits; a ring of `capacity` bytes once it does not. */
  #buf: Buffer = Buffer.alloc(0);
  /** Total bytes written; once over capacity, the ring's write position is `#total % capacity`. */
  #total = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  write(chunk: Uint8Array): void {
    const cap = this.#capacity;
    if (this.#total + chunk.byteLength <= cap) {
      this.#buf = ensure(this.#buf, this.#total, this.#total + chunk.byteLength, cap);
      this.#buf.set(chunk, this.#total);
      this.#total += chunk.byteLength;
      return;
    }
    if (this.#buf.length < cap) this.#buf = ensure(this.#buf, this.#total, cap, cap);
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
    const cap = this.#capacity;
    if (this.#total <= cap) return { bytes: Buffer.from(this.#buf.subarray(0, this.#total)), start: 0 };
    const pos = this.#total % cap;
    const bytes = Buffer.concat([this.#buf.subarray(pos), this.#buf.subarray(0, pos)]);
    return { bytes, start: this.#total - cap };
  }
}

/** `buf` with room for `needed` bytes (doubling, at most `capacity`), its first `used` bytes kept. */
function ensure(buf: Buffer, used: number, needed: number, capacity: number): Buffer {
  if (needed <= buf.length) return buf;
  const grown = Buffer.allocUnsafe(Math.min(capacity, Math.max(needed, buf.length * 2, 4096)));
  buf.copy(grown, 0, 0, used);
  return grown;
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
