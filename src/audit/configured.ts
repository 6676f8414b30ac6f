import { availableParallelism } from 'node:os';
import { createNoAlerts } from '../alerts/types.js';
import { createWebhookAlerter } from '../alerts/webhook.js';
import type { AppContext } from '../app/context.js';
import type { AuditLevel } from '../config/audit-schema.js';
import type { Progress } from '../progress.js';
import { type AuditSummary, runAudit } from './run-audit.js';
import { createAdaptiveVerifier, createInlineVerifier, createWorkerVerifier } from './verifier.js';

/** Bytes of copies an audit verifies on its own thread before it starts worker threads for the rest. */
const INLINE_AUDIT_BYTES = 32 << 20;

/** Exit codes of `bevara audit`: failures left (damaged, missing, unrepaired, orphans), or warnings only. */
export const AUDIT_EXIT = { ok: 0, failures: 1, warnings: 3 } as const;

export interface ConfiguredAuditOptions {
  /** Audit this package only. */
  package?: string;
  /** Audit the copies in this location only. */
  location?: string;
  /** Every copy now, not the planned share. */
  all?: boolean;
  /** Also look for unknown objects. */
  orphans?: boolean;
  /** Check every copy of the run at this level, whatever the policy. */
  level?: AuditLevel;
  signal?: AbortSignal;
  /** Awaited before each copy (the worker lets ingest go first). */
  yieldTo?: () => Promise<void>;
  runIntervalMs?: number;
  /** A progress bar; none by default. */
  progress?: Progress;
}

/** Runs an audit with the configured verifier, alerts and report location: for the CLI, the worker and the console. */
export async function runConfiguredAudit(
  ctx: AppContext,
  options: ConfiguredAuditOptions,
): Promise<AuditSummary> {
  const config = ctx.config.audit;
  const workers = config.workers ?? availableParallelism();
  const verifier =
    workers > 1
      ? createAdaptiveVerifier(
          ctx.locations,
          () => createWorkerVerifier(ctx.config.locations, workers),
          workers,
          INLINE_AUDIT_BYTES,
        )
      : createInlineVerifier(ctx.locations);
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
      level: options.level,
      reportLocation: ctx.copyPolicy(ctx.profile())[0]?.name,
      runIntervalMs: options.runIntervalMs,
      yieldTo: options.yieldTo,
      signal: options.signal,
      progress: options.progress,
    },
  ).finally(() => verifier.close());
}

/** 0 when all is well, 1 when failures remain, 3 when the only news is repairs made or coverage behind policy. */
export function auditExitCode(summary: AuditSummary): number {
  if (summary.status !== 'succeeded') return AUDIT_EXIT.failures;
  if (summary.repaired > 0 || summary.coverageBehind.length > 0 || !summary.alertsDelivered)
    return AUDIT_EXIT.warnings;
  return AUDIT_EXIT.ok;
}
