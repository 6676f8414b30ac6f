import fs from 'node:fs/promises';
import path from 'node:path';
import type { AfterSuccess } from '../catalog/types.js';
import { PreservationError } from '../errors.js';

/** Name of the marker `mark` leaves beside a record: hidden, at the source root, never a record itself. */
export const markerName = (key: string) => `.${key}.bevara-archived.json`;

/** Whether a file at the source root is one of our markers (or its temp file while being written). */
export const isMarkerFile = (name: string) => /^\..+\.bevara-archived\.json(\.tmp)?$/.test(name);

/**
 * The after-success action on a record whose package is archived (every copy verified): `leave` it, `mark` it
 * (a marker file beside it; marked records are not taken again), or `move` it into another folder. Each is
 * idempotent, so that a worker restarted after the action but before recording it does no harm: a record
 * already moved is found at its destination.
 */
export async function releaseRecord(
  action: AfterSuccess,
  root: string,
  key: string,
  packageId: string,
  at: Date,
): Promise<string> {
  const from = path.join(root, key);
  switch (action.action) {
    case 'leave':
      return 'left in place';
    case 'mark': {
      const marker = path.join(root, markerName(key));
      const text = `${JSON.stringify({ record: key, packageId, archivedAt: at.toISOString() })}\n`;
      await fs.writeFile(`${marker}.tmp`, text, { flush: true });
      await fs.rename(`${marker}.tmp`, marker);
      return `marked (${path.basename(marker)})`;
    }
    case 'move': {
      const to = path.join(action.to, key);
      const exists = async (p: string) =>
        fs.stat(p).then(
          () => true,
          () => false,
        );
      if (!(await exists(from))) {
        if (await exists(to)) return `moved to ${to}`;
        throw new PreservationError(`[release] record "${key}" is neither at ${from} nor at ${to}`);
      }
      // Never over an earlier record of the same name: the new one goes beside it, named by its package.
      const target = (await exists(to)) ? `${to}.${packageId}` : to;
      await fs.mkdir(action.to, { recursive: true });
      await fs.rename(from, target);
      return `moved to ${target}`;
    }
  }
}

/** Moves a record refused by validation into the job's quarantine folder; returns where it went. */
export async function quarantineRecord(
  folder: string,
  root: string,
  key: string,
  stamp: string,
): Promise<string> {
  const target = path.join(folder, `${key}.${stamp}`);
  await fs.mkdir(folder, { recursive: true });
  await fs.rename(path.join(root, key), target);
  return target;
}
