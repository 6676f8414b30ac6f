/** Helpers for command output on stdout: human tables or JSON for machines. */

import { printable, printableInline } from '../printable.js';

export { formatBytes } from '../reports/format-bytes.js';
export { printable, printableInline };

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes one line (or several) of human output, its control characters made visible (see `printable`). */
export function print(line = ''): void {
  process.stdout.write(`${printable(line)}\n`);
}

/** A plain text table with left-aligned columns; each cell on one line, its control characters made visible. */
export function table(header: string[], body: string[][]): string {
  const rows = body.map((row) => row.map(printableInline));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
