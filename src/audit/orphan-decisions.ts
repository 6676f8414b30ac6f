import type { Catalog } from '../catalog/types.js';
import type { RunItem } from '../model/run.js';
import { newRunId } from '../catalog/run-id.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { SoftwareAgent } from '../metadata/types.js';
import type { ReportWriter } from '../reports/write-report.js';
import type { Location } from '../storage/index.js';
import { validateKey } from '../storage/keys.js';
import { createEvent, personAgentId } from '../metadata/events.js';

export interface OrphanDecisionDeps {
  catalog: Catalog;
  locations: Map<string, Location>;
  logger: Logger;
  agent: SoftwareAgent;
  reports: ReportWriter;
  now: () => Date;
}

export interface OrphanDecision {
  /** `<location>:<key>`, as `bevara orphans list` and audit reports name it. */
  object: string;
  /** `remove` deletes the object; `keep` records it as known, so audits stop reporting it. */
  action: 'remove' | 'keep';
  /** Who decided (a person's name or account). */
  by: string;
  /** Why, in words an auditor can read later. */
  reason: string;
}

export interface OrphanDecisionResult {
  runId: string;
  location: string;
  key: string;
  size: number;
  reports: string[];
}

/**
 * Carries out an operator's decision on one unknown object: never silently, always for a named person with a
 * reason, recorded as a run with a report and a PREMIS event log (a `deletion` or an `appraisal` event). Refuses
 * an object the catalog knows (a copy, an event log, a report): those are never orphans.
 */
export async function decideOrphan(
  deps: OrphanDecisionDeps,
  decision: OrphanDecision,
): Promise<OrphanDecisionResult> {
  const { catalog, now } = deps;
  const split = decision.object.indexOf(':');
  const name = split > 0 ? decision.object.slice(0, split) : '';
  const key = validateKey(decision.object.slice(split + 1));
  const location = deps.locations.get(name);
  if (!location)
    throw new ValidationError(
      'orphan-object',
      `[orphans] "${decision.object}" names no location (write it <location>:<key>, as orphans list shows it)`,
    );
  if (decision.by.trim() === '' || decision.reason.trim() === '')
    throw new ValidationError('orphan-decision', '[orphans] a decision needs --by <who> and --reason <why>');
  const copies = await catalog.listCopies({ location: name });
  const stored = await catalog.listStoredObjects({ location: name });
  if (copies.some((c) => c.key === key) || stored.some((o) => o.key === key))
    throw new ValidationError(
      'not-an-orphan',
      `[orphans] "${decision.object}" is known to the catalog (a package copy or an object stored beside one); it is not an orphan`,
    );
  const object = await location.driver.head(key);
  if (!object) throw new NotFoundError(`[orphans] location "${name}" holds no object "${key}"`);

  const at = now();
  const runId = newRunId('audit', at, `orphan-${decision.action}`);
  const params = {
    orphanDecision: decision.action,
    object: decision.object,
    by: decision.by,
    reason: decision.reason,
  };
  await catalog.startRun({ id: runId, kind: 'audit', startedAt: at, status: 'running', params });
  if (decision.action === 'remove') await location.driver.delete(key);
  else await catalog.addStoredObject({ location: name, key, kind: 'kept-orphan', storedAt: at });
  const verb = decision.action === 'remove' ? 'removed' : 'kept as a known object';
  const message = `${verb} by ${decision.by}: "${key}" (${object.size} bytes) in location "${name}"; reason: ${decision.reason}`;
  const item: RunItem = {
    runId,
    subject: decision.object,
    status: 'ok',
    message,
    details: {
      location: name,
      key,
      size: object.size,
      sha256: object.sha256,
      decision: decision.action,
      by: decision.by,
    },
  };
  const event = createEvent({
    packageId: packageIdOf(key),
    type: decision.action === 'remove' ? 'deletion' : 'appraisal',
    at,
    detail: message,
    agent: personAgentId(decision.by),
    object: decision.object,
    runId,
  });
  await catalog.addRunItems([item]);
  const finishedAt = now();
  const summary = { orphans: 1, decision: decision.action };
  const run = {
    id: runId,
    kind: 'audit' as const,
    startedAt: at,
    finishedAt,
    status: 'succeeded' as const,
    params,
    summary,
  };
  const reports = await deps.reports.write(run, [item], { events: [event] });
  await catalog.finishRun(runId, 'succeeded', finishedAt, summary, reports);
  deps.logger.warn({ location: name, key, by: decision.by, decision: decision.action, runId }, message);
  return { runId, location: name, key, size: object.size, reports };
}

/** The package an object's key names (`packages/<id>/…`), or a stand-in for objects outside any package. */
function packageIdOf(key: string): string {
  const match = /^packages\/([^/]+)\//.exec(key);
  return match?.[1] ?? 'unknown-object';
}
