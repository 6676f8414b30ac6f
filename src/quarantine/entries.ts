/**
 * The quarantine: records an ingest run refused (state `quarantined`) that no operator has decided on yet. A
 * refused record is either moved to its job's quarantine folder (`<quarantine>/<name>.<stamp>`, `.zip` kept last)
 * or left in place in the source inbox; a refused E-ARK SIP also has a copy with its validation report in
 * `<dataDir>/quarantine/<key>/`. Each refusal is one entry, named by a short id derived from job, record and run,
 * so the same record refused again by a later run is a new entry.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Catalog } from '../catalog/types.js';
import type { JobRecord, JobRecordState } from '../model/job.js';
import type { RunItem } from '../model/run.js';
import { safeName } from '../sources/disposition.js';

/** A rule broken by the record, as ingest reported it. */
export interface QuarantineProblem {
  rule: string;
  file?: string;
  message: string;
}

/** Where the refused record is now. */
export type QuarantinePlace =
  /** Moved into the job's quarantine folder: `path` is the moved file or folder. */
  | { kind: 'moved'; path: string }
  /** Left in the source inbox (no quarantine folder, or moving it failed): `path` is the source folder. */
  | { kind: 'in-place'; path: string };

export interface QuarantineEntry {
  /** 12 hex digits: SHA-256 of job, record key and run id. */
  id: string;
  job: string;
  sourceKind: JobRecord['source']['kind'] | 'unknown';
  /** The record's key in its source (its folder or file name, decoded). */
  record: string;
  /** The run that refused it. */
  runId: string;
  quarantinedAt: Date;
  /** Why, as the run recorded it (every problem, and where the record went). */
  reason: string;
  problems: QuarantineProblem[];
  place: QuarantinePlace;
  /** The job's source folder (its inbox), where a release gives the record back; absent when the job is gone. */
  sourceRoot?: string;
  /** `<dataDir>/quarantine/<key>` for a refused E-ARK SIP: its copy and validation report. */
  sipCopy?: string;
  /** Reports of the run that refused it (JSON, HTML). */
  reports: string[];
}

/** What an operator decided on an entry, kept as the catalog marker `quarantine-decision:<id>`. */
export interface QuarantineDecisionRecord {
  decision: 'release' | 'discard';
  by: string;
  reason: string;
  at: string;
  /** The run that records the decision, with its report. */
  runId: string;
  /** What was done, in words. */
  outcome: string;
}

export const decisionMarker = (id: string) => `quarantine-decision:${id}`;

export const quarantineId = (job: string, record: string, runId: string) =>
  createHash('sha256').update(`${job}\u0000${record}\u0000${runId}`).digest('hex').slice(0, 12);

/** Catalog reads the quarantine needs. */
export type QuarantineCatalog = Pick<
  Catalog,
  'listRecordStates' | 'listRunItems' | 'getRun' | 'getJob' | 'getMarker'
>;

export interface QuarantineReadDeps {
  catalog: QuarantineCatalog;
  /** The data folder (`<dataDir>/quarantine` holds refused SIPs' copies). */
  dataDir: string;
}

/** Entries not yet released or discarded, newest first; `job` narrows to one job. */
export async function listQuarantine(
  deps: QuarantineReadDeps,
  filter: { job?: string } = {},
): Promise<QuarantineEntry[]> {
  const states = await deps.catalog.listRecordStates({
    state: 'quarantined',
    ...(filter.job ? { job: filter.job } : {}),
  });
  const items = new Map<string, Promise<RunItem[]>>();
  const jobs = new Map<string, Promise<JobRecord | null>>();
  const entries: QuarantineEntry[] = [];
  for (const state of states) {
    const id = quarantineId(state.job, state.sourceKey, state.runId);
    if (await deps.catalog.getMarker(decisionMarker(id))) continue;
    if (!items.has(state.runId)) items.set(state.runId, deps.catalog.listRunItems(state.runId));
    if (!jobs.has(state.job)) jobs.set(state.job, deps.catalog.getJob(state.job));
    const run = await deps.catalog.getRun(state.runId);
    entries.push(
      toEntry(deps, id, state, (await items.get(state.runId)) ?? [], await jobs.get(state.job), run?.reports),
    );
  }
  return entries.sort((a, b) => b.quarantinedAt.getTime() - a.quarantinedAt.getTime() || cmp(a.id, b.id));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One entry by id, with its decision when one was made; null when no quarantined record has that id. */
export async function findQuarantined(
  deps: QuarantineReadDeps,
  id: string,
): Promise<{ entry: QuarantineEntry; decision?: QuarantineDecisionRecord } | null> {
  if (!/^[0-9a-f]{12}$/.test(id)) return null;
  for (const state of await deps.catalog.listRecordStates({ state: 'quarantined' })) {
    if (quarantineId(state.job, state.sourceKey, state.runId) !== id) continue;
    const [items, job, run, marker] = await Promise.all([
      deps.catalog.listRunItems(state.runId),
      deps.catalog.getJob(state.job),
      deps.catalog.getRun(state.runId),
      deps.catalog.getMarker(decisionMarker(id)),
    ]);
    const entry = toEntry(deps, id, state, items, job, run?.reports);
    return marker ? { entry, decision: JSON.parse(marker) as QuarantineDecisionRecord } : { entry };
  }
  return null;
}

function toEntry(
  deps: QuarantineReadDeps,
  id: string,
  state: JobRecordState,
  items: RunItem[],
  job: JobRecord | null | undefined,
  reports: string[] | undefined,
): QuarantineEntry {
  const item = items.find((i) => i.subject === state.sourceKey && i.status === 'rejected');
  const moved =
    typeof item?.details?.quarantine === 'string'
      ? /^moved to (.+)$/s.exec(item.details.quarantine)
      : / \(moved to (.+)\)$/s.exec(state.reason ?? '');
  const place: QuarantinePlace = moved?.[1]
    ? { kind: 'moved', path: moved[1] }
    : { kind: 'in-place', path: job?.source.path ?? '' };
  const sourceKind = job?.source.kind ?? 'unknown';
  return {
    id,
    job: state.job,
    sourceKind,
    record: state.sourceKey,
    runId: state.runId,
    quarantinedAt: state.updatedAt,
    reason: state.reason ?? item?.message ?? '',
    problems: problemsOf(item),
    place,
    ...(job ? { sourceRoot: job.source.path } : {}),
    ...(sourceKind === 'eark-sip'
      ? { sipCopy: path.join(path.resolve(deps.dataDir), 'quarantine', safeName(state.sourceKey)) }
      : {}),
    reports: reports ?? [],
  };
}

function problemsOf(item: RunItem | undefined): QuarantineProblem[] {
  const list = item?.details?.problems;
  if (!Array.isArray(list)) return [];
  return list.map((p: Record<string, unknown>) => ({
    rule: String(p.rule ?? 'unknown'),
    ...(typeof p.file === 'string' ? { file: p.file } : {}),
    message: String(p.message ?? ''),
  }));
}
