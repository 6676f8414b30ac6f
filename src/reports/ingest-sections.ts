/**
 * The body of an ingest run report: the verdict banner, the counts, every record that was rejected, failed or
 * still waits for copies (one row per problem: record, file, rule, what), and the records that were fine,
 * collapsed. Red when records were rejected or failed, amber when some only wait for copies.
 */
import type { RunItem } from '../model/run.js';
import { labelOf, problemsOf, type ReportProblem } from './audit-items.js';
import {
  banner,
  type CountTile,
  code,
  countTiles,
  escapeHtml,
  heading,
  numberOf,
  packageCell,
  stringOf,
  type Tone,
  table,
} from './html-page.js';
import type { Labels } from './labels.js';
import { millisBetween, type ReportFormat } from './report-format.js';
import type { RunReport } from './write-report.js';

const PROBLEM_STATUSES = new Set<RunItem['status']>(['rejected', 'failed', 'waiting']);

/** Problems of an ingest item; a waiting record's problems are the copies it still waits for. */
function ingestProblems(item: RunItem): ReportProblem[] {
  const missing = item.details?.missing;
  if (item.status === 'waiting' && Array.isArray(missing) && !Array.isArray(item.details?.problems)) {
    return missing.map((m) => {
      const entry = (typeof m === 'object' && m !== null ? m : {}) as Record<string, unknown>;
      return {
        rule: 'copy-waiting',
        message: `${stringOf(entry.location) ?? ''}: ${stringOf(entry.message) ?? ''}`,
      };
    });
  }
  return problemsOf(item);
}

/**
 * Renders an ingest run: banner, `runMeta` (HTML: run id and times), counts, problems and the collapsed list of
 * records that were fine.
 */
export function ingestBody(report: RunReport, L: Labels, f: ReportFormat, runMeta: string): string {
  const { run, items } = report;
  const s = run.summary ?? {};
  const count = (key: string, status: RunItem['status']) =>
    numberOf(s[key]) ?? items.filter((i) => i.status === status).length;
  const rejected = count('rejected', 'rejected');
  const failed = count('failed', 'failed');
  const waiting = count('waiting', 'waiting');
  const interrupted = s.interrupted === true;
  const tone: Tone =
    run.status === 'failed' || rejected + failed > 0 ? 'red' : waiting > 0 || interrupted ? 'amber' : 'green';
  const parts = [
    rejected > 0 ? L.counted.rejected(f.count(rejected), rejected) : '',
    failed > 0 ? L.counted.failed(f.count(failed), failed) : '',
    waiting > 0 ? L.counted.waiting(f.count(waiting), waiting) : '',
  ].filter(Boolean);
  const status = `${L.kind.ingest}: ${L.status[run.status] ?? run.status}`;
  const headline = parts.length > 0 ? `${status} — ${parts.join(', ')}` : status;

  const bytes = numberOf(s.bytes) ?? 0;
  const ms = numberOf(s.durationMs) ?? millisBetween(run.startedAt, run.finishedAt);
  const tile = (key: string, value: number, mark?: 'bad' | 'warn'): CountTile => ({
    label: L.counts[key] ?? key,
    value: f.count(value),
    mark: value > 0 ? mark : undefined,
  });
  const tiles = [
    tile('archived', count('archived', 'ok')),
    tile('unchanged', count('unchanged', 'skipped')),
    tile('rejected', rejected, 'bad'),
    tile('failed', failed, 'bad'),
    tile('waiting', waiting, 'warn'),
    { label: L.counts.bytes ?? 'bytes', value: f.bytes(bytes) },
    ...(ms === undefined
      ? []
      : [
          { label: L.duration, value: f.duration(ms) },
          { label: L.throughput, value: `${f.mbps(bytes, ms)} MB/s` },
        ]),
  ];

  const bad = items.filter((i) => PROBLEM_STATUSES.has(i.status));
  const good = items.filter((i) => !PROBLEM_STATUSES.has(i.status));
  return [
    banner(tone, headline, interrupted ? [L.interrupted] : []),
    runMeta,
    countTiles(tiles),
    heading(L.sections.problems, bad.length),
    bad.length === 0 ? `<p>${escapeHtml(L.none)}</p>` : problemTable(bad, L),
    fineTable(good, L),
  ].join('\n');
}

function problemTable(items: RunItem[], L: Labels): string {
  const c = L.columns;
  const rows = items.flatMap((item) => {
    const problems = ingestProblems(item);
    const statusClass = item.status === 'waiting' ? 'st-warn' : 'st-bad';
    return (problems.length > 0 ? problems : [{ message: item.message }]).map((p) => [
      `<span class="${statusClass}">${escapeHtml(L.itemStatus[item.status] ?? item.status)}</span>`,
      escapeHtml(item.subject),
      item.packageId ? packageCell(item.packageId, labelOf(item)) : '—',
      code(p.file),
      code(p.rule),
      escapeHtml(p.message),
    ]);
  });
  return table(
    [
      { label: c.status },
      { label: c.subject },
      { label: c.package },
      { label: c.file, kind: 'file' },
      { label: c.rule },
      { label: c.note },
    ],
    rows,
  );
}

function fineTable(items: RunItem[], L: Labels): string {
  const c = L.columns;
  const rows = items.map((item) => [
    escapeHtml(item.subject),
    item.packageId ? packageCell(item.packageId, labelOf(item)) : '—',
    `<span class="st-ok">${escapeHtml(L.itemStatus[item.status] ?? item.status)}</span>`,
    escapeHtml(item.message),
  ]);
  return `<details><summary>${escapeHtml(`${L.sections.fineRecords} (${items.length})`)}</summary>${table(
    [{ label: c.subject }, { label: c.package }, { label: c.status }, { label: c.note }],
    rows,
  )}</details>`;
}
