import type { Alerter } from '../alerts/types.js';
import { type BatchWriter, createBatchWriter } from '../catalog/batch-writer.js';
import type { Catalog } from '../catalog/types.js';
import type { CopyCheckRecord, EventRecord } from '../model/package.js';
import { newRunId } from '../catalog/run-id.js';
import type { RunItem, RunRecord, RunStatus } from '../model/run.js';
import { closeRun, openRun, runLanes, runStatus, withRun } from '../runs/run-skeleton.js';
import {
  type AuditConfig,
  type AuditLevel,
  type LocationAuditPolicy,
  locationPolicyFor,
  sampleShare,
} from '../config/audit-schema.js';
import { LockedError } from '../errors.js';
import { acquireOrTakeOver, LEASE_MS, LEASES } from '../leases.js';
import { processTag } from '../processes.js';
import type { Logger } from '../logger.js';
import type { SoftwareAgent } from '../metadata/types.js';
import type { Progress } from '../progress.js';
import type { AuditCounts } from '../reports/audit-items.js';
import type { ReportWriter } from '../reports/write-report.js';
import type { Location } from '../storage/index.js';
import { auditAlerts } from './audit-alerts.js';
import { type CheckedCopy, createCopyChecker, copyId } from './copy-checks.js';
import { coverageOf, trendOf } from './coverage.js';
import { copyItem } from './items.js';
import { listOrphans } from './orphans.js';
import { type AuditPlan, planAudit, planRequested } from './planner.js';
import { publishReports } from './publish-reports.js';
import { type PackageResolution, resolvePackage } from './repair.js';
import type { CopyVerifier } from './verifier.js';
import { softwareAgentId } from '../metadata/events.js';

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
  /** Check every copy of this run at this level, whatever the location's policy (`--level`). */
  level?: AuditLevel;
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

