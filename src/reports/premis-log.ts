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
import { premisAgentElement, premisEventElement } from '../metadata/events.js';
import { premisIdentifier, premisRootAttributes } from '../metadata/premis-vocabulary.js';
import { buildXml, element, xmlId } from '../metadata/xml.js';

/** Options of {@link renderPremisEventLog}. */
export interface PremisEventLogOptions {
  /** The run the log belongs to; named in each event's details unless the event names its own run. */
  runId: string;
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
  const root = element(premisRootAttributes(), {
    'premis:object': [...packages].map(([id, ref]) =>
      element(
        { 'xsi:type': 'premis:intellectualEntity', xmlID: ref },
        { 'premis:objectIdentifier': premisIdentifier('objectIdentifier', id) },
      ),
    ),
    'premis:event': events.map((e, i) =>
      premisEventElement(e, {
        xmlId: xmlId('premis-event', i + 1),
        agentXmlId: agents.get(e.agent),
        objects: [
          { value: e.packageId, xmlId: packages.get(e.packageId) },
          ...(e.object ? [{ value: e.object }] : []),
        ],
        moreDetails: [`bevara run ${e.runId ?? options.runId}`],
      }),
    ),
    'premis:agent': [...agents].map(([id, ref]) => premisAgentElement(id, ref)),
  });
  return buildXml('premis:premis', root);
}
