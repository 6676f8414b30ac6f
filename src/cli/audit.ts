import { auditExitCode, runConfiguredAudit } from '../audit/configured.js';
import type { AuditSummary } from '../audit/run-audit.js';
import { AUDIT_LEVELS, type AuditLevel } from '../config/audit-schema.js';
import { ValidationError } from '../errors.js';
import type { AppContext } from '../app/context.js';
import { formatBytes, print, printJson } from './output.js';
import { createProgress } from './progress.js';

export interface AuditCommandOptions {
  package?: string;
  location?: string;
  all?: boolean;
  orphans?: boolean;
  /** `--level`: quick, full or deep for every copy of this run. */
  level?: string;
  json?: boolean;
  signal?: AbortSignal;
}

/**
 * `bevara audit`: one planned audit run now, the same the schedule runs (or every copy with `--all`, one
 * package with `--package`). Exit 0 when all is well, 1 when failures remain, 3 when the only news is repairs
 * made or coverage behind policy.
 */
export async function auditCommand(ctx: AppContext, options: AuditCommandOptions): Promise<number> {
  if (options.location && !ctx.locations.has(options.location)) {
    throw new ValidationError(
      'location',
      `[audit] location "${options.location}" is not configured (configured: ${[...ctx.locations.keys()].join(', ')})`,
    );
  }
  const level = options.level;
  if (level !== undefined && !isAuditLevel(level)) {
    throw new ValidationError(
      'audit-level',
      `[audit] --level "${level}" is not a level: ${AUDIT_LEVELS.join(', ')} (see the README: what each level proves)`,
    );
  }
  const summary = await runConfiguredAudit(ctx, {
    ...options,
    level,
    progress: createProgress('audit', ctx.terminal, !options.json),
  });
  if (options.json) printJson(summary);
  else printSummary(summary);
  return auditExitCode(summary);
}

const isAuditLevel = (value: string): value is AuditLevel =>
  (AUDIT_LEVELS as readonly string[]).includes(value);

function printSummary(summary: AuditSummary): void {
  const ok = summary.status === 'succeeded';
  const seconds = summary.durationMs / 1000;
  print(
    `Audit ${ok ? 'passed' : 'FAILED'}: ${summary.verified}/${summary.copies} copies verified, ${summary.failed} damaged, ` +
      `${summary.missing} missing, ${summary.repaired} repaired, ${summary.damaged} packages without a healthy copy, ` +
      `${summary.orphans} unknown objects; ${summary.files} files proven, ${formatBytes(summary.bytes)} read ` +
      `in ${seconds.toFixed(1)} s` +
      (summary.deferred > 0 ? `; ${summary.deferred} copies left for the next run` : ''),
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
    const repair = item.details?.repair as { from: string; key: string } | undefined;
    if (repair) print(`    repaired from "${repair.from}", now stored as ${repair.key}`);
    if (item.details?.damaged) print('    NO HEALTHY COPY LEFT: package marked damaged');
    else if (item.details?.notRepaired) print(`    not repaired: ${String(item.details.notRepaired)}`);
  }
  if (summary.coverageBehind.length > 0)
    print(`Coverage behind policy in: ${summary.coverageBehind.join(', ')} (see bevara coverage)`);
  if (!summary.alertsDelivered) print('Alerts could not be delivered to the webhook (see the log)');
  print(`Report: ${summary.reports.join('  ')}`);
}
