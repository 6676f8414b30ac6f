/**
 * Many workers on one PostgreSQL catalog and one store, through the built binary: three `bevara worker` processes
 * share one config file (catalog on PostgreSQL, one fs location, a job firing every 3 s over a folder of 2,000
 * tiny records, moved away once archived) and ingest the corpus together. w2 is killed with SIGKILL in the middle
 * of an upload and not started again until the run is over: w1 and w3 must take its records over once its leases
 * run out. Then the same job on 300 records is timed with 1 and with 3 workers (printed, not asserted).
 * This file works in its own database on the test cluster, each scenario in its own schema.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bevaraAsync, type CliResult, tempDir } from './helpers.js';

const JOB = 'corpus';
const SETTINGS = { pollSeconds: 0.2, leaseSeconds: 3, graceSeconds: 5 };
const serverUrl = inject('postgres');
const database = `bevara_workers_${randomBytes(6).toString('hex')}`;
let admin: pg.Pool;
let db: pg.Pool;
let work: string;
const lives: WorkerLife[] = [];

interface LogEntry {
  msg?: string;
  record?: string;
  to?: string;
  [key: string]: unknown;
}

/** One life of a `bevara worker` process, its JSON log lines parsed as they come. */
interface WorkerLife {
  id: string;
  child: ChildProcess;
  done: Promise<CliResult>;
  entries: LogEntry[];
  /** Records this life moved to `released`. */
  released: string[];
  onEntry?: (entry: LogEntry) => void;
}

interface Scenario {
  schema: string;
  exports: string;
  done: string;
  data: string;
  store: string;
  config: string;
  keys: string[];
}

interface RunRow {
  id: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  summary_json: string | null;
}

beforeAll(async () => {
  admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
  await admin.query(`CREATE DATABASE ${database}`);
  db = new pg.Pool({ connectionString: urlOf(), max: 2 });
  // A connection still closing after `end()` is terminated by DROP DATABASE … WITH (FORCE): not a failure.
  for (const pool of [admin, db]) pool.on('error', () => {});
  work = tempDir('workers-pg');
});

afterAll(async () => {
  for (const life of lives)
    if (life.child.exitCode === null && life.child.signalCode === null) life.child.kill('SIGKILL');
  await Promise.all(lives.map((l) => l.done));
  await db?.end();
  await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin?.end();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function urlOf(schema?: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  if (schema) url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/** A schema, a folder of `count` records (one or two small text files each) and the one config file. */
async function scenario(name: string, count: number, cron = '*/3 * * * * *'): Promise<Scenario> {
  const dir = path.join(work, name);
  const s: Scenario = {
    schema: `s_${name}`,
    exports: path.join(dir, 'exports'),
    done: path.join(dir, 'done'),
    data: path.join(dir, 'data'),
    store: path.join(dir, 'store'),
    config: path.join(dir, 'bevara.config.json'),
    keys: [],
  };
  await db.query(`CREATE SCHEMA ${s.schema}`);
  for (let i = 0; i < count; i++) {
    const key = `ärende-${String(i).padStart(4, '0')}`;
    fs.mkdirSync(path.join(s.exports, key), { recursive: true });
    fs.writeFileSync(path.join(s.exports, key, 'beslut.txt'), `Beslut i ärende ${i}\n`);
    if (i % 2 === 0) fs.writeFileSync(path.join(s.exports, key, 'bilaga.txt'), `Bilaga ${i}\n`);
    s.keys.push(key);
  }
  const config = {
    dataDir: s.data,
    log: { level: 'info', format: 'json' },
    catalog: { driver: 'postgres', url: urlOf(s.schema) },
    locations: { shared: { driver: 'fs', root: s.store } },
    copies: ['shared'],
    ingest: { workers: 1 },
    audit: { workers: 1 },
    worker: SETTINGS,
    jobs: {
      [JOB]: {
        source: `folder:${s.exports}`,
        cron,
        timezone: 'UTC',
        afterSuccess: `move:${s.done}`,
      },
    },
  };
  fs.writeFileSync(s.config, JSON.stringify(config, null, 2));
  return s;
}

function startWorker(s: Scenario, id: string): WorkerLife {
  const { child, done } = bevaraAsync(s.data, ['-c', s.config, 'worker', '--id', id]);
  const life: WorkerLife = { id, child, done, entries: [], released: [] };
  lives.push(life);
  let buffer = '';
  child.stderr?.on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      let entry: LogEntry;
      try {
        entry = JSON.parse(line) as LogEntry;
      } catch {
        continue;
      }
      life.entries.push(entry);
      if (entry.msg === 'record state' && entry.to === 'released') life.released.push(String(entry.record));
      life.onEntry?.(entry);
    }
  });
  return life;
}

