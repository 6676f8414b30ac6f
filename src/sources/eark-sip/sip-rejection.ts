/**
 * Turning a failed SIP validation into the source's rejection: one `ValidationError` per failed MUST
 * requirement (rule = the requirement id, e.g. CSIP7, SIP4, zip-unsafe-path), at most {@link MAX_ERRORS}, then
 * one that counts the rest; and a report for refusals that happen before the validator runs (size limits,
 * unreadable archive), in the validator's own format.
 */
import { performance } from 'node:perf_hooks';
import type { ValidationError } from '../../errors.js';
import type { Finding, RuleLevel, ValidationReport } from '../../validation/types.js';
import { recordError } from '../file-reader.js';

/** Errors listed per refused SIP before the rest are summarised in one. */
export const MAX_ERRORS = 20;

/** Rule of the error that summarises the findings left out, and of a SIP refused without a MUST finding. */
export const SUMMARY_RULE = 'sip-invalid';

/** The rejection errors for a report that is not valid. `where` says where the full report is. */
export function rejectionErrors(key: string, report: ValidationReport, where: string): ValidationError[] {
  const musts = report.findings.filter((f) => f.level === 'MUST');
  const errors = musts.slice(0, MAX_ERRORS).map((f) => findingError(key, f));
  const rest = musts.length - errors.length;
  if (rest > 0 || errors.length === 0) {
    const reason =
      rest > 0
        ? `${rest} more failed requirement(s) not listed here; ${where}`
        : `the SIP is not valid; ${where}`;
    errors.push(recordError(SUMMARY_RULE, key, undefined, reason));
  }
  return errors;
}

function findingError(key: string, finding: Finding): ValidationError {
  const { file, line } = finding.location;
  const at = line === undefined ? '' : ` (line ${line})`;
  return recordError(
    finding.id,
    key,
    file === '.' ? undefined : file,
    `${finding.id}${at}: ${finding.message}`,
  );
}

/** A report in the validator's format for a SIP refused before validation (limits, unreadable archive). */
export function refusalReport(
  path: string,
  kind: ValidationReport['kind'],
  root: string,
  findings: Finding[],
  startedAt: number,
): ValidationReport {
  const counts: Record<RuleLevel, number> = { MUST: 0, SHOULD: 0, MAY: 0 };
  for (const f of findings) counts[f.level]++;
  return {
    path,
    kind,
    root,
    profile: 'sip',
    profileReason: 'E-ARK SIP source',
    valid: counts.MUST === 0,
    counts,
    findings,
    notes: ['refused before validation: nothing of the package was read but its directory'],
    verified: { files: 0, bytes: 0 },
    durationMs: Math.round(performance.now() - startedAt),
  };
}
