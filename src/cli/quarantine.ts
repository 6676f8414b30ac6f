import type { AppContext } from '../app/context.js';
import { ValidationError } from '../errors.js';
import { decideQuarantined } from '../quarantine/decide.js';
import { readValidationText } from '../quarantine/validation-text.js';
import { findQuarantined, listQuarantine, type QuarantineEntry } from '../quarantine/entries.js';
import { NotFoundError } from '../errors.js';
import { print, printableInline, printJson, table } from './output.js';

const deps = (ctx: AppContext) => ({
  catalog: ctx.catalog,
  dataDir: ctx.config.dataDir,
  logger: ctx.logger,
  reports: ctx.reports,
  now: ctx.now,
});

const placeText = (e: QuarantineEntry) =>
  e.place.kind === 'moved' ? `moved to ${e.place.path}` : `left in place in ${e.place.path}`;

/** `bevara quarantine list [--job <name>]`: refused records awaiting a decision, newest first. */
export async function quarantineListCommand(
  ctx: AppContext,
  options: { job?: string; json?: boolean },
): Promise<number> {
  const entries = await listQuarantine(deps(ctx), options.job ? { job: options.job } : {});
  if (options.json) {
    printJson(entries);
    return 0;
  }
  if (entries.length === 0) {
    print('Nothing in quarantine.');
    return 0;
  }
  print(
    table(
      ['ID', 'JOB', 'RECORD', 'REFUSED', 'RULES', 'WHERE'],
      entries.map((e) => [
        e.id,
        e.job,
        printableInline(e.record),
        e.quarantinedAt.toISOString(),
        [...new Set(e.problems.map((p) => p.rule))].join(', ') || '-',
        e.place.kind,
      ]),
    ),
  );
  print(`${entries.length} refused records. Decide each: bevara quarantine show|release|discard <id>`);
  return 0;
}

/** `bevara quarantine show <id>`: why the record was refused (rule, file), where it is, the run's report. */
export async function quarantineShowCommand(
  ctx: AppContext,
  id: string,
  options: { json?: boolean },
): Promise<number> {
  const found = await findQuarantined(deps(ctx), id);
  if (!found) throw new NotFoundError(`[quarantine] no quarantined record has the id "${id}"`);
  const { entry, decision } = found;
  const validation = await readValidationText(entry.sipCopy);
  if (options.json) {
    printJson({ ...entry, ...(decision ? { decision } : {}), ...(validation ? { validation } : {}) });
    return 0;
  }
  const field = (label: string, value: string) => print(`${`${label}:`.padEnd(10)}${value}`);
  print(`Quarantined record ${entry.id}`);
  field('Job', `${entry.job} (${entry.sourceKind})`);
  field('Record', printableInline(entry.record));
  field('Refused', `${entry.quarantinedAt.toISOString()} by run ${entry.runId}`);
  field('Where', placeText(entry));
  if (decision)
    field('Decided', `${decision.decision} by ${decision.by} at ${decision.at}: ${decision.outcome}`);
  print('');
  print(`Problems (${entry.problems.length}):`);
  for (const p of entry.problems)
    print(`  [${p.rule}] ${p.file ? `${printableInline(p.file)}: ` : ''}${printableInline(p.message)}`);
  for (const report of entry.reports) print(`Report: ${report}`);
  if (validation) {
    print('');
    print(validation);
  }
  return 0;
}

/** `bevara quarantine release|discard <id> --by <who> [--reason <why>] [--yes]`. */
export async function quarantineDecisionCommand(
  ctx: AppContext,
  action: 'release' | 'discard',
  id: string,
  options: { by: string; reason?: string; yes?: boolean; json?: boolean },
): Promise<number> {
  if (action === 'discard' && !options.yes)
    throw new ValidationError(
      'quarantine-confirm',
      `[quarantine] discard deletes record ${id} from quarantine for good: add --yes to confirm`,
    );
  const result = await decideQuarantined(deps(ctx), {
    id,
    action,
    by: options.by,
    ...(options.reason !== undefined ? { reason: options.reason } : {}),
  });
  if (options.json) printJson(result);
  else {
    const verb = action === 'release' ? 'Released' : 'Discarded';
    print(
      result.changed
        ? `${verb} ${printableInline(result.record)} (job ${result.job}): ${result.outcome}`
        : `Already ${result.decision === 'release' ? 'released' : 'discarded'} by ${result.by} at ${result.at}: ${result.outcome}`,
    );
    print(`Recorded as run ${result.runId}`);
  }
  return 0;
}
