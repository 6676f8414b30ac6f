/**
 * The CSIP 2.1 SHOULDs on where metadata lives (structure requirements), checked from the METS files' metadata
 * references and the folder layout:
 * - CSIPSTR6: "If preservation metadata are available, they SHOULD be included in sub-folder preservation."
 *   Preservation metadata are what an amdSec references (digiprovMD, techMD, rightsMD, sourceMD).
 * - CSIPSTR7: "If descriptive metadata are available, they SHOULD be included in sub-folder descriptive."
 *   Descriptive metadata are what a dmdSec references.
 * - CSIPSTR13: "The representation folder SHOULD include a sub-folder named metadata which CAN include all
 *   metadata about the specific representation."
 * A METS file at `<folder>/METS.xml` (the root or a representation) is expected to keep its metadata under
 * `<folder>/metadata/preservation/` and `<folder>/metadata/descriptive/`.
 */
import { resolveHref } from '../package-path.js';
import type { PackageReader } from '../package-reader.js';
import type { Finding } from '../types.js';
import { attr, kids, NS, type XmlNode } from '../xml-tree.js';

/** One METS file of the package, parsed: `file` is its path in the package ("METS.xml", "representations/r/METS.xml"). */
export interface ParsedMets {
  file: string;
  mets: XmlNode;
}

const AMD_KINDS = ['digiprovMD', 'techMD', 'rightsMD', 'sourceMD'];

/** CSIPSTR6 and CSIPSTR7 for each METS file, CSIPSTR13 for each representation folder. */
export function checkMetadataFolders(pkg: PackageReader, metsFiles: ParsedMets[]): Finding[] {
  const findings: Finding[] = [];
  for (const { file, mets } of metsFiles) {
    const base = file.includes('/') ? `${file.slice(0, file.lastIndexOf('/'))}/` : '';
    const misplaced = (mdRefs: XmlNode[], folder: string): string[] =>
      mdRefs
        .map((ref) => attr(ref, 'href', NS.xlink))
        .flatMap((href) => {
          if (href === undefined) return [];
          const target = resolveHref(href, file);
          return 'path' in target && !target.path.startsWith(`${base}metadata/${folder}/`)
            ? [target.path]
            : [];
        });
    const amdRefs = kids(mets, 'amdSec')
      .flatMap((section) => AMD_KINDS.flatMap((k) => kids(section, k)))
      .flatMap((md) => kids(md, 'mdRef'));
    const preservation = misplaced(amdRefs, 'preservation');
    if (preservation.length > 0) {
      findings.push({
        id: 'CSIPSTR6',
        level: 'SHOULD',
        message: `Preservation metadata should be in ${base}metadata/preservation/: ${list(preservation)}.`,
        location: { file },
      });
    }
    const dmdRefs = kids(mets, 'dmdSec').flatMap((d) => kids(d, 'mdRef'));
    const descriptive = misplaced(dmdRefs, 'descriptive');
    if (descriptive.length > 0) {
      findings.push({
        id: 'CSIPSTR7',
        level: 'SHOULD',
        message: `Descriptive metadata should be in ${base}metadata/descriptive/: ${list(descriptive)}.`,
        location: { file },
      });
    }
  }
  const representations = [...pkg.folders].filter((f) => /^representations\/[^/]+$/.test(f));
  for (const rep of representations) {
    if (pkg.folders.has(`${rep}/metadata`)) continue;
    findings.push({
      id: 'CSIPSTR13',
      level: 'SHOULD',
      message: `${rep} should hold a "metadata" folder for the metadata about the representation.`,
      location: { file: rep },
    });
  }
  return findings;
}

function list(paths: string[]): string {
  const shown = paths.slice(0, 3).join(', ');
  return paths.length > 3 ? `${shown} and ${paths.length - 3} more` : shown;
}
