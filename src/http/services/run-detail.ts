/**
 * One run as the console shows it: the CLI's run view (`bevara runs show`), who started it from the console,
 * the files named by each problem, and for a running ingest its progress from its records' states.
 */
import type { AppContext } from '../../app/context.js';
import type { RecordState } from '../../model/job.js';
import { describeRun, type RunProblem, type RunView } from '../../jobs/run-view.js';
import { startedByMarker } from './background.js';

/** States a record ends a run in. */
const FINAL: readonly RecordState[] = ['released', 'unchanged', 'quarantined', 'failed', 'waiting'];

export interface RunProgress {
  /** Records of the run, and of them those that reached an end (released, unchanged, quarantined, failed, waiting). */
  total: number;
  done: number;
  /** Records done per second since the start, and the time left at that rate (unknown before the first). */
  recordsPerSecond: number;
  etaSeconds?: number;
}

export interface RunDetail extends Omit<RunView, 'problems'> {
  startedBy?: string;
  problems: (RunProblem & { files?: string[] })[];
  progress?: RunProgress;
}

export async function runDetail(ctx: AppContext, runId: string): Promise<RunDetail> {
  const now = ctx.now();
  const view = await describeRun(ctx.catalog, runId, now);
  const [startedBy, items] = await Promise.all([
    ctx.catalog.getMarker(startedByMarker(runId)),
    ctx.catalog.listRunItems(runId),
  ]);
  const filesOf = new Map<string, string[]>();
  for (const item of items) {
    const listed = item.details?.problems;
    if (!Array.isArray(listed)) continue;
    const files = listed
      .map((p) => (p as { file?: unknown }).file)
      .filter((f): f is string => typeof f === 'string');
    if (files.length > 0) filesOf.set(item.subject, [...new Set(files)]);
  }
  const problems = view.problems.map((p) => {
    const files = filesOf.get(p.subject);
    return files ? { ...p, files } : p;
  });
  let progress: RunProgress | undefined;
  if (view.kind === 'ingest' && view.recordStates) {
    const states = Object.entries(view.recordStates) as [RecordState, number][];
    const total = states.reduce((n, [, c]) => n + c, 0);
    const done = states.filter(([s]) => FINAL.includes(s)).reduce((n, [, c]) => n + c, 0);
    const seconds = Math.max(view.durationMs / 1000, 0.001);
    const recordsPerSecond = done / seconds;
    progress = {
      total,
      done,
      recordsPerSecond,
      ...(recordsPerSecond > 0 && view.status === 'running'
        ? { etaSeconds: (total - done) / recordsPerSecond }
        : {}),
    };
  }
  return { ...view, ...(startedBy ? { startedBy } : {}), problems, ...(progress ? { progress } : {}) };
}
