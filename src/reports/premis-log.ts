/**
 * The PREMIS event log of one run (`<run id>.premis.xml` beside the JSON and HTML report): a PREMIS 3.0 document
 * with one intellectual-entity object per package the run touched, one event per recorded event (fixity check,
 * replication, …) and one agent per software that carried events out.
 *
 * Each event links to its package (in-document, by LinkObjectXmlID) and, when the event names one, to the copy
 * ("location:key") or file it was about, by identifier only: copies are not described as objects here, the
 * package's own METS/PREMIS and the catalog do that. Event types carry the Library of Congress vocabulary
 * attributes where bevara knows the term. A PREMIS document needs at least one object, so a log needs at least
 * one event.
 */
import type { EventRecord } from '../model/package.js';
import { PreservationError } from '../errors.js';
import { PREMIS_VERSION } from '../metadata/premis.js';
import {
  buildXml,
  element,
  NS,
  textElement,
  type XmlAttributes,
  type XmlElement,
  xmlDateTime,
  xmlId,
} from '../metadata/xml.js';

const PREMIS_SCHEMA_LOCATION = 'http://www.loc.gov/standards/premis/v3/premis.xsd';
const LOC = 'http://id.loc.gov/vocabulary/preservation/';
const LOCAL = 'local';

/** LoC eventType codes (id.loc.gov/vocabulary/preservation/eventType) of the event types bevara may record. */
export const EVENT_TYPE_CODES: Readonly<Record<string, string>> = {
  ingestion: 'ing',
  'message digest calculation': 'mes',
  'fixity check': 'fix',
  replication: 'rep',
  'virus check': 'vir',
  validation: 'val',
  'format identification': 'for',
  'information package creation': 'ipc',
  deletion: 'del',
  recovery: 'rec',
  transfer: 'tra',
  quarantine: 'qua',
  'metadata modification': 'mem',
  dissemination: 'dis',
};

const OUTCOME_CODES: Record<EventRecord['outcome'], string> = { success: 'suc', failure: 'fai' };

/** Options of {@link renderPremisEventLog}. */
export interface PremisEventLogOptions {
  /** The run the log belongs to; named in each event's details unless the event names its own run. */
  runId: string;
}

function authority(vocabulary: string, code?: string): XmlAttributes {
  return {
    authority: vocabulary,
    authorityURI: `${LOC}${vocabulary}`,
    valueURI: code === undefined ? undefined : `${LOC}${vocabulary}/${code}`,
  };
}

function identifier(prefix: string, value: string, attributes: XmlAttributes = {}): XmlElement {
  return element(attributes, { [`premis:${prefix}Type`]: LOCAL, [`premis:${prefix}Value`]: value });
}

/** Events read back from a JSON report carry their date as an ISO string. */
function dateOf(at: Date | string): Date {
  return at instanceof Date ? at : new Date(at);
}

function eventElement(
  event: EventRecord,
  index: number,
  runId: string,
  packageRef: string | undefined,
  agentRef: string | undefined,
): XmlElement {
  const code = EVENT_TYPE_CODES[event.type];
  const details = [event.detail, `bevara run ${event.runId ?? runId}`].filter(Boolean);
  const objects = [identifier('linkingObjectIdentifier', event.packageId, { LinkObjectXmlID: packageRef })];
  if (event.object) objects.push(identifier('linkingObjectIdentifier', event.object));
  return element(
    { xmlID: xmlId('premis-event', index + 1) },
    {
      'premis:eventIdentifier': identifier('eventIdentifier', event.id),
      'premis:eventType': textElement(event.type, code ? authority('eventType', code) : {}),
      'premis:eventDateTime': xmlDateTime(dateOf(event.at)),
      'premis:eventDetailInformation': details.map((d) => element({}, { 'premis:eventDetail': d })),
      'premis:eventOutcomeInformation': element(
        {},
        {
          'premis:eventOutcome': textElement(
            event.outcome,
            authority('eventOutcome', OUTCOME_CODES[event.outcome]),
          ),
        },
      ),
      'premis:linkingAgentIdentifier': element(
        { LinkAgentXmlID: agentRef },
        {
          'premis:linkingAgentIdentifierType': LOCAL,
          'premis:linkingAgentIdentifierValue': event.agent,
          'premis:linkingAgentRole': textElement(
            'executing program',
            authority('eventRelatedAgentRole', 'exe'),
          ),
        },
      ),
      'premis:linkingObjectIdentifier': objects,
    },
  );
}

/** An agent known by its identifier: "name/version", or just a name. */
function agentElement(id: string, ref: string): XmlElement {
  const slash = id.lastIndexOf('/');
  return element(
    { xmlID: ref },
    {
      'premis:agentIdentifier': identifier('agentIdentifier', id),
      'premis:agentName': slash > 0 ? id.slice(0, slash) : id,
      'premis:agentType': textElement('software', authority('agentType', 'sof')),
      'premis:agentVersion': slash > 0 ? id.slice(slash + 1) : undefined,
    },
  );
}

/** Assigns xs:ID values in order of first appearance. */
function refsFor(values: string[], prefix: string): Map<string, string> {
  const refs = new Map<string, string>();
  for (const value of values) if (!refs.has(value)) refs.set(value, xmlId(prefix, refs.size + 1));
  return refs;
}

/**
 * Renders a run's events as a PREMIS 3.0 XML document (UTF-8, namespace http://www.loc.gov/premis/v3), events in
 * the order given. Throws a PreservationError for an empty list: PREMIS requires at least one object.
 */
export function renderPremisEventLog(events: EventRecord[], options: PremisEventLogOptions): string {
  if (events.length === 0) {
    throw new PreservationError(
      `[reports:premis] run ${options.runId}: no events to log; a PREMIS document needs at least one object`,
    );
  }
  const packages = refsFor(
    events.map((e) => e.packageId),
    'premis-package',
  );
  const agents = refsFor(
    events.map((e) => e.agent),
    'premis-agent',
  );
  const root = element(
    {
      'xmlns:premis': NS.premis,
      'xmlns:xsi': NS.xsi,
      'xsi:schemaLocation': `${NS.premis} ${PREMIS_SCHEMA_LOCATION}`,
      version: PREMIS_VERSION,
    },
    {
      'premis:object': [...packages].map(([id, ref]) =>
        element(
          { 'xsi:type': 'premis:intellectualEntity', xmlID: ref },
          { 'premis:objectIdentifier': identifier('objectIdentifier', id) },
        ),
      ),
      'premis:event': events.map((e, i) =>
        eventElement(e, i, options.runId, packages.get(e.packageId), agents.get(e.agent)),
      ),
      'premis:agent': [...agents].map(([id, ref]) => agentElement(id, ref)),
    },
  );
  return buildXml('premis:premis', root);
}
