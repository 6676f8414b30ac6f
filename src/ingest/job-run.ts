import fs from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../catalog/types.js';
import { CLAIMABLE_STATES, type JobRecord, type RecordState } from '../model/job.js';
import type { RunItem, RunRecord, RunStatus } from '../model/run.js';
import type { Config } from '../config/schema.js';
import { compactTime } from '../catalog/run-id.js';
import { openRun, runLanes } from '../runs/run-skeleton.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { SoftwareAgent } from '../metadata/types.js';
import type { Profile } from '../package/profile.js';
import type { Progress } from '../progress.js';
import type { ReportWriter } from '../reports/write-report.js';
import { createSource } from '../sources/create-source.js';
import { isMarkerFile, markerName, quarantineRecord } from '../sources/disposition.js';
import type { RecordSource, SourceRecord } from '../sources/types.js';
import type { Location } from '../storage/index.js';
import { removeIncompleteUploads } from '../storage/remove-incomplete.js';
import { sleep } from '../sleep.js';
import { completeWaitingPackages } from './complete-waiting.js';
import { finishRun } from './finish-run.js';
import { isDeadLocalHolder } from './holders.js';
import { unchangedSinceLastPackage } from './ingest-record.js';
import { LEASE_MS, LEASES } from '../leases.js';
import type { PackageWriter } from './package-writer.js';
import { LeaseLostError, processRecord, recordWriter } from './process-record.js';

/** What a job run needs; the app context (app/context.ts) has all of it. */
export interface JobRunDeps {
  catalog: Catalog;
  logger: Logger;
  agent: SoftwareAgent;
  now: () => Date;
  locations: Map<string, Location>;
  reports: ReportWriter;
  config: Config;
  profile(name?: string): Profile;
  copyPolicy(profile: Profile): Location[];
  writer: PackageWriter;
}

export interface WorkOptions {
  /** This worker's id, unique among live workers; a restarted worker with the same id takes its records back. */
  holder: string;
  /** How long a claimed record stays this worker's without a heartbeat. */
  leaseMs: number;
  /** How often to look again for records held by other workers. */
  pollMs: number;
  signal?: AbortSignal;
  /** Told the totals once they are known, then each record and byte as it is done (a progress bar). */
  progress?: Progress;
}

const isClaimable = (state: RecordState) => CLAIMABLE_STATES.includes(state);

/**
 * Starts a run of a job, once across all workers: `slot` names the schedule firing (e.g. its minute), and only the
 * worker that takes its lease starts the run. No run starts while one of the same job is still running; that one is
 * finished first. Returns the new run, or null.
 */
export async function startJobRun(
  deps: JobRunDeps,
  job: JobRecord,
  holder: string,
  slot: string,
): Promise<RunRecord | null> {
  const { catalog, now } = deps;
  const fired = await catalog.acquireLease(
    LEASES.jobFire(job.name, slot),
    holder,
    new Date(now().getTime() + LEASE_MS.jobFire),
    now(),
  );
  if (!fired) return null;
  // The look for a running run and the start are one step across processes.
  const starting = LEASES.jobStart(job.name);
  while (
    !(await catalog.acquireLease(starting, holder, new Date(now().getTime() + LEASE_MS.jobStart), now()))
  )
    await sleep(50);
  try {
    return await startUnlessRunning(deps, job);
  } finally {
    await catalog.releaseLease(starting, holder);
  }
}

/**
 * A run of `job` now: starts one (`slot` as in startJobRun) or, when a run of the job is still running, returns
 * that one to join. Undefined when neither (the running one finished in between).
 */
export async function startOrJoinJobRun(
  deps: JobRunDeps,
  job: JobRecord,
  holder: string,
  slot: string,
): Promise<RunRecord | undefined> {
  const started = await startJobRun(deps, job, holder, slot);
  if (started) return started;
  const [running] = await deps.catalog.listRuns({
    kind: 'ingest',
    status: 'running',
    job: job.name,
    limit: 1,
  });
  return running;
}

