/**
 * The archive the catalog-rebuild tests rebuild (SQLite and PostgreSQL alike): folder records (one with an ERMS
 * case export) as eark-aip, a BagIt bag as bagit, an E-ARK SIP as fgs; two fs locations; a copy damaged and
 * repaired by an audit (write-once: the repair has a new key and an event log beside it); a changed record whose
 * new package names its predecessor; a config job. Then `audit --all` twice, so every copy has a verification
 * event in a published run log, and the catalog as `ls --json` / `show --json` / `jobs list --json` show it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { CopyRecord, EventRecord, PackageRecord, PackageSummary } from '../../src/catalog/types.js';
import { bevara, type CliResult, json } from './helpers.js';

export interface Shown {
  package: PackageRecord & { createdAt: string; archivedAt?: string };
  files: unknown[];
  copies: (CopyRecord & { storedAt: string })[];
  events: (EventRecord & { at: string })[];
}

export interface CatalogView {
  ls: PackageSummary[];
  shown: Map<string, Shown>;
  configJobs: unknown[];
}

export interface Archive {
  work: string;
  data: string;
  cli: (args: string[]) => CliResult;
  repairedId: string;
  newVersionId: string;
}

const CONFIG = (records: string) => `
locations:
  local: { driver: fs, root: store/local }
  second: { driver: fs, root: store/second }
copies: [local, second]
organisation:
  name: Exempelby kommun
  identificationCode: "212000-0000"
  address: Storgatan 1, 123 45 Exempelby
  submissionAgreement: "LÖ 2024:3"
jobs:
  nightly: { source: "folder:${records}", profile: fgs, cron: "0 2 * * *" }
`;

/** `extra` more small folder records, for tests that need the rebuild to take a while. */
export function buildArchive(work: string, catalogArgs: string[], extra = 0): Archive {
  const records = path.join(work, 'records');
  fs.cpSync(path.resolve('fixtures/records'), records, { recursive: true, preserveTimestamps: true });
  fs.cpSync(path.resolve('fixtures/erms/records'), records, { recursive: true, preserveTimestamps: true });
  for (let i = 0; i < extra; i++) {
    fs.mkdirSync(path.join(records, `extra-${i}`));
    fs.writeFileSync(path.join(records, `extra-${i}`, 'note.txt'), `record ${i}\n`);
  }
  fs.writeFileSync(path.join(work, 'bevara.yaml'), CONFIG(records));
  const data = path.join(work, 'data');
  const cli = (args: string[]) =>
    bevara(data, ['--config', path.join(work, 'bevara.yaml'), ...catalogArgs, ...args]);
  const ok = (args: string[]) => {
    const result = cli(args);
    expect(result.code, `${args.join(' ')}: ${result.stderr.slice(-2000)}`).toBe(0);
    return result;
  };
  ok(['ingest', records]);
  ok(['ingest', '--source', 'bagit', '--profile', 'bagit', path.resolve('fixtures/bags')]);
  ok(['ingest', '--source', 'eark-sip', '--profile', 'fgs', path.resolve('fixtures/sips')]);
  fs.writeFileSync(
    path.join(records, '2024-0257 Försörjningsstöd', 'komplettering.txt'),
    'kompletterande uppgifter\n',
  );
  ok(['ingest', records]);
  const newVersion = json<PackageSummary[]>(ok(['--json', 'ls'])).find((p) => p.label.includes('bistånd'));
  const repaired = json<PackageSummary[]>(ok(['--json', 'ls'])).find((p) =>
    p.label.includes('Medborgarförslag'),
  );
  if (!newVersion || !repaired) throw new Error('test setup: fixture packages not found');
  const zip = path.join(data, 'store', 'second', 'packages', repaired.id, `${repaired.id}.zip`);
  fs.chmodSync(zip, 0o600);
  const bytes = fs.readFileSync(zip);
  bytes[5000] = (bytes[5000] ?? 0) ^ 0xff;
  fs.writeFileSync(zip, bytes);
  expect(cli(['audit', '--all']).code).toBe(3);
  ok(['audit', '--all']);
  return { work, data, cli, repairedId: repaired.id, newVersionId: newVersion.id };
}

export function catalogView(archive: Archive): CatalogView {
  const ls = json<PackageSummary[]>(archive.cli(['--json', 'ls']));
  const shown = new Map(ls.map((p) => [p.id, json<Shown>(archive.cli(['--json', 'show', p.id]))]));
  const jobs = json<{ origin: string; name: string; source: unknown; profile: string; schedule: unknown }[]>(
    archive.cli(['--json', 'jobs', 'list']),
  );
  const configJobs = jobs
    .filter((j) => j.origin === 'config')
    .map(({ name, source, profile, schedule }) => ({ name, source, profile, schedule }));
  return { ls, shown, configJobs };
}

const READ_BACK = 'copy read back after writing';

/**
 * The rebuilt catalog against the original, field for field. What cannot come back (README "Catalog rebuild"):
 * ingest's read-back events of copies never repaired (no object in storage holds them) and, with them, the exact
 * time each copy was stored and the package archived (approximated from the stored object's time: compared to a
 * few seconds here), and the run id of the package's own first events (its PREMIS does not name the run).
 */
export function expectSameCatalog(before: CatalogView, after: CatalogView, repairedId: string): void {
  expect(after.ls).toEqual(before.ls);
  expect(after.configJobs).toEqual(before.configJobs);
  expect([...after.shown.keys()].sort()).toEqual([...before.shown.keys()].sort());
  for (const [id, original] of before.shown) {
    const rebuilt = after.shown.get(id) as Shown;
    const withoutTimes = (s: Shown) => ({
      ...s,
      package: { ...s.package, archivedAt: undefined },
      copies: s.copies.map((c) => ({ ...c, storedAt: undefined })),
      events: undefined,
    });
    expect(withoutTimes(rebuilt), id).toEqual(withoutTimes(original));
    expect(
      Math.abs(Date.parse(rebuilt.package.archivedAt ?? '') - Date.parse(original.package.archivedAt ?? '')),
    ).toBeLessThan(5000);
    for (const [i, copy] of original.copies.entries()) {
      expect(
        Math.abs(Date.parse(rebuilt.copies[i]?.storedAt ?? '') - Date.parse(copy.storedAt)),
      ).toBeLessThan(5000);
    }
    const rebuiltEvents = new Map(rebuilt.events.map((e) => [e.id, e]));
    for (const event of original.events) {
      const back = rebuiltEvents.get(event.id);
      if (id !== repairedId && event.detail.startsWith(READ_BACK)) {
        expect(back, `${id} ${event.id}`).toBeUndefined();
        continue;
      }
      const firstEvents =
        ['ingestion', 'message digest calculation'].includes(event.type) && id !== repairedId;
      expect(back, `${id} ${event.id}`).toEqual(firstEvents ? { ...event, runId: undefined } : event);
    }
    expect(rebuilt.events.length).toBeLessThanOrEqual(original.events.length);
  }
  // The repaired package's history was stored beside it: it comes back whole, times and runs included.
  expect(after.shown.get(repairedId)).toEqual(before.shown.get(repairedId));
}
