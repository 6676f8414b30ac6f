import cliProgress from 'cli-progress';

export interface Progress {
  start(totals: { records: number; bytes: number }): void;
  advance(done: { records?: number; bytes?: number }): void;
  stop(): void;
}

const MB = 1024 * 1024;

/**
 * A progress bar on stderr (records and bytes done, rate, ETA), shown only when stderr is a terminal and
 * output is not JSON. Otherwise a no-op: logs and the run report carry the same information.
 */
export function createProgress(label: string, enabled: boolean): Progress | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} {bar} {percentage}% | {records}/{totalRecords} records | {doneMB}/{totalMB} MB | {rate} MB/s | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let records = 0;
  let bytes = 0;
  let total = { records: 0, bytes: 0 };
  const payload = () => ({
    records,
    totalRecords: total.records,
    doneMB: (bytes / MB).toFixed(1),
    totalMB: (total.bytes / MB).toFixed(1),
    rate: (bytes / MB / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1),
  });
  return {
    start(totals) {
      total = totals;
      bar.start(Math.max(1, totals.bytes), 0, payload());
    },
    advance(done) {
      records += done.records ?? 0;
      bytes += done.bytes ?? 0;
      bar.update(bytes, payload());
    },
    stop() {
      bar.update(Math.max(1, total.bytes), payload());
      bar.stop();
    },
  };
}
