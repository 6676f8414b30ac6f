/**
 * CSIP 2.1 requirements on the structural map (CSIP80-CSIP119): the one structMap labelled CSIP, its top
 * division, and the Metadata, Documentation, Schemas and representation divisions with their fptr/mptr links to
 * file groups and representation METS files.
 */
import { resolveHref } from '../package-path.js';
import type { RuleContext } from '../rule-context.js';
import { attr, kid, kids, NS, type XmlNode } from '../xml-tree.js';

interface Group {
  use: string;
  node: XmlNode;
}

/** Checks the CSIP structMap; returns the package paths of the representation METS files its mptrs name. */
export function checkStructMap(ctx: RuleContext): string[] {
  const maps = kids(ctx.mets, 'structMap');
  if (maps.length === 0) return []; // CSIP80
  const csip = maps.filter((m) => attr(m, 'LABEL') === 'CSIP');
  if (csip.length === 0) {
    const labels = maps.map((m) => `"${attr(m, 'LABEL') ?? ''}"`).join(', ');
    ctx.fail(
      'CSIP82',
      'MUST',
      `No structMap has LABEL="CSIP" (found ${labels}); its divisions are not checked.`,
      maps[0],
    );
    return [];
  }
  if (csip.length > 1) ctx.fail('CSIP82', 'MUST', 'Only one structMap may have LABEL="CSIP".', csip[1]);
  const map = csip[0] as XmlNode;
  if (attr(map, 'TYPE') !== 'PHYSICAL')
    ctx.fail('CSIP81', 'MUST', 'The CSIP structMap must have TYPE="PHYSICAL".', map);
  if (!attr(map, 'ID')) ctx.fail('CSIP83', 'MUST', 'The CSIP structMap must have an ID attribute.', map);
  const tops = kids(map, 'div');
  if (tops.length !== 1) {
    ctx.fail('CSIP84', 'MUST', 'The CSIP structMap must have exactly one top division.', tops[1] ?? map);
  }
  const top = tops[0];
  if (!top) return [];
  if (!attr(top, 'ID')) ctx.fail('CSIP85', 'MUST', 'The top division must have an ID attribute.', top);
  const groups = new Map<string, Group>();
  for (const group of kids(kid(ctx.mets, 'fileSec') ?? ctx.mets, 'fileGrp')) {
    const id = attr(group, 'ID');
    if (id) groups.set(id, { use: attr(group, 'USE') ?? '', node: group });
  }
  const subs = kids(top, 'div');
  checkMetadataDiv(ctx, top, subs);
  checkGroupDiv(ctx, top, subs, groups, 'Documentation', ['CSIP93', 'CSIP95', 'CSIP94', 'CSIP116', 'CSIP96']);
  checkGroupDiv(ctx, top, subs, groups, 'Schemas', ['CSIP97', 'CSIP99', 'CSIP98', 'CSIP118', 'CSIP100']);
  return checkRepresentationDivs(ctx, subs, groups);
}

function checkMetadataDiv(ctx: RuleContext, top: XmlNode, subs: XmlNode[]): void {
  const divs = subs.filter((d) => attr(d, 'LABEL') === 'Metadata');
  if (divs.length !== 1) {
    ctx.fail(
      'CSIP88',
      'MUST',
      'The top division must have exactly one division with LABEL="Metadata".',
      divs[1] ?? top,
    );
  }
  const div = divs[0];
  if (!div) return;
  if (!attr(div, 'ID')) ctx.fail('CSIP89', 'MUST', 'The Metadata division must have an ID attribute.', div);
  const current = (nodes: XmlNode[]) =>
    nodes.filter((n) => (attr(n, 'STATUS') ?? 'CURRENT') === 'CURRENT').map((n) => attr(n, 'ID'));
  const amd = kids(ctx.mets, 'amdSec').flatMap((a) => [...kids(a, 'digiprovMD'), ...kids(a, 'rightsMD')]);
  const missing = (ids: (string | undefined)[], list: string | undefined) => {
    const have = new Set((list ?? '').split(/\s+/));
    return ids.filter((id): id is string => id !== undefined && !have.has(id));
  };
  const amdMissing = missing(current(amd), attr(div, 'ADMID'));
  if (amdMissing.length > 0) {
    ctx.fail(
      'CSIP91',
      'SHOULD',
      `The Metadata division's ADMID should reference ${amdMissing.join(', ')}.`,
      div,
    );
  }
  const dmdMissing = missing(current(kids(ctx.mets, 'dmdSec')), attr(div, 'DMDID'));
  if (dmdMissing.length > 0) {
    ctx.fail(
      'CSIP92',
      'SHOULD',
      `The Metadata division's DMDID should reference ${dmdMissing.join(', ')}.`,
      div,
    );
  }
}

