/**
 * FGS Paketstruktur 1.x rules (Riksarkivet's METS profile CommonSpecificationSwedenPackageProfile, 1.1/1.2): what
 * a 1.x SIP must carry to be taken in, each as a named rule. The profile numbers no requirements the way CSIP
 * does, so the ids are ours (`FGS1-…`), each named after the element or attribute it is about:
 *
 *   FGS1-PROFILE                 mets/@PROFILE is the 1.x profile URL                          MUST
 *   FGS1-OBJID, FGS1-TYPE        mets/@OBJID, mets/@TYPE (content type, e.g. ERMS, Personnel)   MUST
 *   FGS1-CONTENTTYPESPECIFICATION  ext:CONTENTTYPESPECIFICATION when TYPE is OTHER             MUST
 *   FGS1-METSHDR, FGS1-CREATEDATE  metsHdr with CREATEDATE                                     MUST
 *   FGS1-OAISSTATUS              metsHdr/@ext:OAISSTATUS "SIP" in a submission                  SHOULD
 *   FGS1-ARCHIVIST               agent ROLE=ARCHIVIST TYPE=ORGANIZATION with a name (arkivbildare) MUST
 *   FGS1-AGENT                   every agent has a ROLE and a name                              MUST
 *   FGS1-SUBMISSIONAGREEMENT     altRecordID TYPE=SUBMISSIONAGREEMENT (leveransöverenskommelse) MUST
 *   FGS1-FILESEC, FGS1-STRUCTMAP a fileSec listing files, a structMap                          MUST
 *   FGS1-FILE-*                  each file: MIMETYPE, SIZE, CREATED, CHECKSUM(TYPE), FLocat URL,
 *                                the file present with that size and checksum                  MUST
 *   FGS1-UNLISTED                every file of the package is listed in the fileSec            SHOULD
 */
import { FGS1_NS, FGS1_PROFILE_URL } from '../fgs1.js';
import type { RuleContext } from '../rule-context.js';
import { attr, kid, kids, NS, type XmlNode } from '../xml-tree.js';
import { checkReference, type RefAttributeIds } from './file-ref.js';

const FILE_IDS: RefAttributeIds = {
  loctype: 'FGS1-FILE-LOCTYPE',
  xlinkType: 'FGS1-FILE-LOCTYPE',
  href: 'FGS1-FILE-MISSING',
  mimetype: 'FGS1-FILE-MIMETYPE',
  size: 'FGS1-FILE-SIZE',
  created: 'FGS1-FILE-CREATED',
  checksum: 'FGS1-FILE-CHECKSUM',
  checksumType: 'FGS1-FILE-CHECKSUMTYPE',
};

/** Every rule on the package METS of an FGS 1.x SIP. */
export function checkFgs1(ctx: RuleContext): void {
  checkFgs1Root(ctx);
  checkFgs1Header(ctx);
  checkFgs1Files(ctx);
}

function checkFgs1Root(ctx: RuleContext): void {
  const mets = ctx.mets;
  const profile = attr(mets, 'PROFILE')?.trim();
  if (profile !== FGS1_PROFILE_URL) {
    const found = profile ? `, not "${profile}"` : '';
    ctx.fail('FGS1-PROFILE', 'MUST', `mets/@PROFILE must be ${FGS1_PROFILE_URL}${found}.`, mets);
  }
  if (!attr(mets, 'OBJID')?.trim()) ctx.fail('FGS1-OBJID', 'MUST', 'mets must have an OBJID.', mets);
  const type = attr(mets, 'TYPE')?.trim();
  if (!type) ctx.fail('FGS1-TYPE', 'MUST', 'mets must have a TYPE (the content type, e.g. ERMS).', mets);
  if (type?.toUpperCase() === 'OTHER' && !attr(mets, 'CONTENTTYPESPECIFICATION', FGS1_NS)?.trim()) {
    ctx.fail(
      'FGS1-CONTENTTYPESPECIFICATION',
      'MUST',
      'mets/@TYPE is OTHER, so mets/@ext:CONTENTTYPESPECIFICATION must name the content type.',
      mets,
    );
  }
  if (!kid(mets, 'structMap')) ctx.fail('FGS1-STRUCTMAP', 'MUST', 'mets must have a structMap.', mets);
}

