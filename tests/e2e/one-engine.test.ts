import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectArchiveConsistent } from '../hostile/harness.js';
import { bevara, bevaraAsync, type CliResult, json, snapshot, tempDir } from './helpers.js';

const RECORDS = 60;

/**
 * `bevara ingest` and the worker are one engine: two `bevara ingest` of the same folder and a worker whose job
 * takes the same folder, all at once on one data folder, archive each record exactly once.
 */
describe('two bevara ingest and a worker at once on the same records', () => {
  let work: string;
  let source: string;
  let data: string;
  let config: string;
  let results: CliResult[];
  let before: Record<string, string>;

  beforeAll(async () => {
    work = tempDir('one-engine');
    source = path.join(work, 'inbox');
    data = path.join(work, 'data');
    config = path.join(work, 'bevara.config.json');
    for (let i = 0; i < RECORDS; i++) {
      const folder = path.join(source, `Ärende ${String(i).padStart(3, '0')}`);
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, 'beslut.txt'), `Beslut ${i}\n`);
      fs.writeFileSync(path.join(folder, 'bilaga.bin'), randomBytes(i % 6 === 0 ? 2 * 1024 * 1024 : 30_000));
    }
    fs.writeFileSync(
      config,
      JSON.stringify({
        dataDir: data,
        worker: { pollSeconds: 0.1, leaseSeconds: 30 },
        jobs: { inkorg: { source: `folder:${source}`, afterSuccess: 'leave' } },
      }),
    );
    before = snapshot(source);
    const runs = [
      bevaraAsync(data, ['-c', config, '--json', 'ingest', source]),
      bevaraAsync(data, ['-c', config, '--json', 'ingest', source]),
      bevaraAsync(data, ['-c', config, '--json', 'worker', '--once', '--id', 'w1']),
    ];
    results = await Promise.all(runs.map((r) => r.done));
  }, 300_000);
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('each process ends well and the source is untouched', () => {
    for (const r of results) expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(snapshot(source)).toEqual(before);
  });

  it('archives every record exactly once', () => {
    const db = new Database(path.join(data, 'catalog.sqlite'), { readonly: true });
    const rows = db
      .prepare('SELECT source_key AS key, COUNT(*) AS n FROM packages GROUP BY source_key')
      .all() as {
      key: string;
      n: number;
    }[];
    db.close();
    expect(rows).toHaveLength(RECORDS);
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    const [first, second] = results.slice(0, 2).map((r) => json<{ archived: number; unchanged: number }>(r));
    // Whichever process wrote a record, the others found it archived or unchanged: none wrote it again.
    expect((first?.archived ?? 0) + (first?.unchanged ?? 0)).toBe(RECORDS);
    expect((second?.archived ?? 0) + (second?.unchanged ?? 0)).toBe(RECORDS);
  });

  it('leaves a consistent archive: full audit clean, no orphans', () => {
    expectArchiveConsistent(data);
    const again = bevara(data, ['-c', config, '--json', 'ingest', source]);
    expect(again.code).toBe(0);
    expect(json<{ unchanged: number }>(again).unchanged).toBe(RECORDS);
  });
});
