import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageSummary } from '../../src/catalog/types.js';
import type { RunView } from '../../src/jobs/run-view.js';
import { packageKey } from '../../src/storage/keys.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import {
  createTestBucket,
  deleteTestBucket,
  incompleteUploads,
  rawS3Client,
  s3CredentialsEnv,
  s3TestEnv,
} from '../helpers/s3-env.js';
import { bevaraAsync, type CliResult, json, listFiles, snapshot, tempDir } from './helpers.js';

// The unattended worker (`bevara worker --once`, its job from the config file's `jobs:`) meeting a location it
// cannot write to: a file system that is full (a 4 MiB tmpfs, mounted here as root) and an S3 location that
// cannot be reached (a fault proxy taken down, before or during the upload). It must keep the verified copies it
// could make, record the missing ones with a reason an archivist can act on (`bevara runs show`), leave records
// that are not archived untouched in the source, leave nothing half-written behind, and complete everything on a
// later run once the location is back. Packages are written on two worker threads (`ingest.workers: 2`, the
// default on a two-core machine, set here so that the test does not depend on the machine it runs on).

const MB = 1_000_000;
const MiB = 1024 * 1024;
/** A `worker --once` over a handful of small records takes a few seconds; one still running after this hangs. */
const RUN_DEADLINE_MS = 25_000;

/** One job's world: data dir, config file, the export folder it takes records from, where archived ones go. */
interface Setup {
  work: string;
  data: string;
  config: string;
  source: string;
  done: string;
  env: NodeJS.ProcessEnv;
}

function setup(
  prefix: string,
  locations: Record<string, unknown>,
  copies: string[],
  env: NodeJS.ProcessEnv = {},
): Setup {
  const work = tempDir(prefix);
  const s: Setup = {
    work,
    data: path.join(work, 'data'),
    config: path.join(work, 'bevara.config.json'),
    source: path.join(work, 'exports'),
    done: path.join(work, 'archived'),
    env,
  };
  fs.mkdirSync(s.source);
  fs.writeFileSync(
    s.config,
    JSON.stringify({
      locations,
      copies,
      ingest: { workers: 2, incompleteUploadsMaxAgeMinutes: 0 },
      worker: { pollSeconds: 0.1, graceSeconds: 5 },
      jobs: { nattlig: { source: `folder:${s.source}`, afterSuccess: `move:${s.done}` } },
    }),
  );
  return s;
}

/** Records of random (incompressible) content, so that each package is about as large as its record. */
function addRecords(s: Setup, names: string[], bytes: number): Record<string, Record<string, string>> {
  for (const name of names) {
    fs.mkdirSync(path.join(s.source, name));
    fs.writeFileSync(path.join(s.source, name, 'skannad handling.tif'), randomBytes(bytes));
    fs.writeFileSync(path.join(s.source, name, 'anteckning.txt'), `Ärende ${name}\n`);
  }
  return Object.fromEntries(names.map((n) => [n, tree(path.join(s.source, n))]));
}

/** `snapshot` with paths relative to `dir`: the same record compares equal after it was moved. */
function tree(dir: string): Record<string, string> {
  return Object.fromEntries(Object.entries(snapshot(dir)).map(([k, v]) => [path.relative(dir, k), v]));
}

const cli = (s: Setup, args: string[]): Promise<CliResult> =>
  bevaraAsync(s.data, ['-c', s.config, ...args], { env: s.env }).done;

async function cliJson<T>(s: Setup, args: string[]): Promise<T> {
  const result = await cli(s, ['--json', ...args]);
  expect(result.code, result.stderr).toBe(0);
  return json<T>(result);
}

/**
 * Starts `bevara worker --once`; `done` settles with its result, or fails the test naming the hang (with the last
 * log lines) when it is still running after RUN_DEADLINE_MS: then it is killed.
 */
