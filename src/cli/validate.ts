import { ValidationError } from '../errors.js';
import { createBagPackageChecker } from '../sources/bagit/bag-package-check.js';
import { exitCodeFor, formatReport, sortFindings } from '../validation/report.js';
import type { ValidationProfile } from '../validation/types.js';
import { validatePackage } from '../validation/validate-package.js';
import { print, printJson } from './output.js';

const PROFILES: readonly ValidationProfile[] = ['csip', 'sip', 'fgs1'];

/**
 * `bevara validate <path>`: checks an E-ARK CSIP/SIP package (ZIP or folder), or a BagIt bag holding one (the
 * `bagit` profile's packages: the bag and the package inside), and prints each failed requirement
 * with id, level, message and location; `--json` prints the report. Returns 0 when no MUST requirement failed,
 * 1 otherwise. Needs no data directory or configuration.
 */
export async function validateCommand(
  path: string,
  options: { profile?: string; json?: boolean },
): Promise<number> {
  if (options.profile !== undefined && !PROFILES.includes(options.profile as ValidationProfile)) {
    throw new ValidationError(
      'cli-usage',
      `[validate] --profile must be one of ${PROFILES.join(', ')}, not "${options.profile}"`,
    );
  }
  const report = await validatePackage(path, {
    profile: options.profile as ValidationProfile | undefined,
    bagChecker: createBagPackageChecker(),
  });
  if (options.json) printJson({ ...report, findings: sortFindings(report.findings) });
  else for (const line of formatReport(report)) print(line);
  return exitCodeFor(report);
}
