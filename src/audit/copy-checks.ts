import type { BatchWriter } from '../catalog/batch-writer.js';
import type { Catalog } from '../catalog/types.js';
import type { AuditLevel } from '../config/audit-schema.js';
import type { CopyCheckRecord, CopyRecord, EventRecord } from '../model/package.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Location } from '../storage/index.js';
import { quickCheck } from './quick-check.js';
import type { CopyVerifier } from './verifier.js';
import type { CopyCheck } from './verify-copy.js';
import { createEvent } from '../metadata/events.js';

/** A copy checked in this run, at the level it was checked. */
export interface CheckedCopy {
  copy: CopyRecord;
  level: AuditLevel;
  check: CopyCheck;
  /** The location could not be read at all (down, refused): nothing is known about the bytes. */
  unreachable: boolean;
}

export interface CopyCheckerDeps {
  catalog: Catalog;
  locations: Map<string, Location>;
  verifier: CopyVerifier;
  checks: BatchWriter<CopyCheckRecord>;
  logger: Logger;
  now: () => Date;
  runId: string;
  agentId: string;
  /** Bandwidth cap per location, bytes per second. */
  bandwidth: (location: string) => number | undefined;
  /** Every event recorded, for the run's PREMIS event log. */
  onEvent: (event: EventRecord) => void;
  onBytes?: (n: number) => void;
}

export interface CopyChecker {
  /** Checks a copy once per run: a second call (e.g. when comparing copies) returns the first result. */
  check(copy: CopyRecord, level: AuditLevel): Promise<CheckedCopy>;
  /** Copies checked so far. */
  readonly checked: ReadonlyMap<string, Promise<CheckedCopy>>;
}

export const copyId = (copy: { packageId: string; location: string }) =>
  `${copy.location}\n${copy.packageId}`;

/**
 * Checks copies (full: every byte through the verifier; quick: metadata only) and records each outcome with its
 * PREMIS "fixity check" event in the catalog. A copy whose location cannot be read counts as failed but
 * unreachable, so that no repair is tried from what is only an outage.
 */
export function createCopyChecker(deps: CopyCheckerDeps): CopyChecker {
  const checked = new Map<string, Promise<CheckedCopy>>();

  /**
   * Through the verifier with only the package's file count: its file list (about 1 KB a file, in this thread
   * and the worker's) is read from the catalog only for a copy whose whole digest differs, or at `deep`. The
   * damaged copy is then read again with the list, its bytes counted twice.
   */
  async function verifyFull(copy: CopyRecord, level: AuditLevel): Promise<CopyCheck> {
    const options = { bytesPerSecond: deps.bandwidth(copy.location), deep: level === 'deep' };
    const pkg = level === 'deep' ? null : await deps.catalog.getPackage(copy.packageId);
    const first = pkg ? await deps.verifier.verify(copy, pkg.fileCount, deps.onBytes, options) : undefined;
    if (first && !first.needsFiles) return first;
    const files = await deps.catalog.listFiles(copy.packageId);
    const check = await deps.verifier.verify(copy, files, deps.onBytes, options);
    return { ...check, bytes: check.bytes + (first?.bytes ?? 0) };
  }

  async function run(copy: CopyRecord, level: AuditLevel): Promise<CheckedCopy> {
    const location = deps.locations.get(copy.location);
    const subject = `${copy.location}:${copy.key}`;
    let check: CopyCheck;
    let unreachable = false;
    if (!location) {
      unreachable = true;
      check = failed(
        'read-error',
        `package ${copy.packageId}: location "${copy.location}" is not configured`,
      );
    } else {
      try {
        check = level === 'quick' ? await quickCheck(location, copy) : await verifyFull(copy, level);
        unreachable = check.problems.length > 0 && check.problems.every((p) => p.rule === 'read-error');
      } catch (err) {
        unreachable = true;
        check = failed(
          'read-error',
          `package ${copy.packageId}: copy "${copy.key}" in location "${copy.location}" could not be read: ${errorMessage(err)}`,
        );
      }
    }
    const at = deps.now();
    const ok = check.status === 'verified';
    const event = createEvent({
      packageId: copy.packageId,
      type: 'fixity check',
      at,
      outcome: ok ? 'success' : 'failure',
      detail: ok ? verifiedDetail(level, check) : check.problems.map((p) => p.message).join('; '),
      agent: deps.agentId,
      object: subject,
      runId: deps.runId,
    });
    deps.onEvent(event);
    // An unreachable copy keeps its status: nothing was learnt about its bytes.
    if (!unreachable)
      await deps.checks.add({
        packageId: copy.packageId,
        location: copy.location,
        status: check.status,
        at,
        event,
      });
    else await deps.catalog.addEvent(event);
    if (!ok)
      deps.logger.error(
        { packageId: copy.packageId, location: copy.location, level, problems: check.problems },
        'copy failed audit',
      );
    return { copy, level, check, unreachable };
  }

  return {
    checked,
    check(copy, level) {
      const id = copyId(copy);
      let result = checked.get(id);
      if (!result) {
        result = run(copy, level);
        checked.set(id, result);
      }
      return result;
    },
  };
}

/** What a passed check proves, in the words of its PREMIS event. */
function verifiedDetail(level: AuditLevel, check: CopyCheck): string {
  if (level === 'quick')
    return 'quick check: object exists, size and stored SHA-256 match (content not read)';
  if (check.perFile) return `package and ${check.filesVerified} file digest(s) recomputed and match`;
  return `package SHA-256 matches the digest read back at ingest: every byte, so all ${check.filesVerified} file(s), as then`;
}

function failed(rule: 'read-error', message: string): CopyCheck {
  return { status: 'failed', problems: [{ rule, message }], bytes: 0, filesVerified: 0 };
}
