import cliProgress from 'cli-progress';
import type { Progress } from '../progress.js';
import { formatBytes } from '../reports/format-bytes.js';
import type { Terminal } from '../app/terminal.js';

/**
 * A progress bar on the terminal (records and bytes done, rate, ETA), shown only when stderr is a terminal and
 * output is not JSON; log lines scroll above it. Otherwise undefined: logs and the run report say the same.
 */
export function createProgress(label: string, terminal: Terminal, enabled: boolean): Progress | undefined {
  if (!enabled || !terminal.isTTY) return undefined;
  const bars = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: `${label} {bar} {percentage}% | {records}/{totalRecords} records | {doneBytes}/{totalBytes} | {rate}/s | ETA {eta_formatted}`,
      barsize: 12,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | undefined;
  // Wall-clock time only to measure the transfer rate on the terminal; nothing recorded comes from it.
  const started = Date.now();
  let records = 0;
  let bytes = 0;
  let total = { records: 0, bytes: 0 };
  const payload = () => ({
    records,
    totalRecords: total.records,
    doneBytes: formatBytes(bytes),
    totalBytes: formatBytes(total.bytes),
    rate: formatBytes(Math.round(bytes / Math.max(0.001, (Date.now() - started) / 1000))),
  });
  return {
    start(totals) {
      total = totals;
      bar = bars.create(Math.max(1, totals.bytes), 0, payload());
      terminal.attach(bars);
    },
    advance(done) {
      records += done.records ?? 0;
      bytes += done.bytes ?? 0;
      bar?.update(bytes, payload());
    },
    stop() {
      bar?.update(Math.max(1, total.bytes), payload());
      bars.update(); // prints the log lines it holds: stop() alone would drop them
      bars.stop();
      terminal.attach(undefined);
    },
  };
}
