/**
 * The top of an audit report: the verdict banner, the summary counts, coverage per location and the trend
 * against earlier audits. The verdict is red when a copy is damaged or missing now (or the run failed), amber
 * when every copy is intact but something needed doing or needs a look (repairs, orphans, an interrupted run),
 * green otherwise.
 */
import type { AuditCounts } from './audit-items.js';
import {
  BANNER_COLORS,
  banner,
  type CountTile,
  code,
  countTiles,
  escapeHtml,
  heading,
  numberOf,
  type Tone,
  table,
} from './html-page.js';
import type { Labels } from './labels.js';
import { millisBetween, type ReportFormat, timeOf } from './report-format.js';
import type { LocationCoverage, RunReport, TrendPoint } from './write-report.js';

/** The verdict's colour for an audit run. */
export function auditTone(report: RunReport, counts: AuditCounts): Tone {
  if (report.run.status === 'failed' || counts.failed + counts.missing + counts.damaged > 0) return 'red';
  if (counts.repaired + counts.orphans > 0 || counts.interrupted) return 'amber';
  return 'green';
}

export function auditBanner(report: RunReport, counts: AuditCounts, L: Labels, f: ReportFormat): string {
  const tone = auditTone(report, counts);
  const headline =
    tone === 'red'
      ? L.verdict.damaged
      : tone === 'green'
        ? L.verdict.intact
        : counts.orphans === 0 && !counts.interrupted
          ? L.verdict.intactAfterRepair
          : L.verdict.attention;
  const parts = (['failed', 'missing', 'damaged', 'repaired', 'orphans', 'deferred'] as const)
    .filter((key) => (counts[key] ?? 0) > 0)
    .map((key) => L.counted[key](f.count(counts[key] ?? 0), counts[key] ?? 0));
  const status = `${L.kind.audit}: ${L.status[report.run.status] ?? report.run.status}`;
  const lines = [parts.length > 0 ? `${status} — ${parts.join(', ')}` : status];
  if (counts.interrupted) lines.push(L.interrupted);
  if ((counts.deferred ?? 0) > 0) lines.push(`${f.count(counts.deferred ?? 0)} ${L.deferred}`);
  return banner(tone, headline, lines);
}

export function auditTiles(counts: AuditCounts, L: Labels, f: ReportFormat): string {
  const n = (key: keyof typeof L.counts, value: number, mark?: 'bad' | 'warn'): CountTile => ({
    label: L.counts[key] ?? key,
    value: f.count(value),
    mark: value > 0 ? mark : undefined,
  });
  const tiles: CountTile[] = [
    n('copies', counts.copies),
    n('verified', counts.verified),
    n('failed', counts.failed, 'bad'),
    n('missing', counts.missing, 'bad'),
    n('repaired', counts.repaired, 'warn'),
    n('damaged', counts.damaged, 'bad'),
    n('orphans', counts.orphans, 'warn'),
  ];
  if (counts.deferred !== undefined) tiles.push(n('deferred', counts.deferred, 'warn'));
  if (counts.files !== undefined) tiles.push(n('files', counts.files));
  tiles.push({ label: L.counts.bytes ?? 'bytes', value: f.bytes(counts.bytes) });
  if (counts.durationMs !== undefined) {
    tiles.push({ label: L.duration, value: f.duration(counts.durationMs) });
    tiles.push({ label: L.throughput, value: `${f.mbps(counts.bytes, counts.durationMs)} MB/s` });
  }
  return countTiles(tiles);
}

export function coverageSection(coverage: LocationCoverage[], L: Labels, f: ReportFormat): string {
  const c = L.columns;
  const rows = coverage.map((loc) => {
    const share = loc.copies > 0 ? loc.withinPolicy / loc.copies : 1;
    const color = BANNER_COLORS[share >= 1 ? 'green' : share >= 0.9 ? 'amber' : 'red'];
    const bar = `<span class="bar"><span style="width:${(share * 100).toFixed(1)}%;background:${color}"></span></span>`;
    const text = `${f.percent(loc.withinPolicy, loc.copies)} (${f.count(loc.withinPolicy)} ${L.of} ${f.count(loc.copies)})`;
    const oldest = loc.oldest
      ? `${code(loc.oldest.packageId)}<br><small>${code(loc.oldest.key)}<br>${escapeHtml(
          `${loc.oldest.lastVerifiedAt ? f.date(loc.oldest.lastVerifiedAt) : L.never} · ${f.count(loc.oldest.waitedDays)} ${L.days}`,
        )}</small>`
      : '—';
    return [
      escapeHtml(loc.location),
      `${bar}${escapeHtml(text)}`,
      escapeHtml(`${f.count(loc.periodDays)} ${L.days}`),
      oldest,
    ];
  });
  return `${heading(L.sections.coverage, undefined, L.notes.coverage)}${table(
    [{ label: c.location }, { label: c.withinPolicy }, { label: c.period }, { label: c.waitedLongest }],
    rows,
  )}`;
}

/** This run first, then the earlier runs newest first. */
export function trendSection(
  report: RunReport,
  counts: AuditCounts,
  trend: TrendPoint[],
  L: Labels,
  f: ReportFormat,
): string {
  const c = L.columns;
  const row = (when: string, status: string, s: Record<string, unknown>, ms: number | undefined) => {
    const bytes = numberOf(s.bytes) ?? 0;
    const cell = (key: string) => escapeHtml(f.count(numberOf(s[key]) ?? 0));
    return [
      when,
      escapeHtml(status),
      cell('verified'),
      cell('failed'),
      cell('missing'),
      cell('repaired'),
      escapeHtml(f.bytes(bytes)),
      escapeHtml(f.mbps(bytes, ms)),
    ];
  };
  const current = row(
    `${escapeHtml(f.date(report.run.startedAt))}<br><small>${escapeHtml(L.thisRun)}</small>`,
    L.status[report.run.status] ?? report.run.status,
    { ...counts },
    counts.durationMs,
  );
  const earlier = [...trend]
    .sort((a, b) => (timeOf(b.startedAt) ?? 0) - (timeOf(a.startedAt) ?? 0))
    .map((t) =>
      row(
        escapeHtml(f.date(t.startedAt)),
        L.status[t.status] ?? t.status,
        t.summary ?? {},
        numberOf(t.summary?.durationMs) ?? millisBetween(t.startedAt, t.finishedAt),
      ),
    );
  return `${heading(L.sections.trend, undefined, L.notes.trend)}${table(
    [
      { label: c.date },
      { label: c.status },
      { label: L.counts.verified ?? 'verified', kind: 'num' },
      { label: L.counts.failed ?? 'failed', kind: 'num' },
      { label: L.counts.missing ?? 'missing', kind: 'num' },
      { label: L.counts.repaired ?? 'repaired', kind: 'num' },
      { label: c.bytes, kind: 'num' },
      { label: c.throughput, kind: 'num' },
    ],
    [current, ...earlier],
  )}`;
}
