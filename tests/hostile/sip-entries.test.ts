import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bevara, snapshot } from '../e2e/helpers.js';
import { writeSamplePackage } from '../helpers/eark-package.js';
import {
  expectArchiveConsistent,
  expectRefused,
  type HostileWorld,
  hostileWorld,
  type IngestReport,
  ingestReport,
} from './harness.js';

/**
 * What a SIP holds besides files is refused, never turned into something else: a symbolic link stored in a ZIP
 * (Info-ZIP -y) and a FIFO in a SIP folder. `validate` gives the same verdict, and does not hang on a FIFO.
 */
describe('links and special files inside SIPs', () => {
  let world: HostileWorld;
  let report: IngestReport;
  let code: number;
  let inboxBefore: Record<string, string>;

  beforeAll(() => {
    world = hostileWorld('sip-entries');
    const build = path.join(world.root, 'build');
    const linked = writeSamplePackage(build, 'med-länk');
    fs.symlinkSync('/etc/passwd', path.join(linked, 'representations', 'rep1', 'data', 'lösenord.txt'));
    execFileSync('zip', ['-q', '-r', '-y', path.join(world.inbox, 'med-länk.zip'), 'med-länk'], {
      cwd: build,
    });
    const fifo = writeSamplePackage(world.inbox, 'med-fifo');
    execFileSync('mkfifo', [path.join(fifo, 'representations', 'rep1', 'data', 'rör')]);
    writeSamplePackage(world.inbox, 'god');
    fs.rmSync(build, { recursive: true });
    inboxBefore = snapshot(world.inbox);
    const result = bevara(world.data, ['--json', 'ingest', '--source', 'eark-sip', world.inbox]);
    code = result.code;
    report = ingestReport(result);
  }, 120_000);
  afterAll(() => world.dispose());

  it('ingest refuses both with their rule and file, archives the good SIP, touches nothing', () => {
    expect(code).toBe(1);
    expect(report.items.filter((i) => i.status === 'ok').map((i) => i.subject)).toEqual(['god']);
    expect(expectRefused(report, 'med-länk', 'zip-symlink-entry').message).toContain('lösenord.txt');
    expect(expectRefused(report, 'med-fifo', 'package-special-file').message).toContain('rör');
    expect(snapshot(world.inbox)).toEqual(inboxBefore);
    expectArchiveConsistent(world.data);
  });

  it('validate gives the same verdicts, and refuses a FIFO given as the package instead of hanging', () => {
    const linked = bevara(world.data, ['--json', 'validate', path.join(world.inbox, 'med-länk.zip')]);
    expect(linked.code).toBe(1);
    expect(linked.stdout).toContain('zip-symlink-entry');
    const fifo = bevara(world.data, ['--json', 'validate', path.join(world.inbox, 'med-fifo')]);
    expect(fifo.code).toBe(1);
    expect(fifo.stdout).toContain('package-special-file');
    const pipe = path.join(world.root, 'paket.zip');
    execFileSync('mkfifo', [pipe]);
    const started = Date.now();
    const refused = bevara(world.data, ['validate', pipe]);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('not-a-package');
  });
});
