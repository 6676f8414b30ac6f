/** The quarantine as the console shows it: the entries, one with its validation report, and the decisions. */
import type { AppContext } from '../../app/context.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { decideQuarantined, type QuarantineDecisionResult } from '../../quarantine/decide.js';
import {
  findQuarantined,
  listQuarantine,
  type QuarantineDecisionRecord,
  type QuarantineEntry,
} from '../../quarantine/entries.js';
import { readValidationText } from '../../quarantine/validation-text.js';

const readDeps = (ctx: AppContext) => ({ catalog: ctx.catalog, dataDir: ctx.config.dataDir });

export const quarantineList = (ctx: AppContext, job?: string) =>
  listQuarantine(readDeps(ctx), job ? { job } : {});

export interface QuarantineDetail extends QuarantineEntry {
  decision?: QuarantineDecisionRecord;
  /** A refused SIP's validation report as text (its first 64 KiB). */
  validation?: string;
}

export async function quarantineDetail(ctx: AppContext, id: string): Promise<QuarantineDetail> {
  const found = await findQuarantined(readDeps(ctx), id);
  if (!found) throw new NotFoundError(`[quarantine] no quarantined record has the id "${id}"`);
  const validation = await readValidationText(found.entry.sipCopy);
  return {
    ...found.entry,
    ...(found.decision ? { decision: found.decision } : {}),
    ...(validation ? { validation } : {}),
  };
}

/** Release or discard, for a console account; `confirm` must be true to discard (the page's and API's `--yes`). */
export async function decideFromConsole(
  ctx: AppContext,
  input: { id: string; action: 'release' | 'discard'; by: string; reason?: unknown; confirm?: unknown },
): Promise<QuarantineDecisionResult> {
  const reason = typeof input.reason === 'string' ? input.reason : '';
  if (
    input.action === 'discard' &&
    input.confirm !== true &&
    input.confirm !== 'true' &&
    input.confirm !== 'on'
  ) {
    throw new ValidationError(
      'quarantine-confirm',
      `[quarantine] discard deletes record ${input.id} from quarantine for good: confirm it (confirm: true)`,
    );
  }
  return decideQuarantined(
    {
      catalog: ctx.catalog,
      dataDir: ctx.config.dataDir,
      logger: ctx.logger,
      reports: ctx.reports,
      now: ctx.now,
    },
    { id: input.id, action: input.action, by: input.by, reason },
  );
}
