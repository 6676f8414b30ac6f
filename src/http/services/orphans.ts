/** Unknown objects listed now, as `bevara orphans list` lists them (reserved packages reported, not removed). */
import type { AppContext } from '../../app/context.js';
import { listOrphans } from '../../audit/orphans.js';
import { newRunId } from '../../catalog/run-id.js';

export interface UnknownObject {
  /** `<location>:<key>` */
  object: string;
  /** `orphan`, or `failed` when a location could not be listed. */
  status: string;
  size?: number;
  message?: string;
}

export async function unknownObjects(ctx: AppContext, location?: string): Promise<UnknownObject[]> {
  const items = await listOrphans(ctx, {
    runId: newRunId('audit', ctx.now(), 'orphans-list'),
    names: location ? [location] : [...ctx.locations.keys()],
    force: true,
    everyMs: 0,
    skip: false,
    keepReservations: true,
  });
  return items.map((i) => ({
    object: i.subject,
    status: i.status,
    ...(typeof i.details?.size === 'number' ? { size: i.details.size } : {}),
    ...(i.message ? { message: i.message } : {}),
  }));
}
