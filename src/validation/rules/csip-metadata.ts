/**
 * CSIP 2.1 requirements on the descriptive (dmdSec, CSIP18-CSIP30) and administrative (amdSec: digiprovMD
 * CSIP32-CSIP44, rightsMD CSIP45-CSIP57) metadata sections and their mdRef references.
 */
import type { RuleContext } from '../rule-context.js';
import { STATUS_VALUES } from '../vocabularies.js';
import { attr, kids, type XmlNode } from '../xml-tree.js';
import { checkReference, type RefAttributeIds } from './file-ref.js';

/** Ids for one kind of metadata section, in the profile's order. */
interface SectionIds {
  id: string;
  created?: string;
  status: string;
  mdRef: string;
  ref: RefAttributeIds;
}

const refIds = (first: number): RefAttributeIds => {
  const n = (i: number) => `CSIP${first + i}`;
  return {
    loctype: n(0),
    xlinkType: n(1),
    href: n(2),
    mdtype: n(3),
    mimetype: n(4),
    size: n(5),
    created: n(6),
    checksum: n(7),
    checksumType: n(8),
  };
};

const DMD: SectionIds = {
  id: 'CSIP18',
  created: 'CSIP19',
  status: 'CSIP20',
  mdRef: 'CSIP21',
  ref: refIds(22),
};
const DIGIPROV: SectionIds = { id: 'CSIP33', status: 'CSIP34', mdRef: 'CSIP35', ref: refIds(36) };
const RIGHTS: SectionIds = { id: 'CSIP46', status: 'CSIP47', mdRef: 'CSIP48', ref: refIds(49) };

function checkSection(ctx: RuleContext, section: XmlNode, ids: SectionIds, what: string): void {
  if (!attr(section, 'ID')) ctx.fail(ids.id, 'MUST', `${what} must have an ID attribute.`, section);
  if (ids.created && !attr(section, 'CREATED')) {
    ctx.fail(ids.created, 'MUST', `${what} must have a CREATED attribute.`, section);
  }
  const status = attr(section, 'STATUS');
  if (status === undefined) {
    ctx.fail(
      ids.status,
      'SHOULD',
      `${what} should have a STATUS attribute (CURRENT or SUPERSEDED).`,
      section,
    );
  } else if (!STATUS_VALUES.has(status)) {
    ctx.fail(ids.status, 'SHOULD', `${what}/@STATUS "${status}" is not CURRENT or SUPERSEDED.`, section);
  }
  const refs = kids(section, 'mdRef');
  if (refs.length === 0) {
    ctx.fail(ids.mdRef, 'SHOULD', `${what} should reference its metadata file with an mdRef.`, section);
  }
  for (const ref of refs)
    checkReference(ctx, ref, ref, ids.ref, { holder: `${what}/mdRef`, locator: `${what}/mdRef` });
}

/** dmdSec and amdSec rules. */
export function checkMetadataSections(ctx: RuleContext): void {
  for (const dmd of kids(ctx.mets, 'dmdSec')) checkSection(ctx, dmd, DMD, 'dmdSec');
  for (const amd of kids(ctx.mets, 'amdSec')) {
    const digiprov = kids(amd, 'digiprovMD');
    if (digiprov.length === 0) {
      ctx.fail('CSIP32', 'SHOULD', 'amdSec should hold digiprovMD sections with the PREMIS metadata.', amd);
    }
    for (const section of digiprov) checkSection(ctx, section, DIGIPROV, 'amdSec/digiprovMD');
    for (const section of kids(amd, 'rightsMD')) checkSection(ctx, section, RIGHTS, 'amdSec/rightsMD');
  }
}