function checkFgs1Header(ctx: RuleContext): void {
  const hdr = kid(ctx.mets, 'metsHdr');
  if (!hdr) {
    ctx.fail('FGS1-METSHDR', 'MUST', 'mets must have a metsHdr (agents, submission agreement).', ctx.mets);
    return;
  }
  if (!attr(hdr, 'CREATEDATE')?.trim())
    ctx.fail('FGS1-CREATEDATE', 'MUST', 'metsHdr must have a CREATEDATE.', hdr);
  const status = attr(hdr, 'OAISSTATUS', FGS1_NS);
  if (status !== 'SIP') {
    const found = status === undefined ? ' (it is missing)' : `, not "${status}"`;
    ctx.fail(
      'FGS1-OAISSTATUS',
      'SHOULD',
      `metsHdr/@ext:OAISSTATUS of a submission should be "SIP"${found}.`,
      hdr,
    );
  }
  const agents = kids(hdr, 'agent');
  for (const agent of agents) {
    if (!attr(agent, 'ROLE')) ctx.fail('FGS1-AGENT', 'MUST', 'Every metsHdr agent must have a ROLE.', agent);
    if (!kid(agent, 'name')?.text.trim())
      ctx.fail('FGS1-AGENT', 'MUST', 'Every metsHdr agent must have a name.', agent);
  }
  const archivist = agents.find(
    (a) =>
      attr(a, 'ROLE') === 'ARCHIVIST' && attr(a, 'TYPE') === 'ORGANIZATION' && kid(a, 'name')?.text.trim(),
  );
  if (!archivist) {
    ctx.fail(
      'FGS1-ARCHIVIST',
      'MUST',
      'metsHdr must name the archive creator (arkivbildare): an agent with ROLE="ARCHIVIST" TYPE="ORGANIZATION" and a name.',
      hdr,
    );
  }
  const agreement = kids(hdr, 'altRecordID').find((a) => attr(a, 'TYPE') === 'SUBMISSIONAGREEMENT');
  if (!agreement?.text.trim()) {
    ctx.fail(
      'FGS1-SUBMISSIONAGREEMENT',
      'MUST',
      'metsHdr must have an altRecordID TYPE="SUBMISSIONAGREEMENT" naming the submission agreement (leveransöverenskommelse).',
      agreement ?? hdr,
    );
  }
}

function checkFgs1Files(ctx: RuleContext): void {
  const fileSec = kid(ctx.mets, 'fileSec');
  const files = fileSec ? kids(fileSec, 'fileGrp').flatMap((g) => filesIn(g)) : [];
  if (files.length === 0) {
    ctx.fail(
      'FGS1-FILESEC',
      'MUST',
      'mets must have a fileSec listing the files of the package.',
      fileSec ?? ctx.mets,
    );
    return;
  }
  const listed = new Set<string>();
  for (const file of files) {
    const flocat = kid(file, 'FLocat');
    if (!flocat) {
      ctx.fail('FGS1-FILE-MISSING', 'MUST', 'file must have an FLocat naming the file.', file);
      continue;
    }
    checkReference(ctx, file, flocat, FILE_IDS, { holder: 'file', locator: 'file/FLocat' });
    const href = attr(flocat, 'href', NS.xlink);
    if (href) listed.add(href.replace(/^file:(\/\/)?/i, '').replace(/^\.\//, ''));
  }
  for (const path of ctx.pkg.files.keys()) {
    if (path === ctx.file || listed.has(path) || listed.has(encodeURI(path))) continue;
    ctx.fail('FGS1-UNLISTED', 'SHOULD', `${path} is in the package but not listed in the fileSec.`);
  }
}

/** The files of a fileGrp, with those of nested fileGrps (METS allows groups inside groups). */
function filesIn(group: XmlNode): XmlNode[] {
  return [...kids(group, 'file'), ...kids(group, 'fileGrp').flatMap((g) => filesIn(g))];
}
