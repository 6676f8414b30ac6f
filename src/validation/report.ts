/**
 * Renders a validation report as text in the style of the E-ARK validators: a summary, then each failed
 * requirement with its id, level, message and location (file, line, XPath), MUST first.
 */
import type { Finding, RuleLevel, ValidationReport } from './types.js';

const LEVEL_ORDER: Record<RuleLevel, number> = { MUST: 0, SHOULD: 1, MAY: 2 };

const PROFILE_NAMES = {
  csip: 'E-ARK CSIP 2.1',
  sip: 'E-ARK SIP 2.1 (with CSIP 2.1)',
  fgs1: 'FGS Paketstruktur 1.x (Riksarkivet, 1.1/1.2)',
} as const;

/** Process exit code for a report: 0 when no MUST requirement failed, 1 otherwise. */
export function exitCodeFor(report: ValidationReport): number {
  return report.valid ? 0 : 1;
}

/** Findings ordered by level (MUST, SHOULD, MAY), keeping the order they were found in within a level. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => LEVEL_ORDER[a.f.level] - LEVEL_ORDER[b.f.level] || a.i - b.i)
    .map(({ f }) => f);
}

function where(finding: Finding): string {
  const { file, line, xpath } = finding.location;
  const place = file === '.' ? '(package root)' : line === undefined ? file : `${file} line ${line}`;
  return xpath ? `${place}  ${xpath}` : place;
}

/** The report as lines of text. */
export function formatReport(report: ValidationReport): string[] {
  const { counts } = report;
  const lines = [
    `Package   ${report.path} (${report.kind}, root folder "${report.root}")`,
    `Profile   ${PROFILE_NAMES[report.profile]}: ${report.profileReason}`,
    `Verified  ${report.verified.files} files, ${report.verified.bytes} bytes against SIZE and CHECKSUM`,
    `Result    ${report.valid ? 'VALID' : 'NOT VALID'}: ${counts.MUST} MUST, ${counts.SHOULD} SHOULD, ${counts.MAY} MAY requirement(s) failed`,
  ];
  if (report.findings.length > 0) lines.push('');
  const idWidth = Math.max(4, ...report.findings.map((f) => f.id.length));
  for (const finding of sortFindings(report.findings)) {
    lines.push(`${finding.level.padEnd(6)} ${finding.id.padEnd(idWidth)}  ${finding.message}`);
    lines.push(`${' '.repeat(9 + idWidth)}at ${where(finding)}`);
  }
  if (report.notes.length > 0) lines.push('', ...report.notes.map((n) => `note: ${n}`));
  return lines;
}
