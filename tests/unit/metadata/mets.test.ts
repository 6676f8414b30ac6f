import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import {
  AIP_PROFILE_URL,
  buildRepresentationMets,
  buildRootMets,
  SIP_PROFILE_URL,
} from '../../../src/metadata/mets.js';
import { buildRepresentationPremis } from '../../../src/metadata/premis.js';
import { createXmlValidator } from '../../../src/metadata/xml-validator.js';
import { AGENT, buildParts, CASE_TITLE, measure, municipalCase, PACKAGE_ID } from './municipal-case.js';
import { type Parsed, parseXml, textOf } from './parse.js';

const CSIP_NS = 'https://DILCIS.eu/XML/METS/CSIPExtensionMETS';
const NCNAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;
/** Characters allowed unescaped in a relative URL path; everything else must be percent-encoded. */
const URL_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]+$/;

const validator = createXmlValidator();
const desc = municipalCase();
const parts = buildParts(desc);
const rootXml = buildRootMets(desc, parts.refs);
const repXml = parts.repMets;

function allIds(node: Parsed, ids: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) allIds(n, ids);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '@_ID') ids.push(value as string);
      else allIds(value, ids);
    }
  }
  return ids;
}

describe('METS builders', () => {
  it('produce root and representation METS valid against METS 1.12 and METS + CSIP extension', async () => {
    const results = await Promise.all([
      validator.validate(rootXml, 'mets', 'METS.xml'),
      validator.validate(rootXml, 'mets-csip', 'METS.xml'),
      validator.validate(repXml, 'mets', 'representations/rep1/METS.xml'),
      validator.validate(repXml, 'mets-csip', 'representations/rep1/METS.xml'),
    ]);
    for (const result of results) expect(result).toEqual({ valid: true, problems: [] });
  });

  it('gives the representation its own PREMIS in representations/rep1/metadata/preservation (CSIPSTR13), referenced from its amdSec', async () => {
    const premis = buildRepresentationPremis(desc);
    expect(await validator.validate(premis, 'premis', 'premis.xml')).toEqual({ valid: true, problems: [] });
    expect(premis).toContain(`${PACKAGE_ID}/representations/rep1`);
    const ref = measure('representations/rep1/metadata/preservation/premis.xml', premis, desc.createdAt);
    const xml = buildRepresentationMets(desc, ref);
    expect(await validator.validate(xml, 'mets-csip')).toEqual({ valid: true, problems: [] });
    const mdRef = /<mdRef [^>]*>/.exec(xml)?.[0] ?? '';
    expect(mdRef).toContain('xlink:href="metadata/preservation/premis.xml"');
    expect(mdRef).toContain(`CHECKSUM="${ref.sha256}"`);
    expect(mdRef).toContain(`SIZE="${ref.size}"`);
    expect(xml).toMatch(/LABEL="Metadata" ADMID="ID-rep1-digiprov-1"/);
  });

  it('writes the CSIP root attributes and header with the exact upper-case CSIP namespace', () => {
    expect(rootXml).toContain(`xmlns:csip="${CSIP_NS}"`);
    expect(rootXml).not.toMatch(/https:\/\/dilcis\.eu/);
    const mets = parseXml(rootXml).mets;
    expect(mets['@_xmlns']).toBe('http://www.loc.gov/METS/');
    expect(mets['@_OBJID']).toBe(PACKAGE_ID);
    expect(mets['@_LABEL']).toBe(CASE_TITLE);
    expect(mets['@_TYPE']).toBe('Mixed');
    expect(mets['@_csip:CONTENTINFORMATIONTYPE']).toBe('MIXED');
    expect(mets['@_PROFILE']).toBe(AIP_PROFILE_URL);

    const hdr = mets.metsHdr;
    expect(hdr['@_CREATEDATE']).toBe(desc.createdAt.toISOString());
    expect(hdr['@_LASTMODDATE']).toBe(desc.createdAt.toISOString());
    expect(hdr['@_RECORDSTATUS']).toBe('NEW');
    expect(hdr['@_csip:OAISPACKAGETYPE']).toBe('AIP');
    expect(hdr.agent).toMatchObject({ '@_ROLE': 'CREATOR', '@_TYPE': 'OTHER', '@_OTHERTYPE': 'SOFTWARE' });
    expect(hdr.agent.name).toBe(AGENT.name);
    expect(hdr.agent.note['@_csip:NOTETYPE']).toBe('SOFTWARE VERSION');
    expect(textOf(hdr.agent.note)).toBe(AGENT.version);
  });

  it('references dc.xml, premis.xml and the representation METS with their measured size and digest', () => {
    const mets = parseXml(rootXml).mets;
    const [dcRef, premisRef] = [parts.refs.descriptive[0], parts.refs.preservation[0]];
    const dmd = mets.dmdSec[0];
    expect(dmd['@_STATUS']).toBe('CURRENT');
    expect(dmd.mdRef).toMatchObject({
      '@_LOCTYPE': 'URL',
      '@_xlink:type': 'simple',
      '@_xlink:href': 'metadata/descriptive/dc.xml',
      '@_MDTYPE': 'DC',
      '@_MIMETYPE': 'application/xml',
      '@_SIZE': String(dcRef?.size),
      '@_CHECKSUM': dcRef?.sha256,
      '@_CHECKSUMTYPE': 'SHA-256',
      '@_CREATED': desc.createdAt.toISOString(),
    });
    const digiprov = mets.amdSec.digiprovMD[0];
    expect(digiprov.mdRef).toMatchObject({
      '@_xlink:href': 'metadata/preservation/premis.xml',
      '@_MDTYPE': 'PREMIS',
      '@_MDTYPEVERSION': '3.0',
      '@_SIZE': String(premisRef?.size),
      '@_CHECKSUM': premisRef?.sha256,
    });

    const groups: Parsed[] = mets.fileSec.fileGrp;
    expect(groups.map((g) => g['@_USE'])).toEqual(['Documentation', 'Schemas', 'Representations/rep1']);
    for (const [use, ref] of [
      ['Documentation', parts.refs.documentation[0]],
      ['Schemas', parts.refs.schemas[0]],
    ] as const) {
      const group = groups.find((g) => g['@_USE'] === use);
      expect(group?.file[0]).toMatchObject({ '@_SIZE': String(ref?.size), '@_CHECKSUM': ref?.sha256 });
      expect(group?.file[0].FLocat['@_xlink:href']).toBe(ref?.path);
    }
    const grp = groups[2] as Parsed;
    expect(grp.file).toHaveLength(1);
    expect(grp.file[0]).toMatchObject({
      '@_SIZE': String(parts.refs.representationMets.size),
      '@_CHECKSUM': parts.refs.representationMets.sha256,
      '@_CHECKSUMTYPE': 'SHA-256',
      '@_MIMETYPE': 'application/xml',
    });
    expect(grp.file[0].FLocat['@_xlink:href']).toBe('representations/rep1/METS.xml');

    const map = mets.structMap;
    expect(map).toMatchObject({ '@_TYPE': 'PHYSICAL', '@_LABEL': 'CSIP' });
    const root = map.div[0];
    expect(root['@_LABEL']).toBe(PACKAGE_ID);
    const [metadataDiv, documentationDiv, schemasDiv, repDiv] = root.div;
    expect(documentationDiv.fptr['@_FILEID']).toBe(groups[0]?.['@_ID']);
    expect(schemasDiv.fptr['@_FILEID']).toBe(groups[1]?.['@_ID']);
    expect(metadataDiv['@_LABEL']).toBe('Metadata');
    expect(metadataDiv['@_DMDID']).toBe(dmd['@_ID']);
    expect(metadataDiv['@_ADMID']).toBe(digiprov['@_ID']);
    expect(repDiv['@_LABEL']).toBe('Representations/rep1');
    expect(repDiv.mptr).toMatchObject({
      '@_LOCTYPE': 'URL',
      '@_xlink:type': 'simple',
      '@_xlink:href': 'representations/rep1/METS.xml',
      '@_xlink:title': grp['@_ID'],
    });
  });

  it('lists every content file once in the representation METS with size, digest, type and an encoded href', () => {
    const mets = parseXml(repXml).mets;
    expect(mets['@_OBJID']).toBe('rep1'); // CSIP1: the representation folder's name
    expect(mets.metsHdr['@_csip:OAISPACKAGETYPE']).toBe('AIP');
    const grp = mets.fileSec.fileGrp[0];
    expect(grp['@_USE']).toBe('Data');
    const files: Parsed[] = grp.file;
    expect(files).toHaveLength(desc.files.length);
    for (const f of desc.files) {
      const matches = files.filter((x) => decodeURIComponent(x.FLocat['@_xlink:href']) === `data/${f.path}`);
      expect(matches, f.path).toHaveLength(1);
      const [entry] = matches;
      expect(entry).toMatchObject({
        '@_SIZE': String(f.size),
        '@_CHECKSUM': f.sha256,
        '@_CHECKSUMTYPE': 'SHA-256',
        '@_MIMETYPE': f.mimeType,
        '@_CREATED': f.modifiedAt.toISOString(),
      });
      expect(entry.FLocat).toMatchObject({ '@_LOCTYPE': 'URL', '@_xlink:type': 'simple' });
      expect(entry.FLocat['@_xlink:href']).toMatch(URL_PATH);
    }
    const hrefs = files.map((x) => x.FLocat['@_xlink:href']);
    expect(hrefs).toContain('data/bilagor/situationsplan%20%C3%A5%20%C3%A4%20%C3%B6.png');
    expect(hrefs).toContain('data/beslut/Beslut%202024%231%20(100%25%20klart)%20%26%20delgivning.txt');

    const dataDiv = mets.structMap.div[0].div[0];
    expect(mets.structMap['@_LABEL']).toBe('CSIP');
    expect(dataDiv['@_LABEL']).toBe('Data');
    expect(dataDiv.fptr['@_FILEID']).toBe(grp['@_ID']);
  });

  it('gives each descriptive metadata file its own dmdSec, all listed by the Metadata div', async () => {
    const recordJson = measure('metadata/descriptive/record.json', '{"title":"Ansökan"}', desc.createdAt);
    const refs = {
      ...parts.refs,
      descriptive: [...parts.refs.descriptive, { ...recordJson, mimeType: 'application/json' }],
    };
    const xml = buildRootMets(desc, refs);
    const mets = parseXml(xml).mets;
    expect(mets.dmdSec).toHaveLength(2);
    expect(mets.dmdSec[1].mdRef).toMatchObject({
      '@_xlink:href': 'metadata/descriptive/record.json',
      '@_MDTYPE': 'OTHER',
      '@_OTHERMDTYPE': 'record.json',
      '@_MIMETYPE': 'application/json',
      '@_SIZE': String(recordJson.size),
      '@_CHECKSUM': recordJson.sha256,
    });
    const metadataDiv = mets.structMap.div[0].div[0];
    expect(metadataDiv['@_DMDID']).toBe(mets.dmdSec.map((d: Parsed) => d['@_ID']).join(' '));
    expect(await validator.validate(xml, 'mets-csip')).toEqual({ valid: true, problems: [] });
  });

  it('uses IDs that are valid xs:ID values and unique across the package', () => {
    const ids = [...allIds(parseXml(rootXml)), ...allIds(parseXml(repXml))];
    expect(ids.length).toBeGreaterThan(desc.files.length + 8);
    for (const id of ids) expect(id).toMatch(NCNAME);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is deterministic: the same description gives the same bytes', () => {
    expect(buildRootMets(municipalCase(), buildParts(municipalCase()).refs)).toBe(rootXml);
    expect(buildRepresentationMets(municipalCase())).toBe(repXml);
  });

  it('names the SIP profile for a SIP and stays valid under the CSIP vocabulary', async () => {
    const sip = municipalCase({ packageType: 'SIP' });
    const xml = buildRootMets(sip, buildParts(sip).refs);
    expect(parseXml(xml).mets['@_PROFILE']).toBe(SIP_PROFILE_URL);
    expect(await validator.validate(xml, 'mets-csip')).toEqual({ valid: true, problems: [] });
  });

  it('rejects a file whose entry path lies outside the representation folder', () => {
    const bad = municipalCase();
    const [first] = bad.files;
    if (!first) throw new Error('fixture has files');
    first.entryPath = 'metadata/other/x.pdf';
    expect(() => buildRepresentationMets(bad)).toThrow(ValidationError);
    expect(() => buildRepresentationMets(bad)).toThrow(/Ansökan om bygglov\.pdf/);
  });
});
