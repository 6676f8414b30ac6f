import { availableParallelism } from 'node:os';
import { createWebhookAlerter } from '../alerts/webhook.js';
import { createNoAlerts } from '../alerts/types.js';
import { type AuditSummary, runAudit } from '../audit/run-audit.js';
import { createInlineVerifier, createWorkerVerifier } from '../audit/verifier.js';
import { ValidationError } from '../errors.js';
import type { AppContext } from './context.js';
import { formatBytes, print, printJson } from './output.js';
import { createProgress } from './progress.js';

/** Exit codes of `bevara audit`: failures left (damaged, missing, unrepaired, orphans), or warnings only. */
export const AUDIT_EXIT = { ok: 0, failures: 1, warnings: 3 } as const;

export interface AuditCommandOptions {
  package?: string;
  location?: string;
  all?: boolean;
  orphans?: boolean;
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
  const summary = await runConfiguredAudit(ctx, options);
  if (options.json) printJson(summary);
  else printSummary(summary);
  return auditExitCode(summary);
}

/** Runs an audit with the configured verifier, alerts and report location: for the CLI and the worker. */
export async function runConfiguredAudit(
  ctx: AppContext,
  options: AuditCommandOptions & { yieldTo?: () => Promise<void>; runIntervalMs?: number },
): Promise<AuditSummary> {
  const config = ctx.config.audit;
  const workers = config.workers ?? availableParallelism();
  const verifier =
    workers > 1 ? createWorkerVerifier(ctx.config.locations, workers) : createInlineVerifier(ctx.locations);
  const alerts = config.alerts
    ? createWebhookAlerter({
        url: config.alerts.webhook,
        secret: config.alerts.secret,
        version: ctx.agent.version,
        logger: ctx.logger,
        now: ctx.now,
        signal: options.signal,
      })
    : createNoAlerts();
  return runAudit(
    { ...ctx, alerts },
    {
      locations: ctx.locations,
      verifier,
      config,
      packageId: options.package,
      location: options.location,
      all: options.all,
      orphans: options.orphans,
      reportLocation: ctx.copyPolicy(ctx.profile())[0]?.name,
      runIntervalMs: options.runIntervalMs,
      yieldTo: options.yieldTo,
      signal: options.signal,
      progress: createProgress('audit', ctx.terminal, !options.json),
    },
  ).finally(() => verifier.close());
}

export function auditExitCode(summary: AuditSummary): number {
  if (summary.status !== 'succeeded') return AUDIT_EXIT.failures;
  if (summary.repaired > 0 || summary.coverageBehind.length > 0 || !summary.alertsDelivered)
    return AUDIT_EXIT.warnings;
  return AUDIT_EXIT.ok;
}

function printSummary(summary: AuditSummary): void {
  const ok = summary.status === 'succeeded';
  const seconds = summary.durationMs / 1000;
  print(
    `Audit ${ok ? 'passed' : 'FAILED'}: ${summary.verified}/${summary.copies} copies verified, ${summary.failed} damaged, ` +
      `${summary.missing} missing, ${summary.repaired} repaired, ${summary.damaged} packages without a healthy copy, ` +
      `${summary.orphans} unknown objects; ${summary.files} file digests checked, ${formatBytes(summary.bytes)} read ` +
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
