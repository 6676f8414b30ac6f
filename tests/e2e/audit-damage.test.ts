import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CopyRecord, FileRecord, PackageSummary } from '../../src/catalog/types.js';
import { bevara, copyFixtures, json, tempDir } from './helpers.js';

interface Shown {
  package: { id: string; sha256: string };
  files: FileRecord[];
  copies: CopyRecord[];
}

interface AuditJson {
  reports: string[];
  failed: number;
  missing: number;
  orphans: number;
  items: {
    status: string;
    packageId?: string;
    subject: string;
    details?: { problems?: { rule: string; file?: string; expected?: string; actual?: string }[] };
  }[];
}

/** One archived fixture package per test, then damage its stored copy in one way. */
describe('audit finds damage and names the package, the file and the digests', () => {
  let work: string;
  let data: string;
  let shown: Shown;
  let zipPath: string;

  beforeEach(() => {
    work = tempDir('damage');
    const source = path.join(work, 'records');
    fs.mkdirSync(source);
    fs.cpSync(
      path.join(copyFixtures(path.join(work, 'all')), '2024-0113 Bygglov Östra Gränd 3'),
      path.join(source, 'bygglov'),
      { recursive: true },
    );
    data = path.join(work, 'data');
    expect(bevara(data, ['ingest', source]).code).toBe(0);
    const [pkg] = json<PackageSummary[]>(bevara(data, ['--json', 'ls']));
    shown = json<Shown>(bevara(data, ['--json', 'show', pkg?.id ?? '']));
    zipPath = path.join(data, 'store', 'local', ...(shown.copies[0]?.key ?? '').split('/'));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  const audit = () => {
    const result = bevara(data, ['--json', 'audit', '--all']);
    return {
      code: result.code,
      report: json<AuditJson>(result),
      human: bevara(data, ['audit', '--all']).stdout,
    };
  };

  it('a flipped byte inside one file: that file, expected and actual digest', () => {
    const pdf = shown.files.find((f) => f.path === 'beslut/Beslut om bygglov.pdf');
    expect(pdf).toBeDefined();
    const zip = fs.readFileSync(zipPath);
    const original = fs.readFileSync(
      path.join(work, 'all', '2024-0113 Bygglov Östra Gränd 3', 'beslut', 'Beslut om bygglov.pdf'),
    );
    const offset = zip.indexOf(original);
    expect(offset).toBeGreaterThan(0);
    zip[offset + 100] = (zip[offset + 100] ?? 0) ^ 0x01;
    fs.writeFileSync(zipPath, zip);

    const { code, report, human } = audit();
    expect(code).toBe(1);
    const item = report.items.find((i) => i.packageId === shown.package.id);
    expect(item?.status).toBe('failed');
    const fileProblem = item?.details?.problems?.find((p) => p.rule === 'file-digest');
    expect(fileProblem).toMatchObject({ file: 'beslut/Beslut om bygglov.pdf', expected: pdf?.sha256 });
    expect(fileProblem?.actual).toMatch(/^[0-9a-f]{64}$/);
    expect(fileProblem?.actual).not.toBe(pdf?.sha256);
    expect(item?.details?.problems?.find((p) => p.rule === 'package-digest')?.expected).toBe(
      shown.package.sha256,
    );
    // Only the damaged file is reported; the others still verify.
    expect(item?.details?.problems?.filter((p) => p.rule === 'file-digest')).toHaveLength(1);
    expect(human).toContain(shown.package.id);
    expect(human).toContain('beslut/Beslut om bygglov.pdf');
    expect(human).toContain(pdf?.sha256);
    // The HTML report says it at a glance: the verdict, the record's name, the file, both digests.
    const html = fs.readFileSync(report.reports.find((r) => r.endsWith('.html')) ?? '', 'utf8');
    expect(html).toContain('Granskning: Slutförd med fel — 1 fel');
    expect(html).toContain('Ansökan om bygglov, Östra Gränd 3');
    expect(html).toContain('beslut/Beslut om bygglov.pdf');
    expect(html).toContain(pdf?.sha256);
    // The catalog remembers the failed check and a PREMIS fixity check failure event.
    const after = json<Shown & { events: { type: string; outcome: string }[] }>(
      bevara(data, ['--json', 'show', shown.package.id]),
    );
    expect(after.copies[0]?.status).toBe('failed');
    expect(after.events.some((e) => e.type === 'fixity check' && e.outcome === 'failure')).toBe(true);
  });

  it('a truncated package', () => {
    const size = fs.statSync(zipPath).size;
    fs.truncateSync(zipPath, size - 500);
    const { code, report, human } = audit();
    expect(code).toBe(1);
    const problems = report.items.find((i) => i.packageId === shown.package.id)?.details?.problems ?? [];
    expect(problems.map((p) => p.rule)).toEqual(expect.arrayContaining(['size-mismatch', 'package-digest']));
    expect(problems.find((p) => p.rule === 'package-digest')?.expected).toBe(shown.package.sha256);
    expect(human).toContain(shown.package.id);
  });

  it('a deleted package', () => {
    fs.rmSync(zipPath);
    const { code, report, human } = audit();
    expect(code).toBe(1);
    expect(report.missing).toBe(1);
    expect(report.items.find((i) => i.packageId === shown.package.id)?.details?.problems?.[0]?.rule).toBe(
      'copy-missing',
    );
    expect(human).toMatch(/missing/i);
    expect(human).toContain(shown.package.id);
  });

  it('an object the catalog does not know', () => {
    const stray = path.join(data, 'store', 'local', 'packages', 'uuid-stray', 'uuid-stray.zip');
    fs.mkdirSync(path.dirname(stray), { recursive: true });
    fs.writeFileSync(stray, 'not ours');
    const { code, report, human } = audit();
    expect(code).toBe(1);
    expect(report.orphans).toBe(1);
    expect(report.items.find((i) => i.status === 'orphan')?.subject).toBe(
      'local:packages/uuid-stray/uuid-stray.zip',
    );
    expect(human).toContain('packages/uuid-stray/uuid-stray.zip');
  });

  it('restores nothing from a damaged only copy', () => {
    const zip = fs.readFileSync(zipPath);
    const original = fs.readFileSync(
      path.join(work, 'all', '2024-0113 Bygglov Östra Gränd 3', 'ansökan.pdf'),
    );
    const offset = zip.indexOf(original);
    zip[offset + 10] = (zip[offset + 10] ?? 0) ^ 0xff;
    fs.writeFileSync(zipPath, zip);
    const out = path.join(work, 'out');
    const result = bevara(data, ['get', shown.package.id, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ansökan.pdf');
    const left = fs.existsSync(out)
      ? fs.readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.pdf'))
      : [];
    expect(left).toEqual([]);
  });
});
