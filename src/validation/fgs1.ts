/**
 * FGS Paketstruktur 1.x (Riksarkivet, RAFGS1V1.1 and RAFGS1V1.2, valid 2012-2023, still delivered by many
 * municipal systems): how a METS document says it is one, and what it says about the package.
 *
 * A 1.x METS names the profile `http://xml.ra.se/e-arkiv/METS/CommonSpecificationSwedenPackageProfile.xml`, the
 * schema `CSPackageMETS.xsd`, and carries attributes in the namespace `ExtensionMETS` (ext:OAISSTATUS,
 * ext:CONTENTTYPESPECIFICATION, ...). The package METS is `METS.xml` or, in many 1.x deliveries, `sip.xml`.
 * Both 1.1 and 1.2 name the same profile URL and schema, so the METS alone does not tell them apart.
 */
import { attr, kid, kids, NS, type XmlNode } from './xml-tree.js';

/** The FGS 1.x extension namespace (as the profile writes it: a bare name, not a URL). */
export const FGS1_NS = 'ExtensionMETS';
/** mets/@PROFILE of an FGS Paketstruktur 1.x package. */
export const FGS1_PROFILE_URL = 'http://xml.ra.se/e-arkiv/METS/CommonSpecificationSwedenPackageProfile.xml';
/** Names the package METS may have at the package root, in the order they are looked for. */
export const PACKAGE_METS_NAMES = ['METS.xml', 'sip.xml'] as const;

/** Why a METS is taken for FGS 1.x, or undefined when it is not one. */
export function fgs1Evidence(mets: XmlNode | undefined): string | undefined {
  if (!mets || mets.ns !== NS.mets || mets.local !== 'mets') return undefined;
  const profile = attr(mets, 'PROFILE')?.trim();
  if (profile && /CommonSpecificationSwedenPackageProfile/i.test(profile))
    return `mets/@PROFILE is the FGS 1.x profile ${profile}`;
  const schemaLocation = attr(mets, 'schemaLocation', 'http://www.w3.org/2001/XMLSchema-instance') ?? '';
  if (/CSPackageMETS\.xsd/i.test(schemaLocation))
    return 'xsi:schemaLocation names CSPackageMETS.xsd (FGS 1.x)';
  const hdr = kid(mets, 'metsHdr');
  if (hdr && attr(hdr, 'OAISSTATUS', FGS1_NS)) return 'metsHdr/@ext:OAISSTATUS (FGS 1.x extension)';
  return undefined;
}

/**
 * What the validation of an FGS 1.x package could not check: the content of an FGS Personal package (mets/@TYPE
 * Personnel) against the FGS Personal schema, which is not in the standards collection.
 */
export function fgs1Notes(mets: XmlNode): string[] {
  const type = `${attr(mets, 'TYPE') ?? ''} ${attr(mets, 'CONTENTTYPESPECIFICATION', FGS1_NS) ?? ''}`;
  if (!/personal|personnel/i.test(type)) return [];
  return [
    'FGS Personal package: its METS is checked, but its personnel XML is not checked against the FGS Personal schema, which is not available offline (not in the standards collection); the package is archived unchanged.',
  ];
}

/** An agent of an FGS 1.x METS header. */
export interface Fgs1Agent {
  role: string;
  otherRole?: string;
  type?: string;
  name?: string;
  notes: string[];
}

/** What an FGS 1.x METS says about its package; plain data. */
export interface Fgs1Summary {
  objid?: string;
  label?: string;
  /** mets/@TYPE: the content type (e.g. "ERMS", "Personnel"). */
  type?: string;
  contentTypeSpecification?: string;
  createDate?: string;
  agents: Fgs1Agent[];
  /** altRecordID values by TYPE (first of each): SUBMISSIONAGREEMENT, REFERENCECODE, STARTDATE, ENDDATE, ... */
  altRecordIds: Record<string, string>;
}

const trimmed = (value: string | undefined): string | undefined => value?.trim() || undefined;

/** Reads the root attributes and the header of an FGS 1.x METS. */
export function summariseFgs1(mets: XmlNode): Fgs1Summary {
  const hdr = kid(mets, 'metsHdr');
  const altRecordIds: Record<string, string> = {};
  for (const alt of hdr ? kids(hdr, 'altRecordID') : []) {
    const type = trimmed(attr(alt, 'TYPE'))?.toUpperCase();
    const value = trimmed(alt.text);
    if (type && value && !(type in altRecordIds)) altRecordIds[type] = value;
  }
  const agents = (hdr ? kids(hdr, 'agent') : []).map((agent) => ({
    role: attr(agent, 'ROLE') ?? '',
    ...optional('otherRole', trimmed(attr(agent, 'OTHERROLE'))),
    ...optional('type', trimmed(attr(agent, 'TYPE'))),
    ...optional('name', trimmed(kid(agent, 'name')?.text)),
    notes: kids(agent, 'note').flatMap((n) => trimmed(n.text) ?? []),
  }));
  return {
    ...optional('objid', trimmed(attr(mets, 'OBJID'))),
    ...optional('label', trimmed(attr(mets, 'LABEL'))),
    ...optional('type', trimmed(attr(mets, 'TYPE'))),
    ...optional('contentTypeSpecification', trimmed(attr(mets, 'CONTENTTYPESPECIFICATION', FGS1_NS))),
    ...optional('createDate', hdr && trimmed(attr(hdr, 'CREATEDATE'))),
    agents,
    altRecordIds,
  };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** The first agent with a role (and for ROLE="OTHER", an OTHERROLE) whose TYPE is ORGANIZATION and who has a name. */
export function organisationAgent(
  summary: Fgs1Summary,
  role: string,
  otherRole?: string,
): Fgs1Agent | undefined {
  return summary.agents.find(
    (a) =>
      a.role === role &&
      (otherRole === undefined || a.otherRole === otherRole) &&
      a.type === 'ORGANIZATION' &&
      a.name !== undefined,
  );
}
