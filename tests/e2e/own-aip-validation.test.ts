/**
 * The E-ARK package validator on an AIP written by bevara itself (the CLI, from dist/): every requirement the
 * validator checks is met. The validator against the official examples: tests/conformance/eark-validator.test.ts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createXmlValidator } from '../../src/metadata/xml-validator.js';
import { validatePackage } from '../../src/validation/validate-package.js';
import { tempDir } from './helpers.js';

const xmlValidator = createXmlValidator();
const validate = (p: string) => validatePackage(p, { xmlValidator, profile: 'csip' });

let tmp: string;
beforeAll(() => {
  tmp = tempDir('eark-own-aip');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("bevara's own AIP", () => {
  it('is schema-valid and meets every CSIP requirement the validator checks', async ({ expect }) => {
    const data = path.join(tmp, 'aip');
    execFileSync(process.execPath, ['dist/cli/main.js', 'ingest', 'fixtures/records', '-d', data], {
      env: { ...process.env, BEVARA_LOG__LEVEL: 'silent' },
      stdio: 'ignore',
    });
    const packages = path.join(data, 'store/local/packages');
    const id = fs.readdirSync(packages).sort()[0] as string;
    const report = await validate(path.join(packages, id, `${id}.zip`));
    expect(report.root).toBe(id);
    expect(report.verified.files).toBeGreaterThanOrEqual(4);
    for (const absent of [
      'METS-XSD',
      'METS-XML',
      'CSIPSTR1',
      'CSIPSTR4',
      'CSIP69',
      'CSIP71',
      'CSIP79',
      'CSIP110',
    ]) {
      expect(report.findings.filter((f) => f.id === absent)).toEqual([]);
    }
    // Every MUST and SHOULD requirement the validator implements is met by our own AIPs.
    expect(report.findings).toEqual([]);
    expect(report.valid).toBe(true);
  });
});
