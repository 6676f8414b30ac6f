import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bagitPy } from '../helpers/bagit-py.js';
import type { PackageSummary } from '../../src/catalog/types.js';
import { createBagitSource } from '../../src/sources/bagit/bag-source.js';
import { validatePackage } from '../../src/validation/validate-package.js';
import { bevara, copyFixtures, json, listFiles, sha256File, tempDir } from './helpers.js';

// Profile bagit: each package is a BagIt bag (E-ARK BagIt profile) whose data/ holds the E-ARK package.
describe('profile bagit', () => {
  const work = tempDir('bagprofile');
  const source = copyFixtures(path.join(work, 'records'));
  const data = path.join(work, 'data');
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('writes bags that a BagIt validator accepts (MD5, SHA-1, SHA-256), with a valid E-ARK package inside', async () => {
    const result = bevara(data, ['-p', 'bagit', 'ingest', source]);
    expect(result.code, result.stderr).toBe(0);
    const packages = json<PackageSummary[]>(bevara(data, ['--json', 'ls']));
    expect(packages).toHaveLength(3);
    const unpacked = path.join(work, 'unpacked');
    fs.mkdirSync(unpacked);
    for (const pkg of packages) {
      const zip = path.join(data, 'store', 'local', 'packages', pkg.id, `${pkg.id}.zip`);
      execFileSync('unzip', ['-q', zip, '-d', unpacked]);
      const bag = path.join(unpacked, pkg.id);
      expect(fs.readFileSync(path.join(bag, 'bag-info.txt'), 'utf8')).toMatch(/Payload-Oxum: \d+\.\d+\n/);
      const report = await validatePackage(path.join(bag, 'data', pkg.id), { profile: 'csip' });
      expect(report.findings).toEqual([]);
      // The ZIP as stored: the bag (manifests, Payload-Oxum) and the E-ARK package inside it, by the CLI.
      const validated = bevara(data, ['--json', 'validate', zip]);
      expect(validated.code, validated.stdout).toBe(0);
      const whole = json<{
        findings: { id: string; level: string }[];
        profileReason: string;
        verified: { files: number };
      }>(validated);
      expect(whole.findings).toEqual([]);
      expect(whole.profileReason).toMatch(/BagIt bag/);
      expect(whole.verified.files).toBeGreaterThan(5);
      const bagit = bagitPy(['--validate', bag]);
      expect(bagit.status, bagit.error ? 'python3 not found (see scripts/test-setup.sh)' : bagit.stderr).toBe(
        0,
      );
    }
    const scanned = [];
    for await (const s of createBagitSource({ root: unpacked, requiredAlgorithms: ['md5', 'sha1'] }).scan()) {
      scanned.push(s);
    }
    expect(scanned.filter((s) => !s.ok)).toEqual([]);
    expect(scanned).toHaveLength(3);
  }, 180_000); // three ingests' worth of validation and bagit.py: over a minute on a loaded machine

  it('audits and restores bagged packages like any other', () => {
    const audit = bevara(data, ['--json', 'audit', '--all']);
    expect(audit.code, audit.stderr).toBe(0);
    expect(json<{ verified: number; failed: number }>(audit)).toMatchObject({ verified: 3, failed: 0 });
    for (const pkg of json<PackageSummary[]>(bevara(data, ['--json', 'ls']))) {
      const shown = json<{ package: { sourceKey: string } }>(bevara(data, ['--json', 'show', pkg.id]));
      const out = path.join(work, 'restored', pkg.id);
      expect(bevara(data, ['get', pkg.id, '--out', out]).code).toBe(0);
      const original = path.join(source, shown.package.sourceKey);
      expect(listFiles(out)).toEqual(listFiles(original));
      for (const file of listFiles(out)) {
        expect(sha256File(path.join(out, file))).toBe(sha256File(path.join(original, file)));
      }
    }
  });
});

// `bevara validate` on a bagged package that was changed after it was written: the bag's own rules find it.
describe('validate on a broken bagged package', () => {
  const work = tempDir('bagbroken');
  const source = copyFixtures(path.join(work, 'records'));
  const data = path.join(work, 'data');
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('a changed payload byte → bagit-checksum (and the CSIP checksum rule); a wrong Payload-Oxum → bagit-oxum', () => {
    expect(bevara(data, ['-p', 'bagit', 'ingest', source]).code).toBe(0);
    const [pkg] = json<PackageSummary[]>(bevara(data, ['--json', 'ls']));
    const id = pkg?.id ?? '';
    const unpacked = path.join(work, 'unpacked');
    execFileSync('unzip', [
      '-q',
      path.join(data, 'store', 'local', 'packages', id, `${id}.zip`),
      '-d',
      unpacked,
    ]);
    const bag = path.join(unpacked, id);
    const validate = () =>
      json<{ findings: { id: string; level: string; location: { file: string } }[] }>(
        bevara(data, ['--json', 'validate', bag]),
      );
    expect(validate().findings).toEqual([]);
    const content = listFiles(path.join(bag, 'data', id, 'representations', 'rep1', 'data'))[0] ?? '';
    const file = path.join(bag, 'data', id, 'representations', 'rep1', 'data', content);
    const bytes = fs.readFileSync(file);
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    fs.writeFileSync(file, bytes);
    const changed = validate().findings.filter((f) => f.level === 'MUST');
    expect(new Set(changed.map((f) => f.id))).toEqual(new Set(['bagit-checksum', 'CSIP71']));
    expect(changed.find((f) => f.id === 'bagit-checksum')?.location.file).toBe(
      `data/${id}/representations/rep1/data/${content}`,
    );
    expect(changed.find((f) => f.id === 'CSIP71')?.location.file).toBe(
      `data/${id}/representations/rep1/METS.xml`,
    );
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    fs.writeFileSync(file, bytes);
    const info = path.join(bag, 'bag-info.txt');
    fs.writeFileSync(
      info,
      fs
        .readFileSync(info, 'utf8')
        .replace(/Payload-Oxum: (\d+)\./, (_m, n) => `Payload-Oxum: ${Number(n) + 1}.`),
    );
    expect(
      validate()
        .findings.map((f) => f.id)
        .sort(),
    ).toEqual(['bagit-oxum', 'bagit-tagmanifest']);
  });
});
