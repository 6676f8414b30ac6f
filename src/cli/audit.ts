import { availableParallelism } from 'node:os';
import { runAudit } from '../audit/run-audit.js';
import { createInlineVerifier, createWorkerVerifier } from '../audit/verifier.js';
import { ValidationError } from '../errors.js';
import type { AppContext } from './context.js';
import { formatBytes, print, printJson } from './output.js';
import { createProgress } from './progress.js';

/** `bevara audit`: verify every copy of every package; exit 1 on any failure, missing copy or orphan. */
export async function auditCommand(
  ctx: AppContext,
  options: { package?: string; location?: string; json?: boolean },
): Promise<number> {
  if (options.location && !ctx.locations.has(options.location)) {
    throw new ValidationError(
      'location',
      `[audit] location "${options.location}" is not configured (configured: ${[...ctx.locations.keys()].join(', ')})`,
    );
  }
  const workers = ctx.config.audit.workers ?? availableParallelism();
  const verifier =
    workers > 1 ? createWorkerVerifier(ctx.config.locations, workers) : createInlineVerifier(ctx.locations);
  const summary = await runAudit(ctx, {
    locations: ctx.locations,
    verifier,
    packageId: options.package,
    location: options.location,
    progress: createProgress('audit', ctx.terminal, !options.json),
  }).finally(() => verifier.close());
  if (options.json) {
    printJson(summary);
  } else {
    const ok = summary.status === 'succeeded';
    print(
      `Audit ${ok ? 'passed' : 'FAILED'}: ${summary.verified}/${summary.copies} copies verified, ${summary.failed} damaged, ` +
        `${summary.missing} missing, ${summary.orphans} unknown objects; ${summary.files} file digests checked, ${formatBytes(summary.bytes)} read`,
    );
    for (const item of summary.items.filter((i) => i.status !== 'ok')) {
      const problems =
        (item.details?.problems as
          | { message: string; file?: string; expected?: string; actual?: string }[]
          | undefined) ?? [];
      print(`  ${item.status.toUpperCase()} ${item.subject}`);
      for (const p of problems) {
        print(
          `    - ${p.message}${p.expected || p.actual ? `\n      expected ${p.expected ?? '-'}\n      actual   ${p.actual ?? '-'}` : ''}`,
        );
      }
    }
    print(`Report: ${summary.reports.join('  ')}`);
  }
  return summary.status === 'succeeded' ? 0 : 1;
}
