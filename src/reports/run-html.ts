import type { RunItem } from '../catalog/types.js';
import { formatBytes } from './format-bytes.js';
import type { RunReport } from './write-report.js';

const escapeHtml = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STATUS_TEXT: Record<string, string> = {
  succeeded: 'All good',
  'completed-with-failures': 'Completed with failures',
  failed: 'Failed',
  running: 'Still running',
};

interface Problem {
  rule?: string;
  file?: string;
  message?: string;
  expected?: string;
  actual?: string;
}

/**
 * One self-contained HTML page per run (no scripts, no external resources), for operations staff: the verdict
 * first, then the counts, then every problem with its package, file, rule and expected/actual digests, then the
 * items that were fine.
 */
export function renderRunHtml(report: RunReport): string {
  const { run, items } = report;
  const bad = items.filter(
    (i) =>
      i.status === 'failed' || i.status === 'rejected' || i.status === 'orphan' || i.status === 'waiting',
  );
  const good = items.filter((i) => !bad.includes(i));
  const ok = run.status === 'succeeded';
  const counts = Object.entries(run.summary ?? {})
    .filter(([, v]) => typeof v === 'number' || v === true)
    .map(
      ([k, v]) =>
        `<div class="count"><b>${escapeHtml(countText(k, v))}</b><span>${escapeHtml(k)}</span></div>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bevara ${escapeHtml(run.kind)} run ${escapeHtml(run.id)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1b1b}
.verdict{padding:1rem 1.25rem;border-radius:.5rem;font-size:1.4rem;font-weight:600;color:#fff;background:${ok ? '#1d7a35' : '#b3261e'}}
.meta{color:#555;margin:.5rem 0 1rem}.counts{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}
.count{border:1px solid #ddd;border-radius:.4rem;padding:.5rem .9rem;min-width:6rem}.count b{display:block;font-size:1.3rem}
.count span{color:#555;font-size:.85rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
th,td{border-bottom:1px solid #e3e3e3;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}code{font:12px ui-monospace,monospace;word-break:break-all}
.st-failed,.st-rejected,.st-orphan{color:#b3261e;font-weight:600}.st-waiting{color:#a15c00;font-weight:600}.st-ok{color:#1d7a35}
</style></head><body>
<div class="verdict">${escapeHtml(`${run.kind === 'audit' ? 'Audit' : 'Ingest'}: ${STATUS_TEXT[run.status] ?? run.status}`)}${bad.length > 0 ? ` — ${escapeHtml(problemSummary(bad))}` : ''}</div>
<p class="meta">Run <code>${escapeHtml(run.id)}</code> · started ${escapeHtml(iso(run.startedAt))} · finished ${escapeHtml(iso(run.finishedAt))}</p>
<div class="counts">${counts}</div>
<h2>Problems (${bad.length})</h2>
${bad.length === 0 ? '<p>None.</p>' : problemTable(bad)}
<details${good.length <= 50 ? ' open' : ''}><summary><h2 style="display:inline">Fine (${good.length})</h2></summary>
<table><tr><th>Subject</th><th>Package</th><th>Status</th><th>Note</th></tr>
${good.map((i) => `<tr><td>${escapeHtml(i.subject)}</td><td>${packageCell(i)}</td><td class="st-${escapeHtml(i.status)}">${escapeHtml(i.status)}</td><td>${escapeHtml(i.message)}</td></tr>`).join('\n')}
</table></details>
</body></html>
`;
}

function problemTable(items: RunItem[]): string {
  const rows = items.flatMap((item) => {
    const problems = (item.details?.problems as Problem[] | undefined) ?? [{ message: item.message }];
    return problems.map(
      (p) => `<tr><td>${escapeHtml(item.subject)}</td><td>${packageCell(item)}</td>
<td class="st-${escapeHtml(item.status)}">${escapeHtml(item.status)}</td><td>${escapeHtml(p.file)}</td><td>${escapeHtml(p.rule)}</td>
<td>${escapeHtml(p.message)}${p.expected || p.actual ? `<br>expected <code>${escapeHtml(p.expected)}</code><br>actual <code>${escapeHtml(p.actual)}</code>` : ''}</td></tr>`,
    );
  });
  return `<table><tr><th>Subject</th><th>Package</th><th>Status</th><th>File</th><th>Rule</th><th>What</th></tr>\n${rows.join('\n')}\n</table>`;
}

/** The package id, with its label (what people call the record) when the run knows it. */
function packageCell(item: RunItem): string {
  const label = item.details?.label;
  return `<code>${escapeHtml(item.packageId)}</code>${typeof label === 'string' ? `<br>${escapeHtml(label)}` : ''}`;
}

/** "1 failed, 1 orphan": what went wrong, counted by kind. */
function problemSummary(bad: RunItem[]): string {
  const byStatus = new Map<string, number>();
  for (const item of bad) byStatus.set(item.status, (byStatus.get(item.status) ?? 0) + 1);
  return [...byStatus].map(([status, n]) => `${n} ${status}`).join(', ');
}

function countText(key: string, value: unknown): string {
  return key === 'bytes' && typeof value === 'number' ? formatBytes(value) : String(value);
}

function iso(date: Date | string | undefined): string {
  if (!date) return '—';
  return typeof date === 'string' ? date : date.toISOString();
}
