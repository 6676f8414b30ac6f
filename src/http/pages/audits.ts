import type { auditRow } from '../api/audits.js';
import { formatBytes } from '../../reports/format-bytes.js';
import type { CoverageTrend } from '../services/coverage-trend.js';
import { lineChart } from './chart.js';
import { code, html, table, when } from './html.js';
import { csrfField, type PageContext, layout } from './layout.js';
import { statusWord } from './runs.js';

export type AuditRow = ReturnType<typeof auditRow>;

function coverageChart(pc: PageContext, trend: CoverageTrend) {
  const { t } = pc;
  if (trend.runs.length === 0) return html`<p>${t('audits.coverageNone')}</p>`;
  return lineChart({
    id: 'coverage-chart',
    title: t('audits.coverage'),
    description: t('audits.coverageDesc', {
      runs: trend.runs.length,
      now: trend.locations.map((l) => `${l.name} ${(l.percent.at(-1) ?? 0).toFixed(1)} %`).join(', '),
    }),
    x: trend.runs.map((r) => when(r.at)),
    xLabel: t('audits.coverageRun'),
    series: trend.locations.map((l) => ({ name: l.name, values: l.percent })),
    format: (v) => `${v.toFixed(1)} %`,
    max: 100,
  });
}

export function auditsPage(
  pc: PageContext,
  rows: AuditRow[],
  canAudit: boolean,
  trend: CoverageTrend = { runs: [], locations: [] },
): string {
  const { t } = pc;
  const run = canAudit
    ? html`<form method="post" action="/audits">${csrfField(pc)}<button type="submit">${t('audits.runNow')}</button></form>`
    : '';
  const list =
    rows.length === 0
      ? html`<p>${t('audits.none')}</p>`
      : table(
          t('audits.title'),
          [
            t('runs.run'),
            t('runs.status'),
            t('runs.started'),
            t('audits.copies'),
            t('audits.verified'),
            t('audits.failed'),
            t('audits.repaired'),
            t('audits.orphans'),
          ],
          rows.map((r) => [
            html`<a href="/audits/${encodeURIComponent(r.id)}">${code(r.id)}</a>${
              r.decision
                ? html`<br><small>${String(r.decision.action)} ${String(r.decision.object)} (${String(r.decision.by)})</small>`
                : ''
            }`,
            statusWord(pc, r.status),
            html`${when(r.startedAt)}`,
            html`${r.counts.copies}`,
            html`${r.counts.verified}`,
            html`<span class="${r.counts.failed ? 'st-bad' : ''}">${r.counts.failed}</span>`,
            html`${r.counts.repaired}`,
            html`${r.counts.orphans}`,
          ]),
          { numeric: [3, 4, 5, 6, 7] },
        );
  const chart = html`<section aria-labelledby="coverage"><h2 id="coverage">${t('audits.coverage')}</h2>${coverageChart(pc, trend)}</section>`;
  return layout(pc, t('audits.title'), html`${run}${chart}${list}`);
}

export function auditPage(pc: PageContext, row: AuditRow & { startedBy?: string }): string {
  const { t } = pc;
  const title = t('audits.report', { run: row.id });
  // While the audit runs, console.js follows it and reloads the page, with its report, once it has ended.
  const poll = row.status === 'running' ? html` data-poll="/api/audits/${encodeURIComponent(row.id)}"` : '';
  const body = html`<p${poll}>${statusWord(pc, row.status)} · ${when(row.startedAt)}${row.startedBy ? ` (${row.startedBy})` : ''}</p>
${row.report ? html`<iframe class="report" src="${row.report}" title="${title}"></iframe><p><a href="${row.report}">${title}</a></p>` : html`<p>${t('audits.noReport')}</p>`}`;
  return layout(pc, title, body);
}

export interface OrphanRow {
  object: string;
  status: string;
  size?: number;
  message?: string;
}

export function orphansPage(pc: PageContext, rows: OrphanRow[], canDecide: boolean, notice?: string): string {
  const { t } = pc;
  const decide = (r: OrphanRow, i: number) => {
    if (!canDecide || r.status !== 'orphan') return html`–`;
    const form = (action: 'remove' | 'keep') =>
      html`<form method="post" action="/orphans/${action}" class="inline"${action === 'remove' ? html` data-confirm="${t('orphans.remove')}: ${r.object}?"` : ''}>${csrfField(pc)}
<input type="hidden" name="object" value="${r.object}">
<label for="reason-${action}-${i}" class="visually-hidden">${t('orphans.reason')} (${r.object})</label>
<input id="reason-${action}-${i}" name="reason" required placeholder="${t('orphans.reason')}">
<button type="submit" class="${action === 'remove' ? 'danger' : 'secondary'}">${t(action === 'remove' ? 'orphans.remove' : 'orphans.keep')}</button></form>`;
    return html`<div class="actions">${form('keep')}${form('remove')}</div>`;
  };
  const body = html`<p>${t('orphans.intro')}</p>${
    rows.length === 0
      ? html`<p role="status">${t('orphans.none')}</p>`
      : table(
          t('orphans.title'),
          [t('orphans.object'), t('runs.status'), t('orphans.size'), t('actions')],
          rows.map((r, i) => [
            code(r.object),
            html`<span class="st-bad">${r.status}</span>${r.message ? html`<br><small>${r.message}</small>` : ''}`,
            html`${r.size === undefined ? '' : formatBytes(r.size)}`,
            decide(r, i),
          ]),
        )
  }`;
  return layout(pc, t('orphans.title'), body, notice ? { text: notice, tone: 'ok' } : undefined);
}