/** The outcome of an audit run: its counts (as the report shows them), status, coverage, alerts, items, reports. */
export interface AuditSummary extends Required<AuditCounts> {
  runId: string;
  status: RunStatus;
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
  // `<host>#<pid>:<run>`: a later audit on this host takes over the lease of one that was killed.
  const holder = `${processTag()}:${runId}`;
  const leaseFor = () => new Date(now().getTime() + LEASE_MS.auditRun(options.config.window));
  const held = await acquireOrTakeOver(catalog, LEASES.auditRun, holder, leaseFor(), now());
  if (held !== null)
    throw new LockedError(`[audit] another audit run is in progress (${held}); runs never overlap`);
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

/** What the phases of one audit run share. */
interface AuditRun {
  record: RunRecord;
  runId: string;
  startedAt: Date;
  params: { packageId?: string; location?: string; all: boolean };
  log: Logger;
  /** The locations audited (all, or the one asked for), with their policies. */
  names: string[];
  policies: Map<string, LocationAuditPolicy>;
  /** Every run item, in order; also written to the catalog in batches. */
  items: RunItem[];
  itemWriter: BatchWriter<RunItem>;
  /** Every PREMIS event recorded, for the run's event log. */
  events: EventRecord[];
}

async function audit(deps: AuditDeps, options: AuditOptions, runId: string): Promise<AuditSummary> {
  const params = { packageId: options.packageId, location: options.location, all: options.all ?? false };
  const record = await openRun(deps, { kind: 'audit', id: runId, params });
  return withRun(deps, record, () => auditWork(deps, options, record));
}

/** The phases of an audit run: plan, verify (and repair), orphans, finish. */
async function auditWork(deps: AuditDeps, options: AuditOptions, record: RunRecord): Promise<AuditSummary> {
  const { catalog, now, config } = { ...deps, config: options.config };
  const { id: runId, startedAt } = record;
  const params = record.params as AuditRun['params'];
  const names = [...options.locations.keys()].filter((n) => !options.location || n === options.location);
  const run: AuditRun = {
    record,
    runId,
    startedAt,
    params,
    log: deps.logger.child({ runId }),
    names,
    policies: new Map(names.map((n) => [n, locationPolicyFor(config, n)])),
    items: [],
    itemWriter: createBatchWriter<RunItem>((batch) => catalog.addRunItems(batch)),
    events: [],
  };
  const plan = await planRun(catalog, options, run);
  run.log.info(
    { ...params, planned: plan.copies.length, bytes: plan.bytes, deferred: plan.deferred },
    'audit run planned',
  );
  options.progress?.start({ records: plan.copies.length, bytes: plan.bytes });
  const verified = await verifyPlan(
    { catalog, now, agentId: softwareAgentId(deps.agent) },
    options,
    run,
    plan,
  );
  options.progress?.stop();
  const orphans = await addOrphanItems(deps, options, run);
  return finishAudit(deps, options, run, { ...verified, orphans });
}

/** The copies asked for (`--package`, `--all`), or the planner's share for this run. */
async function planRun(catalog: Catalog, options: AuditOptions, run: AuditRun): Promise<AuditPlan> {
  const config = options.config;
  if (options.packageId || options.all)
    return planRequested(
      catalog,
      { packageId: options.packageId, location: options.location },
      run.policies,
      options.level ?? (options.all ? 'full' : undefined),
    );
  const plan = await planAudit(catalog, {
    policies: run.policies,
    now: run.startedAt,
    runIntervalMs: options.runIntervalMs,
    budgetBytes: config.budget,
    windowMs: config.window,
    sampleShare: sampleShare(config),
  });
  const level = options.level;
  return level ? { ...plan, copies: plan.copies.map((planned) => ({ ...planned, level })) } : plan;
}

/** Lists the locations for unknown objects when due; returns how many were found. */
async function addOrphanItems(deps: AuditDeps, options: AuditOptions, run: AuditRun): Promise<number> {
  const orphanItems = await listOrphans(
    { catalog: deps.catalog, locations: options.locations, logger: run.log, now: deps.now },
    {
      runId: run.runId,
      names: run.names,
      force: options.orphans ?? Boolean(options.location || options.all),
      everyMs: options.config.orphans.every,
      skip: Boolean(options.packageId),
    },
  );
  for (const item of orphanItems) {
    run.items.push(item);
    await run.itemWriter.add(item);
  }
  return orphanItems.filter((i) => i.status === 'orphan').length;
}

/** The run's counts, status, reports (files, catalog, primary location) and alerts; closes the run. */
async function finishAudit(
  deps: AuditDeps,
  options: AuditOptions,
  run: AuditRun,
  outcome: VerifiedPlan & { orphans: number },
): Promise<AuditSummary> {
  const { catalog, now } = deps;
  const { runId, items, log } = run;
  const config = options.config;
  const count = (status: RunItem['status']) => items.filter((i) => i.status === status).length;
  const finishedAt = now();
  const summary = {
    copies: outcome.copies,
    verified: count('ok'),
    failed: items.filter((i) => i.status === 'failed' && i.details?.missing !== true).length,
    missing: items.filter((i) => i.status === 'failed' && i.details?.missing === true).length,
    repaired: count('repaired'),
    damaged: outcome.resolutions.filter((r) => r.damaged).length,
    orphans: outcome.orphans,
    deferred: outcome.deferred,
    files: outcome.checked.reduce((sum, c) => sum + c.check.filesVerified, 0),
    bytes: outcome.checked.reduce((sum, c) => sum + c.check.bytes, 0),
    interrupted: options.signal?.aborted ?? false,
  };
  const coverage = await coverageOf(catalog, run.policies, finishedAt);
  await run.itemWriter.flush();
  // Each location's coverage at the end, kept in the summary: the audits page charts it run by run.
  const covered = coverage.map(({ location, copies, withinPolicy }) => ({ location, copies, withinPolicy }));
  const closed = await closeRun({ ...deps, logger: log }, run.record, {
    items,
    summary: { ...summary, coverage: covered },
    finishedAt,
    status: runStatus({
      problems: summary.failed + summary.missing + summary.damaged + summary.orphans,
      interrupted: summary.interrupted,
    }),
    reportExtras: { coverage, trend: await trendOf(catalog, runId), events: run.events },
    publish: (files) =>
      publishReports(
        { catalog, locations: options.locations, logger: log, now },
        options.reportLocation,
        files,
      ),
  });
  const { status, reports } = closed;
  const threshold = config.alerts?.coverageThreshold ?? 1;
  const alerts = auditAlerts(runId, items, outcome.resolutions, coverage, threshold, outcome.orphans);
  const delivery = alerts.length > 0 ? await deps.alerts.send(alerts) : undefined;
  const behind = coverage.filter((c) => c.copies > 0 && c.withinPolicy / c.copies < threshold);
  log.info({ alerts: alerts.length, delivery }, 'audit alerts sent');
  return {
    runId,
    status,
    ...closed.summary,
    coverageBehind: behind.map((c) => c.location),
    alerts: alerts.length,
    alertsDelivered: delivery?.delivered ?? true,
    items,
    reports,
  };
}

interface VerifiedPlan {
  /** Copies given a run item. */
  copies: number;
  /** Copies planned but left for the next run (window closed, stopped). */
  deferred: number;
  /** Every package resolution (compare and repair) made. */
  resolutions: PackageResolution[];
  /** Every copy checked, planned or compared. */
  checked: CheckedCopy[];
}

/**
 * Checks the planned copies, several at once, until the window closes or the run is stopped; a failed copy
 * has its package resolved (every copy compared, failed ones repaired). Each copy gets one run item.
 */
async function verifyPlan(
  deps: { catalog: Catalog; now: () => Date; agentId: string },
  options: AuditOptions,
  run: AuditRun,
  plan: AuditPlan,
): Promise<VerifiedPlan> {
  const { catalog, now, agentId } = deps;
  const { runId, log } = run;
  const config = options.config;
  const checks = createBatchWriter<CopyCheckRecord>((batch) => catalog.recordCopyChecks(batch), 50);
  const onEvent = (event: EventRecord) => run.events.push(event);
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
  const addItems = createItemAdder(catalog, run);

  const deadline =
    config.window !== undefined && !options.all && !options.packageId
      ? run.startedAt.getTime() + config.window
      : Infinity;
  const queue = [...plan.copies];
  const reached = await runLanes({
    lanes: inFlight * 2,
    next: () => queue.shift(),
    stop: () => options.signal?.aborted === true || now().getTime() >= deadline,
    async work(next) {
      await options.yieldTo?.();
      const checked = await checker.check(next.copy, next.level);
      options.progress?.advance({ records: 1 });
      if (checked.check.status === 'verified') await addItems(undefined, [checked]);
      else {
        const resolution = await resolve(next.copy.packageId);
        await addItems(resolution, resolution.copies);
      }
    },
  });
  await checks.flush();
  return {
    copies: addItems.count(),
    deferred: plan.deferred + (plan.copies.length - reached),
    resolutions: await Promise.all(resolutions.values()),
    checked: await Promise.all(checker.checked.values()),
  };
}

/** Adds one run item per copy checked, the first time it is seen; failed copies carry their package's label. */
function createItemAdder(catalog: Catalog, run: AuditRun) {
  const itemized = new Set<string>();
  const labels = new Map<string, string | undefined>();
  const add = async (resolution: PackageResolution | undefined, checked: CheckedCopy[]) => {
    for (const c of checked) {
      const id = copyId(c.copy);
      if (itemized.has(id)) continue;
      itemized.add(id);
      if (c.check.status !== 'verified' && !labels.has(c.copy.packageId))
        labels.set(c.copy.packageId, (await catalog.getPackage(c.copy.packageId))?.label);
      const item = copyItem(run.runId, c, resolution, labels.get(c.copy.packageId));
      run.items.push(item);
      await run.itemWriter.add(item);
    }
  };
  return Object.assign(add, { count: () => itemized.size });
}
