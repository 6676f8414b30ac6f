import type { FileRecord } from '../model/package.js';
import { NotFoundError } from '../errors.js';
import type { AppContext } from '../app/context.js';
import { formatBytes, print, printableInline, printJson, table } from './output.js';

/** `bevara show <id>`: one package with its metadata, files and digests, copies and events. */
export async function showCommand(ctx: AppContext, id: string, options: { json?: boolean }): Promise<number> {
  const pkg = await ctx.catalog.getPackage(id);
  if (!pkg) throw new NotFoundError(`[show] package ${id} is not in the catalog`);
  const [files, copies, events] = await Promise.all([
    ctx.catalog.listFiles(id),
    ctx.catalog.listCopies({ packageId: id }),
    ctx.catalog.listEvents(id),
  ]);
  if (options.json) {
    printJson({ package: pkg, files, copies, events });
    return 0;
  }
  const m = pkg.metadata;
  print(`Package    ${pkg.id}`);
  print(`Label      ${printableInline(pkg.label)}`);
  print(`State      ${pkg.state}${pkg.archivedAt ? ` (archived ${pkg.archivedAt.toISOString()})` : ''}`);
  print(`Profile    ${pkg.profile}`);
  print(`Source     ${pkg.sourceKind}: ${printableInline(pkg.sourceKey)}`);
  print(`Size       ${formatBytes(pkg.size)}, ${pkg.fileCount} files, SHA-256 ${pkg.sha256}`);
  if (pkg.predecessorId) print(`Replaces   ${pkg.predecessorId}`);
  const fields: [string, string | undefined][] = [
    ['Identifier', m.identifier],
    ['Creator', m.creator],
    [
      'Dates',
      m.dates &&
        Object.entries(m.dates)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
    ],
    ['Class', m.classification],
    ['Access', m.accessRestriction],
    ['About', m.description],
  ];
  // One line each, so that a title cannot start a line that looks like one of these; the description may be long.
  for (const [label, value] of fields)
    if (value) print(`${label.padEnd(10)} ${label === 'About' ? value : printableInline(value)}`);
  print('\nFiles');
  print(
    table(
      ['PATH', 'SIZE', 'TYPE', 'FORMAT (PRONOM)', 'SHA-256'],
      files.map((f) => [f.path, formatBytes(f.size), f.mimeType, formatLabel(f), f.sha256]),
    ),
  );
  print('\nCopies');
  print(
    table(
      ['LOCATION', 'KEY', 'STATUS', 'LAST VERIFIED'],
      copies.map((c) => [c.location, c.key, c.status, c.lastVerifiedAt?.toISOString() ?? 'never']),
    ),
  );
  print('\nEvents');
  print(
    table(
      ['WHEN', 'EVENT', 'OUTCOME', 'OBJECT', 'DETAIL'],
      events.map((e) => [e.at.toISOString(), e.type, e.outcome, e.object ?? '', e.detail]),
    ),
  );
  return 0;
}

/** "fmt/354 Acrobat PDF/A - Portable Document Format 1b", or "unknown". */
function formatLabel(file: FileRecord): string {
  const f = file.format;
  if (!f?.puid) return 'unknown';
  return [f.puid, f.name, f.version].filter(Boolean).join(' ');
}
