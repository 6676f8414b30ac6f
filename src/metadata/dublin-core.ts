/**
 * Simple Dublin Core (the 15 DCMES elements) in the OAI-PMH `oai_dc:dc` container, built from a record's
 * descriptive metadata. The package METS references the result as metadata/descriptive/dc.xml (MDTYPE="DC").
 */
import type { PackageDescription } from './types.js';
import { buildXml, element, NS, type XmlContent } from './xml.js';

/** DCMI Type Vocabulary term for a record: an aggregation of documents (a case file, a folder of records). */
export const DC_TYPE_RECORD = 'Collection';

const OAI_DC_SCHEMA_LOCATION = 'http://www.openarchives.org/OAI/2.0/oai_dc.xsd';

function values(...items: (string | undefined)[]): XmlContent {
  const present = items.filter((v): v is string => v !== undefined && v.trim() !== '');
  return present.length === 0 ? undefined : present;
}

/** "start/end" as an ISO 8601 interval, or the one end that is known. */
function period(start?: string, end?: string): string | undefined {
  if (start && end) return `${start}/${end}`;
  return start || end || undefined;
}

/**
 * Builds dc.xml. Mapping: title; identifier (the producer's identifier, e.g. the case number); creator;
 * date (created, the period start/end as an ISO 8601 interval, and modified, in that order); description;
 * subject (each subject, then the classification code); rights (the access restriction); language (each
 * code); type ({@link DC_TYPE_RECORD}); source (the key of the record in its source, e.g. its folder name).
 */
export function buildDublinCore(desc: PackageDescription): string {
  const d = desc.descriptive;
  const dates = d.dates ?? {};
  const root = element(
    {
      'xmlns:oai_dc': NS.oaiDc,
      'xmlns:dc': NS.dc,
      'xmlns:xsi': NS.xsi,
      'xsi:schemaLocation': `${NS.oaiDc} ${OAI_DC_SCHEMA_LOCATION}`,
    },
    {
      'dc:title': values(d.title),
      'dc:identifier': values(d.identifier),
      'dc:creator': values(d.creator),
      'dc:date': values(dates.created, period(dates.start, dates.end), dates.modified),
      'dc:description': values(d.description),
      'dc:subject': values(...(d.subject ?? []), d.classification),
      'dc:rights': values(d.accessRestriction),
      'dc:language': values(...(d.language ?? [])),
      'dc:type': DC_TYPE_RECORD,
      'dc:source': values(desc.source.key),
    },
  );
  return buildXml('oai_dc:dc', root);
}
