/**
 * Progress of a long run (ingest, audit), reported as work is done. The CLI draws a bar from it; other callers
 * may pass nothing. Totals come first, then increments.
 */
export interface Progress {
  start(totals: { records: number; bytes: number }): void;
  advance(done: { records?: number; bytes?: number }): void;
  stop(): void;
}
