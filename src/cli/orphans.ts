import { decideOrphan } from '../audit/orphan-decisions.js';
import { listOrphans } from '../audit/orphans.js';
import { newRunId } from '../catalog/run-id.js';
import type { AppContext } from '../app/context.js';
import { ValidationError } from '../errors.js';
import { adoptOrphan } from '../rebuild/adopt.js';
import { policyNames } from './catalog.js';
import { formatBytes, print, printJson } from './output.js';

/** `bevara orphans list`: every object in the locations that the catalog does not know, listed now. Exit 1 if any. */
export async function orphansListCommand(
  ctx: AppContext,
  options: { location?: string; json?: boolean },
): Promise<number> {
  const names = options.location ? [options.location] : [...ctx.locations.keys()];
  const items = await listOrphans(ctx, {
    runId: newRunId('audit', ctx.now(), 'orphans-list'),
    names,
    force: true,
    everyMs: 0,
    skip: false,
    keepReservations: true,
  });
  if (options.json) printJson(items);
  else {
    for (const item of items) {
      const size = typeof item.details?.size === 'number' ? formatBytes(item.details.size) : '?';
      print(`  ${item.status === 'orphan' ? 'ORPHAN' : item.status.toUpperCase()}  ${item.subject}  ${size}`);
    }
    print(
      items.length === 0
        ? 'No unknown objects.'
        : `${items.length} unknown objects. Decide each: bevara orphans remove|keep <location:key> --by <who> --reason <why>`,
    );
  }
  return items.length === 0 ? 0 : 1;
}

/** `bevara orphans remove|keep <location:key> --by --reason`: an operator's decision, recorded with a report. */
export async function orphanDecisionCommand(
  ctx: AppContext,
  action: 'remove' | 'keep',
  object: string,
  options: { by: string; reason: string; json?: boolean },
): Promise<number> {
  const result = await decideOrphan(ctx, { object, action, by: options.by, reason: options.reason });
  if (options.json) printJson(result);
  else {
    print(
      `${action === 'remove' ? 'Removed' : 'Kept'} ${result.location}:${result.key} (${formatBytes(result.size)}); ` +
        `recorded as run ${result.runId}`,
    );
    print(`Report: ${result.reports.join('  ')}`);
  }
  return 0;
}

/** `bevara orphans adopt <location>:<key> --by --reason`: one orphan package verified and taken into the catalog. */
export async function orphanAdoptCommand(
  ctx: AppContext,
  object: string,
  options: { by: string; reason: string; json?: boolean },
): Promise<number> {
  const colon = object.indexOf(':');
  if (colon <= 0) throw new ValidationError('object-name', `[orphans] "${object}" is not <location>:<key>`);
  const result = await adoptOrphan(
    { ...ctx, agentId: `${ctx.agent.name}/${ctx.agent.version}`, policyFor: policyNames(ctx) },
    {
      location: object.slice(0, colon),
      key: object.slice(colon + 1),
      by: options.by,
      reason: options.reason,
    },
  );
  if (options.json) printJson(result);
  else {
    print(`Adopted package ${result.packageId}`);
    for (const c of result.copies) {
      print(
        `  ${c.status.toUpperCase()}  ${c.location}:${c.key}${c.problems.length ? ` (${c.problems.join('; ')})` : ''}`,
      );
    }
  }
  return result.copies.every((c) => c.status === 'verified') ? 0 : 1;
}
