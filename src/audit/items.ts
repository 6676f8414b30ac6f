import type { RunItem } from '../model/run.js';
import type { CheckedCopy } from './copy-checks.js';
import type { PackageResolution } from './repair.js';

/**
 * The run item of one audited copy: `ok`, `repaired` (failed, then replaced from a healthy copy) or `failed`
 * (with `missing`, `damaged` and why it was not repaired in the details). Problems keep their rule, file and
 * expected/actual digests for the report.
 */
export function copyItem(
  runId: string,
  checked: CheckedCopy,
  resolution: PackageResolution | undefined,
  label: string | undefined,
): RunItem {
  const { copy, check, level } = checked;
  const base = { runId, subject: `${copy.location}:${copy.key}`, packageId: copy.packageId };
  if (check.status === 'verified') {
    return {
      ...base,
      status: 'ok',
      message:
        level === 'quick'
          ? 'verified (quick): exists, size and stored digest'
          : check.perFile
            ? `verified (${level}): package digest and ${check.filesVerified} file digest(s) recomputed`
            : `verified: package digest, which covers its ${check.filesVerified} file(s)`,
      details: { location: copy.location, level, bytes: check.bytes },
    };
  }
  const problems = check.problems;
  const text = problems.map((p) => p.message).join('; ');
  const repair = resolution?.repaired.get(copy.location);
  if (repair) {
    return {
      ...base,
      status: 'repaired',
      message: `repaired from "${repair.from}" as "${repair.key}": ${text}`,
      details: { location: copy.location, level, label, problems, repair },
    };
  }
  return {
    ...base,
    status: 'failed',
    message: text,
    details: {
      location: copy.location,
      level,
      label,
      problems,
      missing: check.status === 'missing',
      unreachable: checked.unreachable,
      damaged: resolution?.damaged ?? false,
      notRepaired: resolution?.notRepaired.get(copy.location),
    },
  };
}
