/**
 * The detail sections of an audit report: failed and missing copies (one row per problem, with file, rule and
 * expected/actual digests), repaired copies, damaged packages, orphans, and the copies that were fine (collapsed).
 */
import type { RunItem } from '../model/run.js';
import {
  type AuditGroups,
  type DamagedPackage,
  isMissing,
  keyOf,
  labelOf,
  locationOf,
  problemsOf,
  type ReportProblem,
  repairOf,
} from './audit-items.js';
import { code, escapeHtml, heading, packageCell, table } from './html-page.js';
import type { Labels } from './labels.js';
import type { ReportFormat } from './report-format.js';

function ruleCell(p: ReportProblem): string {
  return `${code(p.rule)}${p.message ? `<br><small>${escapeHtml(p.message)}</small>` : ''}`;
}

export function failuresSection(failures: RunItem[], L: Labels): string {
  const c = L.columns;
  const rows = failures.flatMap((item) => {
    const missing = isMissing(item);
    const status = `<span class="st-bad">${escapeHtml(L.itemStatus[missing ? 'missing' : 'failed'])}</span>`;
    const problems = problemsOf(item);
    return (problems.length > 0 ? problems : [{}]).map((p: ReportProblem) => [
      status,
      packageCell(item.packageId, labelOf(item)),
      `${escapeHtml(locationOf(item))}<br><small>${code(keyOf(item))}</small>`,
      code(p.file),
      ruleCell(p),
      code(p.expected),
      code(p.actual),
    ]);
  });
  const body =
    rows.length === 0
      ? `<p>${escapeHtml(L.none)}</p>`
      : table(
          [
            { label: c.status },
            { label: c.package },
            { label: c.location },
            { label: c.file, kind: 'file' },
            { label: c.rule },
            { label: c.expected, kind: 'digest' },
            { label: c.actual, kind: 'digest' },
          ],
          rows,
        );
  return `${heading(L.sections.failures, failures.length)}${body}`;
}

/** What a repair found, as a short list: rule, file, expected and actual digest. */
function foundCell(item: RunItem, L: Labels): string {
  return problemsOf(item)
    .map(
      (p) =>
        `<div>${ruleCell(p)}${p.file ? `<br>${escapeHtml(L.columns.file)}: ${code(p.file)}` : ''}${
          p.expected || p.actual
            ? `<br><small>${escapeHtml(L.columns.expected)}: </small>${code(p.expected)}<br><small>${escapeHtml(L.columns.actual)}: </small>${code(p.actual)}`
            : ''
        }</div>`,
    )
    .join('');
}

export function repairedSection(repaired: RunItem[], L: Labels, f: ReportFormat): string {
  const c = L.columns;
  const rows = repaired.map((item) => {
    const repair = repairOf(item);
    const keys = `${code(repair.key ?? keyOf(item))}${
      repair.previousKey ? `<br><small>${escapeHtml(c.previousKey)}: </small>${code(repair.previousKey)}` : ''
    }`;
    return [
      `<span class="st-warn">${escapeHtml(L.itemStatus.repaired)}</span>`,
      packageCell(item.packageId, labelOf(item)),
      escapeHtml(locationOf(item)),
      escapeHtml(repair.from ?? '—'),
      keys,
      escapeHtml(f.date(repair.at)),
      foundCell(item, L),
    ];
  });
  return `${heading(L.sections.repaired, repaired.length)}${table(
    [
      { label: c.status },
      { label: c.package },
      { label: c.location },
      { label: c.repairedFrom },
      { label: c.newKey },
      { label: c.at },
      { label: c.found, kind: 'wide' },
    ],
    rows,
  )}`;
}

export function damagedSection(damaged: DamagedPackage[], L: Labels): string {
  const c = L.columns;
  const rows = damaged.map((pkg) => [
    `<span class="st-bad">${escapeHtml(L.itemStatus.damaged)}</span>`,
    packageCell(pkg.packageId, pkg.label),
    pkg.items.map((i) => `${escapeHtml(locationOf(i))}: ${code(keyOf(i))}`).join('<br>'),
    pkg.items
      .flatMap(problemsOf)
      .map((p) => escapeHtml(p.message ?? p.rule))
      .join('<br>'),
  ]);
  return `${heading(L.sections.damaged, damaged.length, L.notes.damaged)}${table(
    [{ label: c.status }, { label: c.package }, { label: c.copy }, { label: c.note }],
    rows,
  )}`;
}

export function orphansSection(orphans: RunItem[], L: Labels): string {
  const c = L.columns;
  const rows = orphans.map((item) => [
    `<span class="st-warn">${escapeHtml(L.itemStatus.orphan)}</span>`,
    escapeHtml(locationOf(item)),
    code(keyOf(item)),
    escapeHtml(item.message),
  ]);
  return `${heading(L.sections.orphans, orphans.length, L.notes.orphans)}${table(
    [{ label: c.status }, { label: c.location }, { label: c.key }, { label: c.note }],
    rows,
  )}`;
}

/** The copies that were fine, collapsed: operations staff open it when they need to prove a copy was checked. */
export function fineSection(fine: RunItem[], L: Labels): string {
  const c = L.columns;
  const rows = fine.map((item) => [
    packageCell(item.packageId, labelOf(item)),
    escapeHtml(locationOf(item)),
    code(keyOf(item)),
    `<span class="${item.status === 'ok' ? 'st-ok' : ''}">${escapeHtml(L.itemStatus[item.status] ?? item.status)}</span>`,
    escapeHtml(item.message),
  ]);
  const body =
    rows.length === 0
      ? `<p>${escapeHtml(L.none)}</p>`
      : table(
          [
            { label: c.package },
            { label: c.location },
            { label: c.key },
            { label: c.status },
            { label: c.note },
          ],
          rows,
        );
  return `<details><summary>${escapeHtml(`${L.sections.fine} (${fine.length})`)}</summary>${body}</details>`;
}

/** Every detail section, in the order operations staff act on them. */
export function auditDetailSections(groups: AuditGroups, L: Labels, f: ReportFormat): string[] {
  return [
    failuresSection(groups.failures, L),
    groups.damaged.length > 0 ? damagedSection(groups.damaged, L) : '',
    groups.repaired.length > 0 ? repairedSection(groups.repaired, L, f) : '',
    groups.orphans.length > 0 ? orphansSection(groups.orphans, L) : '',
  ];
}
