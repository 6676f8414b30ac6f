import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError, PreservationError } from '../../../src/errors.js';
import { buildRootMets } from '../../../src/metadata/mets.js';
import { createXmlValidator, type XmlSchemaName } from '../../../src/metadata/xml-validator.js';
import { buildParts, municipalCase } from './municipal-case.js';
import { lineOf } from './parse.js';

const validator = createXmlValidator();
const desc = municipalCase();
const rootXml = buildRootMets(desc, buildParts(desc).refs);
const EXAMPLES = new URL('./fixtures/eark-csip-examples/', import.meta.url);
const SCHEMAS = new URL('../../../profiles/schemas/', import.meta.url);

const example = (name: string) => readFile(new URL(`${name}.METS.xml`, EXAMPLES), 'utf8');

describe('createXmlValidator', () => {
  const tempDirs: string[] = [];
  afterEach(async () => {
    await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('reports a METS without its required structMap, with line number', async () => {
    const start = rootXml.indexOf('  <structMap');
    const end = rootXml.indexOf('</structMap>') + '</structMap>\n'.length;
    const noStructMap = rootXml.slice(0, start) + rootXml.slice(end);
    const result = await validator.validate(noStructMap, 'mets', 'METS.xml');
    expect(result.valid).toBe(false);
    expect(result.problems[0]?.message).toMatch(/^METS\.xml:\d+: .*Missing child element.*structMap/);
    // libxml2 names the line where the incomplete element starts.
    expect(result.problems[0]?.line).toBe(lineOf(noStructMap, '<mets '));
  });

  it('reports an attribute value outside the METS enumeration on its line', async () => {
    const bad = rootXml.replace(
      'LOCTYPE="URL" xlink:type="simple" xlink:href="metadata/descriptive/dc.xml"',
      'LOCTYPE="FTP" xlink:type="simple" xlink:href="metadata/descriptive/dc.xml"',
    );
    const result = await validator.validate(bad, 'mets');
    expect(result.valid).toBe(false);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.message).toMatch(/LOCTYPE.*'FTP'/);
    expect(result.problems[0]?.line).toBe(lineOf(bad, 'LOCTYPE="FTP"'));
  });

  it('checks csip: attribute values only under mets-csip', async () => {
    const bad = rootXml.replace('csip:OAISPACKAGETYPE="AIP"', 'csip:OAISPACKAGETYPE="XIP"');
    const [lax, strict] = await Promise.all([
      validator.validate(bad, 'mets'),
      validator.validate(bad, 'mets-csip'),
    ]);
    expect(lax.valid).toBe(true);
    expect(strict.valid).toBe(false);
    expect(strict.problems[0]?.message).toMatch(/OAISPACKAGETYPE.*'XIP'/);
    expect(strict.problems[0]?.line).toBe(lineOf(bad, 'OAISPACKAGETYPE="XIP"'));
  });

  it('accepts the valid E-ARK example and rejects the broken "invalid METS" one', async () => {
    const [good, invalid] = await Promise.all([
      example('minimal_IP_with_schemas'),
      example('minimal_IP_invmets'),
    ]);
    const schemas: XmlSchemaName[] = ['mets', 'mets-csip'];
    for (const schema of schemas) {
      const [okResult, badResult] = await Promise.all([
        validator.validate(good, schema),
        validator.validate(invalid, schema, 'METS.xml'),
      ]);
      expect(okResult, schema).toEqual({ valid: true, problems: [] });
      expect(badResult.valid, schema).toBe(false);
      expect(badResult.problems[0]?.message).toMatch(/namez/);
      expect(badResult.problems[0]?.line).toBe(lineOf(invalid, '<namez>'));
    }
  });

  it('passes the examples whose defects only CSIP rules (not XML Schema) can find', async () => {
    const names = ['minimal_IP_nocrtdt', 'minimal_IP_noflscid', 'minimal_IP_nomtshdr', 'minimal_IP_nopcktyp'];
    const docs = await Promise.all(names.map(example));
    const results = await Promise.all(docs.map((xml, i) => validator.validate(xml, 'mets-csip', names[i])));
    for (const result of results) expect(result.valid).toBe(true);
  });

  it('reports a document that is not well-formed as invalid', async () => {
    const result = await validator.validate(
      '<mets xmlns="http://www.loc.gov/METS/">\n<metsHdr>\n</mets>\n',
      'mets',
    );
    expect(result.valid).toBe(false);
    expect(result.problems[0]?.line).toBe(3);
    expect(result.problems[0]?.message).toMatch(/^document\.xml:3: .*mismatch/);
  });

  it('keeps results apart when documents are validated together', async () => {
    const bad = rootXml.replace('CHECKSUMTYPE="SHA-256"', 'CHECKSUMTYPE="SHA-257"');
    const results = await Promise.all([
      validator.validate(rootXml, 'mets', 'a.xml'),
      validator.validate(bad, 'mets', 'b.xml'),
      validator.validate('<oops', 'mets', 'c.xml'),
      validator.validate(rootXml, 'mets', 'd.xml'),
    ]);
    expect(results.map((r) => r.valid)).toEqual([true, false, false, true]);
    expect(results[1]?.problems.every((p) => p.message.startsWith('b.xml:'))).toBe(true);
    expect(results[1]?.problems[0]?.line).toBe(lineOf(bad, 'SHA-257'));
    expect(results[2]?.problems[0]?.message).toMatch(/^c\.xml:1: /);
  });

  it('rejects an unknown schema name and a schema folder without the schema files', async () => {
    await expect(validator.validate(rootXml, 'ead' as XmlSchemaName)).rejects.toThrow(/unknown schema "ead"/);
    const dir = await mkdtemp(join(tmpdir(), 'bevara-schemas-'));
    tempDirs.push(dir);
    await expect(createXmlValidator({ schemaDir: dir }).validate(rootXml, 'mets')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('rejects rather than passes when a schema does not compile (no network fallback for imports)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bevara-schemas-'));
    tempDirs.push(dir);
    await copyFile(new URL('mets.xsd', SCHEMAS), join(dir, 'mets.xsd'));
    await writeFile(join(dir, 'xlink.xsd'), '<notASchema/>');
    const broken = createXmlValidator({ schemaDir: dir });
    const failure = broken.validate(rootXml, 'mets');
    await expect(failure).rejects.toBeInstanceOf(PreservationError);
    await expect(failure).rejects.toThrow(/\[xml-validator\] schema "mets"/);
  });
});
