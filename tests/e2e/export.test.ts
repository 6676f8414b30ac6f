/**
 * `bevara export` end to end on the real CLI, two filesystem locations, the real SQLite catalog and the real XML
 * schemas: a restricted record is refused without `--restricted` (and without a reason and requester), released
 * with them as an E-ARK DIP that passes `bevara validate` and the METS/PREMIS XSDs, with its dissemination event
 * in the catalog and an event log beside its copies; a damaged copy is passed over for the intact one; a search
 * hands out several records; folder and ZIP outputs carry every file with its catalogued digest.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CopyRecord, EventRecord, FileRecord, PackageSummary } from '../../src/catalog/types.js';
import type { Receipt } from '../../src/access/receipt.js';
import { createXmlValidator } from '../../src/metadata/xml-validator.js';
import {
  bevara,
  bevaraAsync,
  type CliResult,
  copyFixtures,
  json,
  listFiles,
  sha256File,
  tempDir,
} from './helpers.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const RESTRICTED = 'SN 2024/0257';
const RELEASE = [
  '--restricted',
  '--reason',
  'Begäran 2026-12-01, dnr KS 2026/77',
  '--requester',
  'Anna Andersson',
];

// Each test runs the CLI several times (two to ten seconds a run on the loaded 2-core machine).
describe('bevara export: hand records out', { timeout: 300_000 }, () => {
  let work: string;
  let data: string;
  let config: string;
  const ids = new Map<string, string>();
  const run = (args: string[]) => bevara(data, ['-c', config, ...args]);
  const shown = (id: string) =>
    json<{ files: FileRecord[]; copies: CopyRecord[]; events: EventRecord[] }>(run(['--json', 'show', id]));
  const out = (name: string) => path.join(work, 'out', name);

  beforeAll(() => {
    work = tempDir('export');
    const source = copyFixtures(path.join(work, 'records'));
    data = path.join(work, 'data');
    config = path.join(work, 'bevara.config.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        locations: { a: { driver: 'fs', root: 'store/a' }, b: { driver: 'fs', root: 'store/b' } },
        copies: ['a', 'b'],
      }),
    );
    expect(run(['ingest', source]).code).toBe(0);
    for (const p of json<PackageSummary[]>(run(['--json', 'ls']))) ids.set(p.label, p.id);
    expect(ids.size).toBe(3);
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  const idOf = (label: string) => [...ids].find(([l]) => l.includes(label))?.[1] ?? '';

  /** Damages one byte of `content` inside the stored copy at `location` while `fn` runs. */
  async function withDamage(id: string, location: string, content: Buffer, fn: () => Promise<void> | void) {
    const copy = shown(id).copies.find((c) => c.location === location);
    const zip = path.join(data, 'store', location, ...(copy?.key ?? '').split('/'));
    const original = fs.readFileSync(zip);
    const at = original.indexOf(content);
    expect(at).toBeGreaterThan(0);
    const damaged = Buffer.from(original);
    damaged[at + 10] = (damaged[at + 10] ?? 0) ^ 0xff;
    fs.chmodSync(zip, 0o640);
    fs.writeFileSync(zip, damaged);
    try {
      await fn();
    } finally {
      fs.writeFileSync(zip, original);
      fs.chmodSync(zip, 0o440);
    }
  }

  it('refuses a restricted record without --restricted, naming the record and the rule, and writes nothing', () => {
    const id = idOf('försörjningsstöd');
    const refused = run(['export', id, '--out', out('refused')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(RESTRICTED);
    expect(refused.stderr).toContain(id);
    expect(refused.stderr).toContain('OSL 26 kap. 1 §');
    expect(refused.stderr).toContain('access-restricted');
    const noReason = run(['export', id, '--out', out('refused'), '--restricted', '--requester', 'Anna']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--reason');
    expect(noReason.stderr).toContain('access-reason');
    // A search that takes the restricted record along is refused as a whole.
    const search = run(['export', 'creator:Exempelby', '--out', out('refused')]);
    expect(search.code).toBe(2);
    expect(search.stderr).toContain('access-restricted');
    expect(fs.existsSync(path.join(work, 'out')) ? fs.readdirSync(path.join(work, 'out')) : []).toEqual([]);
    expect(shown(id).events.filter((e) => e.type === 'dissemination')).toEqual([]);
  });

  it('with --restricted: a DIP that validates as CSIP and against the METS and PREMIS schemas, the event recorded', async () => {
    const id = idOf('försörjningsstöd');
    const target = out('försörjningsstöd.zip');
    const result = run(['--json', 'export', id, '--out', target, ...RELEASE, '--by', 'arkivarie']);
    expect(result.code, result.stderr).toBe(0);
    const { receipt } = json<{ receipt: Receipt }>(result);
    const validated = run(['--json', 'validate', target]);
    expect(validated.code, validated.stdout).toBe(0);
    expect(json<{ findings: unknown[] }>(validated).findings).toEqual([]);

    const [record] = receipt.records;
    const dipId = record?.dip?.id ?? '';
    expect(record?.dip?.sha256).toBe(sha256File(target));
    const entry = (name: string) => execFileSync('unzip', ['-p', target, `${dipId}/${name}`]);
    const mets = entry('METS.xml').toString('utf8');
    expect(mets).toContain('csip:OAISPACKAGETYPE="DIP"');
    expect(mets).toContain('PROFILE="https://earkdip.dilcis.eu/profile/E-ARK-DIP.xml"');
    const validator = createXmlValidator();
    for (const [name, schema] of [
      ['METS.xml', 'mets'],
      ['METS.xml', 'mets-csip'],
      ['representations/rep1/METS.xml', 'mets-csip'],
      ['metadata/preservation/premis.xml', 'premis'],
    ] as const) {
      const checked = await validator.validate(entry(name).toString('utf8'), schema, name);
      expect(checked.problems, name).toEqual([]);
      expect(checked.valid).toBe(true);
    }
    const premis = entry('metadata/preservation/premis.xml').toString('utf8');
    expect(premis).toContain('dissemination');
    expect(premis).toContain('person:arkivarie');

    // Every file in the DIP is the catalogued one.
    const catalogued = shown(id).files;
    for (const file of catalogued.filter((f) => f.entryPath.includes('/data/'))) {
      expect(sha256(entry(`representations/rep1/data/${file.path}`))).toBe(file.sha256);
    }
    expect(record?.files.map((f) => f.sha256).sort()).toEqual(catalogued.map((f) => f.sha256).sort());

    const events = shown(id).events.filter((e) => e.type === 'dissemination');
    expect(events).toEqual([
      expect.objectContaining({ agent: 'person:arkivarie', outcome: 'success', id: record?.eventId }),
    ]);
    expect(events[0]?.detail).toContain('Anna Andersson');
    expect(events[0]?.detail).toContain('Begäran 2026-12-01, dnr KS 2026/77');
    expect(events[0]?.detail).toContain('OSL 26 kap. 1 §');
    // The history, release included, beside each copy; the orphan listing knows those objects.
    for (const location of ['a', 'b']) {
      const dir = path.join(data, 'store', location, 'packages', id);
      const logs = fs.readdirSync(dir).filter((n) => /^events-.*\.premis\.xml$/.test(n));
      expect(logs).toHaveLength(1);
      expect(fs.readFileSync(path.join(dir, logs[0] ?? ''), 'utf8')).toContain('Anna Andersson');
    }
    expect(run(['orphans', 'list']).code).toBe(0);

    const receiptJson = JSON.parse(fs.readFileSync(out('försörjningsstöd.receipt.json'), 'utf8')) as Receipt;
    expect(receiptJson).toEqual(receipt);
    const html = fs.readFileSync(out('försörjningsstöd.receipt.html'), 'utf8');
    expect(html).toContain('Anna Andersson');
    expect(html).toContain(record?.dip?.sha256);
  });

  it('never writes over an output: a second run is refused and the first stays as it was', () => {
    const target = out('försörjningsstöd.zip');
    const before = sha256File(target);
    const again = run(['export', idOf('försörjningsstöd'), '--out', target, ...RELEASE]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('export-exists');
    expect(sha256File(target)).toBe(before);
  });

  it('two exports to one output at once: one hands out, the other is refused, and the events say so', async () => {
    const id = idOf('Medborgarförslag');
    const target = out('at-once');
    const runs = await Promise.all(
      [1, 2].map(
        () =>
          bevaraAsync(data, ['-c', config, '--json', 'export', id, '--format', 'folder', '--out', target])
            .done,
      ),
    );
    expect(runs.map((r) => r.code).sort()).toEqual([0, 2]);
    expect(runs.find((r) => r.code === 2)?.stderr).toContain('export-exists');
    const { receipt } = json<{ receipt: Receipt }>(runs.find((r) => r.code === 0) as CliResult);
    for (const f of receipt.records[0]?.files ?? [])
      expect(sha256File(path.join(target, id, f.path))).toBe(f.sha256);
    const events = shown(id).events.filter((e) => e.type === 'dissemination');
    const given = events.filter((e) => e.outcome === 'success').length;
    const undone = events.filter((e) => e.outcome === 'failure').length;
    expect(given - undone).toBe(1);
    expect(fs.readdirSync(path.join(work, 'out')).filter((n) => n.includes('partial'))).toEqual([]);
  });

  it('hands out every record a search finds, one DIP each, with one receipt', () => {
    const result = run(['--json', 'export', 'creator:Exempelby kommun', '--out', out('search'), ...RELEASE]);
    expect(result.code, result.stderr).toBe(0);
    const { receipt } = json<{ receipt: Receipt }>(result);
    expect(receipt.records.map((r) => r.identifier).sort()).toEqual(['BN 2024/0113', RESTRICTED]);
    const written = fs.readdirSync(out('search')).sort();
    expect(written).toEqual(
      [...receipt.records.map((r) => r.dip?.file ?? ''), 'receipt.html', 'receipt.json'].sort(),
    );
    for (const r of receipt.records) {
      const dip = path.join(out('search'), r.dip?.file ?? '');
      expect(sha256File(dip)).toBe(r.dip?.sha256);
      expect(run(['validate', dip]).code).toBe(0);
    }
  });

  it('folder and zip formats carry every file with its catalogued digest', () => {
    const id = idOf('bygglov');
    const files = shown(id).files;
    const folder = run(['--json', 'export', id, '--format', 'folder', '--out', out('folder')]);
    expect(folder.code, folder.stderr).toBe(0);
    expect(listFiles(out('folder'))).toEqual(
      [...files.map((f) => `${id}/${f.path}`), 'receipt.html', 'receipt.json'].sort(),
    );
    for (const f of files) expect(sha256File(path.join(out('folder'), id, f.path))).toBe(f.sha256);

    const zip = run([
      '--json',
      'export',
      id,
      idOf('Medborgarförslag'),
      '--format',
      'zip',
      '--out',
      out('two.zip'),
    ]);
    expect(zip.code, zip.stderr).toBe(0);
    const { receipt } = json<{ receipt: Receipt }>(zip);
    expect(receipt.zip?.sha256).toBe(sha256File(out('two.zip')));
    const unpacked = out('two');
    execFileSync('unzip', ['-q', out('two.zip'), '-d', unpacked]);
    for (const r of receipt.records) {
      expect(r.files.length).toBeGreaterThan(0);
      for (const f of r.files) expect(sha256File(path.join(unpacked, r.packageId, f.path))).toBe(f.sha256);
    }
    expect(listFiles(unpacked)).toHaveLength(receipt.records.reduce((n, r) => n + r.files.length, 0));
  });

  it('passes over a damaged copy for an intact one, and fails naming the file when none is intact', async () => {
    const id = idOf('bygglov');
    const pdf = fs.readFileSync(
      path.join(work, 'records', '2024-0113 Bygglov Östra Gränd 3', 'beslut', 'Beslut om bygglov.pdf'),
    );
    const first = json<{ receipt: Receipt }>(run(['--json', 'export', id, '--out', out('first')])).receipt;
    const preferred = first.records[0]?.location ?? '';
    const other = preferred === 'a' ? 'b' : 'a';
    await withDamage(id, preferred, pdf, async () => {
      for (const format of ['dip', 'folder', 'zip']) {
        const target = out(`damaged-${format}${format === 'zip' ? '.zip' : ''}`);
        const result = run(['--json', 'export', id, '--format', format, '--out', target]);
        expect(result.code, result.stderr).toBe(0);
        expect(json<{ receipt: Receipt }>(result).receipt.records[0]?.location).toBe(other);
        expect(result.stderr).toContain('Beslut om bygglov.pdf');
      }
      await withDamage(id, other, pdf, () => {
        const failed = run(['export', id, '--out', out('none')]);
        expect(failed.code).toBe(1);
        expect(failed.stderr).toContain('beslut/Beslut om bygglov.pdf');
        expect(failed.stderr).toContain('does not match its digest');
      });
    });
    expect(fs.existsSync(out('none'))).toBe(false);
    expect(fs.readdirSync(path.join(work, 'out')).filter((n) => n.includes('partial'))).toEqual([]);
  });
});
