import type { RunListRow } from '../../jobs/run-list.js';
import { formatDuration } from '../../jobs/describe.js';
import { formatBytes } from '../../reports/format-bytes.js';
import type { LabelKey } from '../i18n/labels.js';
import type { RunDetail } from '../services/run-detail.js';
import { code, fields, type Html, html, table, when } from './html.js';
import { csrfField, type PageContext, layout } from './layout.js';

export const runLink = (id: string) => html`<a href="/runs/${encodeURIComponent(id)}">${code(id)}</a>`;

export function statusWord(pc: PageContext, status: string): Html {
  const tone = status === 'succeeded' ? 'st-ok' : status === 'running' ? 'st-warn' : 'st-bad';
  const key = `status.${status}` as LabelKey;
  return html`<span class="${tone}">${pc.t(key)}</span>`;
}

export function runRows(pc: PageContext, rows: RunListRow[]): Html[][] {
  const { t } = pc;
  return rows.map((r) => [
    runLink(r.id),
    html`${t(r.kind === 'ingest' ? 'runs.kind.ingest' : 'runs.kind.audit')}`,
    r.job ? html`${r.job}` : html`–`,
    statusWord(pc, r.status),
    html`${when(r.startedAt)}`,
    html`${r.finishedAt ? formatDuration(r.durationMs) : `${t('runs.stillRunning')} ${formatDuration(r.durationMs)}`}`,
    r.count === undefined
      ? html`–`
      : html`${r.count}${r.problems ? html` <span class="st-bad">(${t('runs.attention', { n: r.problems })})</span>` : ''}`,
  ]);
}

export function runsTable(pc: PageContext, rows: Html[][]): Html {
  const { t } = pc;
  return table(
    t('runs.title'),
    [
      t('runs.run'),
      t('runs.kind'),
      t('runs.job'),
      t('runs.status'),
      t('runs.started'),
      t('runs.duration'),
      t('runs.items'),
    ],
    rows,
  );
}

export function runsPage(pc: PageContext, rows: RunListRow[]): string {
  const { t } = pc;
  return layout(
    pc,
    t('runs.title'),
    rows.length === 0 ? html`<p>${t('runs.none')}</p>` : runsTable(pc, runRows(pc, rows)),
  );
}

function progressSection(pc: PageContext, run: RunDetail): Html {
  const { t } = pc;
  const p = run.progress;
  if (!p) return html``;
  const statusAttributes = (['running', 'succeeded', 'completed-with-failures', 'failed'] as const).map(
    (s) => html` data-status-${s}="${t(`status.${s}`)}"`,
  );
  return html`<section aria-labelledby="progress" ${
    run.status === 'running' ? html`data-poll="/api/runs/${encodeURIComponent(run.id)}"` : ''
  }${statusAttributes}>
<h2 id="progress">${t('runs.progress')}</h2>
<p><progress max="${Math.max(p.total, 1)}" value="${p.done}" aria-labelledby="progress-text"></progress></p>
<p id="progress-text" aria-live="polite"><span data-field="status">${t(`status.${run.status}`)}</span>: ${html`<span data-field="done">${p.done}</span>`} / <span data-field="total">${p.total}</span>
(<span data-field="rate">${p.recordsPerSecond.toFixed(2)}</span>/s, ETA <span data-field="eta">${p.etaSeconds === undefined ? '–' : `${Math.round(p.etaSeconds)} s`}</span>)</p>
</section>`;
}

/** A Retry button for a failed or waiting record, when the viewer may run jobs. */
function retryForm(pc: PageContext, run: RunDetail, p: RunDetail['problems'][number]) {
  if (p.status !== 'failed' && p.status !== 'waiting') return html``;
  return html`<form method="post" action="/runs/${encodeURIComponent(run.id)}/retry" class="inline">${csrfField(pc)}
<input type="hidden" name="record" value="${p.subject}"><button type="submit" class="secondary" aria-label="${pc.t('runs.retry')}: ${p.subject}">${pc.t('runs.retry')}</button></form>`;
}

export function runPage(pc: PageContext, run: RunDetail, canRetry = false): string {
  const { t } = pc;
  const counts = Object.entries(run.counts)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const states = Object.entries(run.recordStates ?? {})
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const problems =
    run.problems.length === 0
      ? html``
      : html`<section aria-labelledby="problems"><h2 id="problems">${t('runs.problems')} (${run.problems.length})</h2>
${table(
  t('runs.problems'),
  [
    t('runs.status'),
    t('runs.subject'),
    t('runs.rule'),
    t('runs.file'),
    t('runs.reason'),
    ...(canRetry ? [t('actions')] : []),
  ],
  run.problems.map((p) => [
    html`<span class="st-bad">${p.status}</span>`,
    html`${p.subject}`,
    html`${(p.rules ?? []).map((r, i) => html`${i > 0 ? ', ' : ''}${code(r)}`)}`,
    html`${(p.files ?? []).join(', ')}`,
    html`${p.reason}`,
    ...(canRetry ? [retryForm(pc, run, p)] : []),
  ]),
)}</section>`;
  const packages =
    run.packages.length === 0
      ? html``
      : html`<section aria-labelledby="packages"><h2 id="packages">${t('runs.packages')} (${run.packages.length})</h2>
${table(
  t('runs.packages'),
  [t('runs.subject'), t('runs.package'), t('runs.copies')],
  run.packages.map((p) => [
    html`${p.subject}`,
    html`<a href="/packages/${encodeURIComponent(p.packageId)}">${code(p.packageId)}</a>`,
    html`${p.copies.map((c) => `${c.location} (${c.status})`).join(', ')}`,
  ]),
)}</section>`;
  const body = html`${fields([
    [t('runs.status'), statusWord(pc, run.status)],
    [t('runs.kind'), t(run.kind === 'ingest' ? 'runs.kind.ingest' : 'runs.kind.audit')],
    [t('runs.job'), run.job],
    [t('jobs.source'), run.source ? `${run.source.kind}:${run.source.path}` : undefined],
    [t('jobs.profile'), run.profile],
    [t('runs.started'), `${when(run.startedAt)}${run.startedBy ? ` (${run.startedBy})` : ''}`],
    [t('runs.finished'), run.finishedAt ? when(run.finishedAt) : t('runs.stillRunning')],
    [t('runs.duration'), formatDuration(run.durationMs)],
    [t('runs.counts'), counts || undefined],
    [t('runs.bytes'), run.bytes === undefined ? undefined : formatBytes(run.bytes)],
    [t('runs.states'), states || undefined],
  ])}
${progressSection(pc, run)}${problems}${packages}`;
  return layout(pc, `${t('runs.run')} ${run.id}`, body);
}
