/**
 * CSIP 2.1 requirements on the METS root element and the METS header (CSIP1-CSIP17, CSIP117), and the check that
 * the CSIP/SIP extension namespaces are spelt exactly (CSIP-NS).
 */
import type { RuleContext } from '../rule-context.js';
import { CONTENT_CATEGORIES, CONTENT_INFORMATION_TYPES, OAIS_PACKAGE_TYPES } from '../vocabularies.js';
import { attr, kid, kids, NS, type XmlNode } from '../xml-tree.js';

/** Every namespace URI used by an attribute or element in the document. */
function namespacesIn(node: XmlNode, into: Set<string>): Set<string> {
  if (node.ns) into.add(node.ns);
  for (const key of node.attrs.keys()) {
    const match = /^\{(.*)\}/.exec(key);
    if (match) into.add(match[1] as string);
  }
  for (const child of node.children) namespacesIn(child, into);
  return into;
}

/** CSIP-NS: a namespace that differs from the CSIP or SIP one only in case is a different namespace. */
export function checkNamespaces(ctx: RuleContext): void {
  for (const used of namespacesIn(ctx.mets, new Set())) {
    for (const expected of [NS.csip, NS.sip]) {
      if (used !== expected && used.toLowerCase() === expected.toLowerCase()) {
        ctx.fail(
          'CSIP-NS',
          'MUST',
          `Namespace "${used}" is used, but the E-ARK extension namespace must be "${expected}" exactly ` +
            '(XML namespaces are case-sensitive): attributes in it are not CSIP/SIP attributes.',
          ctx.mets,
        );
      }
    }
  }
}

/** CSIP1-CSIP6 and the presence of the main sections (CSIP17, CSIP31, CSIP58, CSIP80, CSIP117). */
export function checkRoot(ctx: RuleContext): void {
  const { mets } = ctx;
  if (!attr(mets, 'OBJID')?.trim())
    ctx.fail('CSIP1', 'MUST', 'mets/@OBJID is mandatory and must not be empty.', mets);
  const type = attr(mets, 'TYPE');
  const otherType = ctx.ext(mets, 'OTHERTYPE');
  if (type === undefined) {
    ctx.fail('CSIP2', 'MUST', 'mets/@TYPE must declare the content category of the package.', mets);
  } else if (!CONTENT_CATEGORIES.has(type) && type !== 'OTHER') {
    ctx.fail('CSIP2', 'MUST', `mets/@TYPE "${type}" is not in the CSIP content category vocabulary.`, mets);
  } else if ((type === 'Other' || type === 'OTHER') && !otherType?.trim()) {
    ctx.fail(
      'CSIP3',
      'SHOULD',
      `mets/@TYPE is "${type}": mets/@csip:OTHERTYPE should name the content category${ctx.nsHint(mets, 'OTHERTYPE')}.`,
      mets,
    );
  }
  const cit = ctx.ext(mets, 'CONTENTINFORMATIONTYPE');
  if (cit === undefined) {
    ctx.fail(
      'CSIP4',
      'SHOULD',
      `mets/@csip:CONTENTINFORMATIONTYPE should declare the content information type specification${ctx.nsHint(mets, 'CONTENTINFORMATIONTYPE')}.`,
      mets,
    );
  } else if (!CONTENT_INFORMATION_TYPES.has(cit)) {
    ctx.fail(
      'CSIP4',
      'SHOULD',
      `mets/@csip:CONTENTINFORMATIONTYPE "${cit}" is not in the CSIP vocabulary.`,
      mets,
    );
  } else if (cit === 'OTHER' && !ctx.ext(mets, 'OTHERCONTENTINFORMATIONTYPE')?.trim()) {
    ctx.fail(
      'CSIP5',
      'MAY',
      'mets/@csip:CONTENTINFORMATIONTYPE is "OTHER": mets/@csip:OTHERCONTENTINFORMATIONTYPE must name it.',
      mets,
    );
  }
  if (!attr(mets, 'PROFILE')?.trim()) {
    ctx.fail(
      'CSIP6',
      'MUST',
      'mets/@PROFILE must hold the URL of the METS profile the package conforms to.',
      mets,
    );
  }
  if (!kid(mets, 'metsHdr'))
    ctx.fail('CSIP117', 'MUST', 'The METS document must have a metsHdr element.', mets);
  if (kids(mets, 'dmdSec').length === 0) {
    ctx.fail('CSIP17', 'SHOULD', 'No dmdSec: descriptive metadata should be described when available.', mets);
  }
  const amdSecs = kids(mets, 'amdSec');
  if (amdSecs.length === 0) {
    ctx.fail(
      'CSIP31',
      'SHOULD',
      'No amdSec: administrative metadata should be described when available.',
      mets,
    );
  } else if (amdSecs.length > 1) {
    ctx.fail('CSIP31', 'SHOULD', 'All administrative metadata should be in a single amdSec.', amdSecs[1]);
  }
  const fileSecs = kids(mets, 'fileSec');
  if (fileSecs.length !== 1) {
    ctx.fail(
      'CSIP58',
      'SHOULD',
      fileSecs.length === 0
        ? 'No fileSec: the content should be referenced from one.'
        : 'Only one fileSec should be present.',
      fileSecs[1] ?? mets,
    );
  }
  if (kids(mets, 'structMap').length === 0) {
    ctx.fail('CSIP80', 'MUST', 'The METS document must have a structMap.', mets);
  }
}

