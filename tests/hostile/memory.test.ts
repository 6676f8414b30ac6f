import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../e2e/helpers.js';
import { writeSamplePackage } from '../helpers/eark-package.js';
import { expectArchiveConsistent, type HostileWorld, hostileWorld, ingestReport } from './harness.js';

const LIMIT_KB = 300 * 1024;

/** Runs the CLI under /usr/bin/time; returns its exit status, stdout and peak RSS in KiB. */
function measured(data: string, args: string[]): { code: number; stdout: string; peakKb: number } {
  const result = spawnSync(
    '/usr/bin/time',
    ['-f', 'PEAK_KB=%M', process.execPath, BIN, '--data-dir', data, ...args],
    { encoding: 'utf8', env: { ...process.env, BEVARA_LOG__FORMAT: 'json' }, maxBuffer: 1 << 26 },
  );
  const peak = /PEAK_KB=(\d+)/.exec(result.stderr)?.[1];
  expect(peak, result.stderr.slice(-2000)).toBeDefined();
  return { code: result.status ?? -1, stdout: result.stdout, peakKb: Number(peak) };
}

/** A SIP folder whose METS.xml is padded with header agents to `bytes`. */
function sipWithMets(inbox: string, name: string, bytes: number): string {
  const sip = writeSamplePackage(inbox, name);
  const file = path.join(sip, 'METS.xml');
  const text = fs.readFileSync(file, 'utf8');
  const agent =
    '<agent ROLE="OTHER" TYPE="OTHER" OTHERROLE="x"><name>Handläggare Exempelby kommun</name></agent>\n';
  const padding = agent.repeat(Math.ceil(bytes / agent.length));
  fs.writeFileSync(file, text.replace(/(<metsHdr[^>]*>)/, `$1${padding}`));
  return sip;
}

/**
 * Memory is bounded by the limits, not by the input: each hostile shape is refused (or read) within 300 MB of peak
 * RSS, by ingest and by validate. Figures are printed for the README.
 */
describe('memory stays bounded whatever the input shape', () => {
  let world: HostileWorld;
  const figures: string[] = [];

  beforeAll(() => {
    world = hostileWorld('memory');
  });
  afterAll(() => {
    console.log(`peak RSS (KiB):\n${figures.join('\n')}`);
    world.dispose();
  });

  for (const mib of [30, 200]) {
    it(`a SIP whose METS is ${mib} MB is refused unread (METS-size), under 300 MB`, () => {
      const inbox = path.join(world.root, `inbox-${mib}`);
      const sip = sipWithMets(inbox, `stor-mets-${mib}`, mib * 1024 * 1024);
      const data = path.join(world.root, `data-${mib}`);
      const ingest = measured(data, ['--json', 'ingest', '--source', 'eark-sip', inbox]);
      expect(ingest.code).toBe(1);
      const report = ingestReport({ code: ingest.code, stdout: ingest.stdout, stderr: '' });
      const item = report.items.find((i) => i.subject === `stor-mets-${mib}`);
      expect(JSON.stringify(item?.details?.problems)).toContain('METS-size');
      const validate = measured(data, ['--json', 'validate', sip]);
      expect(validate.code).toBe(1);
      expect(validate.stdout).toContain('METS-size');
      figures.push(`METS ${mib} MB: ingest ${ingest.peakKb}, validate ${validate.peakKb}`);
      expect(ingest.peakKb).toBeLessThan(LIMIT_KB);
      expect(validate.peakKb).toBeLessThan(LIMIT_KB);
      fs.rmSync(inbox, { recursive: true });
    }, 120_000);
  }

  it('a bag with 40 tag files of 60 MB each is refused before any is read (bagit-tags-too-big), under 300 MB', () => {
    const bags = path.join(world.root, 'bags');
    const bag = path.join(bags, 'manga-taggar');
    fs.mkdirSync(path.join(bag, 'data'), { recursive: true });
    fs.writeFileSync(path.join(bag, 'bagit.txt'), 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    fs.writeFileSync(path.join(bag, 'data', 'a.txt'), 'a\n');
    fs.writeFileSync(
      path.join(bag, 'manifest-sha256.txt'),
      'a02a05b025b928c039cf1ae7e8ee04e7c190c0db4e46e0d4fe9be0a4bcd6e0a0  data/a.txt\n',
    );
    // Sparse files: their size is what a reader would have to hold, without filling the disk.
    for (let i = 0; i < 40; i++) {
      const file = path.join(bag, `extra-${i}.txt`);
      fs.writeFileSync(file, '');
      fs.truncateSync(file, 60 * 1024 * 1024);
    }
    const data = path.join(world.root, 'data-bag');
    const ingest = measured(data, ['--json', 'ingest', '--source', 'bagit', bags]);
    expect(ingest.code).toBe(1);
    expect(ingest.stdout).toContain('bagit-tags-too-big');
    figures.push(`bag of 40 x 60 MB tag files: ingest ${ingest.peakKb}`);
    expect(ingest.peakKb).toBeLessThan(LIMIT_KB);
    expectArchiveConsistent(data);
  }, 120_000);
});