function startWorker(s: Setup): { done: Promise<CliResult & { ms: number }>; exited: () => boolean } {
  const started = Date.now();
  const { child, done } = bevaraAsync(s.data, ['-c', s.config, 'worker', '--once', '--id', 'w1'], {
    env: s.env,
  });
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, RUN_DEADLINE_MS);
  return {
    exited: () => child.exitCode !== null || child.signalCode !== null,
    done: done.then((result) => {
      clearTimeout(timer);
      const tail = result.stderr.trim().split('\n').slice(-6).join('\n');
      expect(hung, `worker --once still running after ${RUN_DEADLINE_MS} ms; last log lines:\n${tail}`).toBe(
        false,
      );
      return { ...result, ms: Date.now() - started };
    }),
  };
}

const timings: string[] = [];
afterAll(() => {
  if (timings.length > 0) console.log(`worker --once runs: ${timings.join(', ')}`);
});

/** What an archivist sees after a worker run: the job run (`bevara runs show --json`) and the packages (`ls`). */
interface AfterRun {
  result: CliResult;
  run: RunView;
  packages: PackageSummary[];
}

/** Waits for a started worker, then reads the run it made (its id from the worker's log) and the packages. */
async function afterRun(s: Setup, started: ReturnType<typeof startWorker>, label: string): Promise<AfterRun> {
  const result = await started.done;
  timings.push(`${label} ${(result.ms / 1000).toFixed(1)} s`);
  const runId = result.stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; runId?: string })
    .find((line) => line.msg === 'job run started' && line.runId?.startsWith('ingest-'))?.runId;
  expect(runId, `the worker started a run of the job:\n${result.stderr.slice(-2000)}`).toBeDefined();
  const [run, packages] = await Promise.all([
    cliJson<RunView>(s, ['runs', 'show', runId as string]),
    cliJson<PackageSummary[]>(s, ['ls']),
  ]);
  expect(run.job).toBe('nattlig');
  return { result, run, packages };
}

const workerRun = (s: Setup, label: string) => afterRun(s, startWorker(s), label);

const copiesOf = (p: PackageSummary) =>
  p.copies.map((c) => `${c.location}:${c.status}`).sort((a, b) => a.localeCompare(b));

/** Uploads in progress of the fs driver (`<root>/.tmp/`): none may be left after a run. */
function tempFiles(root: string): string[] {
  const tmp = path.join(root, '.tmp');
  return fs.existsSync(tmp) ? fs.readdirSync(tmp) : [];
}

/**
 * After a run while a location was out: every record is archived and released (moved out of the export folder),
 * or held back: `stored` with its primary copy verified and the copy in `missing` to come, or `waiting` with
 * nothing stored. The run says why, naming the location (`where`: its name, or its folder or bucket); held-back
 * records are still in the export folder, byte for byte. The primary location was there all along, so by the
 * record lifecycle (src/catalog/types.ts) a held-back record is `stored`, never `waiting`. Returns the subjects
 * held back.
 */
