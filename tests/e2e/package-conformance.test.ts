import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import type { CopyRecord, PackageSummary } from '../../src/catalog/types.js';
import { createXmlValidator, type XmlSchemaName } from '../../src/metadata/xml-validator.js';
import { bevara, copyFixtures, json, tempDir } from './helpers.js';

/** Reads every entry of a ZIP with yauzl, a reader independent of ours. */
function readWithYauzl(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, decodeStrings: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const entries = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  isArray: (name) => ['file', 'fileGrp'].includes(name),
});

describe('every package bevara writes is a sound ZIP with schema-valid metadata that matches its content', () => {
  let work: string;
  let data: string;
  const packages: { id: string; zip: string; entries: Map<string, Buffer> }[] = [];

  beforeAll(async () => {
    work = tempDir('conformance');
    const source = copyFixtures(path.join(work, 'records'));
    data = path.join(work, 'data');
    expect(bevara(data, ['ingest', source]).code).toBe(0);
    for (const p of json<PackageSummary[]>(bevara(data, ['--json', 'ls']))) {
      const shown = json<{ copies: CopyRecord[] }>(bevara(data, ['--json', 'show', p.id]));
      const zip = path.join(data, 'store', 'local', ...(shown.copies[0]?.key ?? '').split('/'));
      packages.push({ id: p.id, zip, entries: await readWithYauzl(zip) });
    }
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('passes Info-ZIP unzip -t', () => {
    expect(packages).toHaveLength(3);
    for (const p of packages)
      expect(execFileSync('unzip', ['-t', p.zip], { encoding: 'utf8' })).toContain('No errors detected');
  });

  it('has a single root folder named after the package id, with the E-ARK layout', () => {
    for (const p of packages) {
      const names = [...p.entries.keys()];
      expect(names.every((n) => n.startsWith(`${p.id}/`))).toBe(true);
      for (const required of [
        'METS.xml',
        'metadata/descriptive/dc.xml',
        'metadata/preservation/premis.xml',
        'representations/rep1/METS.xml',
      ]) {
        expect(names).toContain(`${p.id}/${required}`);
      }
      expect(names.some((n) => n.startsWith(`${p.id}/representations/rep1/data/`))).toBe(true);
    }
  });

  it('validates against METS 1.12 (+ CSIP extension), PREMIS 3 and DC with a real schema validator', async () => {
    const validator = createXmlValidator();
    const checks: [string, XmlSchemaName][] = [
      ['METS.xml', 'mets-csip'],
      ['representations/rep1/METS.xml', 'mets-csip'],
      ['metadata/preservation/premis.xml', 'premis'],
      ['representations/rep1/metadata/preservation/premis.xml', 'premis'],
      ['metadata/descriptive/dc.xml', 'dc'],
    ];
    for (const p of packages) {
      for (const [name, schema] of checks) {
        const xml = p.entries.get(`${p.id}/${name}`)?.toString('utf8') ?? '';
        const result = await validator.validate(xml, schema, name);
        expect(result.problems, `${p.id}/${name}`).toEqual([]);
        expect(result.valid).toBe(true);
      }
    }
  });

  it('lists in the representation METS every data file with its real size and SHA-256', () => {
    for (const p of packages) {
      const mets = parser.parse(
        p.entries.get(`${p.id}/representations/rep1/METS.xml`)?.toString('utf8') ?? '',
      );
      const files = (mets.mets?.fileSec?.fileGrp ?? []).flatMap(
        (g: Record<string, unknown>) => g.file as Record<string, unknown>[],
      );
      const data = [...p.entries.entries()].filter(([n]) =>
        n.startsWith(`${p.id}/representations/rep1/data/`),
      );
      expect(files).toHaveLength(data.length);
      for (const [name, bytes] of data) {
        const listed = files.find((f: Record<string, unknown>) => f['@CHECKSUM'] === sha256(bytes));
        expect(listed, name).toBeDefined();
        expect(Number(listed['@SIZE'])).toBe(bytes.length);
        expect(listed['@CHECKSUMTYPE']).toBe('SHA-256');
      }
    }
  });

  it('references dc.xml, premis.xml and the representation METS from the root METS with their real digests', () => {
    for (const p of packages) {
      const rootXml = p.entries.get(`${p.id}/METS.xml`)?.toString('utf8') ?? '';
      expect(rootXml).toContain('xmlns:csip="https://DILCIS.eu/XML/METS/CSIPExtensionMETS"');
      for (const name of [
        'metadata/descriptive/dc.xml',
        'metadata/preservation/premis.xml',
        'representations/rep1/METS.xml',
      ]) {
        const bytes = p.entries.get(`${p.id}/${name}`) as Buffer;
        expect(rootXml, name).toContain(sha256(bytes));
      }
      expect(rootXml).toContain(`OBJID="${p.id}"`);
    }
  });
});