/** CSIP7-CSIP16 on the METS header and its software agent. */
export function checkHeader(ctx: RuleContext): void {
  const hdr = kid(ctx.mets, 'metsHdr');
  if (!hdr) return; // CSIP117 already said so
  if (!attr(hdr, 'CREATEDATE'))
    ctx.fail('CSIP7', 'MUST', 'The metsHdr element must have a CREATEDATE attribute.', hdr);
  if (!attr(hdr, 'LASTMODDATE')) {
    ctx.fail('CSIP8', 'SHOULD', 'The metsHdr element should have a LASTMODDATE attribute.', hdr);
  }
  const packageType = ctx.ext(hdr, 'OAISPACKAGETYPE');
  if (packageType === undefined) {
    ctx.fail(
      'CSIP9',
      'MUST',
      `The metsHdr element must have a csip:OAISPACKAGETYPE attribute${ctx.nsHint(hdr, 'OAISPACKAGETYPE')}.`,
      hdr,
    );
  } else if (!OAIS_PACKAGE_TYPES.has(packageType)) {
    ctx.fail(
      'CSIP9',
      'MUST',
      `csip:OAISPACKAGETYPE "${packageType}" is not one of SIP, AIP, DIP, AIU, AIC.`,
      hdr,
    );
  }
  const agents = kids(hdr, 'agent');
  if (agents.length === 0) {
    ctx.fail(
      'CSIP10',
      'MUST',
      'The metsHdr must have an agent recording the software that created the package.',
      hdr,
    );
    return;
  }
  const creators = agents.filter((a) => attr(a, 'ROLE') === 'CREATOR');
  if (creators.length === 0) {
    ctx.fail(
      'CSIP11',
      'MUST',
      'No metsHdr agent has ROLE="CREATOR" (the software that created the package).',
      hdr,
    );
    return;
  }
  const others = creators.filter((a) => attr(a, 'TYPE') === 'OTHER');
  if (others.length === 0) {
    ctx.fail(
      'CSIP12',
      'MUST',
      'The CREATOR agent for the creating software must have TYPE="OTHER".',
      creators[0],
    );
    return;
  }
  const software = others.find((a) => attr(a, 'OTHERTYPE') === 'SOFTWARE');
  if (!software) {
    ctx.fail('CSIP13', 'MUST', 'The software CREATOR agent must have OTHERTYPE="SOFTWARE".', others[0]);
    return;
  }
  const names = kids(software, 'name');
  if (names.length !== 1 || !names[0]?.text.trim()) {
    ctx.fail(
      'CSIP14',
      'MUST',
      'The software agent must have one non-empty name (the tool that created the IP).',
      software,
    );
  }
  const notes = kids(software, 'note');
  if (notes.length !== 1 || !notes[0]?.text.trim()) {
    ctx.fail(
      'CSIP15',
      'MUST',
      'The software agent must have one non-empty note (the version of the tool).',
      software,
    );
  }
  const note = notes[0];
  if (note && ctx.ext(note, 'NOTETYPE') !== 'SOFTWARE VERSION') {
    ctx.fail(
      'CSIP16',
      'MUST',
      `The software agent's note must have csip:NOTETYPE="SOFTWARE VERSION"${ctx.nsHint(note, 'NOTETYPE')}.`,
      note,
    );
  }
}