function expectHeldBack(
  s: Setup,
  { run, packages }: AfterRun,
  before: Record<string, Record<string, string>>,
  missing: string,
  where: string[],
  reason: RegExp,
): string[] {
  const names = Object.keys(before);
  expect(run.status).toBe('completed-with-failures');
  const states = run.recordStates ?? {};
  const heldBack = (states.stored ?? 0) + (states.waiting ?? 0);
  expect(heldBack, JSON.stringify(states)).toBeGreaterThanOrEqual(1);
  expect((states.released ?? 0) + heldBack, JSON.stringify(states)).toBe(names.length);
  expect(run.counts).toMatchObject({ archived: states.released ?? 0, failed: 0, rejected: 0 });
  const problems = run.problems.filter((p) => p.status === 'waiting');
  const subjects = [...new Set(problems.map((p) => p.subject))].sort();
  expect(subjects).toHaveLength(heldBack);
  for (const subject of subjects) {
    // One of what the run says of the record (a waiting package may have two items: completion and record).
    const said = problems.filter((p) => p.subject === subject).map((p) => p.reason);
    const names = said.filter((r) => where.some((w) => r.includes(w)) && reason.test(r));
    expect(
      names,
      `${subject}: ${JSON.stringify(said)} names ${where.join(' or ')} and ${reason}`,
    ).not.toEqual([]);
  }

  const stored = packages.filter((p) => p.state === 'stored');
  expect(stored).toHaveLength(states.stored ?? 0);
  for (const p of stored) {
    expect(subjects).toContain(p.label);
    expect(copiesOf(p)).toEqual(['primary:verified']);
  }
  for (const p of packages.filter((p) => p.state !== 'stored')) {
    expect(p.state).toBe('archived');
    expect(subjects).not.toContain(p.label);
    expect(copiesOf(p)).toEqual([`${missing}:verified`, 'primary:verified'].sort());
  }
  for (const name of names) {
    const isHeld = subjects.includes(name);
    expect(fs.existsSync(path.join(s.source, name)), name).toBe(isHeld);
    if (isHeld) expect(tree(path.join(s.source, name))).toEqual(before[name]);
  }
  expect
    .soft(
      states.waiting ?? 0,
      'records held back with nothing stored although the primary location was there',
    )
    .toBe(0);
  return subjects;
}

/**
 * After the run that follows the location's return: every package archived with both copies verified (those made
 * before completed, not made again), every record released, and an audit of every copy finds them all intact.
 */
async function expectAllCompleted(
  s: Setup,
  { run, packages }: AfterRun,
  before: Record<string, Record<string, string>>,
  earlier: PackageSummary[],
  heldBack: number,
  other: string,
): Promise<void> {
  expect(run.status).toBe('succeeded');
  expect(run.problems).toEqual([]);
  expect(run.recordStates).toEqual({ released: heldBack });
  const names = Object.keys(before);
  expect(packages.map((p) => p.label).sort()).toEqual([...names].sort());
  for (const p of earlier) expect(packages.map((q) => q.id)).toContain(p.id);
  for (const p of packages) {
    expect(p.state).toBe('archived');
    expect(copiesOf(p)).toEqual([other, 'primary'].sort().map((l) => `${l}:verified`));
  }
  expect(fs.readdirSync(s.source)).toEqual([]);
  expect(fs.readdirSync(s.done).sort()).toEqual([...names].sort());
  for (const name of names) expect(tree(path.join(s.done, name))).toEqual(before[name]);
  const audit = await cli(s, ['--json', 'audit', '--all']);
  expect(audit.code, audit.stderr).toBe(0);
  expect(json<{ verified: number; failed: number }>(audit)).toMatchObject({
    verified: 2 * names.length,
    failed: 0,
  });
}

// --- a small file system, mounted for the test (we run as root) ---------------------------------------------

const mounted: string[] = [];

function mountTool(args: string[]): void {
  const result = spawnSync(args[0] as string, args.slice(1), { encoding: 'utf8' });
  if (result.error || result.status !== 0)
    throw new Error(
      `test setup: \`${args.join(' ')}\` failed (${result.error?.message ?? result.stderr.trim()}); ` +
        'the disk-full tests need mount(8) and root to mount a small tmpfs',
    );
}

