import type { AppContext } from '../app/context.js';
import { describeHold, placeHold, releaseHold } from '../disposal/holds.js';
import type { HoldQuery } from '../model/disposal.js';
import { print, printJson } from './output.js';

export interface HoldAddOptions {
  classification?: string;
  identifier?: string;
  recordType?: string;
  by: string;
  reason: string;
  json?: boolean;
}

/** `bevara hold add [<package>] [--classification …] --by --reason`: a legal hold, blocking disposal. */
export async function holdAddCommand(
  ctx: AppContext,
  packageId: string | undefined,
  options: HoldAddOptions,
): Promise<number> {
  const query: HoldQuery = {
    ...(options.classification !== undefined ? { classification: options.classification } : {}),
    ...(options.identifier !== undefined ? { identifier: options.identifier } : {}),
    ...(options.recordType !== undefined ? { recordType: options.recordType } : {}),
  };
  const hold = await placeHold(ctx, { packageId, query, by: options.by, reason: options.reason });
  ctx.logger.warn({ hold: hold.id, by: hold.placedBy }, 'legal hold placed');
  if (options.json) printJson(hold);
  else print(`Placed ${describeHold(hold)}`);
  return 0;
}

/** `bevara hold release <hold> --by --reason`. */
export async function holdReleaseCommand(
  ctx: AppContext,
  id: string,
  options: { by: string; reason: string; json?: boolean },
): Promise<number> {
  const hold = await releaseHold(ctx, id, options);
  ctx.logger.warn({ hold: hold.id, by: hold.releasedBy }, 'legal hold released');
  if (options.json) printJson(hold);
  else
    print(
      `Released ${hold.id} (by ${hold.releasedBy} on ${hold.releasedAt?.toISOString()}: ${hold.releaseReason})`,
    );
  return 0;
}

/** `bevara hold list [--all]`: active holds (with --all, released ones too). */
export async function holdListCommand(
  ctx: AppContext,
  options: { all?: boolean; json?: boolean },
): Promise<number> {
  const holds = await ctx.catalog.listHolds({ active: !options.all });
  if (options.json) printJson(holds);
  else {
    for (const hold of holds)
      print(
        `  ${hold.releasedAt ? 'RELEASED' : 'ACTIVE'}  ${describeHold(hold)}  (${hold.placedAt.toISOString()})`,
      );
    print(holds.length === 0 ? 'No holds.' : `${holds.length} holds.`);
  }
  return 0;
}