async function startUnlessRunning(deps: JobRunDeps, job: JobRecord): Promise<RunRecord | null> {
  const { catalog } = deps;
  const running = await catalog.listRuns({ kind: 'ingest', status: 'running', job: job.name, limit: 1 });
  if (running.length > 0) {
    deps.logger.warn(
      { job: job.name, running: running[0]?.id },
      'job still running from an earlier start; not started again',
    );
    return null;
  }
  const profile = deps.profile(job.profile);
  return openRun(deps, {
    kind: 'ingest',
    label: job.name,
    params: {
      job: job.name,
      input: job.source.path,
      source: job.source.kind,
      profile: profile.name,
      copies: deps.copyPolicy(profile).map((l) => l.name),
      afterSuccess: job.afterSuccess,
    },
  });
}

/**
 * Works on a running job run with any number of other workers until no record of it is left to move on:
 * discovery (once, by whichever worker takes its lease), then passes over the source claiming each record with a
 * lease and moving it through its states, then the report (once). Safe to call again after a crash.
 */
export async function workOnRun(
  deps: JobRunDeps,
  run: RunRecord,
  job: JobRecord,
  options: WorkOptions,
): Promise<RunStatus | 'in-progress'> {
  const { catalog, now } = deps;
  const log = deps.logger.child({ job: job.name, runId: run.id, worker: options.holder });
  const source = createSource(job.source.kind, job.source.path, {
    logger: log,
    maxPathLength: deps.config.ingest.maxPathLength,
    quarantineDir: path.join(deps.config.dataDir, 'quarantine'),
    isOwnFile: isMarkerFile,
    maxMetsBytes: Math.round(deps.config.ingest.maxMetsMiB * 1024 * 1024),
    maxRecordFiles: deps.config.ingest.maxRecordFiles,
  });
  const profile = deps.profile(job.profile);
  const copies = deps.copyPolicy(profile).map((l) => l.name);
  // What interrupted writes left (this worker's own, killed before; others' once old enough), on every (re)join.
  await removeIncompleteUploads(
    copies.flatMap((name) => deps.locations.get(name) ?? []),
    new Date(now().getTime() - deps.config.ingest.incompleteUploadsMaxAgeMinutes * 60_000),
    log,
  );

  await freeDeadHolders(deps, run, job, log);

  let totals: { records: number; bytes: number } | undefined;
  while (!(await catalog.getMarker(`run-discovered:${run.id}`))) {
    if (options.signal?.aborted) return 'in-progress';
    const lease = LEASES.runDiscover(run.id);
    if (
      await catalog.acquireLease(
        lease,
        options.holder,
        new Date(now().getTime() + options.leaseMs * 10),
        now(),
      )
    ) {
      totals = await discover(deps, run, job, source, copies, log);
      await catalog.setMarker(`run-discovered:${run.id}`, now().toISOString(), now());
      await catalog.releaseLease(lease, options.holder);
    } else await sleep(options.pollMs, options.signal);
  }
  if (options.progress) {
    const open = (await catalog.listRecordStates({ runId: run.id })).filter((r) => isClaimable(r.state));
    options.progress.start(totals ?? { records: open.length, bytes: 0 });
  }

  const pass = { ...options, profile, copies, log };
  for (;;) {
    if (options.signal?.aborted) return 'in-progress';
    const seen = await processPass(deps, run, job, source, pass);
    // Between passes, only look at the catalog: scan the source again once a record in it is free to take.
    for (;;) {
      if (options.signal?.aborted) return 'in-progress';
      const records = await catalog.listRecordStates({ runId: run.id });
      const open = records.filter((r) => isClaimable(r.state));
      if (open.length === 0) {
        // A worker writes a record's run item just after its last state: give it that moment (a lease's
        // length at most: a worker killed in between never writes it, and the report stands in for it).
        const itemized = new Set((await catalog.listRunItems(run.id)).map((i) => i.subject));
        const recent = now().getTime() - options.leaseMs;
        if (!records.some((r) => !itemized.has(r.sourceKey) && r.updatedAt.getTime() > recent)) {
          options.progress?.stop();
          return finishRun(deps, run, options.holder, log);
        }
        await sleep(options.pollMs, options.signal);
        continue;
      }
      const free = (r: (typeof open)[number]) =>
        !r.holder || r.holder === options.holder || !r.leaseUntil || r.leaseUntil <= now();
      // Records the pass did not find in the source (e.g. moved by a release not yet recorded) are taken by key.
      for (const r of open.filter((r) => !seen.has(r.sourceKey) && free(r)))
        await processClaimed(deps, run, job, r.sourceKey, undefined, pass);
      if (open.some((r) => seen.has(r.sourceKey) && free(r))) break;
      await sleep(options.pollMs, options.signal);
    }
  }
}
/**
 * Records of this job held by a process of this host that no longer runs (a `bevara ingest` killed before) are
 * freed at once, with their write leases: what they reserved and did not catalogue is cleaned when taken again.
 */
