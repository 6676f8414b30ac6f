/**
 * Checks shared by every reference from METS to a file (fileSec file/FLocat, and mdRef in dmdSec/amdSec): the
 * attributes CSIP requires, the href resolving to a file in the package, and SIZE against the real size. The
 * checksum is queued for verification against the bytes.
 */
import { mediaTypeProblem } from '../../formats/media-types.js';
import { resolveHref } from '../package-path.js';
import type { RefRuleIds, RuleContext } from '../rule-context.js';
import { attr, NS, type XmlNode } from '../xml-tree.js';

/** Requirement ids of the attributes of one kind of reference, in the order the profile lists them. */
export interface RefAttributeIds {
  loctype: string;
  xlinkType: string;
  href: string;
  mimetype: string;
  size: string;
  created: string;
  checksum: string;
  checksumType: string;
  /** mdRef only: @MDTYPE. */
  mdtype?: string;
}

/**
 * Checks the attributes on `holder` (SIZE, CHECKSUM, ...) and `locator` (LOCTYPE, xlink:type, xlink:href; the
 * same element for an mdRef), then resolves the href and queues verification. `names` name the two elements in
 * messages, e.g. "file" and "file/FLocat", or "dmdSec/mdRef" twice.
 */
export function checkReference(
  ctx: RuleContext,
  holder: XmlNode,
  locator: XmlNode,
  ids: RefAttributeIds,
  names: { holder: string; locator: string },
): void {
  const need = (node: XmlNode, name: string, id: string, label: string, ns?: string): string | undefined => {
    const value = attr(node, name, ns);
    if (value === undefined || value.trim() === '') {
      const label2 = node === holder ? names.holder : names.locator;
      ctx.fail(id, 'MUST', `${label2} must have a ${label} attribute.`, node);
      return undefined;
    }
    return value;
  };
  const what = names.holder;
  if (ids.mdtype) need(holder, 'MDTYPE', ids.mdtype, 'MDTYPE');
  const mimetype = need(holder, 'MIMETYPE', ids.mimetype, 'MIMETYPE');
  const problem = mimetype === undefined ? undefined : mediaTypeProblem(mimetype);
  if (problem) ctx.fail(ids.mimetype, 'MUST', `${what}/@MIMETYPE "${mimetype}" ${problem}.`, holder);
  const size = need(holder, 'SIZE', ids.size, 'SIZE');
  need(holder, 'CREATED', ids.created, 'CREATED');
  const checksum = need(holder, 'CHECKSUM', ids.checksum, 'CHECKSUM');
  const checksumType = need(holder, 'CHECKSUMTYPE', ids.checksumType, 'CHECKSUMTYPE');
  const where = names.locator;
  const loctype = attr(locator, 'LOCTYPE');
  if (loctype !== 'URL') {
    ctx.fail(
      ids.loctype,
      'MUST',
      `${where}/@LOCTYPE must be "URL"${loctype ? `, not "${loctype}"` : ''}.`,
      locator,
    );
  }
  const xlinkType = attr(locator, 'type', NS.xlink);
  if (xlinkType !== 'simple') {
    ctx.fail(
      ids.xlinkType,
      'MUST',
      `${where}/@xlink:type must be "simple"${xlinkType ? `, not "${xlinkType}"` : ''}.`,
      locator,
    );
  }
  const href = need(locator, 'href', ids.href, 'xlink:href', NS.xlink);
  if (href === undefined) return;
  const target = resolveHref(href, ctx.file);
  if ('error' in target) {
    ctx.fail(ids.href, 'MUST', `${where}: ${target.error}.`, locator);
    return;
  }
  const file = target.candidates.map((c) => ctx.pkg.find(c)).find((f) => f !== undefined);
  if (!file) {
    ctx.fail(
      ids.href,
      'MUST',
      `${where}/@xlink:href "${href}" names ${target.path}, which is not in the package.`,
      locator,
    );
    return;
  }
  if (size !== undefined) {
    if (!/^\d+$/.test(size.trim())) {
      ctx.fail(ids.size, 'MUST', `${what}/@SIZE "${size}" is not a number of bytes.`, holder);
    } else if (Number(size) !== file.size) {
      ctx.fail(
        ids.size,
        'MUST',
        `${what}/@SIZE is ${size}, but ${file.path} has ${file.size} bytes.`,
        holder,
      );
    }
  }
  if (checksum !== undefined && checksumType !== undefined) {
    const refIds: RefRuleIds = { href: ids.href, size: ids.size, checksum: ids.checksum };
    ctx.verify({ ids: refIds, holder, path: file.path });
  }
}
