import type { CopyRecord } from '../model/package.js';
import type { Location } from '../storage/index.js';
import type { CopyCheck, CopyProblem } from './verify-copy.js';

/**
 * The `quick` audit level, for cold storage where reading every byte costs too much: the object exists, its size
 * matches the catalog and so does the SHA-256 the location keeps beside it (fs sidecar, S3 metadata). No content
 * is read, so damage to the bytes that leaves the metadata alone is found only by a `full` audit.
 */
export async function quickCheck(location: Location, copy: CopyRecord): Promise<CopyCheck> {
  const head = await location.driver.head(copy.key);
  const where = `package ${copy.packageId}: copy "${copy.key}" in location "${location.name}"`;
  if (!head) {
    return {
      status: 'missing',
      problems: [{ rule: 'copy-missing', message: `${where} is missing` }],
      bytes: 0,
      filesVerified: 0,
    };
  }
  const problems: CopyProblem[] = [];
  if (head.size !== copy.size) {
    problems.push({
      rule: 'size-mismatch',
      message: `${where}: size differs from the catalog`,
      expected: `${copy.size} bytes`,
      actual: `${head.size} bytes`,
    });
  }
  if (head.sha256 !== copy.sha256) {
    problems.push({
      rule: 'stored-digest',
      message: head.sha256
        ? `${where}: the SHA-256 stored with the object differs from the catalog`
        : `${where}: the location keeps no SHA-256 for the object`,
      expected: copy.sha256,
      actual: head.sha256 ?? '(none)',
    });
  }
  return { status: problems.length === 0 ? 'verified' : 'failed', problems, bytes: 0, filesVerified: 0 };
}
