import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryPackage } from '../../../src/validation/memory-package.js';
import { openPackage } from '../../../src/validation/package-reader.js';
import { validateOpened } from '../../../src/validation/validate-package.js';

// The check every written package goes through (src/package/build.ts): the E-ARK rules over the file list and
// the METS held in memory. It must pass our packages and catch what a broken builder would produce.
describe('in-memory package validation', () => {
  let work: string;
  let files: { path: string; size: number }[];
  let texts: Map<string, string>;
  let root: string;
  const check = (f = files, t = texts) =>
    validateOpened(memoryPackage(root, f, t), { profile: 'csip', schema: false, verifyChecksums: false });

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-memval-'));
    execFileSync(process.execPath, ['dist/cli/main.js', 'ingest', 'fixtures/records', '-d', work], {
      env: { ...process.env, BEVARA_LOG__LEVEL: 'silent' },
      stdio: 'ignore',
    });
    const packages = path.join(work, 'store/local/packages');
    root = fs.readdirSync(packages).sort()[0] as string;
    const pkg = await openPackage(path.join(packages, root, `${root}.zip`));
    files = [...pkg.files.values()].map((f) => ({ path: f.path, size: f.size }));
    texts = new Map();
    for (const f of files.filter((f) => f.path.endsWith('METS.xml'))) {
      texts.set(f.path, (await pkg.read(f.path)).toString('utf8'));
    }
    await pkg.close();
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('passes a package bevara wrote, in milliseconds', async () => {
    const started = performance.now();
    const result = await check();
    expect(result.findings).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('finds a header without CREATEDATE, a missing file and a wrong size', async () => {
    const mets = texts.get('METS.xml') ?? '';
    const noDate = new Map(texts).set('METS.xml', mets.replace(/ CREATEDATE="[^"]*"/, ''));
    expect((await check(files, noDate)).findings.map((f) => f.id)).toContain('CSIP7');
    const withoutPremis = files.filter((f) => f.path !== 'metadata/preservation/premis.xml');
    expect((await check(withoutPremis)).findings.some((f) => f.level === 'MUST')).toBe(true);
    const resized = files.map((f) =>
      f.path === 'metadata/descriptive/dc.xml' ? { ...f, size: f.size + 1 } : f,
    );
    expect((await check(resized)).findings.some((f) => f.level === 'MUST')).toBe(true);
  });
});
