import { restorePackage } from '../access/restore.js';
import type { AppContext } from '../app/context.js';
import { formatBytes, print, printJson } from './output.js';

/** `bevara get <id> --out <dir>`: restore the original files, each verified against its digest. */
export async function getCommand(
  ctx: AppContext,
  id: string,
  options: { out: string; json?: boolean },
): Promise<number> {
  const result = await restorePackage(ctx.catalog, {
    packageId: id,
    out: options.out,
    locations: ctx.locations,
  });
  ctx.logger.info(
    { packageId: id, location: result.location, files: result.files.length },
    'package restored',
  );
  if (options.json) {
    printJson(result);
    return 0;
  }
  print(
    `Restored ${result.files.length} file(s) of ${id} from location "${result.location}" into ${options.out}, every digest verified:`,
  );
  for (const f of result.files) print(`  ${f.path}  ${formatBytes(f.size)}  ${f.sha256}`);
  return 0;
}