function mountTmpfs(dir: string, size: string): void {
  fs.mkdirSync(dir, { recursive: true });
  mountTool(['mount', '-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir]);
  mounted.push(dir);
}

const resize = (dir: string, size: string) => mountTool(['mount', '-o', `remount,size=${size}`, dir]);

function unmount(dir: string): void {
  const i = mounted.indexOf(dir);
  if (i < 0) return;
  mounted.splice(i, 1);
  mountTool(['umount', dir]);
}

describe('a full file-system location (a 4 MiB tmpfs)', () => {
  beforeAll(() => mountTool(['mount', '--version']));
  afterAll(() => {
    for (const dir of [...mounted]) unmount(dir);
  });

  /** A job whose `locations` put `disk` (a 4 MiB tmpfs) where the test wants it. */
  function diskSetup(label: string, locations: (disk: string) => Record<string, unknown>, copies: string[]) {
    const s = setup(label, {}, copies);
    const disk = path.join(s.work, 'disk');
    mountTmpfs(disk, '4m');
    const config = JSON.parse(fs.readFileSync(s.config, 'utf8'));
    fs.writeFileSync(s.config, JSON.stringify({ ...config, locations: locations(disk) }));
    return { s, disk };
  }

  it('as the second copy: packages that do not fit wait as stored; after it grows the next run completes them', async () => {
    const { s, disk } = diskSetup(
      'wait-full',
      (root) => ({ primary: { driver: 'fs' }, offsite: { driver: 'fs', root } }),
      ['primary', 'offsite'],
    );
    try {
      // Four packages of ~1.7 MB: two fit in 4 MiB, the others do not.
      const before = addRecords(
        s,
        ['KS 2024-0101', 'KS 2024-0102', 'KS 2024-0103', 'KS 2024-0104'],
        1.5 * MB,
      );
      const first = await workerRun(s, 'fs full, 2 copies, 1st');
      expect(first.result.code, first.result.stderr).toBe(1); // records held back: completed with failures
      const heldBack = expectHeldBack(s, first, before, 'offsite', ['offsite'], /ENOSPC|no space/i);
      expect(heldBack.length).toBeLessThan(4);
      // Nothing half-written on the full disk: no temp file, no object under a held-back package's key.
      expect(tempFiles(disk)).toEqual([]);
      for (const p of first.packages.filter((p) => p.state !== 'archived'))
        expect(fs.existsSync(path.join(disk, packageKey(p.id))), p.id).toBe(false);

      resize(disk, '64m');
      const second = await workerRun(s, 'fs full, 2 copies, 2nd');
      expect(second.result.code, second.result.stderr).toBe(0);
      await expectAllCompleted(s, second, before, first.packages, heldBack.length, 'offsite');
      expect(tempFiles(disk)).toEqual([]);
      for (const p of second.packages)
        expect(fs.statSync(path.join(disk, packageKey(p.id))).size).toBe(p.size);
    } finally {
      unmount(disk);
      fs.rmSync(s.work, { recursive: true, force: true });
    }
  }, 90_000);

  it('as the only location: the record waits untouched with the reason; after it grows the next run archives it', async () => {
    const { s, disk } = diskSetup('wait-full1', (root) => ({ full: { driver: 'fs', root } }), ['full']);
    try {
      const before = addRecords(s, ['BN 2024-0042'], 5 * MiB); // larger than the whole disk
      const first = await workerRun(s, 'fs full, 1 copy, 1st');
      expect(first.result.code, first.result.stderr).toBe(1);
      const { run } = first;
      expect(run.status).toBe('completed-with-failures');
      expect(run.counts.archived).toBe(0);
      expect(run.problems).toHaveLength(1);
      const [problem] = run.problems;
      expect(problem?.subject).toBe('BN 2024-0042');
      // A full disk is a location unavailable for now: the record waits, and a later run gets past it once there
      // is room, without anyone's help (soft: the rest of the story is checked as well).
      expect.soft(run.recordStates, 'record state after a full disk').toEqual({ waiting: 1 });
      expect(problem?.reason).toMatch(/ENOSPC|no space/i);
      expect(problem?.reason).toContain(disk); // where: the location's folder
      expect(first.packages).toEqual([]);
      expect(tree(path.join(s.source, 'BN 2024-0042'))).toEqual(before['BN 2024-0042']);
      expect(fs.existsSync(s.done)).toBe(false);
      expect(tempFiles(disk)).toEqual([]);
      expect(listFiles(disk).filter((f) => f.startsWith('packages/'))).toEqual([]);

      resize(disk, '64m');
      const second = await workerRun(s, 'fs full, 1 copy, 2nd');
      expect(second.result.code, second.result.stderr).toBe(0);
      expect(second.run.status).toBe('succeeded');
      expect(second.run.recordStates).toEqual({ released: 1 });
      expect(second.packages.map((p) => `${p.label} ${p.state} ${copiesOf(p)}`)).toEqual([
        'BN 2024-0042 archived full:verified',
      ]);
      expect(tree(path.join(s.done, 'BN 2024-0042'))).toEqual(before['BN 2024-0042']);
      expect(tempFiles(disk)).toEqual([]);
    } finally {
      unmount(disk);
      fs.rmSync(s.work, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('an unreachable S3 location (through a fault proxy)', () => {
  const env = s3TestEnv();
  const raw = rawS3Client();
  let bucket: string;
  beforeAll(async () => {
    bucket = await createTestBucket(raw, 'plain');
  });
  afterAll(async () => {
    await deleteTestBucket(raw, bucket);
    raw.destroy();
  });

  async function packageObjects(prefix: string): Promise<string[]> {
    const out = await raw.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/packages/` }));
    return (out.Contents ?? []).map((o) => (o.Key ?? '').slice(prefix.length + 1)).sort();
  }

  it('down, then cut in the middle of an upload: records are held back with the reason; once it is back the next run completes them and leaves no upload behind', async () => {
    const proxy = await startFaultProxy(env.endpoint);
    const prefix = `waiting-${randomBytes(4).toString('hex')}`;
    const locations = {
      primary: { driver: 'fs' },
      // Multipart uploads of 5 MiB parts, so that an upload can be cut between parts.
      offsite: {
        driver: 's3',
        endpoint: proxy.endpoint,
        bucket,
        prefix,
        partSizeMiB: 5,
        uploadConcurrency: 1,
        maxAttempts: 2,
      },
    };
    const s = setup('wait-s3', locations, ['primary', 'offsite'], s3CredentialsEnv(['offsite']));
    try {
      const before = addRecords(s, ['SN 2024-0301', 'SN 2024-0302'], 11 * MiB); // three parts each

      await proxy.down();
      const first = await workerRun(s, 'S3 down, 1st');
      expect(first.result.code, first.result.stderr).toBe(1);
      expect(first.run.recordStates?.released).toBeUndefined();
      expectHeldBack(s, first, before, 'offsite', ['offsite', bucket], /unavailable/i);
      expect(await packageObjects(prefix)).toEqual([]);
      expect(await incompleteUploads(raw, bucket, prefix)).toEqual([]);

      // Back, but gone again once an upload (of a package, or of a missing copy) has reached its second part.
      await proxy.up();
      const seenBefore = proxy.seen.length;
      const started = startWorker(s);
      const partTwo = () => proxy.seen.slice(seenBefore).some((r) => r.includes('partNumber=2'));
      while (!partTwo() && !started.exited()) await new Promise((r) => setTimeout(r, 5));
      expect(partTwo(), 'an upload reached its second part').toBe(true);
      await proxy.down();
      const second = await afterRun(s, started, 'S3 cut mid-upload, 2nd');
      expect(second.result.code, second.result.stderr).toBe(1);
      const heldBack = expectHeldBack(s, second, before, 'offsite', ['offsite', bucket], /unavailable/i);
      // The scenario is real: the cut upload could not be aborted through the dead proxy.
      expect((await incompleteUploads(raw, bucket, prefix)).length).toBeGreaterThan(0);

      await proxy.up();
      const third = await workerRun(s, 'S3 back, 3rd');
      expect(third.result.code, third.result.stderr).toBe(0);
      await expectAllCompleted(s, third, before, second.packages, heldBack.length, 'offsite');
      expect(await incompleteUploads(raw, bucket, prefix)).toEqual([]);
      expect(await packageObjects(prefix)).toEqual(third.packages.map((p) => packageKey(p.id)).sort());
    } finally {
      await proxy.close();
      fs.rmSync(s.work, { recursive: true, force: true });
    }
  }, 90_000);
});
