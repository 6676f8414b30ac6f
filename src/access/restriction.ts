import type { PackageRecord } from '../model/package.js';
import { ValidationError } from '../errors.js';

/** The access restriction a record carries (record.json `accessRestriction`), when it carries one. */
export const restrictionOf = (pkg: PackageRecord): string | undefined =>
  pkg.metadata.accessRestriction?.trim() || undefined;

/** What the person handing records out said about restricted ones. */
export interface RestrictedRelease {
  /** `--restricted`: restricted records are handed out knowingly. */
  restricted?: boolean;
  reason?: string;
  requester?: string;
}

/**
 * Refuses the whole hand-out before a byte is read when a record is restricted and the release was not explicit,
 * or explicit without saying to whom and why: a restricted record is released only as a decision on record.
 */
export function checkRelease(packages: PackageRecord[], release: RestrictedRelease): void {
  const restricted = packages.filter((p) => restrictionOf(p));
  if (restricted.length === 0) return;
  const first = restricted[0] as PackageRecord;
  const named = `record "${first.label}"${first.metadata.identifier ? ` (${first.metadata.identifier})` : ''}, package ${first.id}`;
  const more = restricted.length > 1 ? ` and ${restricted.length - 1} more restricted record(s)` : '';
  if (!release.restricted)
    throw new ValidationError(
      'access-restricted',
      `[export] ${named}${more} is restricted under "${restrictionOf(first)}" (rule access-restricted); ` +
        'hand it out only with --restricted --reason "…" --requester "…"',
      { package: first.id, record: first.label },
    );
  const missing = [release.reason?.trim() ? '' : '--reason', release.requester?.trim() ? '' : '--requester'];
  if (missing.some(Boolean))
    throw new ValidationError(
      'access-reason',
      `[export] ${named}${more} is restricted under "${restrictionOf(first)}": releasing it needs ${missing
        .filter(Boolean)
        .join(' and ')} (rule access-reason)`,
      { package: first.id, record: first.label },
    );
}