async function freeDeadHolders(deps: JobRunDeps, run: RunRecord, job: JobRecord, log: Logger): Promise<void> {
  const { catalog } = deps;
  // All of the job's records, not only this run's: a record a stopped run left where it stood joins this run
  // at discovery with the lease of the process that stopped.
  for (const r of await catalog.listRecordStates({ job: job.name })) {
    if (!r.holder || !isClaimable(r.state) || !isDeadLocalHolder(r.holder)) continue;
    if (await catalog.freeRecord(job.name, r.sourceKey, r.holder)) {
      const lease = LEASES.recordWrite(job.source.kind, r.sourceKey);
      await catalog.releaseLease(lease, recordWriter(r.holder, job.name));
      log.warn(
        { record: r.sourceKey, holder: r.holder, state: r.state },
        'took over a record of a dead process',
      );
    }
  }
  for (const lease of [LEASES.runDiscover(run.id), LEASES.runFinish(run.id)]) {
    const held = await catalog.leaseHolder(lease);
    if (held && isDeadLocalHolder(held.holder)) await catalog.releaseLease(lease, held.holder);
  }
}

/** Finds the run's records; returns how many records and bytes it will work on. */
async function discover(
  deps: JobRunDeps,
  run: RunRecord,
  job: JobRecord,
  source: RecordSource,
  copies: string[],
  log: Logger,
): Promise<{ records: number; bytes: number }> {
  const { catalog, now } = deps;
  // Packages an earlier run left waiting for copies.
  const completed = await completeWaitingPackages(deps, { copies, runId: run.id });
  if (completed.length > 0) await catalog.addRunItems(completed);
  const limits = job.limits ?? {};
  let records = 0;
  let bytes = 0;
  const batch: { sourceKey: string; quarantined?: string }[] = [];
  const items: RunItem[] = [];
  for await (const scanned of source.scan()) {
    const key = scanned.ok ? scanned.record.key : scanned.rejected.key;
    if (fs.existsSync(path.join(job.source.path, markerName(key)))) continue;
    if (!scanned.ok) {
      const reason = scanned.rejected.errors.map((e) => e.message).join('; ');
      let where = 'left in place';
      if (job.quarantine) {
        const stamp = compactTime(now());
        where = await quarantineRecord(job.quarantine, job.source.path, scanned.rejected, stamp).then(
          (to) => `moved to ${to}`,
          (err: unknown) => `left in place: it could not be moved to quarantine (${errorMessage(err)})`,
        );
      }
      batch.push({ sourceKey: key, quarantined: `${reason} (${where})` });
      items.push({
        runId: run.id,
        subject: key,
        status: 'rejected',
        message: reason,
        details: {
          quarantine: where,
          problems: scanned.rejected.errors.map((e) => ({
            rule: e.rule,
            file: e.subject.file,
            message: e.message,
          })),
        },
      });
      continue;
    }
    const size = scanned.record.files.reduce((s, f) => s + f.size, 0);
    // Unchanged records cost nothing to look at: they do not count against the limits.
    const limited = limits.maxRecords !== undefined || limits.maxBytes !== undefined;
    if (
      limited &&
      (await unchangedSinceLastPackage(catalog, scanned.record, deps.profile(job.profile).header))
    ) {
      batch.push({ sourceKey: key });
      continue;
    }
    if (
      (limits.maxRecords !== undefined && records >= limits.maxRecords) ||
      (limits.maxBytes !== undefined && records > 0 && bytes + size > limits.maxBytes)
    ) {
      log.info({ record: key, records, bytes }, 'run limit reached; record left for the next run');
      continue;
    }
    records++;
    bytes += size;
    batch.push({ sourceKey: key });
    if (batch.length >= 200) await catalog.discoverRecords(job.name, run.id, batch.splice(0), now());
  }
  await catalog.discoverRecords(job.name, run.id, batch, now());
  if (items.length > 0) await catalog.addRunItems(items);
  log.info({ records, bytes, rejected: items.length }, 'records discovered');
  return { records: records + items.length, bytes };
}

