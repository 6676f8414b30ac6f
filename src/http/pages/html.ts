/**
 * HTML written with a tagged template that escapes every value put into it, unless the value is already HTML
 * (`Html`, made by `html` or `raw`). Arrays are joined. So text from records (titles, file names, reasons) can
 * never become markup.
 */
import { escapeHtml } from '../../reports/html-page.js';

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Trusted markup, as is. Only for constants and output of `html`. */
export const raw = (text: string) => new Html(text);

function render(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(value);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/** A table with a caption for screen readers (visible when `showCaption`), header cells with scope. */
export function table(
  caption: string,
  headers: string[],
  rows: Html[][],
  options: { numeric?: number[] } = {},
): Html {
  const num = new Set(options.numeric ?? []);
  const cls = (i: number) => (num.has(i) ? raw(' class="num"') : '');
  return html`<div class="table-wrap"><table><caption class="visually-hidden">${caption}</caption>
<thead><tr>${headers.map((h, i) => html`<th scope="col"${cls(i)}>${h}</th>`)}</tr></thead>
<tbody>${rows.map((cells) => html`<tr>${cells.map((c, i) => html`<td${cls(i)}>${c}</td>`)}</tr>`)}</tbody></table></div>`;
}

/** `<dl>` of label/value pairs, leaving out empty values. */
export function fields(pairs: [string, Html | string | undefined][]): Html {
  const shown = pairs.filter(([, v]) => v !== undefined && v !== '');
  return html`<dl class="fields">${shown.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

/** Monospace text (ids, digests, keys). */
export const code = (value: unknown) => html`<code>${value}</code>`;

/** ISO time shortened to the minute, UTC: `2026-03-01 02:00`. */
export function when(date: Date | string | undefined): string {
  if (!date) return '';
  const iso = typeof date === 'string' ? date : date.toISOString();
  return iso.slice(0, 16).replace('T', ' ');
}
