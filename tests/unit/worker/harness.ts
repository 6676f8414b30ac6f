/** In-process workers on a fake clock and a real SQLite catalog file: no child process, no service. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteCatalog } from '../../../src/catalog/sqlite.js';
import type { Catalog, JobRecord, RunRecord, RunStatus } from '../../../src/catalog/types.js';
import type { Config } from '../../../src/config/schema.js';
import { startJobRun, type WorkOptions } from '../../../src/ingest/job-run.js';
import { createLogger } from '../../../src/logger.js';
import type { Profile } from '../../../src/package/profile.js';
import type { RunFunctions } from '../../../src/worker/executor.js';
import { runWorker, type WorkerDeps, type WorkerOptions } from '../../../src/worker/worker.js';
import type { FakeClock } from './fake-clock.js';

export const STOCKHOLM = 'Europe/Stockholm';

export const localTime = (t: Date | string) =>
  new Date(t).toLocaleString('sv-SE', { timeZone: STOCKHOLM, hourCycle: 'h23' });

export function makeJob(name: string, over: Partial<JobRecord> = {}): JobRecord {
  return {
    name,
    source: { kind: 'folder', path: `/exports/${name}` },
    profile: 'eark-aip',
    schedule: { cron: '0 2 * * *', timezone: STOCKHOLM },
    afterSuccess: { action: 'leave' },
    enabled: true,
    origin: 'cli',
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    ...over,
  };
}

/** A temp folder with a catalog file that several connections (workers) share; `close` removes it all. */
export async function sharedCatalogFile(): Promise<{
  dir: string;
  open(): Promise<Catalog>;
  close(): Promise<void>;
}> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-worker-unit-'));
  const opened: Catalog[] = [];
  return {
    dir,
    async open() {
      const catalog = createSqliteCatalog({ path: path.join(dir, 'catalog.sqlite') });
      await catalog.migrate();
      opened.push(catalog);
      return catalog;
    },
    async close() {
      for (const c of opened) await c.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type LogLine = { msg: string; level: number } & Record<string, unknown>;

export interface WorkCall {
  worker: string;
  runId: string;
  job: string;
  signal?: AbortSignal;
}

export interface TestWorkerOptions {
  id: string;
  catalog: Catalog;
  clock: FakeClock;
  once?: boolean;
  graceMs?: number;
  healthFile?: string;
  auditSchedule?: string;
  /** Replaces the stand-in work on a run (default: closes the run as succeeded at once). */
  workOn?: (run: RunRecord, job: JobRecord, options: WorkOptions) => Promise<RunStatus | 'in-progress'>;
  audit?: WorkerDeps['audit'];
}

export interface TestWorker {
  /** runWorker's exit code, once it returns. */
  done: Promise<number>;
  stop(): void;
  logs: LogLine[];
  /** Every start asked for: the firing's slot and whether this worker started the run. */
  starts: { job: string; slot: string; started: boolean }[];
  works: WorkCall[];
}

/**
 * Starts `runWorker` in this process: the real start of job runs (the firing's lease in the catalog) and a stand-in
 * for the work on a run, so that scheduling, fire-once, health and stop are tested without sources or storage.
 */
export function startTestWorker(options: TestWorkerOptions): TestWorker {
  const { catalog, clock } = options;
  const logs: LogLine[] = [];
  const logger = createLogger({
    level: 'debug',
    format: 'json',
    sink: { write: (line: string) => void logs.push(JSON.parse(line)) },
  });
  const stop = new AbortController();
  const starts: TestWorker['starts'] = [];
  const works: WorkCall[] = [];
  const deps = {
    catalog,
    logger,
    now: clock.now,
    clock,
    config: { audit: { schedule: options.auditSchedule, timezone: STOCKHOLM } } as unknown as Config,
    agent: { name: 'bevara', version: 'test' },
    locations: new Map(),
    profile: () => ({ name: 'eark-aip' }) as Profile,
    copyPolicy: () => [],
    syncJobs: async () => {},
    audit: options.audit ?? (async () => true),
  } as unknown as WorkerDeps;
  const closeRun = async (run: RunRecord): Promise<RunStatus> => {
    if ((await catalog.getRun(run.id))?.status === 'running')
      await catalog.finishRun(run.id, 'succeeded', clock.now(), {});
    return 'succeeded';
  };
  const runs: RunFunctions = {
    async start(job, holder, slot) {
      const run = await startJobRun(deps, job, holder, slot);
      starts.push({ job: job.name, slot, started: run !== null });
      return run;
    },
    workOn(run, job, work) {
      works.push({ worker: options.id, runId: run.id, job: job.name, signal: work.signal });
      return (options.workOn ?? closeRun)(run, job, work);
    },
  };
  const workerOptions: WorkerOptions = {
    id: options.id,
    once: options.once ?? false,
    pollMs: 5,
    leaseMs: 1000,
    graceMs: options.graceMs ?? 2000,
    healthFile: options.healthFile,
    signal: stop.signal,
  };
  return {
    done: runWorker({ ...deps, runs }, workerOptions),
    stop: () => stop.abort(),
    logs,
    starts,
    works,
  };
}
