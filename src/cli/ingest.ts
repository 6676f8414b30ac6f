import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { ValidationError } from '../errors.js';
import { createInlinePackageWriter, createWorkerPackageWriter } from '../ingest/package-writer.js';
import { runIngest } from '../ingest/run-ingest.js';
import { createBagitSource } from '../sources/bagit/bag-source.js';
import { createEarkSipSource } from '../sources/eark-sip/sip-source.js';
import { createFolderSource } from '../sources/folder.js';
import type { RecordSource } from '../sources/types.js';
import { describeLocation } from '../storage/index.js';
import type { AppContext } from './context.js';
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
  const profile = ctx.profile(options.profile);
  const copies = ctx.copyPolicy(profile);
  const source = createSource(ctx, options.source, root);
  const workers = ctx.config.ingest.workers ?? availableParallelism();
  const writer =
    workers > 1
      ? createWorkerPackageWriter(ctx.config.locations, workers)
      : createInlinePackageWriter(ctx.locations);
  const stop = stopOnSignals(ctx.logger);
  const summary = await runIngest(
    { ...ctx, writer },
    {
      source,
      input: root,
      profile,
      copies: copies.map((c) => c.name),
      signal: stop.signal,
      incompleteUploadsMaxAgeMinutes: ctx.config.ingest.incompleteUploadsMaxAgeMinutes,
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
      if (item.status === 'ok') print(`  archived   ${item.packageId}  ${item.subject}`);
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

/** The record source for `--source`: a folder of records, a folder of BagIt bags, or an inbox of E-ARK SIPs. */
function createSource(ctx: AppContext, kind: string, root: string): RecordSource {
  const onIgnored = (file: string, reason: string) =>
    ctx.logger.warn({ file, reason }, 'not a record; ignored');
  const maxPathLength = ctx.config.ingest.maxPathLength;
  switch (kind) {
    case 'folder':
      return createFolderSource({ root, maxPathLength, onIgnored });
    case 'bagit':
      // Payload checksums are checked by the packaging read itself: each byte is still read once.
      return createBagitSource({ root, maxPathLength, onIgnored, checksums: 'defer' });
    case 'eark-sip':
      // Refused SIPs are copied, with their validation reports, to <dataDir>/quarantine/<key>/.
      return createEarkSipSource({
        root,
        quarantineDir: path.join(ctx.config.dataDir, 'quarantine'),
        onIgnored,
        onQuarantined: (key, folder) => ctx.logger.warn({ record: key, folder }, 'SIP quarantined'),
      });
    default:
      throw new ValidationError(
        'input',
        `[ingest] unknown source kind "${kind}" (available: folder, bagit, eark-sip)`,
      );
  }
}
