import os from 'node:os';
import { DIP_PROFILE } from '../access/dip.js';
import { type ExportFormat, exportRecords } from '../access/export.js';
import type { AppContext } from '../app/context.js';
import { withHeader } from '../package/profile.js';
import { print, printJson } from './output.js';

export interface ExportCommandOptions {
  out: string;
  format: ExportFormat;
  restricted?: boolean;
  reason?: string;
  requester?: string;
  by?: string;
  json?: boolean;
}

/** The user running the command; a uid without a passwd entry (a container) is named by its number. */
function loggedInUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

/** `bevara export <id|search…> --out <dir|file.zip>`: hand records out as DIPs, a folder or a ZIP, with a receipt. */
export async function exportCommand(
  ctx: AppContext,
  targets: string[],
  options: ExportCommandOptions,
): Promise<number> {
  const result = await exportRecords(
    { ...ctx, dipProfile: withHeader(DIP_PROFILE, ctx.config.organisation) },
    {
      targets,
      out: options.out,
      format: options.format,
      by: options.by ?? loggedInUser(),
      ...(options.restricted ? { restricted: true } : {}),
      ...(options.reason ? { reason: options.reason } : {}),
      ...(options.requester ? { requester: options.requester } : {}),
    },
  );
  if (options.json) {
    printJson(result);
    return 0;
  }
  const { receipt } = result;
  print(
    `Handed out ${receipt.records.length} record(s) as ${receipt.format} into ${receipt.output}, every file verified:`,
  );
  for (const r of receipt.records) {
    const made = r.dip ? ` -> ${r.dip.file}` : '';
    print(
      `  ${r.packageId}  ${r.label}  ${r.files.length} file(s) from "${r.location}"${made}${r.accessRestriction ? `  (restricted: ${r.accessRestriction})` : ''}`,
    );
  }
  print(`Receipt: ${result.receiptFiles.join(', ')}`);
  return 0;
}
