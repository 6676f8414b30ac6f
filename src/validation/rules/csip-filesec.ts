/**
 * CSIP 2.1 requirements on the file section (CSIP58-CSIP79, CSIP113, CSIP114): the file groups a package METS
 * must have, and every file's attributes, location, size and checksum.
 */
import type { RuleContext } from '../rule-context.js';
import { CONTENT_INFORMATION_TYPES } from '../vocabularies.js';
import { attr, kid, kids, type XmlNode } from '../xml-tree.js';
import { checkReference, type RefAttributeIds } from './file-ref.js';

const FILE_REF_IDS: RefAttributeIds = {
  loctype: 'CSIP77',
  xlinkType: 'CSIP78',
  href: 'CSIP79',
  mimetype: 'CSIP68',
  size: 'CSIP69',
  created: 'CSIP70',
  checksum: 'CSIP71',
  checksumType: 'CSIP72',
};

const isRepresentations = (use: string | undefined): boolean => use?.startsWith('Representations') ?? false;

/** Package-level fileSec rules: the section's ID, the required file groups, and each group's attributes. */
export function checkFileSec(ctx: RuleContext): void {
  const fileSec = kid(ctx.mets, 'fileSec');
  if (!fileSec) return; // CSIP58 (SHOULD) already said so
  if (!attr(fileSec, 'ID')) ctx.fail('CSIP59', 'MUST', 'fileSec must have an ID attribute.', fileSec);
  const groups = kids(fileSec, 'fileGrp');
  const uses = groups.map((g) => attr(g, 'USE'));
  if (!uses.includes('Documentation')) {
    ctx.fail('CSIP60', 'MUST', 'fileSec must have a fileGrp with USE="Documentation".', fileSec);
  }
  if (!uses.includes('Schemas')) {
    ctx.fail('CSIP113', 'MUST', 'fileSec must have a fileGrp with USE="Schemas".', fileSec);
  }
  if (!uses.some(isRepresentations)) {
    ctx.fail(
      'CSIP114',
      'MUST',
      'fileSec must have a fileGrp whose USE starts with "Representations".',
      fileSec,
    );
  }
  for (const group of groups) {
    const use = attr(group, 'USE');
    if (!use) ctx.fail('CSIP64', 'MUST', 'fileGrp must have a USE attribute.', group);
    if (!attr(group, 'ID')) ctx.fail('CSIP65', 'MUST', 'fileGrp must have an ID attribute.', group);
    checkGroupContentType(ctx, group, isRepresentations(use));
    if (use && isRepresentations(use) && use !== 'Representations') checkUseFolder(ctx, group, use);
  }
}

/**
 * CSIP62/CSIP63: the content information type of a representation file group. (The profile also mentions file
 * groups of a MIXED package; like the E-ARK Schematron, Documentation and Schemas groups are not asked for one.)
 */
function checkGroupContentType(ctx: RuleContext, group: XmlNode, needed: boolean): void {
  const cit = ctx.ext(group, 'CONTENTINFORMATIONTYPE');
  if (cit === undefined) {
    if (needed) {
      ctx.fail(
        'CSIP62',
        'SHOULD',
        `fileGrp USE="${attr(group, 'USE') ?? ''}" should state csip:CONTENTINFORMATIONTYPE${ctx.nsHint(group, 'CONTENTINFORMATIONTYPE')}.`,
        group,
      );
    }
    return;
  }
  if (!CONTENT_INFORMATION_TYPES.has(cit)) {
    ctx.fail(
      'CSIP62',
      'SHOULD',
      `fileGrp/@csip:CONTENTINFORMATIONTYPE "${cit}" is not in the CSIP vocabulary.`,
      group,
    );
  } else if (cit === 'OTHER' && !ctx.ext(group, 'OTHERCONTENTINFORMATIONTYPE')?.trim()) {
    ctx.fail(
      'CSIP63',
      'MAY',
      'fileGrp/@csip:CONTENTINFORMATIONTYPE is "OTHER": OTHERCONTENTINFORMATIONTYPE must name it.',
      group,
    );
  }
}

/** CSIP64: "Representations/x" is the path of the folder representations/x. */
function checkUseFolder(ctx: RuleContext, group: XmlNode, use: string): void {
  const folder = `representations${use.slice('Representations'.length)}`.replace(/\/+$/, '');
  const found = [...ctx.pkg.folders].some((f) => f.normalize('NFC') === folder.normalize('NFC'));
  if (!found) {
    ctx.fail(
      'CSIP64',
      'MUST',
      `fileGrp USE="${use}" names the folder ${folder}, which is not in the package.`,
      group,
    );
  }
}

/** File-level rules for every fileGrp/file of a METS document (package or representation), nested groups too. */
export function checkFiles(ctx: RuleContext): void {
  for (const fileSec of kids(ctx.mets, 'fileSec')) {
    for (const group of kids(fileSec, 'fileGrp')) checkGroupFiles(ctx, group);
  }
}

function checkGroupFiles(ctx: RuleContext, group: XmlNode): void {
  const files = kids(group, 'file');
  const nested = kids(group, 'fileGrp');
  if (files.length === 0 && nested.length === 0) {
    ctx.fail('CSIP66', 'MUST', `fileGrp USE="${attr(group, 'USE') ?? ''}" holds no file element.`, group);
  }
  for (const file of files) checkFile(ctx, file);
  for (const child of nested) checkGroupFiles(ctx, child);
}

function checkFile(ctx: RuleContext, file: XmlNode): void {
  if (!attr(file, 'ID')) ctx.fail('CSIP67', 'MUST', 'file must have an ID attribute.', file);
  const locations = kids(file, 'FLocat');
  if (locations.length !== 1) {
    ctx.fail(
      'CSIP76',
      'MUST',
      locations.length === 0
        ? 'file must have an FLocat element.'
        : 'file must have exactly one FLocat element.',
      file,
    );
  }
  const location = locations[0];
  if (location) checkReference(ctx, file, location, FILE_REF_IDS, { holder: 'file', locator: 'file/FLocat' });
}
