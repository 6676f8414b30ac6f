/**
 * One record handed out as a stream (the console's whole-record download): an E-ARK DIP or a plain ZIP of its
 * files, made as it is sent, every file verified on the way. A stream cannot take back what it sent, so the first
 * copy that opens is used and a damaged file breaks the stream off (the client sees a short, failed download,
 * never a complete-looking wrong one). The dissemination event is recorded once the last byte has passed.
 */
import { Readable } from 'node:stream';
import type { EventRecord, PackageRecord } from '../model/package.js';
import { errorMessage, PreservationError } from '../errors.js';
import { newPackageId } from '../package/package-id.js';
import type { Profile } from '../package/profile.js';
import type { Location } from '../storage/index.js';
import { type OpenedCopy, openCopy, readableCopies } from './copy-reader.js';
import { buildDip } from './dip.js';
import { storeEventLogs } from './dissemination.js';
import type { HandOutDeps } from './hand-out.js';
import { restrictionOf } from './restriction.js';
import { recordZipStream } from './zip-export.js';

export interface HandOutStream {
  /** File name to offer, e.g. `<dip id>.zip`. */
  name: string;
  type: string;
  /** The bytes; fails (breaks off) on a file that does not match its digest. */
  body: Readable;
  /** The location read from. */
  location: string;
}

/** The first copy of the package that opens (its ZIP directory reads), best copies first. */
async function firstOpened(deps: HandOutDeps, pkg: PackageRecord): Promise<OpenedCopy> {
  const errors: string[] = [];
  for (const copy of readableCopies(await deps.catalog.listCopies({ packageId: pkg.id }), deps.locations)) {
    try {
      return await openCopy(deps.locations.get(copy.location) as Location, copy);
    } catch (err) {
      errors.push(`${copy.location}: ${errorMessage(err)}`);
    }
  }
  throw new PreservationError(
    `[export] package ${pkg.id} has no copy that can be opened: ${errors.join('; ') || 'no readable copy'}`,
  );
}

/**
 * Records the hand-out: the event in the catalog, and for a restricted record its history beside its copies.
 * Used by `bevara export` and the console alike.
 */
export async function recordHandOut(
  deps: HandOutDeps,
  pkg: PackageRecord,
  event: EventRecord,
): Promise<void> {
  await deps.catalog.addEvent(event);
  deps.logger.info(
    { packageId: pkg.id, agent: event.agent, file: event.object, restricted: Boolean(restrictionOf(pkg)) },
    'record handed out',
  );
  if (!restrictionOf(pkg)) return;
  try {
    const copies = await deps.catalog.listCopies({ packageId: pkg.id });
    await storeEventLogs(deps, pkg.id, copies, event.runId ?? event.id, event.at);
  } catch (err) {
    deps.logger.error({ packageId: pkg.id, err: errorMessage(err) }, 'event log not stored');
  }
}

/** Passes `source` on and records the hand-out after its last byte; an error (a bad digest) breaks it off. */
function recordedAtEnd(source: AsyncIterable<Uint8Array>, after: () => Promise<void>): Readable {
  async function* pass(): AsyncGenerator<Uint8Array> {
    yield* source;
    await after();
  }
  return Readable.from(pass(), { objectMode: false });
}

export async function streamDip(
  deps: HandOutDeps,
  profile: Profile,
  pkg: PackageRecord,
  event: EventRecord,
): Promise<HandOutStream> {
  const opened = await firstOpened(deps, pkg);
  const files = await deps.catalog.listFiles(pkg.id);
  const dipId = newPackageId(deps.now());
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
  const body = recordedAtEnd(build.stream, async () => {
    await build.done;
    await recordHandOut(deps, pkg, event);
  });
  build.done.catch(() => {}); // its failure reaches the client through the stream
  return { name: `${dipId}.zip`, type: 'application/zip', body, location: opened.copy.location };
}

/** The record's files as a plain ZIP (`<package id>/<path>`). */
export async function streamFilesZip(
  deps: HandOutDeps,
  pkg: PackageRecord,
  event: EventRecord,
): Promise<HandOutStream> {
  const opened = await firstOpened(deps, pkg);
  const files = await deps.catalog.listFiles(pkg.id);
  const body = recordedAtEnd(recordZipStream([{ pkg, files, opened, event }]), () =>
    recordHandOut(deps, pkg, event),
  );
  return { name: `${pkg.id}-files.zip`, type: 'application/zip', body, location: opened.copy.location };
}
