import type { PackageState } from '../model/package.js';
import type { AppContext } from '../app/context.js';
import { formatBytes, print, printJson, table } from './output.js';

/** `bevara ls`: packages with id, label, size, files, state, copies. */
export async function listCommand(
  ctx: AppContext,
  options: { state?: PackageState; limit?: number; json?: boolean },
): Promise<number> {
  const packages = await ctx.catalog.listPackages({ state: options.state, limit: options.limit });
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
