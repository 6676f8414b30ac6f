import { createBatchWriter } from '../catalog/batch-writer.js';
import { newRunId } from '../catalog/run-id.js';
import type { RunItem, RunStatus } from '../catalog/types.js';
import { errorMessage, PreservationError, ValidationError } from '../errors.js';
import type { Profile } from '../package/profile.js';
import type { Progress } from '../progress.js';
import type { ReportWriter } from '../reports/write-report.js';
import type { RecordSource, SourceRecord } from '../sources/types.js';
import type { Location } from '../storage/index.js';
import { removeIncompleteUploads } from '../storage/remove-incomplete.js';
import { completeWaitingPackages } from './complete-waiting.js';
import { type IngestDeps, type IngestRecordOutcome, ingestRecord } from './ingest-record.js';
import { isTransient } from './transient.js';

export interface IngestRunOptions {
  source: RecordSource;
  /** Where the source is, for the run record and report. */
  input: string;
  profile: Profile;
  /** Names of the locations that must each hold a verified copy. */
  copies: string[];
  /** Incomplete uploads older than this are removed from the policy's locations at the start. Default 24 h. */
  incompleteUploadsMaxAgeMinutes?: number;
  signal?: AbortSignal;
  /** Called with totals once the source is scanned, then as records and bytes are done. */
  progress?: Progress;
}

export interface IngestRunSummary {
  runId: string;
  status: RunStatus;
  archived: number;
  unchanged: number;
  rejected: number;
  failed: number;
  /** Records whose package waits for copies a location could not take (or that an interruption left undone). */
  waiting: number;
  /** Bytes of source content packaged. */
  bytes: number;
  items: RunItem[];
  reports: string[];
}

/**
 * One ingest run over a source: every record is archived, found unchanged, rejected (bad input, with rule and
 * file) or failed (storage, unexpected error). One record's failure never stops the others; the run ends
 * "completed-with-failures" then. Everything is recorded in the catalog and in a JSON + HTML report.
 */
