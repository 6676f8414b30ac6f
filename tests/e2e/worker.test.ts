import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PackageRecord, RunRecord } from '../../src/catalog/types.js';
import type { RunListRow } from '../../src/jobs/run-list.js';
import { describeRun, type RunView } from '../../src/jobs/run-view.js';
import { listFiles } from './helpers.js';
import {
  contentBytes,
  copyRecords,
  createWorkspace,
  digests,
  type LogLine,
  logLines,
  readCatalog,
  runJobInProcess,
  tempFiles,
  transitions,
  waitFor,
  type Workspace,
  writeRecord,
} from './worker-helpers.js';

/**
 * `bevara worker` and job runs through the built binary: jobs added with `jobs add` (or declared in the config),
 * records taken from a folder source into two filesystem locations that must each hold a verified copy, and what
 * the catalog, the locations, the source and the logs say afterwards.
 */
describe('bevara worker and job runs', () => {
  const workspaces: Workspace[] = [];
  const workspace = (prefix: string) => {
    const w = createWorkspace(prefix);
    workspaces.push(w);
    return w;
  };
  afterAll(() => {
    for (const w of workspaces) w.cleanup();
  });

  const runIdOf = (lines: LogLine[], job: string) =>
    lines.find((l) => l.msg === 'job run started' && l.job === job)?.runId as string;
  /** Record key → package id, from the `record archived` lines. */
  const archivedIds = (lines: LogLine[]) =>
    Object.fromEntries(
      lines.filter((l) => l.msg === 'record archived').map((l) => [l.record, l.packageId as string]),
    );
  const addJob = async (w: Workspace, name: string, flags: string[]) => {
    const added = await w.cli(['jobs', 'add', name, ...flags]);
    expect(added.code, added.stderr).toBe(0);
  };

  it('worker --once archives every record with two verified copies and moves each only once it is archived', async () => {
    const w = workspace('worker-move');
    const src = copyRecords(path.join(w.root, 'exports'));
    const done = path.join(w.root, 'done');
    const keys = fs.readdirSync(src).sort();
    const before = Object.fromEntries(keys.map((k) => [k, digests(path.join(src, k))]));
    const sourceBytes = keys.reduce((sum, k) => sum + contentBytes(path.join(src, k)), 0);
    await addJob(w, 'nightly', ['--source', `folder:${src}`, '--after-success', `move:${done}`]);

    const started = Date.now();
    const result = await w.cli(['worker', '--once', '--id', 'w1']);
    const wallMs = Date.now() - started;
    expect(result.code, result.stderr).toBe(0);
    const lines = logLines(result.stderr);

    for (const key of keys) {
      expect(transitions(lines, key)).toEqual([
        'discovered>packaged',
        'packaged>archived',
        'archived>released',
      ]);
      // The move comes after the package is catalogued as archived with both copies read back.
      const archived = lines.findIndex((l) => l.msg === 'record archived' && l.record === key);
      const released = lines.findIndex((l) => l.record === key && l.to === 'released');
      expect(archived).toBeGreaterThanOrEqual(0);
      expect(released).toBeGreaterThan(archived);
      expect([...((lines[archived]?.copies as string[]) ?? [])].sort()).toEqual(['offsite', 'primary']);
      expect(digests(path.join(done, key))).toEqual(before[key]);
    }
    expect(fs.readdirSync(src)).toEqual([]);

    const view = await w.cliJson<RunView>(['runs', 'show', runIdOf(lines, 'nightly')]);
    expect(view).toMatchObject({
      status: 'succeeded',
      job: 'nightly',
      counts: { archived: 3, unchanged: 0, rejected: 0, failed: 0, waiting: 0 },
      problems: [],
      recordStates: { released: 3 },
    });
    expect(view.finishedAt).toBeDefined();
    expect(view.durationMs).toBe(
      new Date(view.finishedAt as Date).getTime() - new Date(view.startedAt).getTime(),
    );
    expect(view.durationMs).toBeGreaterThan(0);
    expect(view.durationMs).toBeLessThan(wallMs);
    const ids = archivedIds(lines);
    expect(view.packages.map((p) => p.subject).sort()).toEqual(keys);
    for (const pkg of view.packages) {
      expect(pkg.packageId).toBe(ids[pkg.subject]);
      expect(pkg.copies.map((c) => `${c.location}:${c.status}`).sort()).toEqual([
        'offsite:verified',
        'primary:verified',
      ]);
      const [a, b] = pkg.copies.map((c) => fs.readFileSync(path.join(w.store(c.location), c.key)));
      expect(a?.length).toBeGreaterThan(0);
      expect(a?.equals(b as Buffer)).toBe(true);
    }
    // `bytes` of an ingest run is the source content packaged (RunView, and what `bevara ingest` reports).
    expect(view.bytes).toBe(sourceBytes);
  });

  it('a second run over an unchanged source makes no package; a changed record gets a successor', async () => {
    const w = workspace('worker-again');
    const src = copyRecords(path.join(w.root, 'exports'));
    w.declareJobs({ again: { source: `folder:${src}`, afterSuccess: 'leave' } });
    const first = await w.cli(['worker', '--once']);
    expect(first.code, first.stderr).toBe(0);
    const firstIds = archivedIds(logLines(first.stderr));
    expect(Object.keys(firstIds)).toHaveLength(3);
    const ls = () =>
      readCatalog(w.catalogFile, async (c) => (await c.listPackages()).map((p) => p.id).sort());
    expect(await ls()).toEqual(Object.values(firstIds).sort());

    const second = await runJobInProcess(w, 'again');
    expect(second.code).toBe(0);
    expect(second.run).toMatchObject({ status: 'succeeded', summary: { archived: 0, unchanged: 3 } });
    expect(await ls()).toEqual(Object.values(firstIds).sort());

    const changed = '2024-0257 Försörjningsstöd';
    fs.appendFileSync(
      path.join(src, changed, 'tjänsteanteckning 2024-03-12.txt'),
      '\nKompletterad 2024-03-14.\n',
    );
    const third = await w.cli(['--json', 'jobs', 'run', 'again']);
    expect(third.code, third.stderr).toBe(0);
    const run = JSON.parse(third.stdout) as RunRecord;
    expect(run).toMatchObject({ status: 'succeeded', summary: { archived: 1, unchanged: 2 } });
    const successor = archivedIds(logLines(third.stderr))[changed] as string;
    expect(successor).toBeDefined();
    expect(Object.values(firstIds)).not.toContain(successor);
    const shown = await w.cliJson<{ package: PackageRecord }>(['show', successor]);
    expect(shown.package).toMatchObject({
      sourceKey: changed,
      state: 'archived',
      predecessorId: firstIds[changed],
    });
    expect(await ls()).toEqual([...Object.values(firstIds), successor].sort());
  });

  it('quarantines broken records with their reason, in place or moved; the others are archived; exit 1', async () => {
    const w = workspace('worker-quarantine');
    const quarantine = path.join(w.root, 'quarantine');
    const broken = {
      '2024-0999 Tom': {},
      '2024-1000 Trasig': { 'record.json': '{"title": "Trasig", ', 'brev.txt': 'Hej!\n' },
    };
    const sources: Record<string, string> = {};
    for (const job of ['kept', 'moved']) {
      const src = copyRecords(path.join(w.root, job));
      for (const [name, files] of Object.entries(broken)) writeRecord(src, name, files);
      sources[job] = src;
    }
    const trasig = digests(path.join(sources.kept as string, '2024-1000 Trasig'));
    w.declareJobs({ kept: { source: `folder:${sources.kept}` } });
    await addJob(w, 'moved', ['--source', `folder:${sources.moved}`, '--quarantine', quarantine]);

    const result = await w.cli(['worker', '--once']);
    expect(result.code, result.stderr).toBe(1);
    const lines = logLines(result.stderr);
    // The two folders hold the same records (same keys, same content): a record is its source kind and key, so
    // each is archived once, by whichever job came first; the other job finds it unchanged.
    const done = { archived: 0, unchanged: 0 };
    for (const job of ['kept', 'moved']) {
      const view = await readCatalog(w.catalogFile, (c) => describeRun(c, runIdOf(lines, job), new Date()));
      expect(view.status).toBe('completed-with-failures');
      expect(view.counts).toMatchObject({ rejected: 2, failed: 0, waiting: 0 });
      const archived = view.counts.archived ?? 0;
      const unchanged = view.counts.unchanged ?? 0;
      expect(archived + unchanged).toBe(3);
      const states = view.recordStates ?? {};
      expect((states.released ?? 0) + (states.unchanged ?? 0)).toBe(3);
      expect(states.quarantined).toBe(2);
      done.archived += archived;
      done.unchanged += unchanged;
      const problems = [...view.problems].sort((a, b) => a.subject.localeCompare(b.subject));
      expect(problems.map((p) => [p.subject, p.status, p.rules])).toEqual([
        ['2024-0999 Tom', 'rejected', ['empty-record']],
        ['2024-1000 Trasig', 'rejected', ['record-json-invalid']],
      ]);
      expect(problems[0]?.reason).toMatch(/empty/);
      expect(problems[1]?.reason).toMatch(/record\.json/);
    }
    expect(done).toEqual({ archived: 3, unchanged: 3 });
    // Without a quarantine folder the broken records stay where they are, untouched.
    expect(fs.existsSync(path.join(sources.kept as string, '2024-0999 Tom'))).toBe(true);
    expect(digests(path.join(sources.kept as string, '2024-1000 Trasig'))).toEqual(trasig);
    // With one, they are moved there (name plus a time stamp) and gone from the source; the good ones stay (leave).
    expect(fs.readdirSync(sources.moved as string).sort()).toEqual(
      fs
        .readdirSync(sources.kept as string)
        .sort()
        .filter((k) => !k.startsWith('2024-0999') && !k.startsWith('2024-1000')),
    );
    const inQuarantine = fs.readdirSync(quarantine).sort();
    expect(inQuarantine).toHaveLength(2);
    expect(inQuarantine[0]?.startsWith('2024-0999 Tom.')).toBe(true);
    expect(inQuarantine[1]?.startsWith('2024-1000 Trasig.')).toBe(true);
    expect(digests(path.join(quarantine, inQuarantine[1] as string))).toEqual(trasig);
  });

  it('--after-success mark leaves a hidden marker beside each record, and marked records are not taken again', async () => {
    const w = workspace('worker-mark');
    const src = copyRecords(path.join(w.root, 'exports'));
    const keys = fs.readdirSync(src).sort();
    w.declareJobs({ marked: { source: `folder:${src}`, afterSuccess: 'mark' } });
    const first = await w.cli(['worker', '--once']);
    expect(first.code, first.stderr).toBe(0);
    const ids = archivedIds(logLines(first.stderr));
    expect(Object.keys(ids).sort()).toEqual(keys);
    const markers = fs
      .readdirSync(src)
      .filter((n) => n.startsWith('.'))
      .sort();
    expect(markers).toEqual(keys.map((k) => `.${k}.bevara-archived.json`).sort());
    for (const key of keys) {
      const marker = JSON.parse(fs.readFileSync(path.join(src, `.${key}.bevara-archived.json`), 'utf8'));
      expect(marker).toMatchObject({ record: key, packageId: ids[key] });
      expect(fs.statSync(path.join(src, key)).isDirectory()).toBe(true);
    }

    // Even a changed record is not taken again once marked.
    fs.appendFileSync(path.join(src, keys[0] as string, 'ansökan.pdf'), 'x');
    const second = await w.cli(['--json', 'jobs', 'run', 'marked']);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      status: 'succeeded',
      summary: { archived: 0, unchanged: 0, rejected: 0, failed: 0 },
    });
    const secondLines = logLines(second.stderr);
    expect(secondLines.filter((l) => l.msg === 'record state')).toEqual([]);
    // The markers are bevara's own files, not stray input: no warning about each of them on every run.
    expect(secondLines.filter((l) => String(l.file ?? '').endsWith('.bevara-archived.json'))).toEqual([]);
    expect(await readCatalog(w.catalogFile, (c) => c.listPackages())).toHaveLength(3);
  });

  it('on a six-field cron the worker runs the job every 2 s without overlap, keeps its health file fresh, stops on SIGTERM', async () => {
    const w = workspace('worker-cron');
    const src = copyRecords(path.join(w.root, 'exports'));
    // A first run longer than the period, so that firings fall on a run still going.
    writeRecord(src, '2024-2000 Ritningar', { 'ritning.bin': randomBytes(24 << 20) });
    w.declareJobs({ tick: { source: `folder:${src}`, cron: '*/2 * * * * *' } });
    const health = path.join(w.root, 'health.json');
    const worker = w.start(['worker', '--id', 'cron-1', '--health-file', health]);
    const started = Date.now();
    const finishedRuns = () =>
      logLines(worker.stderr()).filter((l) => l.msg === 'job run finished' && l.job === 'tick');
    try {
      await waitFor('a first run to finish', 15_000, () => finishedRuns().length >= 1);
      const firstRunMs = Date.now() - started;
      await waitFor('a second run to finish', 10_000, () => finishedRuns().length >= 2);
      expect(finishedRuns().every((l) => l.status === 'succeeded')).toBe(true);
      console.info(`cron: first run finished ${firstRunMs} ms after the worker started`);

      const alive = JSON.parse(fs.readFileSync(health, 'utf8'));
      expect(alive).toMatchObject({ id: 'cron-1', pid: worker.child.pid, status: 'running' });
      expect(alive.schedules).toContain('tick');
      expect(Date.now() - new Date(alive.updatedAt).getTime()).toBeLessThan(3_000);

      const runs = (await w.cliJson<RunListRow[]>(['runs', 'list', '--job', 'tick'])).sort(
        (a, b) => new Date(a.startedAt).getTime() - new Date(b.startedAt).getTime(),
      );
      expect(runs.length).toBeGreaterThanOrEqual(2);
      expect(runs.every((r) => r.job === 'tick' && r.kind === 'ingest')).toBe(true);
      for (let i = 1; i < runs.length; i++) {
        const previous = runs[i - 1] as RunListRow;
        expect(
          previous.finishedAt,
          `run ${previous.id} still running while a later one started`,
        ).toBeDefined();
        expect(new Date((runs[i] as RunListRow).startedAt).getTime()).toBeGreaterThanOrEqual(
          new Date(previous.finishedAt as Date).getTime(),
        );
      }
    } finally {
      const stopAt = Date.now();
      worker.child.kill('SIGTERM');
      const stopped = await worker.done;
      const stopMs = Date.now() - stopAt;
      console.info(`cron: stopped ${stopMs} ms after SIGTERM`);
      expect(stopped.code, stopped.stderr.slice(-3000)).toBe(0);
      expect.soft(stopMs, 'exit after SIGTERM, ms').toBeLessThan(5_000);
    }
    expect(JSON.parse(fs.readFileSync(health, 'utf8'))).toMatchObject({ id: 'cron-1', status: 'stopped' });
  });

  it('SIGTERM during an upload: exits within the grace period leaving no temp file; the next run archives the record once', async () => {
    const w = workspace('worker-stop');
    const src = path.join(w.root, 'exports');
    const done = path.join(w.root, 'done');
    const big = '2024-3000 Stor leverans';
    const chunk = randomBytes(4 << 20);
    const bigFile = writeRecord(src, big, { 'del-00.bin': chunk });
    for (let i = 1; i < 24; i++)
      fs.writeFileSync(
        path.join(bigFile, `del-${String(i).padStart(2, '0')}.bin`),
        Buffer.concat([Buffer.from([i]), chunk]),
      );
    const bigFiles = digests(path.join(src, big));
    w.declareJobs({ stop: { source: `folder:${src}`, afterSuccess: `move:${done}` } });

    const worker = w.start(['worker', '--once', '--id', 'stopper']);
    const uploading = () =>
      ['primary', 'offsite'].every((name) => {
        const tmp = path.join(w.store(name), '.tmp');
        return tempFiles(w.store(name)).some((f) => fs.statSync(path.join(tmp, f)).size > 8 << 20);
      });
    await waitFor('both copies to be uploading', 30_000, uploading).catch((err: unknown) => {
      worker.child.kill('SIGKILL');
      throw err;
    });
    const stopAt = Date.now();
    worker.child.kill('SIGTERM');
    const first = await worker.done;
    const stopMs = Date.now() - stopAt;
    console.info(`stop: exited ${stopMs} ms after SIGTERM (code ${first.code})`);
    expect.soft(stopMs, 'exit after SIGTERM, ms').toBeLessThan(5_000);
    expect(tempFiles(w.store('primary'))).toEqual([]);
    expect(tempFiles(w.store('offsite'))).toEqual([]);
    expect(transitions(logLines(first.stderr), big)).toEqual(['discovered>packaged']);
    expect(logLines(first.stderr).filter((l) => l.msg.startsWith('grace period over'))).toEqual([]);
    const held = await readCatalog(w.catalogFile, (c) => c.listRecordStates({ job: 'stop' }));
    expect(held.map((r) => [r.sourceKey, r.state])).toEqual([[big, 'packaged']]);
    expect(fs.existsSync(path.join(done, big))).toBe(false);
    expect(listFiles(path.join(src, big))).toEqual(Object.keys(bigFiles));

    const second = await w.cli(['worker', '--once', '--id', 'stopper']);
    expect(second.code, second.stderr).toBe(0);
    expect(transitions(logLines(second.stderr), big)).toEqual(['packaged>archived', 'archived>released']);
    const packages = await readCatalog(w.catalogFile, (c) => c.listPackages());
    expect(packages.map((p) => p.label)).toEqual([big]);
    expect(packages[0]?.copies.map((c) => `${c.location}:${c.status}`).sort()).toEqual([
      'offsite:verified',
      'primary:verified',
    ]);
    for (const name of ['primary', 'offsite'] as const) {
      expect(listFiles(path.join(w.store(name), 'packages'))).toHaveLength(1);
      expect(tempFiles(w.store(name))).toEqual([]);
    }
    expect(digests(path.join(done, big))).toEqual(bigFiles);
    const runs = await readCatalog(w.catalogFile, (c) => c.listRuns({ job: 'stop' }));
    expect(runs.map((r) => r.status)).toEqual(['succeeded']);
  });

  it('--max-records 2 over a source of 5 records: the runs archive 2, then 2, then 1', async () => {
    const w = workspace('worker-limits');
    const src = path.join(w.root, 'exports');
    for (let i = 1; i <= 5; i++)
      writeRecord(src, `2024-400${i} Ärende ${i}`, {
        'brev.txt': `Ärende ${i}\n`,
        'bilaga.txt': 'x'.repeat(i * 100),
      });
    w.declareJobs({ limited: { source: `folder:${src}`, limits: { maxRecords: 2 } } });
    const archivedPerRun: number[] = [];
    for (let run = 0; run < 3; run++) {
      const { code, run: done } = await runJobInProcess(w, 'limited');
      expect(code).toBe(0);
      archivedPerRun.push(done.summary?.archived as number);
    }
    expect(archivedPerRun).toEqual([2, 2, 1]);
    const packages = await readCatalog(w.catalogFile, (c) => c.listPackages());
    expect(new Set(packages.map((p) => p.label)).size).toBe(5);
  });

  it('worker --once --catalog <file> keeps everything in that SQLite file', async () => {
    const w = workspace('worker-catalog');
    const src = copyRecords(path.join(w.root, 'exports'));
    w.declareJobs({ katalog: { source: `folder:${src}` } });
    const other = path.join(w.root, 'elsewhere', 'other.sqlite');
    fs.mkdirSync(path.dirname(other));

    const result = await w.cli(['--catalog', other, 'worker', '--once']);
    expect(result.code, result.stderr).toBe(0);
    const inOther = await readCatalog(other, async (c) => ({
      packages: (await c.listPackages()).length,
      runs: (await c.listRuns({ job: 'katalog' })).map((r) => [r.status, r.summary?.archived]),
      jobs: (await c.listJobs()).map((j) => j.name),
    }));
    expect(inOther).toEqual({ packages: 3, runs: [['succeeded', 3]], jobs: ['katalog'] });
    // The data dir's own catalog saw none of it (if it was made at all).
    if (fs.existsSync(w.catalogFile)) {
      const inDefault = await readCatalog(w.catalogFile, async (c) => ({
        packages: (await c.listPackages()).length,
        runs: (await c.listRuns()).length,
      }));
      expect(inDefault).toEqual({ packages: 0, runs: 0 });
    }
  });
});
