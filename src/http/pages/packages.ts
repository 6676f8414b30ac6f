import type { PackageHit } from '../../catalog/types.js';
import type { FileRecord } from '../../model/package.js';
import { formatBytes } from '../../reports/format-bytes.js';
import type { LabelKey } from '../i18n/labels.js';
import type { PackageDetail, SearchParams } from '../services/packages.js';
import { code, fields, type Html, html, table, when } from './html.js';
import { type PageContext, layout } from './layout.js';

const SEARCH_FIELDS: { name: keyof SearchParams; label: LabelKey; type?: string }[] = [
  { name: 'text', label: 'packages.text', type: 'search' },
  { name: 'identifier', label: 'packages.identifier' },
  { name: 'creator', label: 'packages.creator' },
  { name: 'archiveCreator', label: 'packages.archiveCreator' },
  { name: 'classification', label: 'packages.classification' },
  { name: 'from', label: 'packages.from', type: 'date' },
  { name: 'to', label: 'packages.to', type: 'date' },
  { name: 'file', label: 'packages.fileName' },
  { name: 'digest', label: 'packages.digest' },
  { name: 'puid', label: 'packages.puid' },
];

function dates(hit: { metadata: PackageHit['metadata'] }): string {
  const d = hit.metadata.dates;
  if (!d) return '';
  const start = d.start ?? d.created;
  const end = d.end ?? d.modified;
  return [start, end]
    .filter(Boolean)
    .map((x) => String(x).slice(0, 10))
    .join(' – ');
}

export function searchPage(
  pc: PageContext,
  params: SearchParams,
  result: { packages: PackageHit[]; next?: string } | undefined,
  error?: string,
): string {
  const { t } = pc;
  const input = (f: (typeof SEARCH_FIELDS)[number]) =>
    html`<p><label for="q-${f.name}">${t(f.label)}</label><input id="q-${f.name}" name="${f.name}" type="${f.type ?? 'text'}" value="${params[f.name] ?? ''}"></p>`;
  const states = ['', 'stored', 'archived', 'failed', 'damaged'];
  const form = html`<form method="get" action="/packages" class="grid" role="search" aria-label="${t('packages.search')}">
${SEARCH_FIELDS.map(input)}
<p><label for="q-state">${t('packages.state')}</label><select id="q-state" name="state">${states.map(
    (s) =>
      html`<option value="${s}"${(params.state ?? '') === s ? html` selected` : ''}>${s || t('packages.anyState')}</option>`,
  )}</select></p>
<p><button type="submit">${t('packages.submit')}</button></p></form>`;
  let results: Html = html``;
  if (result) {
    const next = new URLSearchParams(
      Object.entries({ ...params, after: result.next ?? '' }).filter((e): e is [string, string] =>
        Boolean(e[1]),
      ),
    );
    results =
      result.packages.length === 0
        ? html`<p role="status">${t('packages.noHits')}</p>`
        : html`${table(
            t('packages.search'),
            [
              t('packages.label'),
              t('packages.identifier'),
              t('packages.creator'),
              t('packages.dates'),
              t('packages.state'),
              t('packages.size'),
              t('packages.fileCount'),
              t('packages.copies'),
            ],
            result.packages.map((p) => [
              html`<a href="/packages/${encodeURIComponent(p.id)}">${p.label}</a>${p.metadata.accessRestriction ? html` <small class="st-warn">(${p.metadata.accessRestriction})</small>` : ''}`,
              html`${p.metadata.identifier ?? ''}`,
              html`${p.metadata.creator ?? ''}`,
              html`${dates(p)}`,
              html`${p.state}`,
              html`${formatBytes(p.size)}`,
              html`${p.fileCount}`,
              html`${p.copies.map((c) => `${c.location} (${c.status})`).join(', ')}`,
            ]),
            { numeric: [5, 6] },
          )}
<p>${params.after ? html`<a href="/packages?${new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[0] !== 'after' && Boolean(e[1]))).toString()}">${t('packages.first')}</a> ` : ''}${
            result.next
              ? html`<a href="/packages?${next.toString()}" rel="next">${t('packages.next')}</a>`
              : ''
          }</p>`;
  }
  return layout(
    pc,
    t('packages.title'),
    html`${form}${results}`,
    error ? { text: error, tone: 'bad' } : undefined,
  );
}