/** SIGTERM, and how long the worker took to exit. */
async function stop(life: WorkerLife): Promise<{ id: string; code: number; ms: number; stderr: string }> {
  const t = Date.now();
  life.child.kill('SIGTERM');
  const { code, stderr } = await life.done;
  return { id: life.id, code, ms: Date.now() - t, stderr };
}

const sorted = (keys: Iterable<string>) => [...keys].sort();

/** Polls `probe` until it gives a value; fails early when one of `alive` exits. */
async function until<T>(
  what: string,
  timeoutMs: number,
  alive: WorkerLife[],
  probe: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const dead = alive.find((l) => l.child.exitCode !== null || l.child.signalCode !== null);
    if (dead)
      throw new Error(
        `worker ${dead.id} exited while waiting for ${what}: ${(await dead.done).stderr.slice(-2000)}`,
      );
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

async function runs(s: Scenario): Promise<RunRow[]> {
  try {
    const { rows } = await db.query<RunRow>(
      `SELECT id, status, started_at, finished_at, summary_json FROM ${s.schema}.runs
       WHERE kind = 'ingest' ORDER BY started_at`,
    );
    return rows;
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return []; // no worker has migrated the schema yet
    throw err;
  }
}

/** Waits until the job's first run is over: the run (and when it started, after the workers were spawned). */
const firstRunDone = (s: Scenario, alive: WorkerLife[], timeoutMs: number) =>
  until('the first run to finish', timeoutMs, alive, async () => {
    const [first] = await runs(s);
    return first && first.status !== 'running' ? first : undefined;
  });

async function cli(s: Scenario, args: string[]): Promise<CliResult> {
  return bevaraAsync(s.data, ['-c', s.config, '--json', ...args]).done;
}

describe('three workers on one PostgreSQL catalog and one store', () => {
  it('ingest 2,000 records together: each once, every worker worked, a SIGKILLed worker loses nothing', async () => {
    const s = await scenario('main', 2000);
    const spawned = Date.now();
    const w1 = startWorker(s, 'w1');
    const w2 = startWorker(s, 'w2');
    const w3 = startWorker(s, 'w3');

    // Once every worker has released records, w2 is killed right after it reserves a package (mid-upload).
    await until('every worker releasing records', 120_000, [w1, w2, w3], () =>
      [w1, w2, w3].every((w) => w.released.length >= 20) ? true : undefined,
    );
    let killedAt: string | undefined;
    w2.onEntry = (e) => {
      if (e.msg !== 'record state' || e.to !== 'packaged') return;
      w2.child.kill('SIGKILL');
      w2.onEntry = undefined;
      killedAt = String(e.record);
    };
    const midUpload = await until('w2 to start an upload', 60_000, [w1, w3], () => killedAt);
    expect((await w2.done).code).toBe(128);
    const releasedAtKill = [w1, w2, w3].reduce((n, w) => n + w.released.length, 0);
    // What w2 had logged as moved on but not released: left to the others once its leases (3 s) run out.
    const lastState = new Map<string, string>();
    for (const e of w2.entries) if (e.msg === 'record state') lastState.set(String(e.record), String(e.to));
    const inFlight = [...lastState].filter(([, state]) => state !== 'released').map(([key]) => key);
    expect(inFlight).toContain(midUpload);

    const first = await firstRunDone(s, [w1, w3], 240_000);
    const wallMs = Date.now() - spawned;
    // A later firing starts a run of its own, which finds nothing left in the source.
    await until('a later firing to run', 30_000, [w1, w3], async () => {
      const all = await runs(s);
      return all.length >= 2 && all.every((r) => r.status !== 'running') ? all : undefined;
    });
    // w2 again under the same id after the run: it starts, joins what is running, and stops cleanly.
    const w2again = startWorker(s, 'w2');
    await until('w2 restarted', 30_000, [w1, w3, w2again], () =>
      w2again.entries.some((e) => e.msg === 'job scheduled') ? true : undefined,
    );
    // SIGTERM: each exits with 0 within the grace period (plus a little for the process itself).
    for (const st of await Promise.all([w1, w3, w2again].map(stop))) {
      expect(st.code, `${st.id}: ${st.stderr.slice(-2000)}`).toBe(0);
      expect(st.ms, `${st.id} stop time`).toBeLessThan(SETTINGS.graceSeconds * 1000 + 2000);
    }

    // Runs: one at a time, the first did all 2,000, later ones nothing; firings during the first were refused.
    const allRuns = await runs(s);
    const overlapping = allRuns.slice(1).filter((r, i) => r.started_at < (allRuns[i]?.finished_at ?? '~'));
    expect(overlapping).toEqual([]);
    expect(allRuns[0]?.id).toBe(first.id);
    for (const later of allRuns.slice(1))
      expect(JSON.parse(later.summary_json ?? '{}')).toMatchObject({ archived: 0, records: {} });
    const refused = [w1, w2, w3]
      .flatMap((w) => w.entries)
      .filter((e) => /not started again/.test(e.msg ?? ''));
    expect(refused.length).toBeGreaterThan(0);
    const summary = JSON.parse(first.summary_json ?? '{}');
    expect(summary).toMatchObject({ failed: 0, waiting: 0, rejected: 0, records: { released: 2000 } });
    // Soft: a finisher can count the run items before the last record's item is written (see the report).
    expect.soft(summary.archived, 'summary.archived of the first run').toBe(2000);

    // The catalog: one archived package per source key, every record released in the first run, one item each.
    const perKey = await db.query<{ source_key: string; n: number; archived: number }>(
      `SELECT source_key, count(*)::int AS n, count(*) FILTER (WHERE state = 'archived')::int AS archived
       FROM ${s.schema}.packages GROUP BY source_key ORDER BY source_key COLLATE "C"`,
    );
    expect(perKey.rows.map((r) => r.source_key)).toEqual(sorted(s.keys));
    expect(perKey.rows.filter((r) => r.n !== 1 || r.archived !== 1)).toEqual([]);
    const records = await db.query<{ state: string; run_id: string; n: number }>(
      `SELECT state, run_id, count(*)::int AS n FROM ${s.schema}.job_records WHERE job = $1 GROUP BY 1, 2`,
      [JOB],
    );
    expect(records.rows).toEqual([{ state: 'released', run_id: first.id, n: 2000 }]);
    const taken = await db.query<{ attempts: number; holder: string | null; package_id: string }>(
      `SELECT attempts, holder, package_id FROM ${s.schema}.job_records WHERE job = $1 AND source_key = $2`,
      [JOB, midUpload],
    );
    // Claimed by w2, then by another worker once w2's lease ran out.
    expect(taken.rows[0]).toMatchObject({ attempts: expect.any(Number), holder: null });
    expect(taken.rows[0]?.attempts).toBeGreaterThanOrEqual(2);
    const items = await db.query<{ n: number; subjects: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT subject)::int AS subjects FROM ${s.schema}.run_items
       WHERE run_id = $1 AND status = 'ok'`,
      [first.id],
    );
    expect.soft(items.rows[0], 'run items of the first run').toEqual({ n: 2000, subjects: 2000 });

    // The logs: every record released exactly once, by some worker; w2's records in flight by w1 or w3.
    const releasedBy = new Map<string, string[]>();
    for (const w of [w1, w2, w3, w2again])
      for (const key of w.released) releasedBy.set(key, [...(releasedBy.get(key) ?? []), w.id]);
    // The catalog above says every record was released; the logs must agree, except for the last line or two
    // of the SIGKILLed w2, which pino may not have flushed before the kill (its states are durable, its logs not).
    const unlogged = s.keys.filter((key) => !releasedBy.has(key));
    expect(unlogged.length, `releases missing from the logs: ${unlogged.join(', ')}`).toBeLessThanOrEqual(2);
    expect(sorted([...releasedBy.keys(), ...unlogged])).toEqual(sorted(s.keys));
    expect([...releasedBy].filter(([, by]) => by.length !== 1)).toEqual([]);
    for (const w of [w1, w2, w3]) expect(w.released.length, `records released by ${w.id}`).toBeGreaterThan(0);
    for (const key of inFlight) expect(['w1', 'w3']).toContain(releasedBy.get(key)?.[0]);

    // The files: every record moved once, whole; nothing left in the source.
    expect(fs.readdirSync(s.exports)).toEqual([]);
    expect(sorted(fs.readdirSync(s.done))).toEqual(sorted(s.keys));
    for (const [i, key] of s.keys.entries())
      expect(fs.readFileSync(path.join(s.done, key, 'beslut.txt'), 'utf8')).toBe(`Beslut i ärende ${i}\n`);

    // The CLI's view, all at once: runs, packages, the one taken over mid-upload, a full audit without orphans.
    const [listed, shown, ls, show, audit] = await Promise.all([
      cli(s, ['runs', 'list', '--job', JOB]),
      cli(s, ['runs', 'show', first.id]),
      cli(s, ['ls']),
      cli(s, ['show', taken.rows[0]?.package_id ?? '']),
      cli(s, ['audit', '--all']),
    ]);
    const rows = JSON.parse(listed.stdout) as {
      id: string;
      status: string;
      count: number;
      problems: number;
    }[];
    expect(rows.at(-1)).toMatchObject({ id: first.id, status: 'succeeded', count: 2000, problems: 0 });
    expect.soft(JSON.parse(shown.stdout).counts, '`runs show` counts').toMatchObject({ archived: 2000 });
    const packages = JSON.parse(ls.stdout) as { id: string; state: string }[];
    expect(packages).toHaveLength(2000);
    expect(packages.filter((p) => p.state !== 'archived')).toEqual([]);
    const shownPackage = JSON.parse(show.stdout);
    expect(shownPackage.package).toMatchObject({ sourceKey: midUpload, state: 'archived' });
    expect(shownPackage.copies).toMatchObject([{ location: 'shared' }]);
    expect(JSON.parse(audit.stdout)).toMatchObject({
      copies: 2000,
      verified: 2000,
      failed: 0,
      missing: 0,
      orphans: 0,
    });
    expect(audit.code).toBe(0);

    const tmp = path.join(s.store, '.tmp');
    const leftovers = fs.existsSync(tmp) ? fs.readdirSync(tmp).length : 0;
    console.log(
      `3 workers, 2,000 records; w2 SIGKILLed after ${releasedAtKill} released, mid-upload of ${midUpload} ` +
        `(${inFlight.length} in flight): run ${(summary.durationMs / 1000).toFixed(1)} s, ` +
        `${(2000 / (summary.durationMs / 1000)).toFixed(1)} records/s, wall from spawn ${(wallMs / 1000).toFixed(1)} s; ` +
        `released by w1 ${w1.released.length}, w2 ${w2.released.length}, w3 ${w3.released.length}; ` +
        `${refused.length} firings refused while running; temp files left in the store: ${leftovers}`,
    );
  }, 320_000);

  it('times 300 records with 1 worker and with 3 (printed, not asserted)', async () => {
    const figures: string[] = [];
    for (const count of [1, 3]) {
      // Fired every second: the figures are the run's own duration, from its start to its finish.
      const s = await scenario(`bench${count}`, 300, '* * * * * *');
      const spawned = Date.now();
      const workers = Array.from({ length: count }, (_, i) => startWorker(s, `b${count}-w${i + 1}`));
      const run = await firstRunDone(s, workers, 120_000);
      const wallMs = Date.now() - spawned;
      for (const st of await Promise.all(workers.map(stop))) expect(st.code, st.stderr.slice(-2000)).toBe(0);
      const summary = JSON.parse(run.summary_json ?? '{}');
      expect(summary).toMatchObject({ failed: 0, waiting: 0, records: { released: 300 } });
      expect.soft(summary.archived, `summary.archived with ${count} worker(s)`).toBe(300);
      const shares = workers.map((w) => w.released.length);
      expect(shares.reduce((a, b) => a + b, 0)).toBe(300);
      figures.push(
        `${count} worker(s): run ${(summary.durationMs / 1000).toFixed(1)} s, ` +
          `${(300 / (summary.durationMs / 1000)).toFixed(1)} records/s (wall from spawn ${(wallMs / 1000).toFixed(1)} s; ` +
          `released per worker ${shares.join('/')})`,
      );
    }
    console.log(`300 records on this machine:\n  ${figures.join('\n  ')}`);
  }, 240_000);
});