interface PassOptions extends WorkOptions {
  profile: Profile;
  copies: string[];
  log: Logger;
}

/** One pass over the source: every record of the run this worker can claim is moved on as far as it goes. */
async function processPass(
  deps: JobRunDeps,
  run: RunRecord,
  job: JobRecord,
  source: RecordSource,
  options: PassOptions,
): Promise<Set<string>> {
  const seen = new Set<string>();
  const iterator = source.scan()[Symbol.asyncIterator]();
  await runLanes<SourceRecord>({
    lanes: deps.writer.concurrency * 2,
    async next() {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return undefined;
        if (next.value.ok) return next.value.record;
      }
    },
    async work(record) {
      seen.add(record.key);
      await processClaimed(deps, run, job, record.key, record, options);
    },
    stop: () => options.signal?.aborted === true,
  });
  return seen;
}

async function processClaimed(
  deps: JobRunDeps,
  run: RunRecord,
  job: JobRecord,
  key: string,
  record: SourceRecord | undefined,
  options: PassOptions,
): Promise<void> {
  const { catalog, now } = deps;
  const leaseUntil = () => new Date(now().getTime() + options.leaseMs);
  const claimed = await catalog.claimRecord(job.name, key, options.holder, leaseUntil(), now());
  if (!claimed || claimed.runId !== run.id) return;
  const heartbeat = setInterval(
    () => void catalog.claimRecord(job.name, key, options.holder, leaseUntil(), now()).catch(() => {}),
    Math.max(250, options.leaseMs / 3),
  );
  try {
    const item = await processRecord(deps, {
      job,
      runId: run.id,
      holder: options.holder,
      profile: options.profile,
      copies: options.copies,
      claimed,
      record,
      leaseMs: options.leaseMs,
      pollMs: options.pollMs,
      onSourceBytes: (bytes) => options.progress?.advance({ bytes }),
      signal: options.signal,
    });
    await catalog.addRunItems([item]);
    options.progress?.advance({ records: 1 });
  } catch (err) {
    if (err instanceof LeaseLostError) options.log.warn({ record: key }, err.message);
    else if (options.signal?.aborted)
      options.log.warn({ record: key }, 'stopped; the record goes on from where it stands at the next start');
    else throw err;
  } finally {
    clearInterval(heartbeat);
  }
}

/**
 * While another process still works on `run` (its last records, or the report), looks again every `pollMs` and
 * works on it too, until the run ends or `signal` stops this process. Returns the run's status then, or
 * 'in-progress' when stopped first.
 */
export async function workUntilRunEnds(
  deps: JobRunDeps,
  run: RunRecord,
  job: JobRecord,
  options: WorkOptions,
  status: RunStatus | 'in-progress',
): Promise<RunStatus | 'in-progress'> {
  while (status === 'in-progress' && !options.signal?.aborted) {
    await sleep(options.pollMs);
    const current = await deps.catalog.getRun(run.id);
    if (current && current.status !== 'running') return current.status;
    status = await workOnRun(deps, run, job, options);
  }
  return status;
}
