/**
 * What an archivist needs to know about one run without reading logs: what it worked on, what came of each
 * record (or copy), why the ones that need attention do, and where the packages went. Read from the catalog only.
 */
import type { Catalog } from '../catalog/types.js';
import type { RecordState } from '../model/job.js';
import type { CopyStatus } from '../model/package.js';
import type { RunItem, RunKind, RunRecord, RunStatus } from '../model/run.js';
import { NotFoundError } from '../errors.js';
import { runDuration } from './describe.js';

/** One record (ingest) or copy (audit) that needs attention. */
export interface RunProblem {
  subject: string;
  /** rejected | quarantined | failed | waiting (ingest); failed | orphan | repaired (audit). */
  status: string;
  reason: string;
  /** Rules broken, when the source or validation named them (e.g. `empty-record`). */
  rules?: string[];
  packageId?: string;
}

/** An archived record's package and its copies. */
export interface RunPackage {
  subject: string;
  packageId: string;
  copies: { location: string; key: string; status: CopyStatus }[];
}

export interface RunView {
  id: string;
  kind: RunKind;
  status: RunStatus;
  /** The job that ran, when it was one (`bevara ingest` by hand has none). */
  job?: string;
  source?: { kind: string; path: string };
  profile?: string;
  startedAt: Date;
  finishedAt?: Date;
  /** To the finish, or to now for a run still going. */
  durationMs: number;
  /**
   * Ingest: archived, unchanged, rejected (quarantined included), failed, waiting. Audit: the summary's counts
   * (copies, verified, failed, missing, repaired, damaged, orphans, deferred, files).
   */
  counts: Record<string, number>;
  /** Ingest: bytes of source content packaged. Audit: bytes read. */
  bytes?: number;
  problems: RunProblem[];
  /** Ingest: every record archived in this run, with where its copies are. Audit: empty. */
  packages: RunPackage[];
  /** Job runs: the run's records by state in the job's record table. */
  recordStates?: Partial<Record<RecordState, number>>;
  /** Audit: what was audited (package, location, all). */
  params: Record<string, unknown>;
  reports: string[];
}

const INGEST_COUNTS: [string, RunItem['status'] | undefined][] = [
  ['archived', 'ok'],
  ['unchanged', 'skipped'],
  ['rejected', 'rejected'],
  ['failed', 'failed'],
  ['waiting', 'waiting'],
];

/** The view of one run. Throws `NotFoundError` when the catalog has no such run. */
export async function describeRun(catalog: Catalog, runId: string, now: Date): Promise<RunView> {
  const run = await catalog.getRun(runId);
  if (!run) throw new NotFoundError(`[runs] run "${runId}" is not in the catalog (see bevara runs list)`);
  const items = await catalog.listRunItems(run.id);
  const job = typeof run.params.job === 'string' ? run.params.job : undefined;
  const summary = run.summary ?? {};
  const base = {
    id: run.id,
    kind: run.kind,
    status: run.status,
    ...(job ? { job } : {}),
    startedAt: run.startedAt,
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    durationMs: runDuration(run, now),
    ...(typeof summary.bytes === 'number' ? { bytes: summary.bytes } : {}),
    params: run.params,
    reports: run.reports ?? [],
  };
  if (run.kind === 'audit') {
    const counts = Object.fromEntries(
      Object.entries(summary).filter(
        (e): e is [string, number] => typeof e[1] === 'number' && e[0] !== 'bytes' && e[0] !== 'durationMs',
      ),
    );
    const problems = items.filter((i) => i.status !== 'ok').map(problemOf);
    return { ...base, counts, problems, packages: [] };
  }

  const counts: Record<string, number> = {};
  for (const [name, status] of INGEST_COUNTS) {
    const fromSummary = summary[name] ?? (name === 'rejected' ? summary.quarantined : undefined);
    counts[name] =
      typeof fromSummary === 'number' ? fromSummary : items.filter((i) => i.status === status).length;
  }
  const problems = items.filter((i) => ['rejected', 'failed', 'waiting'].includes(i.status)).map(problemOf);
  let recordStates: RunView['recordStates'];
  if (job) {
    recordStates = await catalog.countRecordStates(run.id);
    // Records the job's table holds as stopped in this run but that no run item tells of.
    const told = new Set(problems.map((p) => p.subject));
    for (const state of ['quarantined', 'failed', 'waiting'] as const) {
      for (const r of await catalog.listRecordStates({ runId: run.id, state })) {
        if (told.has(r.sourceKey)) continue;
        problems.push({
          subject: r.sourceKey,
          status: state,
          reason: r.reason ?? '(no reason recorded)',
          ...(r.packageId ? { packageId: r.packageId } : {}),
        });
      }
    }
  }
  const packages: RunPackage[] = [];
  for (const item of items) {
    if (item.status !== 'ok' || !item.packageId) continue;
    const copies = await catalog.listCopies({ packageId: item.packageId });
    packages.push({
      subject: item.subject,
      packageId: item.packageId,
      copies: copies.map((c) => ({ location: c.location, key: c.key, status: c.status })),
    });
  }
  return {
    ...base,
    ...(await sourceOf(catalog, run, job)),
    counts,
    problems,
    packages,
    ...(recordStates ? { recordStates } : {}),
  };
}

function problemOf(item: RunItem): RunProblem {
  const listed = item.details?.problems;
  const rules = Array.isArray(listed)
    ? listed.map((p) => (p as { rule?: unknown }).rule).filter((r): r is string => typeof r === 'string')
    : [];
  return {
    subject: item.subject,
    status: item.status,
    reason: item.message ?? '(no reason recorded)',
    ...(rules.length > 0 ? { rules: [...new Set(rules)] } : {}),
    ...(item.packageId ? { packageId: item.packageId } : {}),
  };
}

/** Source and profile as the run recorded them; for a job run that did not, the job's current definition. */
async function sourceOf(
  catalog: Catalog,
  run: RunRecord,
  job: string | undefined,
): Promise<Pick<RunView, 'source' | 'profile'>> {
  const { params } = run;
  let source: RunView['source'];
  const given = params.source as unknown;
  if (given && typeof given === 'object' && 'kind' in given && 'path' in given) {
    source = { kind: String(given.kind), path: String(given.path) };
  } else if (typeof params.input === 'string') {
    source = { kind: typeof given === 'string' ? given : 'folder', path: params.input };
  }
  let profile = typeof params.profile === 'string' ? params.profile : undefined;
  if (job && (!source || !profile)) {
    const definition = await catalog.getJob(job);
    source ??= definition?.source;
    profile ??= definition?.profile;
  }
  return { ...(source ? { source } : {}), ...(profile ? { profile } : {}) };
}
