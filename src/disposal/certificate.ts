/**
 * The disposal certificate (gallringsintyg) of a proposal: what was destroyed, under which rule and decision,
 * by whom, with the digests of every object destroyed; and what was not (held, for review, waiting for its
 * retention). Written as a self-contained HTML page and as JSON, from the catalog alone, so that it can be
 * written again at any time and always says the same (`disposal approve` rewrites it on every pass).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DisposalItem, DisposalProposal, TombstoneRecord } from '../catalog/types.js';
import { formatBytes } from '../reports/format-bytes.js';
import { banner, code, countTiles, escapeHtml, heading, htmlPage, table } from '../reports/html-page.js';

export interface Certificate {
  proposal: DisposalProposal;
  destroyed: TombstoneRecord[];
  notDestroyed: DisposalItem[];
  writtenAt: Date;
}

/** Writes `<dir>/<proposal>-certificate.html` and `.json` (each to a temp file, then renamed); returns both. */
export function writeCertificate(dir: string, certificate: Certificate): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${certificate.proposal.id}-certificate`);
  const files: [string, string][] = [
    [`${base}.json`, `${JSON.stringify(certificate, null, 2)}\n`],
    [`${base}.html`, certificateHtml(certificate)],
  ];
  for (const [file, text] of files) {
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, file);
  }
  return files.map(([file]) => file);
}

function certificateHtml(c: Certificate): string {
  const { proposal } = c;
  const open = c.notDestroyed.filter((i) => i.status === 'locked' || i.status === 'failed');
  const headline =
    proposal.status === 'completed' ? 'Disposal certificate' : 'Disposal certificate (proposal still open)';
  const lines = [
    `Proposal ${proposal.id}: planned by ${proposal.plannedBy} on ${proposal.plannedAt.toISOString()}, ` +
      `approved by ${proposal.approvedBy ?? '—'} on ${proposal.approvedAt?.toISOString() ?? '—'}.`,
    proposal.status === 'completed'
      ? `Completed ${proposal.completedAt?.toISOString() ?? ''}.`
      : `${open.length} packages wait for copies under retention or for a location; run disposal approve again.`,
  ];
  const destroyedRows = c.destroyed.map((t) => [
    `${code(t.packageId)}<br>${escapeHtml(t.label)}`,
    escapeHtml([t.identifier, t.classification].filter(Boolean).join(' · ')),
    escapeHtml(
      Object.entries(t.dates ?? {})
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ),
    `${code(t.ruleId)}<br><small>${escapeHtml(t.decision.reason)}</small>`,
    `${code(t.destroyed.packageSha256)}<br><small>${formatBytes(t.destroyed.packageSize)}, ${t.destroyed.fileCount} files, ${t.fileList === 'kept' ? 'file list kept' : 'file list forgotten'}</small>`,
    t.destroyed.objects
      .map((o) => `${code(`${o.location}:${o.key}`)}${o.sha256 ? ` ${code(o.sha256)}` : ''}`)
      .join('<br>'),
    escapeHtml(t.disposedAt.toISOString()),
  ]);
  const otherRows = c.notDestroyed.map((i) => [
    code(i.packageId),
    escapeHtml(i.status),
    code(i.ruleId),
    `${escapeHtml(i.reason)}${i.detail ? `<br><small>${escapeHtml(i.detail)}</small>` : ''}`,
  ]);
  const body = [
    banner(proposal.status === 'completed' && open.length === 0 ? 'green' : 'amber', headline, lines),
    countTiles([
      { label: 'packages destroyed', value: String(c.destroyed.length) },
      {
        label: 'not destroyed',
        value: String(c.notDestroyed.length),
        ...(open.length ? { mark: 'warn' as const } : {}),
      },
    ]),
    heading(
      'Destroyed',
      c.destroyed.length,
      'Every stored object of each package, with its SHA-256, was deleted and checked gone.',
    ),
    table(
      [
        { label: 'Package', kind: 'wide' },
        { label: 'Identifier · classification' },
        { label: 'Dates' },
        { label: 'Rule and decision', kind: 'wide' },
        { label: 'Package SHA-256', kind: 'digest' },
        { label: 'Objects destroyed', kind: 'digest' },
        { label: 'Disposed at' },
      ],
      destroyedRows,
    ),
    heading('Not destroyed', c.notDestroyed.length, 'held by a legal hold, for review, or waiting'),
    table(
      [{ label: 'Package' }, { label: 'Status' }, { label: 'Rule' }, { label: 'Why', kind: 'wide' }],
      otherRows,
    ),
    `<p class="meta">Written ${escapeHtml(c.writtenAt.toISOString())} by bevara from its catalog.</p>`,
  ].join('\n');
  return htmlPage('en', `Disposal certificate ${proposal.id}`, body);
}
