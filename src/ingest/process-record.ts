import type { JobRecord, JobRecordState, RecordState } from '../model/job.js';
import type { RunItem } from '../model/run.js';
import { compactTime } from '../catalog/run-id.js';
import { errorMessage, PreservationError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { newPackageId } from '../package/package-id.js';
import type { Profile } from '../package/profile.js';
import { quarantineRecord, releaseRecord } from '../sources/disposition.js';
import type { SourceRecord } from '../sources/types.js';
import type { Location } from '../storage/index.js';
import { packageKey } from '../storage/keys.js';
import { sleep } from '../sleep.js';
import { type IngestDeps, ingestRecord } from './ingest-record.js';
import { isDeadLocalHolder } from './holders.js';
import { LEASES } from '../leases.js';
import { isTransient } from './transient.js';

export interface ProcessDeps extends IngestDeps {
  locations: Map<string, Location>;
}

export interface ProcessInput {
  job: JobRecord;
  runId: string;
  holder: string;
  profile: Profile;
  copies: string[];
  claimed: JobRecordState;
  /** The record as scanned now; absent when the source no longer has it (e.g. moved by an interrupted release). */
  record?: SourceRecord;
  /** How long this holder's leases last without a heartbeat, and how often to look again for a busy record. */
  leaseMs: number;
  pollMs: number;
  onSourceBytes?: (bytes: number) => void;
  signal?: AbortSignal;
}

/**
 * The states an irreversible act follows, committed durably before it: `packaged` (the package is written under
 * the id it reserves) and `archived` (the source is released). Every other state is committed `relaxed` (see
 * `Durability`): lost with the power, the record stands where it stood after its last act, as after a kill there.
 * SQLite then syncs two record commits, and the package's, instead of about nine.
 */
const ACTED_ON: ReadonlySet<RecordState> = new Set(['packaged', 'archived']);

/** The lease on a record went to another worker (this one was too slow or presumed dead): stop touching it. */
export class LeaseLostError extends PreservationError {
  override readonly code = 'E_LEASE';
  constructor(job: string, key: string) {
    super(`[worker] job "${job}" record "${key}": lease lost to another worker; left to it`);
  }
}

/**
 * Moves one claimed record through its states, each durable before the next step starts:
 * discovered → packaged (package id reserved) → archived (package written, every copy read back verified and
 * catalogued) → released (the after-success action). Restarted at any point it goes on from where the catalog
 * says it stands: a reserved package that never reached the catalog has what was stored under its key removed
 * and is written again; one already in the catalog is not written twice. The source is touched only after
 * `archived`.
 */
export async function processRecord(deps: ProcessDeps, input: ProcessInput): Promise<RunItem> {
  const { catalog, now } = deps;
  const { job, claimed, holder } = input;
  const key = claimed.sourceKey;
  const log = deps.logger.child({ job: job.name, record: key, worker: holder });
  let state: RecordState = claimed.state;
  let packageId = claimed.packageId;
  const item = (status: RunItem['status'], message: string, details?: Record<string, unknown>): RunItem => ({
    runId: input.runId,
    subject: key,
    ...(packageId ? { packageId } : {}),
    status,
    message,
    ...(details ? { details } : {}),
  });
  const advance = async (next: RecordState, extra: { packageId?: string; reason?: string } = {}) => {
    const durability = ACTED_ON.has(next) ? 'durable' : 'relaxed';
    if (!(await catalog.advanceRecord(job.name, key, holder, { state: next, ...extra, durability }, now())))
      throw new LeaseLostError(job.name, key);
    log.info(
      { from: state, to: next, packageId: extra.packageId ?? packageId, reason: extra.reason },
      'record state',
    );
    state = next;
  };

  try {
    if (!input.record && state !== 'archived') {
      if (packageId) await removeUncatalogued(deps, input, packageId, log);
      await advance('failed', { reason: 'the record is no longer in the source' });
      return item('failed', 'the record is no longer in the source');
    }
    if (state === 'discovered') {
      packageId = newPackageId(now());
      await advance('packaged', { packageId });
    }
    if (state === 'packaged') {
      const outcome = await storeOnce(deps, input, packageId as string, log);
      if (outcome.status === 'unchanged') {
        packageId = outcome.packageId;
        await advance('unchanged', { packageId, reason: 'unchanged since its last package' });
        return item('skipped', 'unchanged since the last package; nothing written');
      }
      if (outcome.status === 'waiting') {
        await advance('stored', { reason: outcome.reason });
        return item('waiting', `stored, waiting for copies: ${outcome.reason}`, { missing: outcome.reason });
      }
      await advance('archived');
    }
    if (state === 'archived') {
      const subject = { key, entry: input.record?.entry };
      const done = await releaseRecord(
        job.afterSuccess,
        job.source.path,
        subject,
        packageId as string,
        now(),
      );
      await advance('released', { reason: done });
      const copies = await catalog.listCopies({ packageId });
      return item('ok', `archived; source ${done}`, {
        size: (await catalog.getPackage(packageId as string))?.size,
        sourceBytes: input.record?.files.reduce((sum, f) => sum + f.size, 0),
        copies: copies.map((c) => `${c.location}:${c.key}`),
        released: done,
      });
    }
    return item('skipped', `nothing to do in state ${state}`);
  } catch (err) {
    if (err instanceof LeaseLostError) throw err;
    return failRecord(deps, input, err, advance, item, log);
  }
}

type Outcome =
  | { status: 'archived' | 'unchanged'; packageId: string }
  | { status: 'waiting'; reason: string };

/**
 * Writes the record's package under its reserved id, unless the catalog already has it (a crash after). The
 * write happens under the record's write lease, shared by every job and run over the same records: a second run
 * waits for the first and then finds the record unchanged.
 */
async function storeOnce(
  deps: ProcessDeps,
  input: ProcessInput,
  packageId: string,
  log: Logger,
): Promise<Outcome> {
  const { catalog, now } = deps;
  const record = input.record as SourceRecord;
  const lease = LEASES.recordWrite(record.kind, record.key);
  // One process may work on several jobs over the same records (a worker joins every running run): the write
  // lease is held per job, so that two of its own runs never pass it together.
  const writer = recordWriter(input.holder, input.job.name);
  const until = () => new Date(now().getTime() + input.leaseMs);
  // The write lease keeps two runs of this process (or of others on the machine) apart; lost with the power, it
  // was held by processes that died with it: `relaxed`.
  while (!(await catalog.acquireLease(lease, writer, until(), now(), 'relaxed'))) {
    if (input.signal?.aborted) throw new PreservationError('[ingest] stopped while waiting for the record');
    const held = await catalog.leaseHolder(lease);
    if (held && isDeadLocalHolder(held.holder)) {
      await catalog.releaseLease(lease, held.holder);
      continue;
    }
    log.debug({ lease, holder: held?.holder }, 'another run is writing this record; waiting');
    await sleep(input.pollMs, input.signal);
  }
  const heartbeat = setInterval(
    () => void catalog.acquireLease(lease, writer, until(), now(), 'relaxed').catch(() => {}),
    Math.max(250, input.leaseMs / 3),
  );
  try {
    return await storeUnderLease(deps, input, packageId, log);
  } finally {
    clearInterval(heartbeat);
    await catalog.releaseLease(lease, writer, 'relaxed');
  }
}

async function storeUnderLease(
  deps: ProcessDeps,
  input: ProcessInput,
  packageId: string,
  log: Logger,
): Promise<Outcome> {
  const existing = await deps.catalog.getPackage(packageId);
  if (existing) {
    if (existing.state === 'archived') return { status: 'archived', packageId };
    return {
      status: 'waiting',
      reason: 'package stored; copies still missing (the next run completes them)',
    };
  }
  await removeUncatalogued(deps, input, packageId, log);
  const outcome = await ingestRecord(deps, {
    record: input.record as SourceRecord,
    profile: input.profile,
    copies: input.copies,
    runId: input.runId,
    signal: input.signal,
    onSourceBytes: input.onSourceBytes,
    packageId,
  });
  if (outcome.status === 'waiting')
    return {
      status: 'waiting',
      reason: outcome.missing.map((m) => `${m.location}: ${m.message}`).join('; '),
    };
  return { status: outcome.status, packageId: outcome.packageId };
}

/** Who holds a record's write lease: the worker or process, for one job. */
export const recordWriter = (holder: string, job: string) => `${holder}/${job}`;

/**
 * Reserved but never catalogued: whatever an interrupted attempt stored under the package's key is not a package
 * yet, and is removed (the catalog knows the reservation, so this is never an object someone else wrote).
 */
async function removeUncatalogued(
  deps: ProcessDeps,
  input: ProcessInput,
  packageId: string,
  log: Logger,
): Promise<void> {
  if (await deps.catalog.getPackage(packageId)) return;
  const key = packageKey(packageId);
  for (const name of input.copies) {
    const location = deps.locations.get(name);
    // A location that cannot be reached now cannot be looked at: it is left to the write that follows, which
    // keeps the copies it can make (the package then waits as stored, and its completion checks that location).
    const found = await location?.driver.head(key).catch((err: unknown) => {
      if (isTransient(err)) return null;
      throw err;
    });
    if (location && found) {
      await location.driver.delete(key);
      log.warn({ location: name, key }, 'removed an uncatalogued object left by an interrupted attempt');
    }
  }
}

async function failRecord(
  deps: ProcessDeps,
  input: ProcessInput,
  err: unknown,
  advance: (next: RecordState, extra?: { reason?: string }) => Promise<void>,
  item: (status: RunItem['status'], message: string, details?: Record<string, unknown>) => RunItem,
  log: Logger,
): Promise<RunItem> {
  const { job } = input;
  const key = input.claimed.sourceKey;
  const reason = errorMessage(err);
  if (err instanceof ValidationError) {
    let where = 'left in place';
    if (job.quarantine) {
      const stamp = compactTime(deps.now());
      const subject = { key, entry: input.record?.entry };
      where = await quarantineRecord(job.quarantine, job.source.path, subject, stamp).then(
        (to) => `moved to ${to}`,
        (err: unknown) => `left in place: it could not be moved to quarantine (${errorMessage(err)})`,
      );
    }
    await advance('quarantined', { reason: `${reason} (${where})` });
    log.warn({ rule: err.rule, file: err.subject.file, reason }, 'record quarantined');
    return item('rejected', reason, {
      problems: [{ rule: err.rule, file: err.subject.file, message: err.message }],
      quarantine: where,
    });
  }
  if (isTransient(err, input.signal)) {
    if (input.signal?.aborted) throw err;
    await advance('waiting', { reason });
    log.warn({ reason }, 'record waits for a later run');
    return item('waiting', reason, { code: (err as PreservationError).code });
  }
  await advance('failed', { reason });
  log.error({ err: reason }, 'record failed');
  return item('failed', reason, { code: err instanceof PreservationError ? err.code : undefined });
}
