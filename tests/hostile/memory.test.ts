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

  it('a SIP ZIP of 99,000 tiny entries is refused from its directory (sip-too-many-entries), under 300 MB', () => {
    const inbox = path.join(world.root, 'inbox-many');
    const src = path.join(world.root, 'many-src');
    const sip = writeSamplePackage(src, 'manga-filer');
    for (let i = 0; i < 99_000; i++) {
      const dir = path.join(sip, 'documentation', `n${Math.floor(i / 1000)}`);
      if (i % 1000 === 0) fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${i}.txt`), String(i));
    }
    fs.mkdirSync(inbox);
    // Info-ZIP writes the ZIP64 end record that 99,000 entries need.
    const zipped = spawnSync('zip', ['-0', '-r', '-q', path.join(inbox, 'manga-filer.zip'), 'manga-filer'], {
      cwd: src,
    });
    expect(zipped.status, String(zipped.stderr)).toBe(0);
    fs.rmSync(src, { recursive: true });
    const data = path.join(world.root, 'data-many');
    const ingest = measured(data, ['--json', 'ingest', '--source', 'eark-sip', inbox]);
    expect(ingest.code).toBe(1);
    const report = ingestReport({ code: ingest.code, stdout: ingest.stdout, stderr: '' });
    const item = report.items.find((i) => i.subject === 'manga-filer');
    expect(JSON.stringify(item?.details?.problems)).toContain('sip-too-many-entries');
    expect(JSON.stringify(item?.details?.problems)).toMatch(/holds 99\d{3} files; at most 20000/);
    const validate = measured(data, ['--json', 'validate', path.join(inbox, 'manga-filer.zip')]);
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain('sip-too-many-entries');
    figures.push(`SIP of 99,000 tiny entries: ingest ${ingest.peakKb}, validate ${validate.peakKb}`);
    expect(ingest.peakKb).toBeLessThan(LIMIT_KB);
    expect(validate.peakKb).toBeLessThan(LIMIT_KB);
    expectArchiveConsistent(data);
    fs.rmSync(inbox, { recursive: true });
  }, 300_000);

  it('a folder record of 20,001 files is refused (record-too-many-files); one of 20,000 is archived', () => {
    const records = path.join(world.root, 'records-many');
    const record = path.join(records, 'stort-arende');
    for (let i = 0; i < 20_001; i++) {
      const dir = path.join(record, `d${Math.floor(i / 1000)}`);
      if (i % 1000 === 0) fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${i}.txt`), `${i}\n`);
    }
    const data = path.join(world.root, 'data-records-many');
    const refused = measured(data, ['--json', 'ingest', records]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('record-too-many-files');
    expect(refused.stdout).toContain('stort-arende');
    fs.rmSync(path.join(record, 'd20', '20000.txt'));
    const archived = measured(data, ['--json', 'ingest', records]);
    expect(archived.code, archived.stdout.slice(-2000)).toBe(0);
    figures.push(
      `record of 20,001 files: refused ${refused.peakKb}; of 20,000 files: archived ${archived.peakKb}`,
    );
    expect(refused.peakKb).toBeLessThan(LIMIT_KB);
    expectArchiveConsistent(data);
  }, 600_000);
});
