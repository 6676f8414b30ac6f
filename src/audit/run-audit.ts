import { hostname } from 'node:os';
import type { Alerter } from '../alerts/types.js';
import { createBatchWriter } from '../catalog/batch-writer.js';
import { newRunId } from '../catalog/run-id.js';
import type { Catalog } from '../catalog/types.js';
import type { CopyCheckRecord, EventRecord } from '../model/package.js';
import type { RunItem, RunStatus } from '../model/run.js';
import { type AuditConfig, locationPolicyFor, sampleShare } from '../config/audit-schema.js';
import { LockedError } from '../errors.js';
import { LEASE_MS, LEASES } from '../leases.js';
import type { Logger } from '../logger.js';
import type { SoftwareAgent } from '../metadata/types.js';
import type { Progress } from '../progress.js';
import type { ReportWriter } from '../reports/write-report.js';
import type { Location } from '../storage/index.js';
import { auditAlerts } from './audit-alerts.js';
import { createCopyChecker, copyId } from './copy-checks.js';
import { coverageOf, trendOf } from './coverage.js';
import { copyItem } from './items.js';
import { listOrphans } from './orphans.js';
import { type AuditPlan, planAudit, planRequested } from './planner.js';
import { publishReports } from './publish-reports.js';
import { type PackageResolution, resolvePackage } from './repair.js';
import type { CopyVerifier } from './verifier.js';

export interface AuditDeps {
  catalog: Catalog;
  logger: Logger;
  agent: SoftwareAgent;
  now: () => Date;
  reports: ReportWriter;
  alerts: Alerter;
}

export interface AuditOptions {
  /** Every configured location, by name. */
  locations: Map<string, Location>;
  /** Reads and checks each copy; several at once when it has the concurrency. */
  verifier: CopyVerifier;
  config: AuditConfig;
  /** Narrow to every copy of one package (no planning). */
  packageId?: string;
  /** Narrow to one location (planned, unless `all`). */
  location?: string;
  /** Every copy (of the location, if given) now, fully, without planning. */
  all?: boolean;
  /** List locations for unknown objects now, whenever they were last listed. */
  orphans?: boolean;
  /** Where reports are stored beside the packages (the primary location). */
  reportLocation?: string;
  /** How often scheduled runs start, for the planner's pace share. */
  runIntervalMs?: number;
  /** Awaited before each copy: the worker holds audits here while ingest runs. */
  yieldTo?: () => Promise<void>;
  signal?: AbortSignal;
  progress?: Progress;
}

export interface AuditSummary {
  runId: string;
  status: RunStatus;
  copies: number;
  verified: number;
  failed: number;
  missing: number;
  repaired: number;
  damaged: number;
  orphans: number;
  deferred: number;
  files: number;
  bytes: number;
  durationMs: number;
  /** Locations whose share of copies verified within their period is below the alert threshold. */
  coverageBehind: string[];
  /** Alerts raised, and whether they reached the webhook (true when none were configured or raised). */
  alerts: number;
  alertsDelivered: boolean;
  items: RunItem[];
  reports: string[];
}

/**
 * One audit run: plans which copies to verify (or takes those asked for), verifies them at their location's
 * level until the window closes, compares and repairs every package with a failed copy, lists locations for
 * orphans when due, and writes the JSON, HTML and PREMIS reports (files, catalog, primary location) and alerts.
 * Runs never overlap: the run holds a lease in the catalog, shared by every worker.
 */
export async function runAudit(deps: AuditDeps, options: AuditOptions): Promise<AuditSummary> {
  const { catalog, now } = deps;
  const runId = newRunId('audit', now());
  const holder = `${hostname()}:${process.pid}:${runId}`;
  const leaseFor = () => new Date(now().getTime() + LEASE_MS.auditRun(options.config.window));
  if (!(await catalog.acquireLease(LEASES.auditRun, holder, leaseFor(), now())))
    throw new LockedError('[audit] another audit run is in progress; runs never overlap');
  const renew = setInterval(
    () => void catalog.acquireLease(LEASES.auditRun, holder, leaseFor(), now()),
    LEASE_MS.auditRenew,
  );
  renew.unref();
  try {
    return await audit(deps, options, runId);
  } finally {
    clearInterval(renew);
    await catalog.releaseLease(LEASES.auditRun, holder);
  }
}

