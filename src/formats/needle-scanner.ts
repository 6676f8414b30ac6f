/**
 * Finds byte strings anywhere in a stream, across chunk boundaries, and hands over each match together with the
 * bytes that follow it (a bounded window). Used for markers that may sit anywhere in a large file, such as the
 * PDF/A identification in a PDF's XMP packet. Memory: one staging buffer of `STAGE_BYTES` + window.
 */
const STAGE_BYTES = 64 * 1024;

export type NeedleMatch = (needleIndex: number, window: Buffer) => void;

export class NeedleScanner {
  readonly #needles: Buffer[];
  readonly #onMatch: NeedleMatch;
  /** Bytes a match needs to be reported whole: the longest needle plus the window after it. */
  readonly #span: number;
  readonly #stage: Buffer;
  #fill = 0;
  #done = false;

  /**
   * @param needles byte strings to look for
   * @param windowAfter bytes after the needle included in the reported window (fewer at end of stream)
   * @param onMatch called once per occurrence, in stream order per needle; `window` is only valid during the call
   */
  constructor(needles: Buffer[], windowAfter: number, onMatch: NeedleMatch) {
    this.#needles = needles;
    this.#onMatch = onMatch;
    this.#span = Math.max(...needles.map((n) => n.length)) + windowAfter;
    this.#stage = Buffer.alloc(STAGE_BYTES + this.#span);
  }

  update(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const n = Math.min(this.#stage.length - this.#fill, chunk.byteLength - offset);
      this.#stage.set(chunk.subarray(offset, offset + n), this.#fill);
      this.#fill += n;
      offset += n;
      if (this.#fill === this.#stage.length) this.#scan(false);
    }
  }

  /** Report the matches left in the staging buffer (their windows may be short). Call once, at end of stream. */
  finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#scan(true);
  }

  #scan(final: boolean): void {
    // Matches starting before `limit` have their whole window staged; later ones wait for more bytes.
    const limit = final ? this.#fill : this.#fill - this.#span + 1;
    const staged = this.#stage.subarray(0, this.#fill);
    const windowAfter = this.#span;
    this.#needles.forEach((needle, index) => {
      let at = staged.indexOf(needle);
      while (at >= 0 && at < limit) {
        this.#onMatch(index, staged.subarray(at, Math.min(this.#fill, at + windowAfter)));
        at = staged.indexOf(needle, at + 1);
      }
    });
    if (final) return;
    this.#stage.copy(this.#stage, 0, limit, this.#fill);
    this.#fill -= limit;
  }
}
