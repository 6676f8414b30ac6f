/**
 * Descriptive metadata of an FGS Paketstruktur 1.x SIP, from its METS header (already validated):
 *
 *   mets/@LABEL                                   -> title (fallback: the SIP's key)
 *   mets/@OBJID                                   -> identifier
 *   agent ROLE=CREATOR TYPE=ORGANIZATION, else the archive creator      -> creator
 *   agent ROLE=ARCHIVIST TYPE=ORGANIZATION (name, first note)           -> archiveCreator (name, identificationCode)
 *   altRecordID TYPE=REFERENCECODE                -> archiveCreator.referenceCode (when NAD style SE/…/…)
 *   metsHdr/@CREATEDATE, altRecordID STARTDATE / ENDDATE                -> dates.created, start, end
 *   mets/@ext:ACCESSRESTRICT                      -> accessRestriction
 *   mets/@TYPE and ext:CONTENTTYPESPECIFICATION   -> subject ("FGS content type: …")
 */
import { type DescriptiveMetadata, REFERENCE_CODE } from '../../model/package.js';
import { FGS1_NS, organisationAgent, summariseFgs1 } from '../../validation/fgs1.js';
import { attr, type XmlNode } from '../../validation/xml-tree.js';
import type { SipMets } from './sip-metadata.js';

export function fgs1Metadata(mets: XmlNode, key: string): SipMets {
  const summary = summariseFgs1(mets);
  const objid = summary.objid ?? key;
  const archivist = organisationAgent(summary, 'ARCHIVIST');
  const creator = organisationAgent(summary, 'CREATOR') ?? archivist;
  const reference = summary.altRecordIds.REFERENCECODE;
  const ids = summary.altRecordIds;
  const dates = {
    ...(summary.createDate ? { created: summary.createDate } : {}),
    ...(ids.STARTDATE ? { start: ids.STARTDATE } : {}),
    ...(ids.ENDDATE ? { end: ids.ENDDATE } : {}),
  };
  const contentType = [summary.type, summary.contentTypeSpecification].filter(Boolean).join(': ');
  const access = attr(mets, 'ACCESSRESTRICT', FGS1_NS)?.trim();
  const metadata: DescriptiveMetadata = {
    title: summary.label ?? key,
    identifier: objid,
    ...(creator?.name ? { creator: creator.name } : {}),
    ...(Object.keys(dates).length > 0 ? { dates } : {}),
    ...(access ? { accessRestriction: access } : {}),
    ...(contentType ? { subject: [`FGS content type: ${contentType}`] } : {}),
    ...(archivist?.name
      ? {
          archiveCreator: {
            name: archivist.name,
            ...(reference && REFERENCE_CODE.test(reference) ? { referenceCode: reference } : {}),
            ...(archivist.notes[0] ? { identificationCode: archivist.notes[0] } : {}),
          },
        }
      : {}),
  };
  return { metadata, objid, ...(summary.label ? { label: summary.label } : {}) };
}
