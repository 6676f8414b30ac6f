import { describe, expect, it } from 'vitest';
import {
  createEvent,
  describeAgent,
  EVENT_TYPES,
  eventTypeCode,
  personAgentId,
  softwareAgentId,
} from '../../../src/metadata/events.js';
import { buildPremis } from '../../../src/metadata/premis.js';
import { createXmlValidator } from '../../../src/metadata/xml-validator.js';
import { renderPremisEventLog } from '../../../src/reports/premis-log.js';
import { AGENT, municipalCase, PACKAGE_ID } from './municipal-case.js';
import { type Parsed, parseXml, textOf } from './parse.js';

const LOC = 'http://id.loc.gov/vocabulary/preservation/';
const validator = createXmlValidator();
const AT = new Date('2026-12-04T09:10:11.123Z');
const asArray = (value: Parsed): Parsed[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

describe('events', () => {
  it('makes an event in one line, with the one id scheme and success by default', () => {
    const a = createEvent({
      type: 'deletion',
      packageId: PACKAGE_ID,
      at: AT,
      agent: 'bevara/1.0.0',
      detail: 'd',
    });
    const b = createEvent({
      type: 'deletion',
      packageId: PACKAGE_ID,
      at: AT,
      agent: 'bevara/1.0.0',
      detail: 'd',
    });
    expect(a.id).toMatch(new RegExp(`^${PACKAGE_ID}-deletion-20261204T091011123Z-[0-9a-f]{8}$`));
    expect(a.id).not.toBe(b.id);
    expect(a).toMatchObject({
      type: 'deletion',
      outcome: 'success',
      at: AT,
      detail: 'd',
      agent: 'bevara/1.0.0',
    });
    expect('object' in a).toBe(false);
    const failed = createEvent({
      type: 'fixity check',
      packageId: PACKAGE_ID,
      at: AT,
      agent: 'bevara/1.0.0',
      detail: 'x',
      outcome: 'failure',
      object: 'primary:k',
      runId: 'audit-1',
    });
    expect(failed).toMatchObject({ outcome: 'failure', object: 'primary:k', runId: 'audit-1' });
    expect(failed.id).toContain('-fixity-check-');
  });

  it('has the LoC eventType codes, deletion and dissemination among them', () => {
    expect(eventTypeCode('deletion')).toBe('del');
    expect(eventTypeCode('dissemination')).toBe('dis');
    expect(eventTypeCode('ingestion')).toBe('ing');
    expect(eventTypeCode('appraisal')).toBe('app');
    expect(eventTypeCode('toString')).toBeUndefined();
    expect(eventTypeCode('made up')).toBeUndefined();
    for (const code of Object.values(EVENT_TYPES)) expect(code).toMatch(/^[a-z]{3}$/);
    expect(new Set(Object.values(EVENT_TYPES)).size).toBe(Object.keys(EVENT_TYPES).length);
  });

  it('builds agent identifiers once and reads them back', () => {
    expect(softwareAgentId(AGENT)).toBe('bevara/0.1.0');
    expect(personAgentId('alice')).toBe('person:alice');
    expect(describeAgent('bevara/0.1.0')).toEqual({ kind: 'software', name: 'bevara', version: '0.1.0' });
    expect(describeAgent('person:alice')).toEqual({ kind: 'person', name: 'alice' });
    expect(describeAgent('tool')).toEqual({ kind: 'software', name: 'tool' });
  });

  it('writes an event the same way in the package PREMIS and in a run event log, valid against PREMIS 3.0', async () => {
    const base = municipalCase();
    const deletion = createEvent({
      type: 'deletion',
      packageId: PACKAGE_ID,
      at: AT,
      agent: personAgentId('alice'),
      detail: 'removed after its retention period',
      runId: 'disposal-1',
    });
    const pkgXml = buildPremis({ ...base, events: [...base.events, deletion] });
    const logXml = renderPremisEventLog([deletion], { runId: 'disposal-1' });
    for (const [xml, name] of [
      [pkgXml, 'premis.xml'],
      [logXml, 'log.xml'],
    ] as const) {
      expect(await validator.validate(xml, 'premis', name)).toEqual({ valid: true, problems: [] });
      const doc = parseXml(xml)['premis:premis'];
      const event = asArray(doc['premis:event']).find(
        (e) => e['premis:eventIdentifier']['premis:eventIdentifierValue'] === deletion.id,
      );
      expect(event, name).toBeDefined();
      expect(event?.['premis:eventType']['@_valueURI']).toBe(`${LOC}eventType/del`);
      const link = event?.['premis:linkingAgentIdentifier'];
      expect(textOf(link['premis:linkingAgentRole'])).toBe('implementer');
      const agent = asArray(doc['premis:agent']).find((a) => a['@_xmlID'] === link['@_LinkAgentXmlID']);
      expect(agent?.['premis:agentName']).toBe('alice');
      expect(textOf(agent?.['premis:agentType'])).toBe('person');
      expect(agent?.['premis:agentType']['@_valueURI']).toBe(`${LOC}agentType/per`);
      expect(agent?.['premis:agentVersion']).toBeUndefined();
    }
    // The event element is the same text in both, but for the objects and details each document adds.
    const strip = (xml: string) =>
      xml
        .match(
          new RegExp(
            `<premis:eventIdentifier>(?:(?!</premis:event>)[\\s\\S])*?${deletion.id}[\\s\\S]*?</premis:event>`,
          ),
        )?.[0]
        .replace(/<premis:eventDetailInformation>[\s\S]*<\/premis:eventDetailInformation>/, '')
        .replace(/<premis:linkingObjectIdentifier[\s\S]*<\/premis:linkingObjectIdentifier>/, '')
        .replace(/LinkAgentXmlID="[^"]*"/, '');
    expect(strip(pkgXml)).toBeDefined();
    expect(strip(pkgXml)).toBe(strip(logXml));
  });
});
