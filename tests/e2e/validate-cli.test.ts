/** `bevara validate`: the E-ARK report in text and JSON, the profile option, and exit codes 0 / 1 / 2. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ValidationReport } from '../../src/validation/types.js';
import { writeSamplePackage } from '../helpers/eark-package.js';
import { bevara, json, tempDir } from './helpers.js';

const EXAMPLES = '/work/shared/standards';
const NOPCKTYP = path.join(EXAMPLES, 'eark-csip/examples/minimal_IP_nopcktyp.zip');
const COMMONS_IP = path.join(EXAMPLES, 'eark-sip/examples/Simple-EARK-SIP.commons-ip.zip');

let tmp: string;
let dataDir: string;
let sample: string;
beforeAll(() => {
  tmp = tempDir('validate');
  dataDir = path.join(tmp, 'data');
  sample = writeSamplePackage(path.join(tmp, 'in'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('bevara validate', () => {
  it('a conformant SIP folder: VALID, exit 0, and no data directory is created', () => {
    const result = bevara(dataDir, ['validate', sample]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Result +VALID: 0 MUST, 0 SHOULD, 0 MAY/m);
    expect(result.stdout).toMatch(/Profile +E-ARK SIP 2\.1.*OAISPACKAGETYPE is "SIP"/);
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('a broken example: each failed requirement with id, level, message and location; exit 1', () => {
    const result = bevara(dataDir, ['validate', NOPCKTYP]);
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    const at = lines.findIndex((l) => /^MUST +CSIP9 +.*OAISPACKAGETYPE/.test(l));
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/at METS\.xml line 19 +\/mets:mets\/mets:metsHdr$/);
    // MUST findings are listed before SHOULD ones.
    const levels = lines.map((l) => /^(MUST|SHOULD|MAY) /.exec(l)?.[1]).filter(Boolean);
    expect(levels.indexOf('SHOULD')).toBeGreaterThan(levels.lastIndexOf('MUST'));
  });

  it('--json gives the report for machines, with the lower-case namespace reported as CSIP-NS', () => {
    const result = bevara(dataDir, ['--json', 'validate', COMMONS_IP]);
    expect(result.code).toBe(1);
    const report = json<ValidationReport>(result);
    expect(report).toMatchObject({ kind: 'zip', root: 'Simple-EARK-SIP', profile: 'sip', valid: false });
    expect(report.counts.MUST).toBe(report.findings.filter((f) => f.level === 'MUST').length);
    const ns = report.findings.find((f) => f.id === 'CSIP-NS');
    expect(ns).toMatchObject({ level: 'MUST', location: { file: 'METS.xml', line: 2, xpath: '/mets:mets' } });
  });

  it('--profile csip checks CSIP only (option after or before the command)', () => {
    for (const args of [
      ['--json', 'validate', '--profile', 'csip', NOPCKTYP],
      ['--json', '--profile', 'csip', 'validate', NOPCKTYP],
    ]) {
      const report = json<ValidationReport>(bevara(dataDir, args));
      expect(report.profile).toBe('csip');
      expect(report.profileReason).toBe('given as an option');
      expect(report.findings.some((f) => f.id.startsWith('SIP'))).toBe(false);
    }
  });

  it('usage errors exit 2: an unknown profile, a path that does not exist', () => {
    const bad = bevara(dataDir, ['validate', '--profile', 'aip', sample]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/csip, sip|choices/);
    const missing = bevara(dataDir, ['validate', path.join(tmp, 'nope.zip')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/\[validate\] .*nope\.zip: no such file or folder/);
  });
});
