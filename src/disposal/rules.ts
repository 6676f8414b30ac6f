/** Which retention rule applies to a record, and when its period ends. Pure: data in, verdict out. */
import type { RetentionRule } from '../config/retention-schema.js';
import type { HoldQuery } from '../model/disposal.js';
import type { DescriptiveMetadata } from '../model/package.js';

/** What a rule says of one record. */
export type Appraisal =
  | { kind: 'none' }
  | { kind: 'due'; rule: RetentionRule; dueAt: Date; reason: string }
  | { kind: 'not-yet'; rule: RetentionRule; dueAt: Date }
  | { kind: 'undecidable'; rule: RetentionRule; reason: string };

/** Whether `code` is `scope` or a code below it (`3.1` covers `3.1.2`, not `3.10`). */
export function classificationCovers(scope: string, code: string | undefined): boolean {
  if (code === undefined) return false;
  return code === scope || code.startsWith(`${scope}.`);
}

/** The rule that applies: the one the metadata names, else the first whose every selector matches. */
export function ruleFor(
  rules: readonly RetentionRule[],
  metadata: DescriptiveMetadata,
  job: string | undefined,
): RetentionRule | undefined {
  if (metadata.retentionRule) return rules.find((r) => r.id === metadata.retentionRule);
  return rules.find((rule) => {
    const selectors = [rule.classification, rule.recordType, rule.jobs].filter((s) => s !== undefined);
    if (selectors.length === 0) return false;
    if (
      rule.classification !== undefined &&
      !classificationCovers(rule.classification, metadata.classification)
    )
      return false;
    if (rule.recordType !== undefined && rule.recordType !== metadata.recordType) return false;
    if (rule.jobs !== undefined && (job === undefined || !rule.jobs.includes(job))) return false;
    return true;
  });
}

/** `date` (ISO 8601, a day or a time) plus the period `retain` (`10y`, `18m`, `90d`), in UTC. */
export function addPeriod(date: Date, retain: string): Date {
  const amount = Number(retain.slice(0, -1));
  const unit = retain.slice(-1);
  const out = new Date(date.getTime());
  if (unit === 'y') out.setUTCFullYear(out.getUTCFullYear() + amount);
  else if (unit === 'm') out.setUTCMonth(out.getUTCMonth() + amount);
  else out.setUTCDate(out.getUTCDate() + amount);
  return out;
}

/** Appraises one record's metadata at `now` under the configured rules. */
export function appraise(
  rules: readonly RetentionRule[],
  metadata: DescriptiveMetadata,
  job: string | undefined,
  now: Date,
): Appraisal {
  const rule = ruleFor(rules, metadata, job);
  if (!rule) return { kind: 'none' };
  const text = metadata.dates?.[rule.from];
  if (text === undefined)
    return {
      kind: 'undecidable',
      rule,
      reason: `rule "${rule.id}" counts from dates.${rule.from}, which is absent`,
    };
  const start = new Date(text);
  if (Number.isNaN(start.getTime()))
    return { kind: 'undecidable', rule, reason: `dates.${rule.from} "${text}" is not a date` };
  const dueAt = addPeriod(start, rule.retain);
  if (dueAt.getTime() > now.getTime()) return { kind: 'not-yet', rule, dueAt };
  const named = metadata.retentionRule ? ' (named by the record)' : '';
  return {
    kind: 'due',
    rule,
    dueAt,
    reason: `rule "${rule.id}"${named}: ${rule.action} ${rule.retain} after dates.${rule.from} ${text}, due ${dueAt.toISOString().slice(0, 10)}`,
  };
}

/** Whether a hold by query covers a record with this metadata (every given field must match). */
export function queryCovers(query: HoldQuery, metadata: DescriptiveMetadata): boolean {
  const given = Object.values(query).filter((v) => v !== undefined);
  if (given.length === 0) return false;
  if (
    query.classification !== undefined &&
    !classificationCovers(query.classification, metadata.classification)
  )
    return false;
  if (query.identifier !== undefined && query.identifier !== metadata.identifier) return false;
  if (query.recordType !== undefined && query.recordType !== metadata.recordType) return false;
  return true;
}
