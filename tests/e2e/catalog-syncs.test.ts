import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, bevara, json, tempDir } from './helpers.js';

/**
 * What ingest asks the disk to flush, seen from outside with strace: the record states an irreversible act follows
 * (`packaged` before the package is written, `archived` before the source is released) are synced before that
 * act, and nothing else of a record's path is (claims, write leases, run items, the package row, `released`: see
 * `Durability` in src/catalog/types.ts). Fails if a relaxed write syncs again (more than two WAL syncs a record)
 * or a durable one stops syncing (fewer), or if a source is moved before a WAL sync that follows its package.
 */

const RECORDS = 12;

interface Syscall {
  call: 'fsync' | 'fdatasync' | 'rename';
  args: string;
}

/** The fsync/fdatasync/rename calls of one run of `bevara` and its threads, in order, paths decoded (-y). */
function traced(dataDir: string, args: string[]): Syscall[] {
  const log = path.join(dataDir, '..', 'strace.log');
  const result = spawnSync(
    'strace',
    [
      '-f',
      '-y',
      '-qq',
      '-e',
      'trace=fsync,fdatasync,rename,renameat,renameat2',
      '-o',
      log,
      process.execPath,
      BIN,
      '--data-dir',
      dataDir,
      ...args,
    ],
    { encoding: 'utf8', env: { ...process.env, BEVARA_LOG__FORMAT: 'json' } },
  );
  expect(result.status, result.stderr.slice(-3000)).toBe(0);
  const calls: Syscall[] = [];
  // A call another thread interrupted is split into "<unfinished ...>" and "<... resumed>": the first half names it.
  for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
    const match = /^\d+\s+(fsync|fdatasync|rename|renameat|renameat2)\((.*)$/.exec(line);
    if (!match) continue;
    const call = match[1] === 'fsync' || match[1] === 'fdatasync' ? match[1] : 'rename';
    calls.push({ call, args: match[2] ?? '' });
  }
  return calls;
}

const walSyncs = (calls: Syscall[]) =>
  calls.filter((c) => c.call !== 'rename' && c.args.includes('catalog.sqlite-wal')).length;

function makeRecords(root: string, count: number): void {
  for (let i = 1; i <= count; i++) {
    const dir = path.join(root, `arende-${String(i).padStart(2, '0')}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'beslut.txt'), `Beslut i ärende ${i}\n`);
    fs.writeFileSync(path.join(dir, 'bilaga.txt'), `Bilaga ${i}\n`.repeat(50));
  }
}

describe('catalog syncs on the ingest path (strace)', () => {
  const base = tempDir('syncs');
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it('syncs the catalog twice a record, and before each source is moved', () => {
    const inbox = path.join(base, 'inbox');
    const done = path.join(base, 'done');
    const dataDir = path.join(base, 'data');
    // Fixed costs (migrations, the job, the run) are measured on an empty inbox and taken off.
    fs.mkdirSync(inbox, { recursive: true });
    const add = bevara(dataDir, [
      'jobs',
      'add',
      'syncs',
      '--source',
      `folder:${inbox}`,
      '--after-success',
      `move:${done}`,
    ]);
    expect(add.code, add.stderr).toBe(0);
    const empty = walSyncs(traced(dataDir, ['jobs', 'run', 'syncs']));

    makeRecords(inbox, RECORDS);
    const calls = traced(dataDir, ['jobs', 'run', 'syncs']);
    expect(fs.readdirSync(done)).toHaveLength(RECORDS);
    const perRecord = (walSyncs(calls) - empty) / RECORDS;
    expect(perRecord).toBeGreaterThanOrEqual(1.75);
    expect(perRecord).toBeLessThanOrEqual(2.25);

    const packages = json<{ id: string; label: string }[]>(bevara(dataDir, ['ls', '--json']));
    expect(packages).toHaveLength(RECORDS);
    for (const pkg of packages) {
      const record = pkg.label; // a folder record is labelled with its name
      const stored = calls.findIndex((c) => c.call === 'rename' && c.args.includes(`${pkg.id}`));
      const moved = calls.findIndex(
        (c) => c.call === 'rename' && c.args.includes(`${inbox}/${record}`) && c.args.includes(done),
      );
      expect(stored, `package ${pkg.id} of ${record} stored`).toBeGreaterThanOrEqual(0);
      expect(moved, `${record} moved`).toBeGreaterThan(stored);
      const between = calls.slice(stored, moved).filter((c) => c.call !== 'rename');
      expect(
        between.some((c) => c.args.includes('catalog.sqlite-wal')),
        `a catalog sync between storing ${pkg.id} and moving ${record}`,
      ).toBe(true);
    }
  }, 120_000);
});
