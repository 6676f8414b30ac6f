/**
 * `bevara validate` and `bevara ingest` give one verdict on the same SIP, for the ZIP tricks where a reader that
 * trusts the directory, or compares names byte for byte, would be fooled: two names that are one name after NFC
 * normalisation, and an entry whose headers claim fewer bytes than its deflated data holds (a bomb that the
 * ratio limit, reading the claim, would let through).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bevara, snapshot } from '../e2e/helpers.js';
import { makeZip, type ZipSampleEntry } from '../helpers/zip-bytes.js';
import {
  expectArchiveConsistent,
  expectRefused,
  type HostileWorld,
  hostileWorld,
  type IngestReport,
  ingestReport,
} from './harness.js';

const GOOD_SIP = path.resolve('fixtures/sips/BN-2024-0113.zip');

/** The entries of the good fixture SIP, renamed under `root`, as the tests' own ZIP writer takes them. */
function goodEntries(work: string, root: string): ZipSampleEntry[] {
  const folder = path.join(work, 'unpacked');
  fs.mkdirSync(folder, { recursive: true });
  execFileSync('unzip', ['-q', '-o', GOOD_SIP, '-d', folder]);
  const top = path.join(folder, 'BN-2024-0113');
  return (fs.readdirSync(top, { recursive: true }) as string[])
    .filter((rel) => fs.statSync(path.join(top, rel)).isFile())
    .sort()
    .map((rel) => ({ name: `${root}/${rel}`, data: fs.readFileSync(path.join(top, rel)), deflate: true }));
}

describe('validate and ingest: one verdict on ZIP tricks', () => {
  let world: HostileWorld;
  let report: IngestReport;
  let code: number;
  let inboxBefore: Record<string, string>;
  let outsideBefore: Record<string, string>;
  const NFC = 'documentation/\u00e5tg\u00e4rd.txt';
  const NFD = NFC.normalize('NFD');

  beforeAll(() => {
    world = hostileWorld('one-verdict');
    const twins = [
      ...goodEntries(world.root, 'tvillingar'),
      { name: `tvillingar/${NFC}`, data: 'komponerad\n' },
      { name: `tvillingar/${NFD}`, data: 'uppdelad\n' },
    ];
    fs.writeFileSync(path.join(world.inbox, 'tvillingar.zip'), makeZip(twins));
    // 32 MiB of zeros deflate to about 32 KB; the headers claim 1,000 bytes, well within 1000:1 of that.
    const liar = [
      ...goodEntries(world.root, 'ljuger'),
      {
        name: 'ljuger/documentation/noll.bin',
        data: Buffer.alloc(32 << 20),
        deflate: true,
        claimedSize: 1000,
      },
    ];
    fs.writeFileSync(path.join(world.inbox, 'ljuger.zip'), makeZip(liar));
    fs.copyFileSync(GOOD_SIP, path.join(world.inbox, 'god.zip'));
    inboxBefore = snapshot(world.inbox);
    outsideBefore = world.snapshotOutside();
    const result = bevara(world.data, ['--json', 'ingest', '--source', 'eark-sip', world.inbox]);
    code = result.code;
    report = ingestReport(result);
  }, 180_000);
  afterAll(() => world.dispose());

  it('ingest refuses both, naming record, rule and file, and archives the good SIP', () => {
    expect(code).toBe(1);
    expect(report.items.filter((i) => i.status === 'ok').map((i) => i.subject)).toEqual(['god']);
    const twin = expectRefused(report, 'tvillingar', 'name-collision');
    expect([NFC, NFD].some((name) => twin.file?.endsWith(name))).toBe(true);
    const liar = report.items.find((i) => i.subject === 'ljuger');
    expect(liar?.status).toBe('rejected');
    expect(JSON.stringify(liar?.details?.problems)).toMatch(/zip-size/);
    expect(JSON.stringify(liar?.details?.problems)).toContain('noll.bin');
    expect(snapshot(world.inbox)).toEqual(inboxBefore);
    expect(world.snapshotOutside()).toEqual(outsideBefore);
    expectArchiveConsistent(world.data);
  });

  it('validate gives the same verdict, with the same rules', () => {
    const twins = bevara(world.data, ['--json', 'validate', path.join(world.inbox, 'tvillingar.zip')]);
    expect(twins.code, twins.stderr).toBe(1);
    expect(twins.stdout).toContain('name-collision');
    const liar = bevara(world.data, ['--json', 'validate', path.join(world.inbox, 'ljuger.zip')]);
    expect(liar.code, liar.stderr).toBe(1);
    expect(liar.stdout).toMatch(/zip-size/);
    expect(liar.stdout).toContain('noll.bin');
  });
});
