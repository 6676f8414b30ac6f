import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bevara, snapshot } from '../e2e/helpers.js';
import { folderEntries, writeSamplePackage, writeZip } from '../helpers/eark-package.js';
import {
  expectArchiveConsistent,
  type HostileWorld,
  hostileWorld,
  type IngestReport,
  ingestReport,
} from './harness.js';

/** The bytes of `zip` with the CRC-32 of the entry named `name` changed, in its local and central headers. */
function breakCrc(zip: Buffer, name: string): Buffer {
  const out = Buffer.from(zip);
  for (const [signature, crcAt, nameLengthAt, nameAt] of [
    [0x04034b50, 14, 26, 30],
    [0x02014b50, 16, 28, 46],
  ] as const) {
    for (let i = 0; i + 4 <= out.length; i++) {
      if (out.readUInt32LE(i) !== signature) continue;
      const length = out.readUInt16LE(i + nameLengthAt);
      if (out.subarray(i + nameAt, i + nameAt + length).toString('utf8') !== name) continue;
      out.writeUInt32LE((out.readUInt32LE(i + crcAt) ^ 0xdeadbeef) >>> 0, i + crcAt);
    }
  }
  return out;
}

/** The bytes of `zip` with the compression method of the entry named `name` set to an unsupported one (99). */
function breakMethod(zip: Buffer, name: string): Buffer {
  const out = Buffer.from(zip);
  for (const [signature, methodAt, nameLengthAt, nameAt] of [
    [0x04034b50, 8, 26, 30],
    [0x02014b50, 10, 28, 46],
  ] as const) {
    for (let i = 0; i + 4 <= out.length; i++) {
      if (out.readUInt32LE(i) !== signature) continue;
      const length = out.readUInt16LE(i + nameLengthAt);
      if (out.subarray(i + nameAt, i + nameAt + length).toString('utf8') === name)
        out.writeUInt16LE(99, i + methodAt);
    }
  }
  return out;
}

/**
 * One bad input refuses that input alone: the run goes on with the others, ends with a status and a report, and
 * the good records are archived. SIPs whose METS is hostile XML or a broken ZIP entry sit beside a good SIP.
 */
