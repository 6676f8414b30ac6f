import { auditCounts, groupAuditItems } from './audit-items.js';
import { auditDetailSections, fineSection } from './audit-problems.js';
import { auditBanner, auditTiles, coverageSection, trendSection } from './audit-summary.js';
import { code, escapeHtml, htmlPage } from './html-page.js';
import { ingestBody } from './ingest-sections.js';
import { type Labels, labelsFor } from './labels.js';
import { createReportFormat, type ReportFormat } from './report-format.js';
import type { RunReport } from './write-report.js';

/**
 * One self-contained HTML page per run (inline CSS, no scripts, no external resources) for operations staff, in
 * the report's language. Audit runs: the verdict banner first, then the counts, coverage per location, failed and
 * missing copies with file, rule and expected/actual digests, damaged packages, repaired copies, orphans, the
 * trend against earlier audits, and the copies that were fine (collapsed). Ingest runs: banner, counts, the
 * records with problems, and the records that were fine. Every value is escaped; times are UTC.
 */
export function renderRunHtml(report: RunReport): string {
  const L = labelsFor(report.language);
  const f = createReportFormat(L);
  const { run } = report;
  const kind = run.kind === 'audit' ? L.kind.audit : L.kind.ingest;
  const title = `bevara · ${kind} ${run.id} · ${L.status[run.status] ?? run.status}`;
  const runMeta = meta(report, L, f);
  const body = run.kind === 'audit' ? auditBody(report, L, f, runMeta) : ingestBody(report, L, f, runMeta);
  return htmlPage(L.locale.slice(0, 2), title, body);
}

/** Run id and times, placed right under the banner. */
function meta(report: RunReport, L: Labels, f: ReportFormat): string {
  const { run } = report;
  return `<p class="meta">${escapeHtml(L.run)} ${code(run.id)} · ${escapeHtml(
    `${L.started} ${f.date(run.startedAt)} · ${L.finished} ${f.date(run.finishedAt)} · ${L.timesInUtc}`,
  )}</p>`;
}

function auditBody(report: RunReport, L: Labels, f: ReportFormat, runMeta: string): string {
  const groups = groupAuditItems(report.items);
  const counts = auditCounts(report.run, report.items, groups);
  return [
    auditBanner(report, counts, L, f),
    runMeta,
    auditTiles(counts, L, f),
    report.coverage && report.coverage.length > 0 ? coverageSection(report.coverage, L, f) : '',
    ...auditDetailSections(groups, L, f),
    report.trend && report.trend.length > 0 ? trendSection(report, counts, report.trend, L, f) : '',
    fineSection(groups.fine, L),
  ]
    .filter(Boolean)
    .join('\n');
}
