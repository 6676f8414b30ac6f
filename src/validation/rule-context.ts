/**
 * What every rule function gets: the parsed METS file, the package it belongs to, and ways to report a failed
 * requirement and to ask for a referenced file to be verified against its SIZE and CHECKSUM.
 *
 * Rules are plain synchronous functions `(ctx) => void` over the element tree; reading file bytes happens later,
 * in one pass over the queued references (see file-verifier.ts).
 */
import type { PackageReader } from './package-reader.js';
import type { Finding, RuleLevel, ValidationProfile } from './types.js';
import { attr, NS, type XmlNode } from './xml-tree.js';

/** Requirement ids to use for one kind of file reference (fileSec file, dmdSec mdRef, ...). */
export interface RefRuleIds {
  /** The href must point to a file in the package. */
  href: string;
  /** SIZE must equal the file's size. */
  size: string;
  /** CHECKSUM must equal the file's digest. */
  checksum: string;
}

/** A reference to a file in the package: the element with SIZE/CHECKSUM and the one with the href. */
export interface FileRef {
  ids: RefRuleIds;
  /** Element carrying SIZE, CHECKSUM, CHECKSUMTYPE (mets:file, or mets:mdRef). */
  holder: XmlNode;
  /** Path of the file in the package, resolved from the href. */
  path: string;
}

export interface RuleContext {
  readonly pkg: PackageReader;
  /** Path of the METS file inside the package (e.g. "METS.xml"). */
  readonly file: string;
  readonly mets: XmlNode;
  readonly profile: ValidationProfile;
  /** Records a failed requirement at an element (or at the METS file as a whole). */
  fail(id: string, level: RuleLevel, message: string, at?: XmlNode): void;
  /** Queues a referenced file for size and checksum verification. */
  verify(ref: FileRef): void;
  /** The @csip: (or @sip:) attribute of an element, only in the exact namespace. */
  ext(node: XmlNode, local: string, ns?: string): string | undefined;
  /**
   * Text to append to a "missing csip: attribute" message when the attribute is there in a wrongly spelt
   * namespace (e.g. lower-case https://dilcis.eu/...): that is what the package really got wrong.
   */
  nsHint(node: XmlNode, local: string, ns?: string): string;
}

/** Creates a context that appends findings to `findings` and hands queued references to `onRef`. */
export function createRuleContext(
  base: { pkg: PackageReader; file: string; mets: XmlNode; profile: ValidationProfile },
  findings: Finding[],
  onRef: (ref: FileRef) => void,
): RuleContext {
  const misspelt = (node: XmlNode, local: string, ns: string): string | undefined => {
    for (const key of node.attrs.keys()) {
      const match = /^\{(.*)\}(.*)$/.exec(key);
      if (match && match[2] === local && match[1] !== ns && match[1]?.toLowerCase() === ns.toLowerCase()) {
        return match[1];
      }
    }
    return undefined;
  };
  return {
    ...base,
    fail(id, level, message, at) {
      findings.push({
        id,
        level,
        message,
        location: at ? { file: base.file, xpath: at.xpath, line: at.line } : { file: base.file },
      });
    },
    verify: onRef,
    ext: (node, local, ns = NS.csip) => attr(node, local, ns),
    nsHint(node, local, ns = NS.csip) {
      const wrong = misspelt(node, local, ns);
      return wrong ? ` (found only in namespace "${wrong}", which is not "${ns}"; see CSIP-NS)` : '';
    },
  };
}
