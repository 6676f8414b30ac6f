import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bagitPy } from '../helpers/bagit-py.js';
import type { FileRecord, PackageSummary } from '../../src/catalog/types.js';
import { bevara, json, listFiles, sha256File, snapshot, tempDir } from './helpers.js';

interface IngestJson {
  archived: number;
  rejected: number;
  items: { subject: string; status: string; details?: { problems?: { rule: string; file?: string }[] } }[];
}

// `bevara ingest --source bagit`: every valid bag becomes a package; every broken one is refused with its rule,
// its folder untouched, nothing of it stored.
describe('ingest of BagIt bags', () => {
  const work = tempDir('bagit');
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('archives a valid bag: payload as content, tag files as metadata, label from bag-info.txt', () => {
    const bags = path.join(work, 'bags');
    fs.cpSync(path.resolve('fixtures/bags'), bags, { recursive: true, preserveTimestamps: true });
    const data = path.join(work, 'data-ok');
    const before = snapshot(bags);
    const result = bevara(data, ['--json', 'ingest', '--source', 'bagit', bags]);
    expect(result.code, result.stderr).toBe(0);
    expect(json<IngestJson>(result)).toMatchObject({ archived: 1, rejected: 0 });
    expect(snapshot(bags)).toEqual(before);
    const [pkg] = json<PackageSummary[]>(bevara(data, ['--json', 'ls']));
    const shown = json<{
      package: { metadata: { identifier?: string; creator?: string } };
      files: FileRecord[];
    }>(bevara(data, ['--json', 'show', pkg?.id ?? '']));
    expect(shown.package.metadata.creator).toMatch(/Exempelby kommun/);
    const entries = shown.files.map((f) => f.entryPath);
    expect(entries.some((e) => e.startsWith('metadata/descriptive/') && e.endsWith('bag-info.txt'))).toBe(
      true,
    );
    expect(entries.some((e) => e.includes('/data/') && e.endsWith('.pdf'))).toBe(true);
    expect(shown.files.find((f) => f.path.endsWith('.pdf'))?.format?.puid).toMatch(/^fmt\//);
  });

  it('restores a bag as submitted: data/ and the tag files back in place, valid for bagit.py; validate passes the package', () => {
    const data = path.join(work, 'data-ok');
    const [pkg] = json<PackageSummary[]>(bevara(data, ['--json', 'ls']));
    const id = pkg?.id ?? '';
    const out = path.join(work, 'restored-bag');
    const got = bevara(data, ['get', id, '--out', out]);
    expect(got.code, got.stderr).toBe(0);
    const original = path.join(work, 'bags', fs.readdirSync(path.join(work, 'bags'))[0] ?? '');
    expect(listFiles(out)).toEqual(listFiles(original));
    for (const file of listFiles(out)) {
      expect(sha256File(path.join(out, file)), file).toBe(sha256File(path.join(original, file)));
    }
    // The Library of Congress validator, independent of bevara (see tests/helpers/bagit-py.ts).
    const checked = bagitPy(['--validate', out]);
    expect(
      checked.status,
      checked.error ? 'python3 not found (see scripts/test-setup.sh)' : checked.stderr,
    ).toBe(0);
    expect(checked.stderr).toMatch(/is valid/);
    const zip = path.join(data, 'store', 'local', 'packages', id, `${id}.zip`);
    const validated = bevara(data, ['--json', 'validate', zip]);
    expect(validated.code, validated.stdout).toBe(0);
    const report = json<{ findings: { id: string; level: string }[] }>(validated);
    expect(report.findings).toEqual([]);
  });

  it('refuses each broken bag with its rule and archives nothing of it', () => {
    const broken = path.join(work, 'broken');
    fs.cpSync(path.resolve('fixtures/bags-broken'), broken, { recursive: true, preserveTimestamps: true });
    fs.rmSync(path.join(broken, 'README.md'));
    fs.rmSync(path.join(broken, 'payload-xml-not-well-formed'), { recursive: true });
    const data = path.join(work, 'data-broken');
    const before = snapshot(broken);
    const result = bevara(data, ['--json', 'ingest', '--source', 'bagit', broken]);
    expect(result.code).toBe(1);
    const summary = json<IngestJson>(result);
    expect(summary.archived).toBe(0);
    const rules = new Map(
      summary.items.map((i) => [i.subject, new Set((i.details?.problems ?? []).map((p) => p.rule))]),
    );
    const expected: Record<string, string> = {
      'checksum-mismatch': 'bagit-checksum',
      'payload-file-missing': 'bagit-file-missing',
      'unlisted-file': 'bagit-unlisted-file',
      'path-escape': 'bagit-path-escape',
      'fetch-txt': 'bagit-fetch',
      'payload-oxum-wrong': 'bagit-oxum',
      'manifest-incomplete': 'bagit-manifest-incomplete',
      'bag-info-latin1': 'bagit-info',
      'bag-info-bad-line': 'bagit-info',
      'tagmanifest-mismatch': 'bagit-tagmanifest',
      'bagit-txt-missing': 'bagit-declaration',
      'no-payload-manifest': 'bagit-manifest-missing',
    };
    for (const [bag, rule] of Object.entries(expected))
      expect([bag, rules.get(bag)?.has(rule)]).toEqual([bag, true]);
    expect(snapshot(broken)).toEqual(before);
    expect(json<PackageSummary[]>(bevara(data, ['--json', 'ls']))).toEqual([]);
    expect(fs.readdirSync(path.join(data, 'store', 'local')).filter((n) => n === 'packages')).toEqual([]);
  });
});