/** Documentation or Schemas division: [present SHOULD, label MUST, ID, fptr FILEID, all groups referenced]. */
function checkGroupDiv(
  ctx: RuleContext,
  top: XmlNode,
  subs: XmlNode[],
  groups: Map<string, Group>,
  label: string,
  [present, named, idRule, fileId, complete]: [string, string, string, string, string],
): void {
  const wanted = [...groups].filter(([, g]) => g.use === label).map(([id]) => id);
  const div = subs.find((d) => attr(d, 'LABEL') === label);
  if (!div) {
    if (wanted.length > 0) {
      ctx.fail(named, 'MUST', `The ${label} file group(s) need a division with LABEL="${label}".`, top);
    } else {
      ctx.fail(present, 'SHOULD', `The top division should have a division with LABEL="${label}".`, top);
    }
    return;
  }
  if (!attr(div, 'ID')) ctx.fail(idRule, 'MUST', `The ${label} division must have an ID attribute.`, div);
  const referenced = new Set<string>();
  for (const fptr of kids(div, 'fptr')) {
    const ref = attr(fptr, 'FILEID');
    if (!ref) ctx.fail(fileId, 'MUST', `fptr in the ${label} division must have a FILEID.`, fptr);
    else if (groups.get(ref)?.use !== label) {
      ctx.fail(fileId, 'MUST', `fptr FILEID="${ref}" is not the ID of a fileGrp with USE="${label}".`, fptr);
    } else referenced.add(ref);
  }
  for (const id of wanted.filter((w) => !referenced.has(w))) {
    ctx.fail(
      complete,
      'MUST',
      `fileGrp ${id} (USE="${label}") is not referenced by an fptr of the ${label} division.`,
      div,
    );
  }
}

function checkRepresentationDivs(ctx: RuleContext, subs: XmlNode[], groups: Map<string, Group>): string[] {
  const repGroups = [...groups].filter(([, g]) => g.use.startsWith('Representations')).map(([id]) => id);
  const referenced = new Set<string>();
  const content = subs.find((d) => attr(d, 'LABEL') === 'Representations');
  if (content) {
    if (!attr(content, 'ID'))
      ctx.fail('CSIP102', 'MUST', 'The Representations division must have an ID attribute.', content);
    for (const fptr of kids(content, 'fptr')) {
      const ref = attr(fptr, 'FILEID');
      if (!ref || !groups.get(ref)?.use.startsWith('Representations')) {
        ctx.fail(
          'CSIP119',
          'MUST',
          `fptr FILEID="${ref ?? ''}" must be the ID of a Representations fileGrp.`,
          fptr,
        );
      } else referenced.add(ref);
    }
  }
  const metsFiles: string[] = [];
  for (const div of subs.filter((d) => attr(d, 'LABEL')?.startsWith('Representations/'))) {
    const label = attr(div, 'LABEL') as string;
    if (!attr(div, 'ID'))
      ctx.fail('CSIP106', 'MUST', 'A representation division must have an ID attribute.', div);
    if (![...groups.values()].some((g) => g.use === label)) {
      ctx.fail('CSIP107', 'MUST', `Division LABEL="${label}" is not the USE of any fileGrp.`, div);
    }
    const mptrs = kids(div, 'mptr');
    if (mptrs.length !== 1) {
      ctx.fail(
        'CSIP109',
        'MUST',
        `Division "${label}" must have exactly one mptr to its representation METS.`,
        div,
      );
    }
    const mptr = mptrs[0];
    if (!mptr) continue;
    const title = attr(mptr, 'title', NS.xlink);
    if (!title || !groups.get(title)?.use.startsWith('Representations')) {
      ctx.fail(
        'CSIP108',
        'MUST',
        `mptr/@xlink:title "${title ?? ''}" must be the ID of a Representations fileGrp.`,
        mptr,
      );
    } else referenced.add(title);
    if (attr(mptr, 'type', NS.xlink) !== 'simple')
      ctx.fail('CSIP111', 'MUST', 'mptr/@xlink:type must be "simple".', mptr);
    if (attr(mptr, 'LOCTYPE') !== 'URL') ctx.fail('CSIP112', 'MUST', 'mptr/@LOCTYPE must be "URL".', mptr);
    const path = mptrTarget(ctx, mptr);
    if (path) metsFiles.push(path);
  }
  for (const id of repGroups.filter((g) => !referenced.has(g))) {
    const [rule, by] = content
      ? ['CSIP104', 'an fptr of the Representations division']
      : ['CSIP108', 'any mptr xlink:title'];
    ctx.fail(rule, 'MUST', `Representations fileGrp ${id} is not referenced by ${by}.`, groups.get(id)?.node);
  }
  return metsFiles;
}

/** CSIP110: the mptr's href names a representation METS file that is in the package. */
function mptrTarget(ctx: RuleContext, mptr: XmlNode): string | undefined {
  const href = attr(mptr, 'href', NS.xlink);
  if (!href) {
    ctx.fail('CSIP110', 'MUST', 'mptr must have an xlink:href to the representation METS file.', mptr);
    return undefined;
  }
  const target = resolveHref(href, ctx.file);
  if ('error' in target) {
    ctx.fail('CSIP110', 'MUST', `mptr: ${target.error}.`, mptr);
    return undefined;
  }
  const file = target.candidates.map((c) => ctx.pkg.find(c)).find((f) => f !== undefined);
  if (!file)
    ctx.fail(
      'CSIP110',
      'MUST',
      `mptr/@xlink:href "${href}" names ${target.path}, which is not in the package.`,
      mptr,
    );
  return file?.path;
}
