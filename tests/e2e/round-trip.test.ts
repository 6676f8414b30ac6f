import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileRecord, PackageSummary } from '../../src/catalog/types.js';
import { bevara, copyFixtures, json, listFiles, sha256File, snapshot, tempDir } from './helpers.js';

describe('ingest → ls → show → audit → get on the embedded defaults', () => {
  let work: string;
  let source: string;
  let data: string;
  let before: Record<string, string>;

  beforeAll(() => {
    work = tempDir('roundtrip');
    source = copyFixtures(path.join(work, 'records'));
    data = path.join(work, 'data');
    before = snapshot(source);
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('ingests every fixture record, leaves the source untouched, and writes a report', () => {
    const result = bevara(data, ['--json', 'ingest', source]);
    expect(result.code, result.stderr).toBe(0);
    const summary = json<{ archived: number; rejected: number; reports: string[] }>(result);
    expect(summary.archived).toBe(3);
    expect(summary.rejected).toBe(0);
    expect(snapshot(source)).toEqual(before);
    for (const report of summary.reports) expect(fs.existsSync(report)).toBe(true);
    // Logs are JSON lines on stderr; stdout carried only the result.
    const lines = result.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.some((l) => l.msg === 'record archived')).toBe(true);
  });

  it('lists the packages as archived with one verified copy each', () => {
    const packages = json<PackageSummary[]>(bevara(data, ['--json', 'ls']));
    expect(packages).toHaveLength(3);
    for (const p of packages) {
      expect(p.state).toBe('archived');
      expect(p.copies).toEqual([{ location: 'local', status: 'verified' }]);
    }
    expect(packages.map((p) => p.label)).toContain('Ansökan om bygglov, Östra Gränd 3');
  });

  it('shows a package with its files, digests and PREMIS-shaped events', () => {
    const [first] = json<PackageSummary[]>(bevara(data, ['--json', 'ls']));
    const shown = json<{ files: { path: string; sha256: string }[]; events: { type: string }[] }>(
      bevara(data, ['--json', 'show', first?.id ?? '']),
    );
    expect(shown.files.length).toBeGreaterThan(0);
    expect(shown.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['ingestion', 'message digest calculation', 'fixity check']),
    );
    const human = bevara(data, ['show', first?.id ?? '']);
    expect(human.stdout).toContain(shown.files[0]?.sha256);
  });

  it('identifies each file by its content: MIME type and PRONOM PUID, in the catalog, show and PREMIS', () => {
    const packages = json<PackageSummary[]>(bevara(data, ['--json', 'ls']));
    const bygglov = packages.find((p) => p.label === 'Ansökan om bygglov, Östra Gränd 3');
    const shown = json<{ files: FileRecord[] }>(bevara(data, ['--json', 'show', bygglov?.id ?? '']));
    const byPath = new Map(shown.files.map((f) => [f.path, f]));
    expect(byPath.get('ansökan.pdf')).toMatchObject({
      mimeType: 'application/pdf',
      format: { puid: 'fmt/18' },
    });
    expect(byPath.get('bilagor/fasadritning söder.png')).toMatchObject({
      mimeType: 'image/png',
      format: { puid: expect.stringMatching(/^fmt\/1[123]$/) },
    });
    expect(byPath.get('e-tjänst/ansökan.xml')?.format?.puid).toBe('fmt/101');
    const human = bevara(data, ['show', bygglov?.id ?? '']).stdout;
    expect(human).toContain('fmt/18 Acrobat PDF 1.4');
    const zip = path.join(data, 'store', 'local', 'packages', bygglov?.id ?? '', `${bygglov?.id}.zip`);
    const premis = execFileSync('unzip', ['-p', zip, `${bygglov?.id}/metadata/preservation/premis.xml`], {
      encoding: 'utf8',
    });
    expect(premis).toMatch(
      /<premis:formatRegistryName>PRONOM<\/premis:formatRegistryName>\s*<premis:formatRegistryKey>fmt\/18</,
    );
  });

  it('audits every copy clean', () => {
    const result = bevara(data, ['--json', 'audit', '--all']);
    expect(result.code, result.stdout).toBe(0);
    const summary = json<{ verified: number; failed: number; orphans: number; files: number }>(result);
    expect(summary).toMatchObject({ verified: 3, failed: 0, orphans: 0 });
    expect(summary.files).toBe(listFiles(source).length);
  });

  it('restores every package byte for byte, record.json included', () => {
    const packages = json<(PackageSummary & { id: string })[]>(bevara(data, ['--json', 'ls']));
    for (const p of packages) {
      const shown = json<{ package: { sourceKey: string } }>(bevara(data, ['--json', 'show', p.id]));
      const out = path.join(work, 'restored', p.id);
      const result = bevara(data, ['get', p.id, '--out', out]);
      expect(result.code, result.stderr).toBe(0);
      const original = path.join(source, shown.package.sourceKey);
      expect(listFiles(out)).toEqual(listFiles(original));
      for (const file of listFiles(original))
        expect(sha256File(path.join(out, file)), file).toBe(sha256File(path.join(original, file)));
    }
  });

  it('refuses to restore over existing files', () => {
    const [first] = json<PackageSummary[]>(bevara(data, ['--json', 'ls']));
    const out = path.join(work, 'restored', first?.id ?? '');
    const result = bevara(data, ['get', first?.id ?? '', '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/exists/);
  });

  it('finds an unchanged source unchanged and writes nothing new', () => {
    const result = bevara(data, ['--json', 'ingest', source]);
    expect(result.code).toBe(0);
    expect(json<{ archived: number; unchanged: number }>(result)).toMatchObject({
      archived: 0,
      unchanged: 3,
    });
    expect(json<PackageSummary[]>(bevara(data, ['--json', 'ls']))).toHaveLength(3);
  });

  it('makes a new package version naming its predecessor when a record changes', () => {
    const record = path.join(source, 'KS 2023-0890 Medborgarförslag');
    fs.writeFileSync(path.join(record, 'komplettering.txt'), 'Komplettering inkom 2024-02-01.\n');
    const result = bevara(data, ['--json', 'ingest', source]);
    expect(json<{ archived: number; unchanged: number }>(result)).toMatchObject({
      archived: 1,
      unchanged: 2,
    });
    const packages = json<PackageSummary[]>(bevara(data, ['--json', 'ls']));
    expect(packages).toHaveLength(4);
    const newest = json<{ package: { predecessorId?: string; sourceKey: string } }>(
      bevara(data, ['--json', 'show', packages[0]?.id ?? '']),
    );
    expect(newest.package.sourceKey).toBe('KS 2023-0890 Medborgarförslag');
    expect(packages.map((p) => p.id)).toContain(newest.package.predecessorId);
  });
});
