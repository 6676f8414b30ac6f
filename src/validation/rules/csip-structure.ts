/**
 * CSIP 2.1 structure requirements on the package's folders (CSIPSTR1-CSIPSTR16): one root folder holding
 * METS.xml, and the metadata, representations, schemas and documentation folders.
 *
 * CSIPSTR1 and CSIPSTR4 are checked before the METS is read (see validate-package.ts); these are the SHOULDs
 * that can be told from the folder layout alone; CSIPSTR6, 7 and 13 (metadata sub-folders) are in
 * csip-metadata-folders.ts.
 */
import type { PackageReader } from '../package-reader.js';
import type { Finding } from '../types.js';

const at = (file: string): Finding['location'] => ({ file });

/** The SHOULD-level folder requirements; `objid` is the package METS's OBJID when it has one. */
export function checkStructure(pkg: PackageReader, objid: string | undefined): Finding[] {
  const findings: Finding[] = [];
  const should = (id: string, message: string, file: string) =>
    findings.push({ id, level: 'SHOULD', message, location: at(file) });
  if (objid !== undefined && objid !== pkg.root) {
    should(
      'CSIPSTR2',
      `The root folder "${pkg.root}" should be named as the package's OBJID "${objid}".`,
      '.',
    );
  }
  if (!pkg.folders.has('metadata'))
    should('CSIPSTR5', 'The root folder should hold a "metadata" folder.', '.');
  if (!pkg.folders.has('representations')) {
    should('CSIPSTR9', 'The root folder should hold a "representations" folder.', '.');
  } else {
    const reps = [...pkg.folders].filter((f) => /^representations\/[^/]+$/.test(f));
    const files = [...pkg.files.keys()].filter(
      (p) => /^representations\/[^/]+$/.test(p) && !p.endsWith('.gitkeep'),
    );
    if (reps.length === 0 || files.length > 0) {
      should(
        'CSIPSTR10',
        'The representations folder should hold one sub-folder per representation, and no files.',
        'representations',
      );
    }
    for (const rep of reps) {
      if (!pkg.folders.has(`${rep}/data`)) should('CSIPSTR11', `${rep} should hold a "data" folder.`, rep);
      if (!pkg.find(`${rep}/METS.xml`)) should('CSIPSTR12', `${rep} should hold a METS.xml.`, rep);
    }
  }
  if (!pkg.folders.has('schemas')) {
    should('CSIPSTR15', 'XML schemas used by the package should be included in a "schemas" folder.', '.');
  }
  if (!pkg.folders.has('documentation')) {
    should('CSIPSTR16', 'Documentation of the package should be included in a "documentation" folder.', '.');
  }
  return findings;
}
