import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
    }
    const scanned = [];
    for await (const s of createBagitSource({ root: unpacked, requiredAlgorithms: ['md5', 'sha1'] }).scan()) {
      scanned.push(s);
    }
    expect(scanned.filter((s) => !s.ok)).toEqual([]);
    expect(scanned).toHaveLength(3);
  });

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
