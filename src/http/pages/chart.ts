/**
 * Line charts as server-rendered SVG: no script, no inline style (presentation attributes only, which the CSP
 * allows), a <title> and <desc> for screen readers, and the same numbers in a table below for anyone who cannot
 * read the chart.
 */
import { type Html, html, table } from './html.js';

export interface ChartSeries {
  name: string;
  /** Values by x label (e.g. a day), in the order of `ChartInput.x`; a missing value is a gap. */
  values: (number | undefined)[];
}

export interface ChartInput {
  /** Element id prefix, unique in the page. */
  id: string;
  title: string;
  /** One sentence saying what the chart shows and what it shows now, for screen readers. */
  description: string;
  /** Labels of the x axis (days), oldest first. */
  x: string[];
  series: ChartSeries[];
  format: (value: number) => string;
  /** Header of the x column in the table. */
  xLabel: string;
  /** Top of the y axis (default: the largest value). */
  max?: number;
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 72, right: 12, top: 12, bottom: 28 };
/** Colour-blind-safe line colours (Okabe–Ito), dark enough on white; series also differ by dash. */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#000000', '#E69F00'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '', '4 4'];

export function lineChart(c: ChartInput): Html {
  const max =
    c.max ?? Math.max(1, ...c.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const xAt = (i: number) => PAD.left + (c.x.length <= 1 ? plotW / 2 : (i * plotW) / (c.x.length - 1));
  const yAt = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const lines = c.series.map((s, n) => {
    const points = s.values
      .map((v, i) => (v === undefined ? undefined : `${xAt(i).toFixed(1)},${yAt(v).toFixed(1)}`))
      .filter((p): p is string => p !== undefined)
      .join(' ');
    const colour = COLOURS[n % COLOURS.length] ?? '#000000';
    const dash = DASHES[n % DASHES.length];
    // A marker on every point: a series of one day (or one audit) has no line to draw.
    const markers = s.values.map((v, i) =>
      v === undefined
        ? ''
        : html`<circle cx="${xAt(i).toFixed(1)}" cy="${yAt(v).toFixed(1)}" r="3" fill="${colour}"/>`,
    );
    return html`<polyline points="${points}" fill="none" stroke="${colour}" stroke-width="2"${dash ? html` stroke-dasharray="${dash}"` : ''}><title>${s.name}</title></polyline>${markers}`;
  });
  const legend = c.series.map((s, n) => {
    const y = PAD.top + 14 * n + 4;
    return html`<line x1="${PAD.left + 8}" x2="${PAD.left + 28}" y1="${y}" y2="${y}" stroke="${COLOURS[n % COLOURS.length] ?? '#000000'}" stroke-width="2"${DASHES[n % DASHES.length] ? html` stroke-dasharray="${DASHES[n % DASHES.length]}"` : ''}/><text x="${PAD.left + 32}" y="${y + 4}" font-size="11" fill="#222">${s.name}</text>`;
  });
  const first = c.x[0] ?? '';
  const last = c.x.at(-1) ?? '';
  const svg = html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-labelledby="${c.id}-title ${c.id}-desc" class="chart">
<title id="${c.id}-title">${c.title}</title><desc id="${c.id}-desc">${c.description}</desc>
<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#555"/>
<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH}" stroke="#555"/>
<text x="${PAD.left - 6}" y="${PAD.top + 10}" font-size="11" text-anchor="end" fill="#222">${c.format(max)}</text>
<text x="${PAD.left - 6}" y="${PAD.top + plotH}" font-size="11" text-anchor="end" fill="#222">${c.format(0)}</text>
<text x="${PAD.left}" y="${HEIGHT - 8}" font-size="11" fill="#222">${first}</text>
<text x="${PAD.left + plotW}" y="${HEIGHT - 8}" font-size="11" text-anchor="end" fill="#222">${last}</text>
${lines}${legend}</svg>`;
  const data = table(
    c.title,
    [c.xLabel, ...c.series.map((s) => s.name)],
    c.x.map((x, i) => [
      html`${x}`,
      ...c.series.map((s) => html`${s.values[i] === undefined ? '–' : c.format(s.values[i] as number)}`),
    ]),
    { numeric: c.series.map((_, i) => i + 1) },
  );
  return html`<figure class="chart">${svg}<details><summary>${c.title}: ${c.xLabel}</summary>${data}</details></figure>`;
}
