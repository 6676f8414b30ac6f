import { describe, expect, it } from 'vitest';
import { buildPremis } from '../../../src/metadata/premis.js';
import { createXmlValidator } from '../../../src/metadata/xml-validator.js';
import { AGENT, municipalCase, PACKAGE_ID } from './municipal-case.js';
import { type Parsed, parseXml, textOf } from './parse.js';

const LOC = 'http://id.loc.gov/vocabulary/preservation/';
const validator = createXmlValidator();
const desc = municipalCase();
const xml = buildPremis(desc);
const premis = parseXml(xml)['premis:premis'];
const objects: Parsed[] = premis['premis:object'];
const events: Parsed[] = premis['premis:event'];
const agents: Parsed[] = premis['premis:agent'];

const fileObjects = () => objects.filter((o) => o['@_xsi:type'] === 'premis:file');
const idValue = (o: Parsed) => o['premis:objectIdentifier']['premis:objectIdentifierValue'];

describe('buildPremis', () => {
  it('is valid PREMIS 3.0', async () => {
    expect(premis['@_xmlns:premis']).toBe('http://www.loc.gov/premis/v3');
    expect(premis['@_version']).toBe('3.0');
    expect(await validator.validate(xml, 'premis', 'premis.xml')).toEqual({ valid: true, problems: [] });
  });

  it('describes the representation and every file with fixity, size, format and original name', () => {
    const reps = objects.filter((o) => o['@_xsi:type'] === 'premis:representation');
    expect(reps).toHaveLength(1);
    expect(idValue(reps[0])).toBe(`${PACKAGE_ID}/representations/rep1`);
    const included = reps[0]['premis:relationship']['premis:relatedObjectIdentifier'];
    expect(included).toHaveLength(desc.files.length);

    const files = fileObjects();
    expect(files).toHaveLength(desc.files.length);
    for (const f of desc.files) {
      const [obj] = files.filter((o) => o['premis:originalName'] === f.path);
      expect(obj, f.path).toBeDefined();
      expect(idValue(obj)).toBe(`${PACKAGE_ID}/${f.entryPath}`);
      const chars = obj['premis:objectCharacteristics'];
      expect(chars['premis:compositionLevel']).toBe('0');
      expect(chars['premis:size']).toBe(String(f.size));
      expect(chars['premis:fixity']['premis:messageDigest']).toBe(f.sha256);
      const algorithm = chars['premis:fixity']['premis:messageDigestAlgorithm'];
      expect(textOf(algorithm)).toBe('SHA-256');
      expect(algorithm['@_valueURI']).toBe(`${LOC}cryptographicHashFunctions/sha256`);
      expect(chars['premis:format']['premis:formatDesignation']['premis:formatName']).toBe(f.mimeType);
    }
  });

  it('names bevara as a software agent with its version', () => {
    expect(agents).toHaveLength(1);
    const [agent] = agents;
    expect(agent['premis:agentName']).toBe(AGENT.name);
    expect(agent['premis:agentVersion']).toBe(AGENT.version);
    expect(textOf(agent['premis:agentType'])).toBe('software');
    expect(agent['premis:agentIdentifier']['premis:agentIdentifierValue']).toBe(
      `${AGENT.name}/${AGENT.version}`,
    );
  });

  it('records every event, linked to its agent and to the objects it concerns', () => {
    expect(events).toHaveLength(desc.events.length);
    const agentXmlId = agents[0]['@_xmlID'];
    const xmlIdByPath = new Map(fileObjects().map((o) => [o['premis:originalName'], o['@_xmlID']]));
    const repXmlId = objects.find((o) => o['@_xsi:type'] === 'premis:representation')['@_xmlID'];

    desc.events.forEach((e, i) => {
      const ev = events[i];
      expect(ev['premis:eventIdentifier']['premis:eventIdentifierValue']).toBe(e.id);
      expect(textOf(ev['premis:eventType'])).toBe(e.type);
      expect(ev['premis:eventDateTime']).toBe(e.at.toISOString());
      expect(ev['premis:eventDetailInformation']['premis:eventDetail']).toBe(e.detail);
      expect(textOf(ev['premis:eventOutcomeInformation']['premis:eventOutcome'])).toBe(e.outcome);
      expect(ev['premis:linkingAgentIdentifier']['@_LinkAgentXmlID']).toBe(agentXmlId);
      const [link] = ev['premis:linkingObjectIdentifier'];
      expect(link['@_LinkObjectXmlID']).toBe(e.object === undefined ? repXmlId : xmlIdByPath.get(e.object));
    });
    const types = events.map((ev) => ev['premis:eventType']['@_valueURI']);
    expect(types).toContain(`${LOC}eventType/ing`);
    expect(types).toContain(`${LOC}eventType/mes`);
  });

  it('adds agents named only by events and names objects outside the package without a link', async () => {
    const base = municipalCase();
    const copyEvent = {
      id: 'ev-copy',
      packageId: PACKAGE_ID,
      type: 'replication',
      at: new Date('2024-06-03T08:16:00Z'),
      outcome: 'failure' as const,
      detail: 'Copy to "s3-offsite" could not be read back',
      agent: 'bevara/0.0.9',
      object: 's3-offsite:aip/3f1c.zip',
    };
    const other = buildPremis({ ...base, events: [...base.events, copyEvent] });
    const parsed = parseXml(other)['premis:premis'];
    expect(parsed['premis:agent'].map((a: Parsed) => a['premis:agentVersion'])).toEqual(['0.1.0', '0.0.9']);
    const last = parsed['premis:event'].at(-1);
    expect(last['premis:linkingAgentIdentifier']['@_LinkAgentXmlID']).toBe(
      parsed['premis:agent'][1]['@_xmlID'],
    );
    expect(last['premis:linkingObjectIdentifier'][0]['@_LinkObjectXmlID']).toBeUndefined();
    expect(last['premis:linkingObjectIdentifier'][0]['premis:linkingObjectIdentifierValue']).toBe(
      copyEvent.object,
    );
    expect((await validator.validate(other, 'premis')).valid).toBe(true);
  });

  it('is valid without events or files', async () => {
    const empty = buildPremis(municipalCase({ events: [], files: [] }));
    expect(empty).not.toContain('premis:event');
    expect(await validator.validate(empty, 'premis')).toEqual({ valid: true, problems: [] });
  });

  it('fails validation for a PREMIS version other than 3.0 or a file object without characteristics', async () => {
    const wrongVersion = xml.replace('version="3.0"', 'version="2.2"');
    const start = xml.indexOf('<premis:objectCharacteristics>');
    const end = xml.indexOf('</premis:objectCharacteristics>') + '</premis:objectCharacteristics>'.length;
    const noCharacteristics = xml.slice(0, start) + xml.slice(end);
    const [a, b] = await Promise.all([
      validator.validate(wrongVersion, 'premis', 'premis.xml'),
      validator.validate(noCharacteristics, 'premis', 'premis.xml'),
    ]);
    expect(a.valid).toBe(false);
    expect(a.problems[0]?.message).toMatch(/version.*'2\.2'/);
    expect(b.valid).toBe(false);
    expect(b.problems[0]?.message).toMatch(/objectCharacteristics/);
  });
});
