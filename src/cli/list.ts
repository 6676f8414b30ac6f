import type { PackageState } from '../model/package.js';
import type { AppContext } from '../app/context.js';
import type { PackageCursor, PackageSummary } from '../catalog/types.js';
import { formatBytes, print, printJson, table } from './output.js';

/** Filters of `bevara ls`. */
export interface ListOptions {
  state?: PackageState;
  limit?: number;
  /** Part of the archive creator's name or reference code. */
  archiveCreator?: string;
  /** A classification node: packages classified there or below. */
  classification?: string;
}

/** Page size of the catalog search `ls` pages through when it filters by archival description. */
const SEARCH_PAGE = 500;

/**
 * `bevara ls`: packages with id, label, size, files, state, copies, newest first. With `--archive-creator` or
 * `--classification`, the catalog's package search (the console's) pages through the matches.
 */
export async function listCommand(
  ctx: AppContext,
  options: ListOptions & { json?: boolean },
): Promise<number> {
  const packages =
    options.archiveCreator !== undefined || options.classification !== undefined
      ? await searchAll(ctx, options)
      : await ctx.catalog.listPackages({ state: options.state, limit: options.limit });
  if (options.json) {
    printJson(packages);
    return 0;
  }
  if (packages.length === 0) {
    print('No packages.');
    return 0;
  }
  print(
    table(
      ['ID', 'LABEL', 'SIZE', 'FILES', 'STATE', 'COPIES', 'CREATED'],
      packages.map((p) => [
        p.id,
        p.label.length > 48 ? `${p.label.slice(0, 47)}…` : p.label,
        formatBytes(p.size),
        String(p.fileCount),
        p.state,
        p.copies.map((c) => `${c.location}:${c.status}`).join(',') || '-',
        p.createdAt.toISOString().slice(0, 19).replace('T', ' '),
      ]),
    ),
  );
  return 0;
}

async function searchAll(ctx: AppContext, options: ListOptions): Promise<PackageSummary[]> {
  const found: PackageSummary[] = [];
  const max = options.limit ?? Number.POSITIVE_INFINITY;
  let after: PackageCursor | undefined;
  do {
    const page = await ctx.catalog.searchPackages({
      ...(options.archiveCreator !== undefined ? { archiveCreator: options.archiveCreator } : {}),
      ...(options.classification !== undefined ? { classification: options.classification } : {}),
      ...(options.state !== undefined ? { state: options.state } : {}),
      limit: Math.min(SEARCH_PAGE, max - found.length),
      ...(after ? { after } : {}),
    });
    found.push(...page.packages.map(({ metadata: _metadata, ...summary }) => summary));
    after = page.next;
  } while (after && found.length < max);
  return found;
}
