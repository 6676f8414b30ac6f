import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../../src/catalog/types.js';
import { createXmlValidator } from '../../../src/metadata/xml-validator.js';
import { eventTypeCode } from '../../../src/metadata/events.js';
import { renderPremisEventLog } from '../../../src/reports/premis-log.js';
import { type Parsed, parseXml, textOf } from '../metadata/parse.js';
import { sampleAudit } from './sample-audit.js';

const validator = createXmlValidator();
const asArray = (value: Parsed): Parsed[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

describe('renderPremisEventLog', () => {
  const { run, extras } = sampleAudit();
  const events = extras.events;
  const xml = renderPremisEventLog(events, { runId: run.id });
  const doc = parseXml(xml)['premis:premis'];

  it('is valid against the PREMIS 3.0 schema, and the validator rejects a broken copy of it', async () => {
    const noDate = xml.replace(/<premis:eventDateTime>[^<]*<\/premis:eventDateTime>/, '');
    const noObjects = xml.replace(/<premis:object [\s\S]*?<\/premis:object>/g, '');
    expect(noDate).not.toBe(xml);
    const [valid, broken, empty] = await Promise.all([
      validator.validate(xml, 'premis', 'events.xml'),
      validator.validate(noDate, 'premis', 'events.xml'),
      validator.validate(noObjects, 'premis', 'events.xml'),
    ]);
    expect(valid).toEqual({ valid: true, problems: [] });
    expect(broken.valid).toBe(false);
    expect(broken.problems[0]?.message).toMatch(/eventDateTime|eventDetailInformation/);
    expect(empty.valid).toBe(false);
  });

  it('has one event per record, in order, with identifier, LoC event type, date, detail and outcome', () => {
    expect(doc['@_version']).toBe('3.0');
    expect(xml).toContain('xmlns:premis="http://www.loc.gov/premis/v3"');
    const out = asArray(doc['premis:event']);
    expect(out).toHaveLength(events.length);
    out.forEach((node, i) => {
      const event = events[i] as EventRecord;
      expect(textOf(node['premis:eventIdentifier']['premis:eventIdentifierType'])).toBe('local');
      expect(textOf(node['premis:eventIdentifier']['premis:eventIdentifierValue'])).toBe(event.id);
      const type = node['premis:eventType'];
      expect(textOf(type)).toBe(event.type);
      expect(type['@_valueURI']).toBe(
        `http://id.loc.gov/vocabulary/preservation/eventType/${eventTypeCode(event.type)}`,
      );
      expect(textOf(node['premis:eventDateTime'])).toBe(event.at.toISOString());
      const details = asArray(node['premis:eventDetailInformation']).map((d) =>
        textOf(d['premis:eventDetail']),
      );
      expect(details).toEqual([event.detail, `bevara run ${run.id}`].filter(Boolean));
      const outcome = node['premis:eventOutcomeInformation']['premis:eventOutcome'];
      expect(textOf(outcome)).toBe(event.outcome);
      expect(outcome['@_valueURI']).toMatch(/eventOutcome\/(suc|fai)$/);
    });
    const types = new Set(out.map((n) => textOf(n['premis:eventType'])));
    expect(types).toEqual(new Set(['fixity check', 'replication']));
  });

  it('links each event to its agent and its package in the document, and names the copy', () => {
    const objects = new Map(
      asArray(doc['premis:object']).map((o) => [
        o['@_xmlID'],
        textOf(o['premis:objectIdentifier']['premis:objectIdentifierValue']),
      ]),
    );
    expect(new Set(objects.values())).toEqual(new Set(events.map((e) => e.packageId)));
    const agents = asArray(doc['premis:agent']);
    expect(agents).toHaveLength(1);
    expect(textOf(agents[0]['premis:agentName'])).toBe('bevara');
    expect(textOf(agents[0]['premis:agentVersion'])).toBe('0.1.0');
    asArray(doc['premis:event']).forEach((node, i) => {
      const event = events[i] as EventRecord;
      expect(node['premis:linkingAgentIdentifier']['@_LinkAgentXmlID']).toBe(agents[0]['@_xmlID']);
      const [pkg, copy] = asArray(node['premis:linkingObjectIdentifier']);
      expect(objects.get(pkg['@_LinkObjectXmlID'])).toBe(event.packageId);
      expect(textOf(copy['premis:linkingObjectIdentifierValue'])).toBe(event.object);
    });
  });

  it('escapes markup, replaces characters XML cannot hold, and leaves unknown event types unqualified', async () => {
    const odd: EventRecord = {
      id: 'odd-1',
      packageId: 'pkg <&> "1"',
      type: 'deep inspection',
      at: new Date('2025-03-01T02:00:00Z'),
      outcome: 'failure',
      detail: 'bytes <b>&</b>\u0001 read',
      agent: 'other-tool',
      runId: 'run-9',
    };
    const text = renderPremisEventLog([odd], { runId: 'run-1' });
    const node = parseXml(text)['premis:premis']['premis:event'][0];
    expect(node['premis:eventType']['@_valueURI']).toBeUndefined();
    const details = asArray(node['premis:eventDetailInformation']).map((d) =>
      textOf(d['premis:eventDetail']),
    );
    expect(details).toEqual(['bytes <b>&</b>\uFFFD read', 'bevara run run-9']);
    expect(text).not.toContain('<b>');
    expect(await validator.validate(text, 'premis')).toEqual({ valid: true, problems: [] });
  });

  it('refuses an empty list, which PREMIS cannot express', () => {
    expect(() => renderPremisEventLog([], { runId: 'audit-x' })).toThrow(/audit-x.*no events/);
  });
});
