/**
 * Descriptive metadata of a SIP taken from its root METS.xml (the package METS, already validated):
 *
 *   mets/@LABEL                      -> title (fallback: the SIP's key)
 *   mets/@OBJID                      -> identifier
 *   metsHdr/agent ROLE=CREATOR TYPE=ORGANIZATION (the submitting agent, SIP4-SIP8), or the first agent's name
 *                                    -> creator
 *   metsHdr/@CREATEDATE              -> dates.created
 *
 * An FGS Paketstruktur 1.x METS (see `fgs1-metadata.ts`) is mapped from its own header instead.
 */
import type { DescriptiveMetadata } from '../../model/package.js';
import { fgs1Evidence } from '../../validation/fgs1.js';
import { attr, kid, kids, parseXml, type XmlNode } from '../../validation/xml-tree.js';
import { fgs1Metadata } from './fgs1-metadata.js';

/** What the source takes from a SIP's METS. */
export interface SipMets {
  metadata: DescriptiveMetadata;
  /** mets/@OBJID, the SIP's identifier (a validated SIP always has one). */
  objid: string;
  /** mets/@LABEL when present. */
  label?: string;
}

/**
 * The METS document cut after its header: the root element and metsHdr are all this reads, and the file lists
 * that make a METS large are not parsed a second time (validation parsed the whole). Null when it cannot be cut.
 */
function headerOnly(text: string): string | null {
  const root = /<((?:[\w.-]+:)?mets)[\s>]/.exec(text);
  const hdrEnd = /<\/(?:[\w.-]+:)?metsHdr\s*>/.exec(text);
  if (!root || !hdrEnd || hdrEnd.index < root.index) return null;
  return `${text.slice(0, hdrEnd.index + hdrEnd[0].length)}</${root[1]}>`;
}

/** Reads the SIP's METS text; `key` is the title when the METS has no LABEL. */
export function readSipMets(text: string, key: string): SipMets {
  const header = headerOnly(text);
  let parsed = parseXml(header ?? text);
  if (header && !('root' in parsed)) parsed = parseXml(text);
  const mets = 'root' in parsed ? parsed.root : undefined;
  if (mets && fgs1Evidence(mets)) return fgs1Metadata(mets, key);
  const objid = (mets && attr(mets, 'OBJID')?.trim()) || key;
  const label = (mets && attr(mets, 'LABEL')?.trim()) || undefined;
  const hdr = mets && kid(mets, 'metsHdr');
  const creator = hdr && submittingAgent(hdr);
  const created = hdr && attr(hdr, 'CREATEDATE')?.trim();
  const metadata: DescriptiveMetadata = {
    title: label ?? key,
    identifier: objid,
    ...(creator ? { creator } : {}),
    ...(created ? { dates: { created } } : {}),
  };
  return { metadata, objid, ...(label ? { label } : {}) };
}

function submittingAgent(hdr: XmlNode): string | undefined {
  const agents = kids(hdr, 'agent');
  const nameOf = (agent: XmlNode | undefined) => (agent && kid(agent, 'name')?.text.trim()) || undefined;
  const submitting = agents.find(
    (a) => attr(a, 'ROLE') === 'CREATOR' && attr(a, 'TYPE') === 'ORGANIZATION' && nameOf(a),
  );
  return nameOf(submitting) ?? agents.map(nameOf).find((name) => name !== undefined);
}
