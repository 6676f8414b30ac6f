/**
 * Writing one record handed out, from the first copy that proves intact: a DIP (ZIP) file or a plain folder of
 * the record's files. A copy that cannot be opened, or one of whose files does not match its digest, is given up
 * for the next one and what was written from it removed; with no intact copy the record fails naming the file.
 */
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Catalog } from '../catalog/types.js';
import type { CopyRecord, EventRecord, FileRecord, PackageRecord } from '../model/package.js';
import { errorMessage, PreservationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { SoftwareAgent } from '../metadata/types.js';
import type { Profile } from '../package/profile.js';
import type { Location } from '../storage/index.js';
import { type OpenedCopy, openCopy, readableCopies } from './copy-reader.js';
import { buildDip } from './dip.js';
import type { ReceiptRecord } from './receipt.js';
import { restorePackage } from './restore.js';

export interface HandOutDeps {
  catalog: Catalog;
  locations: ReadonlyMap<string, Location>;
  logger: Logger;
  agent: SoftwareAgent;
  now: () => Date;
}

/** Tries each readable copy in turn; `undo` removes what a failed attempt wrote. */
export async function fromSomeCopy<T>(
  deps: HandOutDeps,
  pkg: PackageRecord,
  attempt: (opened: OpenedCopy) => Promise<T>,
  undo: () => Promise<void>,
  skip: ReadonlySet<string> = new Set(),
): Promise<T> {
  const copies = readableCopies(await deps.catalog.listCopies({ packageId: pkg.id }), deps.locations);
  const errors: string[] = [];
  for (const copy of copies.filter((c) => !skip.has(c.location))) {
    try {
      return await attempt(await openCopy(deps.locations.get(copy.location) as Location, copy));
    } catch (err) {
      await undo();
      skipped(deps, pkg, copy.location, err);
      errors.push(`${copy.location}: ${errorMessage(err)}`);
    }
  }
  throw new PreservationError(
    `[export] record "${pkg.label}" (package ${pkg.id}): no intact copy could be read: ${errors.join('; ') || 'no readable copy'}`,
  );
}

function skipped(deps: HandOutDeps, pkg: PackageRecord, location: string, err: unknown): void {
  deps.logger.warn(
    { packageId: pkg.id, location, err: errorMessage(err) },
    'copy not used for the export; trying the next',
  );
}

/** Writes `stream` to a new file (never over an existing one), flushed to disk before it is closed. */
export async function writeNewFile(stream: Readable, target: string): Promise<void> {
  await pipeline(stream, createWriteStream(target, { flags: 'wx', flush: true }));
}

const receiptFiles = (files: FileRecord[]) =>
  files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 }));

export function receiptRecord(
  pkg: PackageRecord,
  files: FileRecord[],
  copy: CopyRecord,
  event: EventRecord,
): ReceiptRecord {
  const rule = pkg.metadata.accessRestriction?.trim();
  return {
    packageId: pkg.id,
    label: pkg.label,
    ...(pkg.metadata.identifier ? { identifier: pkg.metadata.identifier } : {}),
    ...(rule ? { accessRestriction: rule } : {}),
    location: copy.location,
    files: receiptFiles(files),
    eventId: event.id,
  };
}

/** The record as an E-ARK DIP written to `target` (a new file; removed again if no copy is intact). */
export async function writeDipFile(
  deps: HandOutDeps,
  pkg: PackageRecord,
  profile: Profile,
  event: EventRecord,
  target: string,
  dipId: string,
): Promise<ReceiptRecord> {
  const files = await deps.catalog.listFiles(pkg.id);
  return fromSomeCopy(
    deps,
    pkg,
    async (opened) => {
      const build = await buildDip({
        pkg,
        files,
        opened,
        profile,
        dipId,
        agent: deps.agent,
        now: deps.now,
        events: [event],
      });
      const [, built] = await Promise.all([writeNewFile(build.stream, target), build.done]);
      return {
        ...receiptRecord(pkg, files, opened.copy, event),
        dip: { id: dipId, file: path.basename(target), size: built.size, sha256: built.sha256 },
      };
    },
    () => fs.rm(target, { force: true }),
  );
}

/** The record's files, as restored by `bevara get`, in the folder `target` (created; removed on failure). */
export async function writeFolder(
  deps: HandOutDeps,
  pkg: PackageRecord,
  event: EventRecord,
  target: string,
): Promise<ReceiptRecord> {
  const files = await deps.catalog.listFiles(pkg.id);
  try {
    const restored = await restorePackage(deps.catalog, {
      packageId: pkg.id,
      out: target,
      locations: new Map(deps.locations),
      onCopySkipped: (location, err) => skipped(deps, pkg, location, err),
    });
    const copy = (await deps.catalog.listCopies({ packageId: pkg.id })).find(
      (c) => c.location === restored.location,
    );
    return receiptRecord(pkg, files, copy as CopyRecord, event);
  } catch (err) {
    await fs.rm(target, { recursive: true, force: true });
    throw new PreservationError(`[export] record "${pkg.label}" (package ${pkg.id}): ${errorMessage(err)}`, {
      cause: err,
    });
  }
}
