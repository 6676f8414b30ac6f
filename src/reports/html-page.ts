/**
 * The page shell of the HTML run reports and the small building blocks the sections share: escaping, tables,
 * count tiles, the verdict banner. Pages are self-contained: inline CSS, no scripts, no external resources, so a
 * report can be mailed, archived or opened offline years later and look the same.
 */

/** Overall verdict of a run, shown as the banner's colour. */
export type Tone = 'green' | 'amber' | 'red';

/** Background colours of the verdict banner (white text on each passes WCAG AA for large text). */
export const BANNER_COLORS: Record<Tone, string> = { green: '#1d7a35', amber: '#9a5b00', red: '#b3261e' };

/** Escapes text for HTML content and attribute values; `undefined`/`null` become the empty string. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,"DejaVu Sans",sans-serif;margin:1.5rem auto;max-width:76rem;padding:0 1rem;color:#1b1b1b}
.banner{padding:1rem 1.25rem;border-radius:.5rem;color:#fff}
.banner h1{margin:0;font-size:1.6rem}.banner p{margin:.3rem 0 0}
${Object.entries(BANNER_COLORS)
  .map(([tone, color]) => `.banner.${tone}{background:${color}}`)
  .join('')}
.meta{color:#555;margin:.5rem 0 1rem}
.counts{display:flex;flex-wrap:wrap;gap:.6rem;margin:1rem 0 1.5rem}
.count{border:1px solid #ddd;border-radius:.4rem;padding:.45rem .8rem;min-width:7.5rem}
.count b{display:block;font-size:1.25rem}.count span{color:#555;font-size:.85rem}
.count.bad{border-color:#b3261e}.count.bad b{color:#b3261e}.count.warn{border-color:#9a5b00}.count.warn b{color:#9a5b00}
h2{font-size:1.2rem;margin:1.6rem 0 .3rem}.note{color:#555;margin:.1rem 0 .5rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}
th,td{border-bottom:1px solid #e3e3e3;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4;font-weight:600}.num{text-align:right;white-space:nowrap}
code{font:12px/1.35 ui-monospace,"DejaVu Sans Mono",monospace;overflow-wrap:anywhere}
td.digest{min-width:11rem;max-width:17rem}td.file{min-width:9rem}td.wide{min-width:15rem}td.digest code{word-break:break-all}
small{color:#555}
.st-bad{color:#b3261e;font-weight:600}.st-warn{color:#9a5b00;font-weight:600}.st-ok{color:#1d7a35}
.bar{display:inline-block;vertical-align:middle;background:#e6e6e6;height:.8rem;width:12rem;border-radius:.4rem;overflow:hidden;margin-right:.5rem}
.bar>span{display:block;height:100%}
details>summary{cursor:pointer;font-size:1.2rem;font-weight:600;margin:1.6rem 0 .3rem}
`;

/** A complete HTML document: UTF-8, the given language, inline CSS and the body as given (already escaped). */
export function htmlPage(lang: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style></head><body>
${body}
</body></html>
`;
}

/** The verdict banner: a headline and lines of text (escaped here). */
export function banner(tone: Tone, headline: string, lines: string[]): string {
  return `<div class="banner ${tone}" role="status"><h1>${escapeHtml(headline)}</h1>${lines
    .map((line) => `<p>${escapeHtml(line)}</p>`)
    .join('')}</div>`;
}

/** One tile of the summary counts; `mark` highlights a count that is not zero. */
export interface CountTile {
  label: string;
  value: string;
  mark?: 'bad' | 'warn';
}

export function countTiles(tiles: CountTile[]): string {
  const tile = (t: CountTile) =>
    `<div class="count${t.mark ? ` ${t.mark}` : ''}"><b>${escapeHtml(t.value)}</b><span>${escapeHtml(t.label)}</span></div>`;
  return `<div class="counts">${tiles.map(tile).join('')}</div>`;
}

/**
 * A column: its heading and what it holds: numbers (right-aligned), digests (narrow, wrapping anywhere), file
 * paths, or wide text (a minimum width so they do not wrap into a word per line).
 */
export interface Column {
  label: string;
  kind?: 'num' | 'digest' | 'file' | 'wide';
}

/** A table; cells are HTML (escape their text with {@link escapeHtml}, or use {@link code}). */
export function table(columns: Column[], rows: string[][]): string {
  const cls = (c: Column | undefined) => (c?.kind ? ` class="${c.kind}"` : '');
  const head = columns.map((c) => `<th${cls(c)}>${escapeHtml(c.label)}</th>`).join('');
  const body = rows
    .map((cells) => `<tr>${cells.map((cell, i) => `<td${cls(columns[i])}>${cell}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A section heading with an optional count and note. */
export function heading(title: string, count?: number, note?: string): string {
  return `<h2>${escapeHtml(title)}${count === undefined ? '' : ` (${count})`}</h2>${
    note ? `<p class="note">${escapeHtml(note)}</p>` : ''
  }`;
}

/** Monospaced text that wraps anywhere (digests, keys, ids); empty when there is no value. */
export function code(value: unknown): string {
  return value === undefined || value === null || value === '' ? '' : `<code>${escapeHtml(value)}</code>`;
}

/** Package id with the record's label beneath it, when the item names one. */
export function packageCell(packageId: string | undefined, label: string | undefined): string {
  return `${code(packageId) || '—'}${label ? `<br>${escapeHtml(label)}` : ''}`;
}

/** Number from an untyped summary or details value, or undefined. */
export function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** String from an untyped details value, or undefined. */
export function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
