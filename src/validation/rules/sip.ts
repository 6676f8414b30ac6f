/**
 * E-ARK SIP 2.1 additions to CSIP (SIP1-SIP35): the SIP profile URL, package type SIP, and the header agents —
 * archival creator (ROLE ARCHIVIST), submitting agent (ROLE CREATOR, TYPE ORGANIZATION or INDIVIDUAL), contact
 * person (ROLE CREATOR, TYPE INDIVIDUAL) and preservation agent (ROLE PRESERVATION) — at the profile's levels.
 *
 * The submitting agent and a contact person share ROLE CREATOR; a CREATOR agent of TYPE ORGANIZATION is read as
 * a submitting agent (its notes are identification codes), one of TYPE INDIVIDUAL as a contact person (its notes
 * are free contact details), and either satisfies SIP15. The software agent (TYPE OTHER) is CSIP's.
 */
import type { RuleContext } from '../rule-context.js';
import { SIP_PROFILE_URL } from '../vocabularies.js';
import { attr, kid, kids, type XmlNode } from '../xml-tree.js';

const PERSON_OR_ORG = new Set(['ORGANIZATION', 'INDIVIDUAL']);

export function checkSip(ctx: RuleContext): void {
  const profile = attr(ctx.mets, 'PROFILE');
  if (!profile || !SIP_PROFILE_URL.test(profile)) {
    ctx.fail(
      'SIP2',
      'MUST',
      `mets/@PROFILE must be the E-ARK SIP profile URL https://earksip.dilcis.eu/profile/E-ARK-SIP.xml${profile ? `, not "${profile}"` : ''}.`,
      ctx.mets,
    );
  }
  const hdr = kid(ctx.mets, 'metsHdr');
  if (!hdr) return; // CSIP117
  const type = ctx.ext(hdr, 'OAISPACKAGETYPE');
  if (type !== 'SIP') {
    ctx.fail(
      'SIP4',
      'MUST',
      `metsHdr/@csip:OAISPACKAGETYPE must be "SIP"${type === undefined ? ctx.nsHint(hdr, 'OAISPACKAGETYPE') : `, not "${type}"`}.`,
      hdr,
    );
  }
  const agents = kids(hdr, 'agent');
  const withRole = (role: string) => agents.filter((a) => attr(a, 'ROLE') === role);
  for (const agent of agents.filter((a) => !attr(a, 'ROLE'))) {
    ctx.fail('SIP10', 'MUST', 'Every metsHdr agent must have a ROLE.', agent);
  }
  for (const agent of withRole('ARCHIVIST')) {
    if (!PERSON_OR_ORG.has(attr(agent, 'TYPE') ?? '')) {
      ctx.fail(
        'SIP11',
        'MUST',
        'The archival creator agent (ROLE ARCHIVIST) must have TYPE ORGANIZATION or INDIVIDUAL.',
        agent,
      );
    }
    checkIdentificationNotes(ctx, agent, 'SIP14', 'archival creator');
  }
  const creators = withRole('CREATOR').filter((a) => PERSON_OR_ORG.has(attr(a, 'TYPE') ?? ''));
  if (creators.length === 0) {
    ctx.fail(
      'SIP15',
      'MUST',
      'The metsHdr must have a submitting agent: an agent with ROLE="CREATOR" and TYPE ORGANIZATION or INDIVIDUAL.',
      hdr,
    );
  }
  for (const agent of creators) {
    if (attr(agent, 'TYPE') === 'ORGANIZATION') checkIdentificationNotes(ctx, agent, 'SIP20', 'submitting');
    else if (!kid(agent, 'name')?.text.trim()) {
      ctx.fail(
        'SIP24',
        'MUST',
        'The contact person agent (ROLE CREATOR, TYPE INDIVIDUAL) must have a name.',
        agent,
      );
    }
  }
  for (const agent of withRole('PRESERVATION')) {
    if (attr(agent, 'TYPE') !== 'ORGANIZATION') {
      ctx.fail(
        'SIP28',
        'MUST',
        'The preservation agent (ROLE PRESERVATION) must have TYPE ORGANIZATION.',
        agent,
      );
    }
    checkIdentificationNotes(ctx, agent, 'SIP31', 'preservation');
  }
}

function checkIdentificationNotes(ctx: RuleContext, agent: XmlNode, id: string, which: string): void {
  for (const note of kids(agent, 'note')) {
    if (ctx.ext(note, 'NOTETYPE') !== 'IDENTIFICATIONCODE') {
      ctx.fail(
        id,
        'MUST',
        `The ${which} agent's note must have csip:NOTETYPE="IDENTIFICATIONCODE"${ctx.nsHint(note, 'NOTETYPE')}.`,
        note,
      );
    }
  }
}
