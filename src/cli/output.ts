/** Helpers for command output on stdout: human tables or JSON for machines. */

export { formatBytes } from '../reports/format-bytes.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we neutralise
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * A line of human output with every control character but newline and tab written visibly (`\x1b`): names,
 * titles and descriptions come from records (bag-info.txt, record.json), and an escape sequence in them must not
 * reach the terminal (to rewrite the screen, set its title, or ring). JSON output escapes them by itself.
 */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function print(line = ''): void {
  process.stdout.write(`${printable(line)}\n`);
}

/** A plain text table with left-aligned columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