async function audit(deps: AuditDeps, options: AuditOptions, runId: string): Promise<AuditSummary> {
  const { catalog, now, config } = { ...deps, config: options.config };
  const startedAt = now();
  const params = { packageId: options.packageId, location: options.location, all: options.all ?? false };
  await catalog.startRun({ id: runId, kind: 'audit', startedAt, status: 'running', params });
  const log = deps.logger.child({ runId });
  const agentId = `${deps.agent.name}/${deps.agent.version}`;
  const names = [...options.locations.keys()].filter((n) => !options.location || n === options.location);
  const policies = new Map(names.map((n) => [n, locationPolicyFor(config, n)]));

  const plan: AuditPlan =
    options.packageId || options.all
      ? await planRequested(
          catalog,
          { packageId: options.packageId, location: options.location },
          policies,
          options.all ? 'full' : undefined,
        )
      : await planAudit(catalog, {
          policies,
          now: startedAt,
          runIntervalMs: options.runIntervalMs,
          budgetBytes: config.budget,
          windowMs: config.window,
          sampleShare: sampleShare(config),
        });
  log.info(
    { ...params, planned: plan.copies.length, bytes: plan.bytes, deferred: plan.deferred },
    'audit run started',
  );
  options.progress?.start({ records: plan.copies.length, bytes: plan.bytes });

  const items: RunItem[] = [];
  const events: EventRecord[] = [];
  const itemWriter = createBatchWriter<RunItem>((batch) => catalog.addRunItems(batch));
  const checks = createBatchWriter<CopyCheckRecord>((batch) => catalog.recordCopyChecks(batch), 50);
  const onEvent = (event: EventRecord) => events.push(event);
  const inFlight = Math.max(1, options.verifier.concurrency);
  const checker = createCopyChecker({
    catalog,
    locations: options.locations,
    verifier: options.verifier,
    checks,
    logger: log,
    now,
    runId,
    agentId,
    bandwidth: (name) => {
      const cap = locationPolicyFor(config, name).bandwidth;
      return cap === undefined ? undefined : cap / inFlight;
    },
    onEvent,
    onBytes: (n) => options.progress?.advance({ bytes: n }),
  });
  const resolutions = new Map<string, Promise<PackageResolution>>();
  const resolve = (packageId: string) => {
    let resolution = resolutions.get(packageId);
    if (!resolution) {
      resolution = resolvePackage(
        {
          catalog,
          locations: options.locations,
          checker,
          checks,
          logger: log,
          now,
          runId,
          agentId,
          repairAllowed: (name) => locationPolicyFor(config, name).repair,
          onEvent,
        },
        packageId,
      );
      resolutions.set(packageId, resolution);
    }
    return resolution;
  };
  const itemized = new Set<string>();
  const labels = new Map<string, string | undefined>();
  const addItems = async (
    resolution: PackageResolution | undefined,
    checked: Awaited<ReturnType<typeof checker.check>>[],
  ) => {
    for (const c of checked) {
      const id = copyId(c.copy);
      if (itemized.has(id)) continue;
      itemized.add(id);
      if (c.check.status !== 'verified' && !labels.has(c.copy.packageId))
        labels.set(c.copy.packageId, (await catalog.getPackage(c.copy.packageId))?.label);
      const item = copyItem(runId, c, resolution, labels.get(c.copy.packageId));
      items.push(item);
      await itemWriter.add(item);
    }
  };

  const deadline =
    config.window !== undefined && !options.all && !options.packageId
      ? startedAt.getTime() + config.window
      : Infinity;
  let reached = 0;
  const queue = [...plan.copies];
  const lanes = Array.from({ length: Math.min(inFlight * 2, queue.length) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (options.signal?.aborted || now().getTime() >= deadline) {
        queue.unshift(next);
        return;
      }
      await options.yieldTo?.();
      reached++;
      const checked = await checker.check(next.copy, next.level);
      options.progress?.advance({ records: 1 });
      if (checked.check.status === 'verified') await addItems(undefined, [checked]);
      else {
        const resolution = await resolve(next.copy.packageId);
        await addItems(resolution, resolution.copies);
      }
    }
  });
  await Promise.all(lanes);
  await checks.flush();
  options.progress?.stop();
  const deferred = plan.deferred + (plan.copies.length - reached);

  const orphanItems = await listOrphans(
    { catalog, locations: options.locations, logger: log, now },
    {
      runId,
      names,
      force: options.orphans ?? Boolean(options.location || options.all),
      everyMs: config.orphans.every,
      skip: Boolean(options.packageId),
    },
  );
  const orphanCount = orphanItems.filter((i) => i.status === 'orphan').length;
  for (const item of orphanItems) {
    items.push(item);
    await itemWriter.add(item);
  }

  const settled = await Promise.all(resolutions.values());
  const checkedAll = await Promise.all(checker.checked.values());
  const count = (status: RunItem['status']) => items.filter((i) => i.status === status).length;
  const bytes = checkedAll.reduce((sum, c) => sum + c.check.bytes, 0);
  const finishedAt = now();
  const durationMs = finishedAt.getTime() - startedAt.getTime();
  const summary = {
    copies: itemized.size,
    verified: count('ok'),
    failed: items.filter((i) => i.status === 'failed' && i.details?.missing !== true).length,
    missing: items.filter((i) => i.status === 'failed' && i.details?.missing === true).length,
    repaired: count('repaired'),
    damaged: settled.filter((r) => r.damaged).length,
    orphans: orphanCount,
    deferred,
    files: checkedAll.reduce((sum, c) => sum + c.check.filesVerified, 0),
    bytes,
    durationMs,
    interrupted: options.signal?.aborted ?? false,
  };
  const coverage = await coverageOf(catalog, policies, finishedAt);
  const status: RunStatus =
    summary.failed + summary.missing + summary.damaged + summary.orphans > 0 || summary.interrupted
      ? 'completed-with-failures'
      : 'succeeded';
  await itemWriter.flush();
  const run = { id: runId, kind: 'audit' as const, startedAt, finishedAt, status, params, summary };
  const files = await deps.reports.write(run, items, {
    coverage,
    trend: await trendOf(catalog, runId),
    events,
  });
  const stored = await publishReports(
    { catalog, locations: options.locations, logger: log, now },
    options.reportLocation,
    files,
  );
  const reports = [...files, ...stored];
  await catalog.finishRun(runId, status, finishedAt, summary, reports);
  const alerts = auditAlerts(
    runId,
    items,
    settled,
    coverage,
    config.alerts?.coverageThreshold ?? 1,
    orphanCount,
  );
  const delivery = alerts.length > 0 ? await deps.alerts.send(alerts) : undefined;
  const behind = coverage.filter(
    (c) => c.copies > 0 && c.withinPolicy / c.copies < (config.alerts?.coverageThreshold ?? 1),
  );
  log.info({ ...summary, status, reports, alerts: alerts.length, delivery }, 'audit run finished');
  return {
    runId,
    status,
    ...summary,
    coverageBehind: behind.map((c) => c.location),
    alerts: alerts.length,
    alertsDelivered: delivery?.delivered ?? true,
    items,
    reports,
  };
}