export async function runIngest(
  deps: IngestDeps & { reports: ReportWriter; locations: Map<string, Location> },
  options: IngestRunOptions,
): Promise<IngestRunSummary> {
  const { catalog, logger, now } = deps;
  const runId = newRunId('ingest', now());
  const startedAt = now();
  await catalog.startRun({
    id: runId,
    kind: 'ingest',
    startedAt,
    status: 'running',
    params: {
      input: options.input,
      source: options.source.kind,
      profile: options.profile.name,
      copies: options.copies,
    },
  });
  const log = logger.child({ runId });
  log.info({ input: options.input, profile: options.profile.name }, 'ingest run started');

  const items: RunItem[] = [];
  const itemWriter = createBatchWriter<RunItem>((batch) => catalog.addRunItems(batch));
  const record = (item: RunItem) => {
    items.push(item);
    return itemWriter.add(item);
  };

  // First, what an interrupted process left: incomplete uploads (never visible as packages, but taking space).
  await removeIncompleteUploads(
    options.copies.flatMap((name) => deps.locations.get(name) ?? []),
    new Date(startedAt.getTime() - (options.incompleteUploadsMaxAgeMinutes ?? 1440) * 60_000),
    log,
  );
  // Then, packages an earlier run left waiting for copies: complete them from a verified copy.
  for (const item of await completeWaitingPackages(deps, {
    copies: options.copies,
    runId,
    signal: options.signal,
  })) {
    if (item.status === 'waiting')
      log.warn({ packageId: item.packageId, reason: item.message }, 'package still waiting');
    await record(item);
  }

  async function* accepted(): AsyncIterable<SourceRecord> {
    for await (const scanned of options.source.scan()) {
      if (scanned.ok) {
        yield scanned.record;
        continue;
      }
      const { rejected } = scanned;
      log.warn({ record: rejected.key, problems: rejected.errors.map((e) => e.message) }, 'record rejected');
      await record({
        runId,
        subject: rejected.key,
        status: 'rejected',
        message: rejected.errors.map((e) => e.message).join('; '),
        details: {
          location: rejected.location,
          problems: rejected.errors.map((e) => ({ rule: e.rule, file: e.subject.file, message: e.message })),
        },
      });
    }
  }
  // Records stream from the scan straight into ingest. Only a progress bar needs totals first: then the scan
  // (names and metadata, no content) completes before the first record is packaged.
  let queue: AsyncIterable<SourceRecord> | SourceRecord[] = accepted();
  if (options.progress) {
    const all: SourceRecord[] = [];
    for await (const r of queue) all.push(r);
    const totalBytes = all.reduce((sum, r) => sum + r.files.reduce((s, f) => s + f.size, 0), 0);
    options.progress.start({ records: all.length, bytes: totalBytes });
    queue = all;
  }

  const iterator =
    (queue as AsyncIterable<SourceRecord>)[Symbol.asyncIterator]?.() ?? (queue as SourceRecord[]).values();
  // Lanes pull one at a time; a pull never overlaps another, so the scan stays sequential.
  let pulling: Promise<SourceRecord | undefined> = Promise.resolve(undefined);
  const pull = () => {
    pulling = pulling.then(async () => {
      const next = await iterator.next();
      return next.done ? undefined : next.value;
    });
    return pulling;
  };

  let bytes = 0;
  const ingestOne = async (sourceRecord: SourceRecord) => {
    const recordBytes = sourceRecord.files.reduce((s, f) => s + f.size, 0);
    let counted = 0;
    try {
      const outcome = await ingestRecord(deps, {
        record: sourceRecord,
        profile: options.profile,
        copies: options.copies,
        runId,
        signal: options.signal,
        onSourceBytes: (n) => {
          counted += n;
          options.progress?.advance({ bytes: n });
        },
      });
      if (outcome.status !== 'unchanged' && outcome.size !== undefined) bytes += recordBytes;
      await record(outcomeItem(runId, sourceRecord.key, outcome));
    } catch (err) {
      const rejected = err instanceof ValidationError;
      const waits = !rejected && isTransient(err, options.signal);
      const message = `record "${sourceRecord.key}": ${errorMessage(err)}`;
      if (waits)
        log.warn({ record: sourceRecord.key, err: errorMessage(err) }, 'record waits for a later run');
      else log.error({ record: sourceRecord.key, err }, rejected ? 'record rejected' : 'record failed');
      await record({
        runId,
        subject: sourceRecord.key,
        status: rejected ? 'rejected' : waits ? 'waiting' : 'failed',
        message,
        details: rejected
          ? {
              location: sourceRecord.location,
              problems: [{ rule: err.rule, file: err.subject.file, message: err.message }],
            }
          : {
              location: sourceRecord.location,
              code: err instanceof PreservationError ? err.code : undefined,
            },
      });
    }
    options.progress?.advance({ records: 1, bytes: Math.max(0, recordBytes - counted) });
  };
  // Twice as many records in flight as the writer has workers: while one lane commits to the catalog and scans
  // its next record, another's request already waits for the worker. Catalog writes stay on this thread.
  const lanes = Array.from({ length: deps.writer.concurrency * 2 }, async () => {
    for (let next = await pull(); next && !options.signal?.aborted; next = await pull())
      await ingestOne(next);
  });
  await Promise.all(lanes);
  options.progress?.stop();

  const count = (status: RunItem['status']) => items.filter((i) => i.status === status).length;
  const summary = {
    archived: count('ok'),
    unchanged: count('skipped'),
    rejected: count('rejected'),
    failed: count('failed'),
    waiting: count('waiting'),
    bytes,
    interrupted: options.signal?.aborted ?? false,
  };
  const status: RunStatus =
    summary.rejected + summary.failed + summary.waiting > 0 || summary.interrupted
      ? 'completed-with-failures'
      : 'succeeded';
  const finishedAt = now();
  const run = {
    id: runId,
    kind: 'ingest' as const,
    startedAt,
    finishedAt,
    status,
    params: { input: options.input, profile: options.profile.name },
    summary,
  };
  await itemWriter.flush();
  const reports = await deps.reports.write(run, items);
  await catalog.finishRun(runId, status, finishedAt, summary, reports);
  log.info({ ...summary, status, reports }, 'ingest run finished');
  return { runId, status, ...summary, items, reports };
}

function outcomeItem(runId: string, subject: string, outcome: IngestRecordOutcome): RunItem {
  const base = { runId, subject, packageId: outcome.packageId };
  switch (outcome.status) {
    case 'archived':
      return {
        ...base,
        status: 'ok',
        message: 'archived',
        details: { size: outcome.size, files: outcome.fileCount, predecessor: outcome.predecessorId },
      };
    case 'unchanged':
      return { ...base, status: 'skipped', message: 'unchanged since the last package; nothing written' };
    case 'waiting':
      return {
        ...base,
        status: 'waiting',
        message: `stored, waiting for copies: ${outcome.missing.map((m) => `${m.location} (${m.message})`).join('; ')}`,
        details: { size: outcome.size, files: outcome.fileCount, missing: outcome.missing },
      };
  }
}
