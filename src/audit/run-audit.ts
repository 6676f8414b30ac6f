import { randomUUID } from 'node:crypto';
import { createBatchWriter } from '../catalog/batch-writer.js';
import type { Catalog, CopyCheckRecord, CopyRecord, RunItem, RunStatus } from '../catalog/types.js';
import type { Logger } from '../logger.js';
import type { SoftwareAgent } from '../metadata/types.js';
import type { Progress } from '../progress.js';
import type { ReportWriter } from '../reports/write-report.js';
import type { Location } from '../storage/index.js';
import type { CopyVerifier } from './verifier.js';

export interface AuditDeps {
  catalog: Catalog;
  logger: Logger;
  agent: SoftwareAgent;
  now: () => Date;
  reports: ReportWriter;
}

export interface AuditOptions {
  /** Every configured location, by name. */
  locations: Map<string, Location>;
  /** Reads and checks each copy; several at once when it has the concurrency. */
  verifier: CopyVerifier;
  /** Narrow to one package. */
  packageId?: string;
  /** Narrow to one location. */
  location?: string;
  /** List each location for objects the catalog does not know (default: when not narrowed to a package). */
  orphans?: boolean;
  signal?: AbortSignal;
  progress?: Progress;
}

export interface AuditSummary {
  runId: string;
  status: RunStatus;
  copies: number;
  verified: number;
  failed: number;
  missing: number;
  orphans: number;
  files: number;
  bytes: number;
  items: RunItem[];
  reports: string[];
}

/**
 * Verifies every catalogued copy (or those of one package/location), lists locations for orphans, records a
 * PREMIS "fixity check" event per copy and the outcome per copy, and writes a JSON + HTML report.
 */
export async function runAudit(deps: AuditDeps, options: AuditOptions): Promise<AuditSummary> {
  const { catalog, now } = deps;
  const runId = `audit-${now().toISOString().replace(/[:.]/g, '').replace('T', '-')}-${randomUUID().slice(0, 8)}`;
  const startedAt = now();
  const params = { packageId: options.packageId, location: options.location };
  await catalog.startRun({ id: runId, kind: 'audit', startedAt, status: 'running', params });
  const log = deps.logger.child({ runId });
  log.info(params, 'audit run started');

  const items: RunItem[] = [];
  const itemWriter = createBatchWriter<RunItem>((batch) => catalog.addRunItems(batch));
  const checkWriter = createBatchWriter<CopyCheckRecord>((batch) => catalog.recordCopyChecks(batch), 50);
  const addItem = (item: RunItem) => {
    items.push(item);
    return itemWriter.add(item);
  };
  const copies = await catalog.listCopies({ packageId: options.packageId, location: options.location });
  options.progress?.start({ records: copies.length, bytes: copies.reduce((s, c) => s + c.size, 0) });
  const agentId = `${deps.agent.name}/${deps.agent.version}`;
  const totals = { verified: 0, failed: 0, missing: 0, files: 0, bytes: 0 };

  const auditCopy = async (copy: CopyRecord) => {
    const subject = `${copy.location}:${copy.key}`;
    const location = options.locations.get(copy.location);
    if (!location) {
      totals.failed++;
      await addItem({
        runId,
        subject,
        packageId: copy.packageId,
        status: 'failed',
        message: `location "${copy.location}" is not configured`,
        details: {
          problems: [{ rule: 'location-unknown', message: `location "${copy.location}" is not configured` }],
        },
      });
      return;
    }
    let counted = 0;
    const check = await options.verifier.verify(copy, await catalog.listFiles(copy.packageId), (n) => {
      counted += n;
      options.progress?.advance({ bytes: n });
    });
    options.progress?.advance({ records: 1, bytes: Math.max(0, copy.size - counted) });
    totals.bytes += check.bytes;
    totals.files += check.filesVerified;
    totals[check.status === 'verified' ? 'verified' : check.status]++;
    const at = now();
    await checkWriter.add({
      packageId: copy.packageId,
      location: copy.location,
      status: check.status,
      at,
      event: {
        id: `${copy.packageId}-fixity-check-${copy.location}-${at.getTime()}-${randomUUID().slice(0, 8)}`,
        packageId: copy.packageId,
        type: 'fixity check',
        at,
        outcome: check.status === 'verified' ? 'success' : 'failure',
        detail:
          check.status === 'verified'
            ? `package and ${check.filesVerified} file digest(s) match`
            : check.problems.map((p) => p.message).join('; '),
        agent: agentId,
        object: subject,
        runId,
      },
    });
    if (check.status !== 'verified')
      log.error(
        { packageId: copy.packageId, location: copy.location, problems: check.problems },
        'copy failed audit',
      );
    await addItem({
      runId,
      subject,
      packageId: copy.packageId,
      status: check.status === 'verified' ? 'ok' : 'failed',
      message:
        check.status === 'verified'
          ? `verified: package digest and ${check.filesVerified} file(s)`
          : check.problems.map((p) => p.message).join('; '),
      details:
        check.status === 'verified'
          ? { bytes: check.bytes }
          : { label: (await catalog.getPackage(copy.packageId))?.label, problems: check.problems },
    });
  };
  // Twice as many copies in flight as the verifier runs at once (one per core with workers), so that a request
  // already waits for each worker while this thread records the previous result.
  const queue = [...copies];
  const lanes = Array.from({ length: Math.min(options.verifier.concurrency * 2, queue.length) }, async () => {
    for (let copy = queue.shift(); copy && !options.signal?.aborted; copy = queue.shift())
      await auditCopy(copy);
  });
  await Promise.all(lanes);
  await checkWriter.flush();
  options.progress?.stop();

  let orphans = 0;
  if (options.orphans ?? !options.packageId) {
    for (const [name, location] of options.locations) {
      if (options.location && name !== options.location) continue;
      const known = new Set((await catalog.listCopies({ location: name })).map((c: CopyRecord) => c.key));
      for await (const object of location.driver.list()) {
        if (known.has(object.key)) continue;
        orphans++;
        const message = `object "${object.key}" (${object.size} bytes) in location "${name}" is not in the catalog`;
        log.warn({ location: name, key: object.key }, 'orphan object');
        await addItem({
          runId,
          subject: `${name}:${object.key}`,
          status: 'orphan',
          message,
          details: { problems: [{ rule: 'orphan', message }] },
        });
      }
    }
  }

  const summary = {
    copies: copies.length,
    ...totals,
    orphans,
    interrupted: options.signal?.aborted ?? false,
  };
  const status: RunStatus =
    totals.failed + totals.missing + orphans > 0 || summary.interrupted
      ? 'completed-with-failures'
      : 'succeeded';
  const finishedAt = now();
  await itemWriter.flush();
  const reports = await deps.reports.write(
    { id: runId, kind: 'audit', startedAt, finishedAt, status, params, summary },
    items,
  );
  await catalog.finishRun(runId, status, finishedAt, summary, reports);
  log.info({ ...summary, status, reports }, 'audit run finished');
  return { runId, status, ...summary, items, reports };
}
