import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ValidationError } from '../errors.js';
import { ingestOnce } from '../ingest/one-off.js';
import { createConfiguredPackageWriter } from '../ingest/package-writer.js';
import { describeLocation } from '../storage/index.js';
import type { AppContext } from '../app/context.js';
import { formatBytes, print, printJson } from './output.js';
import { createProgress } from './progress.js';
import { stopOnSignals } from './shutdown.js';

export interface IngestCommandOptions {
  source: string;
  profile?: string;
  json?: boolean;
}

/** `bevara ingest <input>`: every record in the input becomes a verified package. Exit 1 if any failed. */
export async function ingestCommand(
  ctx: AppContext,
  input: string,
  options: IngestCommandOptions,
): Promise<number> {
  const root = path.resolve(input);
  if (input.trim() === '' || !existsSync(root) || !statSync(root).isDirectory()) {
    throw new ValidationError('input', `[ingest] input "${input}" is not a folder`);
  }
  if (!['folder', 'bagit', 'eark-sip'].includes(options.source))
    throw new ValidationError(
      'input',
      `[ingest] unknown source kind "${options.source}" (available: folder, bagit, eark-sip)`,
    );
  const profile = ctx.profile(options.profile);
  const copies = ctx.copyPolicy(profile);
  const writer = createConfiguredPackageWriter(
    ctx.config.locations,
    ctx.locations,
    ctx.config.ingest.workers,
    ctx.config.ingest.maxRecordFiles,
  );
  const stop = stopOnSignals(ctx.logger);
  const summary = await ingestOnce(
    { ...ctx, writer },
    {
      source: { kind: options.source as 'folder', path: root },
      profile: profile.name,
      signal: stop.signal,
      progress: createProgress('ingest', ctx.terminal, !options.json),
    },
  ).finally(async () => {
    stop.dispose();
    await writer.close();
  });
  if (options.json) {
    printJson(summary);
  } else {
    print(
      `Ingest ${summary.status === 'succeeded' ? 'succeeded' : 'completed with failures'}: ${summary.archived} archived, ` +
        `${summary.unchanged} unchanged, ${summary.waiting} waiting, ${summary.rejected} rejected, ${summary.failed} failed ` +
        `(${formatBytes(summary.bytes)} packaged)`,
    );
    const bySubject = [...summary.items].sort((a, b) =>
      a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0,
    );
    for (const item of bySubject) {
      if (item.status === 'ok' && item.packageId) print(`  archived   ${item.packageId}  ${item.subject}`);
      else if (item.status === 'skipped') print(`  unchanged  ${item.packageId}  ${item.subject}`);
      else {
        const problems = (item.details?.problems as { message: string }[] | undefined) ?? [
          { message: item.message ?? '' },
        ];
        print(`  ${item.status.padEnd(10)} ${item.subject}`);
        for (const problem of problems) print(`             - ${problem.message}`);
      }
    }
    print(
      `Packages are in ${copies.map((c) => `${c.name} (${describeLocation(ctx.config.locations[c.name])})`).join(', ')}`,
    );
    print(`Report: ${summary.reports.join('  ')}`);
  }
  return summary.status === 'succeeded' ? 0 : 1;
}
