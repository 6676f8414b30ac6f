/**
 * PREMIS events, owned here: the event types bevara records (the Library of Congress eventType vocabulary), how an
 * event is made (one id scheme, outcome, detail, agent), the agents' identifiers, and the one serializer of an
 * event and of an agent as PREMIS 3.0 XML, used by the package's premis.xml and by the runs' event logs alike.
 *
 * Making an event is one line: `createEvent({ type: 'deletion', packageId, at: now(), agent, detail })`.
 */
import { randomBytes } from 'node:crypto';
import type { EventRecord } from '../model/package.js';
import { LOCAL_IDENTIFIER, locAuthority, premisIdentifier } from './premis-vocabulary.js';
import type { SoftwareAgent } from './types.js';
import { element, textElement, type XmlElement, xmlDateTime } from './xml.js';

/**
 * The eventType terms of id.loc.gov/vocabulary/preservation/eventType bevara records or may record, with their
 * codes (the last segment of the term's URI).
 */
export const EVENT_TYPES = {
  accession: 'acc',
  appraisal: 'app',
  deaccession: 'dea',
  deletion: 'del',
  dissemination: 'dis',
  'fixity check': 'fix',
  'format identification': 'for',
  'information package creation': 'ipc',
  ingestion: 'ing',
  'message digest calculation': 'mes',
  'metadata modification': 'mem',
  migration: 'mig',
  quarantine: 'qua',
  recovery: 'rec',
  replication: 'rep',
  transfer: 'tra',
  validation: 'val',
  'virus check': 'vir',
} as const;

export type EventType = keyof typeof EVENT_TYPES;
export type EventOutcome = EventRecord['outcome'];

const OUTCOME_CODES: Record<EventOutcome, string> = { success: 'suc', failure: 'fai' };

/** The LoC code of an event type, or undefined for a type outside the vocabulary (e.g. read from an old log). */
export function eventTypeCode(type: string): string | undefined {
  return Object.hasOwn(EVENT_TYPES, type) ? EVENT_TYPES[type as EventType] : undefined;
}

/** Identifier of a software agent as events name it: "bevara/0.1.0". */
export function softwareAgentId(agent: SoftwareAgent): string {
  return `${agent.name}/${agent.version}`;
}

const PERSON_PREFIX = 'person:';

/** Identifier of a person (a console user) as events name them: "person:alice". */
export function personAgentId(user: string): string {
  return `${PERSON_PREFIX}${user}`;
}

/** An agent as its identifier tells it: a person, or a software with its version when the id has one. */
export type AgentDescription =
  | { kind: 'person'; name: string }
  | { kind: 'software'; name: string; version?: string };

export function describeAgent(id: string): AgentDescription {
  if (id.startsWith(PERSON_PREFIX)) return { kind: 'person', name: id.slice(PERSON_PREFIX.length) };
  const slash = id.lastIndexOf('/');
  return slash > 0
    ? { kind: 'software', name: id.slice(0, slash), version: id.slice(slash + 1) }
    : { kind: 'software', name: id };
}

/** `2026-11-28T01:02:03.456Z` → `20261128T010203456Z`. */
const compact = (at: Date) => at.toISOString().replace(/[-:.]/g, '');

/**
 * The one event id scheme: package, type, time and 8 random hex digits, e.g.
 * `uuid-…-fixity-check-20261128T010203456Z-1a2b3c4d`. Unique without coordination between workers, sortable by
 * time within a package and type, safe in names and keys.
 */
export function eventId(packageId: string, type: string, at: Date): string {
  return `${packageId}-${type.replace(/\s+/g, '-')}-${compact(at)}-${randomBytes(4).toString('hex')}`;
}

/** What a new event says; the id is made from it. */
export interface NewEvent {
  type: EventType;
  packageId: string;
  at: Date;
  /** An agent identifier: {@link softwareAgentId} or {@link personAgentId}. */
  agent: string;
  detail: string;
  /** Default success. */
  outcome?: EventOutcome;
  /** What the event was about beyond the package: a file path, or a copy ("location:key"). */
  object?: string;
  runId?: string;
}

/** A new PREMIS event with its id. */
export function createEvent(event: NewEvent): EventRecord {
  return {
    id: eventId(event.packageId, event.type, event.at),
    packageId: event.packageId,
    type: event.type,
    at: event.at,
    outcome: event.outcome ?? 'success',
    detail: event.detail,
    agent: event.agent,
    ...(event.object !== undefined ? { object: event.object } : {}),
    ...(event.runId !== undefined ? { runId: event.runId } : {}),
  };
}

/** An object an event links to: its identifier, and its xs:ID when the document describes it. */
export interface LinkedObject {
  value: string;
  xmlId?: string;
}

/** Where an event sits in its document. */
export interface EventPlacement {
  /** The event's own xs:ID. */
  xmlId: string;
  /** The xs:ID of its agent in the document. */
  agentXmlId?: string;
  /** The objects it links to, in order. */
  objects: LinkedObject[];
  /** Details told after the event's own (e.g. the run it belongs to). */
  moreDetails?: string[];
}

/** Events read back from a JSON report carry their date as an ISO string. */
const dateOf = (at: Date | string): Date => (at instanceof Date ? at : new Date(at));

/** The one PREMIS serializer of an event. */
export function premisEventElement(event: EventRecord, placement: EventPlacement): XmlElement {
  const code = eventTypeCode(event.type);
  const details = [event.detail, ...(placement.moreDetails ?? [])].filter(Boolean);
  const person = describeAgent(event.agent).kind === 'person';
  return element(
    { xmlID: placement.xmlId },
    {
      'premis:eventIdentifier': premisIdentifier('eventIdentifier', event.id),
      'premis:eventType': textElement(event.type, code ? locAuthority('eventType', code) : {}),
      'premis:eventDateTime': xmlDateTime(dateOf(event.at)),
      'premis:eventDetailInformation':
        details.length > 0 ? details.map((d) => element({}, { 'premis:eventDetail': d })) : undefined,
      'premis:eventOutcomeInformation': element(
        {},
        {
          'premis:eventOutcome': textElement(
            event.outcome,
            locAuthority('eventOutcome', OUTCOME_CODES[event.outcome]),
          ),
        },
      ),
      'premis:linkingAgentIdentifier': element(
        { LinkAgentXmlID: placement.agentXmlId },
        {
          'premis:linkingAgentIdentifierType': LOCAL_IDENTIFIER,
          'premis:linkingAgentIdentifierValue': event.agent,
          'premis:linkingAgentRole': person
            ? textElement('implementer', locAuthority('eventRelatedAgentRole', 'imp'))
            : textElement('executing program', locAuthority('eventRelatedAgentRole', 'exe')),
        },
      ),
      'premis:linkingObjectIdentifier': placement.objects.map((o) =>
        premisIdentifier('linkingObjectIdentifier', o.value, { LinkObjectXmlID: o.xmlId }),
      ),
    },
  );
}

/** The one PREMIS serializer of an agent known by its identifier. */
export function premisAgentElement(id: string, xmlId: string): XmlElement {
  const agent = describeAgent(id);
  return element(
    { xmlID: xmlId },
    {
      'premis:agentIdentifier': premisIdentifier('agentIdentifier', id),
      'premis:agentName': agent.name,
      'premis:agentType':
        agent.kind === 'person'
          ? textElement('person', locAuthority('agentType', 'per'))
          : textElement('software', locAuthority('agentType', 'sof')),
      'premis:agentVersion': agent.kind === 'software' ? agent.version : undefined,
    },
  );
}
