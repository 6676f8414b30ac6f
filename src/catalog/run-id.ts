import { randomUUID } from 'node:crypto';

/** `2026-11-28T01:02:03.456Z` → `20261128T010203456Z`: a time that sorts and fits in names and keys. */
export function compactTime(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, '');
}

/** A new run id, e.g. `audit-2026-11-28-010203456Z-1a2b3c4d` or `ingest-nightly-…`: sorts by start time. */
export function newRunId(kind: string, at: Date, label?: string): string {
  const time = at.toISOString().replace(/[:.]/g, '').replace('T', '-');
  return `${kind}-${label ? `${label}-` : ''}${time}-${randomUUID().slice(0, 8)}`;
}
