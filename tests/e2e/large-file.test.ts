import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageSummary } from '../../src/catalog/types.js';
import { BIN, bevara, json, sha256File, tempDir } from './helpers.js';

const SIZE = 700 * 1024 * 1024 + 12345; // 700 MiB and an odd tail: over twice the memory budget
const RSS_LIMIT_MB = 300;

/** Runs the CLI under /usr/bin/time and returns its exit code and peak resident memory in MB. */
function measured(data: string, args: string[]): { code: number; peakMb: number; stdout: string } {
  const result = spawnSync(
    '/usr/bin/time',
    ['-f', 'PEAK_RSS_KB=%M', process.execPath, BIN, '--data-dir', data, '--log-level', 'warn', ...args],
    { encoding: 'utf8' },
  );
  const kb = Number(/PEAK_RSS_KB=(\d+)/.exec(result.stderr)?.[1]);
  return { code: result.status ?? -1, peakMb: kb / 1024, stdout: result.stdout };
}

describe('a file much larger than memory budgets streams through ingest, audit and get', () => {
  let work: string;
  let data: string;
  let big: string;

  beforeAll(() => {
    work = tempDir('large');
    big = path.join(work, 'records', 'ritningsarkiv', 'skannade ritningar.tif');
    fs.mkdirSync(path.dirname(big), { recursive: true });
    // Real, non-zero bytes: a 1 MiB pattern written repeatedly (sparse zeros would hide a digest-of-zeros bug).
    const block = Buffer.alloc(1 << 20);
    for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761) >>> 24;
    const fd = fs.openSync(big, 'w');
    for (let written = 0; written < SIZE; written += block.length)
      fs.writeSync(fd, block, 0, Math.min(block.length, SIZE - written));
    fs.closeSync(fd);
    data = path.join(work, 'data');
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it(`ingests, audits and restores with peak RSS under ${RSS_LIMIT_MB} MB each`, () => {
    const ingest = measured(data, ['ingest', path.join(work, 'records')]);
    expect(ingest.code).toBe(0);
    expect(ingest.peakMb).toBeLessThan(RSS_LIMIT_MB);

    const audit = measured(data, ['audit', '--all']);
    expect(audit.code).toBe(0);
    expect(audit.peakMb).toBeLessThan(RSS_LIMIT_MB);

    const [pkg] = json<PackageSummary[]>(bevara(data, ['--json', 'ls']));
    expect(pkg?.size).toBeGreaterThan(SIZE);
    const out = path.join(work, 'restored');
    const get = measured(data, ['get', pkg?.id ?? '', '--out', out]);
    expect(get.code).toBe(0);
    expect(get.peakMb).toBeLessThan(RSS_LIMIT_MB);
    expect(sha256File(path.join(out, 'skannade ritningar.tif'))).toBe(sha256File(big));
    console.log(
      `peak RSS MB: ingest ${ingest.peakMb.toFixed(0)}, audit ${audit.peakMb.toFixed(0)}, get ${get.peakMb.toFixed(0)}`,
    );
  }, 240_000);
});