function formatOf(file: FileRecord): string {
  const f = file.format;
  return f?.puid ? [f.puid, f.name, f.version].filter(Boolean).join(' ') : file.mimeType;
}

export function packagePage(pc: PageContext, d: PackageDetail, mayDownload: boolean): string {
  const { t } = pc;
  const pkg = d.package;
  const m = pkg.metadata;
  const base = `/api/packages/${encodeURIComponent(pkg.id)}`;
  const fileLink = (f: FileRecord) =>
    mayDownload
      ? html`<a href="${base}/file?path=${encodeURIComponent(f.path)}" download aria-label="${t('packages.downloadFile', { file: f.path })}">${t('packages.download')}</a>`
      : html`–`;
  const body = html`${d.restricted ? html`<p class="notice bad">${t('packages.restricted', { rule: m.accessRestriction ?? '' })}</p>` : ''}
<section aria-labelledby="meta"><h2 id="meta">${t('packages.metadata')}</h2>${fields([
    [t('packages.id'), code(pkg.id)],
    [t('packages.identifier'), m.identifier],
    [t('packages.creator'), m.creator],
    [t('packages.dates'), dates(pkg)],
    [t('packages.description'), m.description],
    [
      t('packages.archiveCreator'),
      m.archiveCreator && [m.archiveCreator.name, m.archiveCreator.referenceCode].filter(Boolean).join(', '),
    ],
    [t('packages.classification'), m.classification],
    [t('packages.access'), m.accessRestriction],
    [t('packages.state'), `${pkg.state}${pkg.archivedAt ? ` (${when(pkg.archivedAt)})` : ''}`],
    [t('packages.source'), `${pkg.sourceKind}: ${pkg.sourceKey}`],
    [t('packages.profile'), pkg.profile],
    [t('packages.size'), `${formatBytes(pkg.size)}, ${pkg.fileCount} ${t('overview.files')}`],
    [t('packages.sha256'), code(pkg.sha256)],
  ])}
${mayDownload ? html`<p><a href="${base}/download" download>${t('packages.downloadPackage')}</a></p>` : ''}</section>
<section aria-labelledby="files"><h2 id="files">${t('packages.files')} (${d.files.length})</h2>${table(
    t('packages.files'),
    [t('packages.path'), t('packages.size'), t('packages.format'), 'SHA-256', t('packages.download')],
    d.files.map((f) => [
      html`${f.path}`,
      html`${formatBytes(f.size)}`,
      html`${formatOf(f)}`,
      code(f.sha256),
      fileLink(f),
    ]),
    { numeric: [1] },
  )}</section>
<section aria-labelledby="copies"><h2 id="copies">${t('packages.copies')}</h2>${table(
    t('packages.copies'),
    [t('packages.location'), t('packages.key'), t('packages.copyStatus'), t('packages.lastVerified')],
    d.copies.map((c) => [
      html`${c.location}`,
      code(c.key),
      html`<span class="${c.status === 'verified' ? 'st-ok' : c.status === 'stored' ? 'st-warn' : 'st-bad'}">${c.status}</span>`,
      html`${c.lastVerifiedAt ? when(c.lastVerifiedAt) : t('never')}`,
    ]),
  )}</section>
<section aria-labelledby="events"><h2 id="events">${t('packages.events')}</h2>${table(
    t('packages.events'),
    [
      t('packages.when'),
      t('packages.event'),
      t('packages.outcome'),
      t('packages.agent'),
      t('packages.detail'),
    ],
    d.events.map((e) => [
      html`${when(e.at)}`,
      html`${e.type}`,
      html`<span class="${e.outcome === 'success' ? 'st-ok' : 'st-bad'}">${e.outcome}</span>`,
      html`${e.agent}`,
      html`${e.object ? html`${code(e.object)} ` : ''}${e.detail}`,
    ]),
  )}</section>`;
  return layout(pc, pkg.label, body);
}