describe('per-record isolation: a hostile SIP is refused alone', () => {
  let world: HostileWorld;
  let report: IngestReport;
  let code: number;
  let inboxBefore: Record<string, string>;
  let outsideBefore: Record<string, string>;

  beforeAll(() => {
    world = hostileWorld('isolation');
    const work = path.join(world.root, 'build');
    const sip = writeSamplePackage(work, 'sample-sip');
    const zipOf = (name: string, edit?: (mets: string) => string) => {
      const entries = folderEntries(sip, 'sample-sip/');
      if (edit) {
        const mets = entries.find((e) => e.name === 'sample-sip/METS.xml');
        if (mets?.data) mets.data = Buffer.from(edit(mets.data.toString('utf8')));
      }
      const file = path.join(world.inbox, name);
      writeZip(file, entries);
      return file;
    };
    zipOf('god.zip');
    const doctype = (decl: string) => (mets: string) => mets.replace('?>', `?>\n<!DOCTYPE mets [ ${decl} ]>`);
    zipOf('extern-entitet.zip', doctype('<!ENTITY x SYSTEM "file:///etc/passwd">'));
    zipOf('parameter-entitet.zip', doctype('<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;'));
    const laughs = Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join(
      ' ',
    );
    zipOf('skratt.zip', (mets) =>
      doctype(`<!ENTITY l0 "ha"> ${laughs}`)(mets).replace(/<\/mets>\s*$/, '<x>&l9;</x></mets>'),
    );
    zipOf('djup.zip', (mets) =>
      mets.replace(/<\/mets>\s*$/, `${'<x>'.repeat(100_000)}${'</x>'.repeat(100_000)}</mets>`),
    );
    const crc = zipOf('fel-crc.zip');
    fs.writeFileSync(crc, breakCrc(fs.readFileSync(crc), 'sample-sip/METS.xml'));
    const method = zipOf('fel-metod.zip');
    fs.writeFileSync(method, breakMethod(fs.readFileSync(method), 'sample-sip/METS.xml'));
    fs.rmSync(work, { recursive: true });
    inboxBefore = snapshot(world.inbox);
    outsideBefore = world.snapshotOutside();
    const result = bevara(world.data, ['--json', 'ingest', '--source', 'eark-sip', world.inbox]);
    code = result.code;
    report = ingestReport(result);
  }, 180_000);
  afterAll(() => world.dispose());

  it('archives the good SIP, refuses each hostile one naming record and rule, exits 1 with a report', () => {
    const archived = report.items.filter((i) => i.status === 'ok').map((i) => i.subject);
    expect(archived).toEqual(['god']);
    expect(code).toBe(1);
    expect(report.status).toBe('completed-with-failures');
    expect(report.reports.length).toBeGreaterThan(0);
    for (const report_ of report.reports) expect(fs.existsSync(report_)).toBe(true);
    const bad: Record<string, string> = {
      'extern-entitet': 'METS-XML',
      'parameter-entitet': 'METS-XML',
      skratt: 'METS-XML',
      djup: 'METS-XML',
      'fel-crc': 'zip-crc',
      'fel-metod': 'zip-unsupported-method',
    };
    for (const [key, rule] of Object.entries(bad)) {
      const item = report.items.find((i) => i.subject === key);
      expect(item?.status, `${key}: ${JSON.stringify(item)}`).toBe('rejected');
      const problems = (item?.details?.problems ?? []) as { rule: string; message: string }[];
      expect(problems.length, key).toBeGreaterThan(0);
      expect(
        problems.map((p) => p.rule),
        key,
      ).toContain(rule);
      expect(problems.find((p) => p.rule === rule)?.message, key).toContain('METS.xml');
    }
  });

  it('leaves the inbox and everything outside as they were; the archive is consistent', () => {
    expect(snapshot(world.inbox)).toEqual(inboxBefore);
    expect(world.snapshotOutside()).toEqual(outsideBefore);
    expectArchiveConsistent(world.data);
  });
});

describe('per-record isolation: a case export with an entity bomb is refused alone', () => {
  it('refuses the record (erms-invalid, erms.xml named), archives the good one', () => {
    const world = hostileWorld('erms-bomb');
    try {
      fs.mkdirSync(path.join(world.inbox, 'god'));
      fs.writeFileSync(path.join(world.inbox, 'god', 'beslut.txt'), 'Beslut\n');
      fs.mkdirSync(path.join(world.inbox, 'bomb'));
      fs.writeFileSync(path.join(world.inbox, 'bomb', 'beslut.txt'), 'Beslut\n');
      const laughs = Array.from(
        { length: 9 },
        (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`,
      ).join('');
      fs.writeFileSync(
        path.join(world.inbox, 'bomb', 'erms.xml'),
        `<?xml version="1.0"?>\n<!DOCTYPE erms [<!ENTITY l0 "ha">${laughs}]>\n` +
          '<erms xmlns="https://DILCIS.eu/XML/ERMS"><x>&l9;</x></erms>\n',
      );
      const outside = world.snapshotOutside();
      const result = bevara(world.data, ['--json', 'ingest', world.inbox]);
      expect(result.code).toBe(1);
      const erms = ingestReport(result);
      expect(erms.items.filter((i) => i.status === 'ok').map((i) => i.subject)).toEqual(['god']);
      const item = erms.items.find((i) => i.subject === 'bomb');
      const problems = (item?.details?.problems ?? []) as { rule: string; file?: string }[];
      expect(problems.map((p) => p.rule)).toContain('erms-invalid');
      expect(problems.find((p) => p.rule === 'erms-invalid')?.file).toBe('erms.xml');
      expect(world.snapshotOutside()).toEqual(outside);
      expectArchiveConsistent(world.data);
    } finally {
      world.dispose();
    }
  });
});
