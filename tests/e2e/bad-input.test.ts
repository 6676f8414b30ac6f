import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageSummary, RunItem } from '../../src/catalog/types.js';
import { bevara, type CliResult, json, snapshot, tempDir } from './helpers.js';

interface IngestJson {
  status: string;
  archived: number;
  rejected: number;
  items: RunItem[];
  reports: string[];
}

const pdf = Buffer.from('%PDF-1.4\n% a tiny stand-in document\n%%EOF\n');

/**
 * One source folder holding a good record beside one record per kind of bad input. The run must archive the good
 * one, reject each bad one naming record, file and rule, leave the source as it was, and exit non-zero.
 */
describe('bad input: each bad record is rejected with a clear reason, the run goes on', () => {
  let work: string;
  let source: string;
  let data: string;
  let before: Record<string, string>;
  let result: CliResult;
  let report: IngestJson;

  const record = (name: string) => {
    const dir = path.join(source, name);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  };
  const rejection = (key: string) => report.items.find((i) => i.subject === key);
  const problems = (key: string) =>
    (rejection(key)?.details?.problems ?? []) as { rule: string; file?: string; message: string }[];

  beforeAll(() => {
    work = tempDir('badinput');
    source = path.join(work, 'inbox');
    data = path.join(work, 'data');
    fs.writeFileSync(path.join(record('good'), 'beslut.pdf'), pdf);
    record('empty');
    fs.writeFileSync(path.join(record('only-metadata'), 'record.json'), '{"title":"Bara metadata"}');
    fs.writeFileSync(path.join(record('bad-json'), 'record.json'), '{"title": "Ärende", ');
    fs.writeFileSync(path.join(record('bad-json'), 'a.pdf'), pdf);
    fs.writeFileSync(
      path.join(record('wrong-json'), 'record.json'),
      JSON.stringify({ title: 'Ärende', titel: 'typo', dates: { created: 'igår' } }),
    );
    fs.writeFileSync(path.join(record('wrong-json'), 'a.pdf'), pdf);
    fs.writeFileSync(path.join(record('symlink'), 'a.pdf'), pdf);
    fs.symlinkSync('/etc/passwd', path.join(record('symlink'), 'lösenord.txt'));
    fs.writeFileSync(path.join(record('fifo'), 'a.pdf'), pdf);
    execFileSync('mkfifo', [path.join(record('fifo'), 'rör')]);
    fs.writeFileSync(path.join(record('latin1-name'), 'a.pdf'), pdf);
    fs.writeFileSync(
      Buffer.concat([
        Buffer.from(path.join(record('latin1-name'), 'besl')),
        Buffer.from([0xf6]),
        Buffer.from('t.txt'),
      ]),
      'x',
    );
    const deep = path.join(
      record('long-name'),
      ...Array.from({ length: 5 }, (_, i) => `${'mapp'.repeat(12)}${i}`),
    );
    fs.mkdirSync(deep, { recursive: true });
    fs.writeFileSync(path.join(deep, 'bilaga.pdf'), pdf);
    before = snapshot(source);
    result = bevara(data, ['--json', 'ingest', source]);
    report = json<IngestJson>(result);
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('archives the good record and exits non-zero for the rest', () => {
    expect(result.code).toBe(1);
    expect(report.status).toBe('completed-with-failures');
    expect(report.archived).toBe(1);
    expect(rejection('good')?.status).toBe('ok');
    const packages = json<PackageSummary[]>(bevara(data, ['--json', 'ls']));
    expect(packages.map((p) => p.label)).toEqual(['good']);
  });

  it.each([
    ['empty', 'empty-record', undefined],
    ['only-metadata', 'empty-record', undefined],
    ['bad-json', 'record-json-invalid', 'record.json'],
    ['wrong-json', 'record-json-invalid', 'record.json'],
    ['symlink', 'symlink', 'lösenord.txt'],
    ['fifo', 'special-file', 'rör'],
    ['latin1-name', 'name-encoding', undefined],
    ['long-name', 'path-too-long', undefined],
  ])('record "%s" is rejected by rule %s', (key, rule, file) => {
    expect(rejection(key)?.status).toBe('rejected');
    const problem = problems(key).find((p) => p.rule === rule);
    expect(problem, JSON.stringify(problems(key))).toBeDefined();
    expect(problem?.message).toContain(key);
    if (file) {
      expect(problem?.file).toBe(file);
      expect(problem?.message).toContain(file);
    }
  });

  it('names each schema problem of record.json with its path', () => {
    const messages = problems('wrong-json')
      .map((p) => p.message)
      .join('\n');
    expect(messages).toContain('titel');
    expect(messages).toContain('dates.created');
  });

  it('lists every rejection in the run report (JSON and HTML)', () => {
    const saved = JSON.parse(fs.readFileSync(report.reports[0] ?? '', 'utf8')) as { items: RunItem[] };
    expect(saved.items.filter((i) => i.status === 'rejected')).toHaveLength(8);
    const html = fs.readFileSync(report.reports[1] ?? '', 'utf8');
    expect(html).toContain('Slutförd med fel'); // reports speak Swedish by default (config language)
    expect(html).toContain('lösenord.txt');
    expect(html).toContain('path-too-long');
  });

  it('leaves the source exactly as it was', () => {
    expect(snapshot(source)).toEqual(before);
  });

  it('rejects a file it cannot read when running as an unprivileged user', () => {
    const inbox = path.join(work, 'unreadable');
    fs.mkdirSync(path.join(inbox, 'hemlig'), { recursive: true });
    fs.mkdirSync(path.join(inbox, 'öppen'), { recursive: true });
    fs.writeFileSync(path.join(inbox, 'hemlig', 'a.pdf'), pdf);
    fs.writeFileSync(path.join(inbox, 'hemlig', 'låst.pdf'), pdf, { mode: 0o000 });
    fs.chmodSync(path.join(inbox, 'hemlig', 'låst.pdf'), 0o000);
    fs.writeFileSync(path.join(inbox, 'öppen', 'a.pdf'), pdf);
    const nobodyData = path.join(work, 'nobody-data');
    fs.mkdirSync(nobodyData);
    fs.chmodSync(work, 0o755);
    execFileSync('chown', ['nobody', nobodyData]);
    const run = bevara(nobodyData, ['--json', 'ingest', inbox], { user: 'nobody', cwd: '/tmp' });
    expect(run.code, run.stderr).toBe(1);
    const items = json<IngestJson>(run).items;
    const locked = items.find((i) => i.subject === 'hemlig');
    expect(locked?.status).toBe('rejected');
    expect(locked?.message).toContain('låst.pdf');
    expect(locked?.message).toMatch(/unreadable|permission/i);
    expect(items.find((i) => i.subject === 'öppen')?.status).toBe('ok');
  });
});
