/**
 * Downloads of one file of a package, or of the whole record, each verified against its catalogued SHA-256 while
 * it streams, through the same code as `bevara export` (src/access): the whole record is an E-ARK DIP by default
 * (or a ZIP of its files, or the stored AIP as it is). A single file or the AIP is held back by its last piece
 * until the digest and size are known to match, so a damaged copy never reaches the client whole (the response
 * breaks off instead, short of its Content-Length). A file is read with one ranged request for its entry only.
 * Copies are tried verified first; one that cannot be opened gives way to the next. Every download is logged with
 * who, and recorded as a PREMIS `dissemination` event (a restricted record's also beside its copies).
 */
import path from 'node:path';
import { Readable } from 'node:stream';
import { entryNameOf, openCopy, verifiedFileBytes } from '../../access/copy-reader.js';
import { DIP_PROFILE } from '../../access/dip.js';
import { disseminationEvent } from '../../access/dissemination.js';
import { recordHandOut, streamDip, streamFilesZip } from '../../access/hand-out-stream.js';
import type { AppContext } from '../../app/context.js';
import type { CopyRecord, FileRecord, PackageRecord } from '../../model/package.js';
import { errorMessage, FixityError, NotFoundError, PreservationError } from '../../errors.js';
import { createDigester } from '../../fixity/digest.js';
import { withHeader } from '../../package/profile.js';

export interface Download {
  /** File name for Content-Disposition. */
  name: string;
  /** Bytes, when known before sending (a DIP or ZIP made as it streams has none: sent chunked). */
  size: number | undefined;
  type: string;
  /** The bytes, verified as they pass (errors out on a mismatch). */
  body: Readable;
  /** The location read from. */
  location: string;
}

const ORDER: Record<CopyRecord['status'], number> = { verified: 0, stored: 1, failed: 2, missing: 3 };

/** Copies worth reading, verified first; a copy known failed or missing is not offered. */
async function downloadableCopies(ctx: AppContext, pkg: PackageRecord): Promise<CopyRecord[]> {
  const copies = (await ctx.catalog.listCopies({ packageId: pkg.id }))
    .filter((c) => c.status === 'verified' || c.status === 'stored')
    .filter((c) => ctx.locations.has(c.location))
    .sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  if (copies.length === 0) throw new PreservationError(`[download] package ${pkg.id} has no readable copy`);
  return copies;
}

/** Passes `source` on, holding its last chunk until the whole is known to have `expected` digest and size. */
async function* verified(
  source: AsyncIterable<Uint8Array>,
  expected: { sha256: string; size: number },
  what: string,
  done: () => Promise<void>,
): AsyncGenerator<Buffer> {
  const digester = createDigester('SHA-256');
  let held: Buffer | undefined;
  let size = 0;
  for await (const chunk of source) {
    const piece = Buffer.from(chunk);
    digester.update(piece);
    size += piece.length;
    if (held) yield held;
    held = piece;
  }
  const actual = digester.hex();
  if (actual !== expected.sha256 || size !== expected.size)
    throw new FixityError(
      `[download] ${what} does not match its digest; stopped`,
      'SHA-256',
      expected.sha256,
      actual,
    );
  if (held) yield held;
  await done();
}

async function firstOpening<T>(copies: CopyRecord[], open: (copy: CopyRecord) => Promise<T>): Promise<T> {
  const errors: string[] = [];
  for (const copy of copies) {
    try {
      return await open(copy);
    } catch (err) {
      errors.push(`${copy.location}: ${errorMessage(err)}`);
    }
  }
  throw new PreservationError(`[download] no copy could be opened: ${errors.join('; ')}`);
}

/** Records one download as a dissemination event (and, restricted, beside the package), the way exports do. */
function recorder(ctx: AppContext, pkg: PackageRecord, user: string, what: string, object?: string) {
  return async (location: string) => {
    const event = disseminationEvent(
      pkg,
      { by: user, what: `${what} (console download, location "${location}")`, ...(object ? { object } : {}) },
      ctx.now(),
    );
    await recordHandOut(ctx, pkg, event).catch((err) =>
      ctx.logger.error({ err: errorMessage(err), packageId: pkg.id }, 'download event not recorded'),
    );
  };
}

/** What a whole-record download hands out: an E-ARK DIP (default), a ZIP of the files, or the stored AIP. */
export type PackageDownloadFormat = 'dip' | 'zip' | 'aip';

/**
 * The whole record, made by the same code as `bevara export`: a DIP or a ZIP of its files streamed as it is made
 * (no Content-Length; a damaged file breaks it off), or the stored AIP as it is, verified against its SHA-256.
 */
export async function packageDownload(
  ctx: AppContext,
  pkg: PackageRecord,
  user: string,
  format: PackageDownloadFormat = 'dip',
): Promise<Download> {
  if (format === 'aip') return aipDownload(ctx, pkg, user);
  const event = disseminationEvent(
    pkg,
    {
      by: user,
      what: format === 'dip' ? 'an E-ARK DIP (console download)' : 'a ZIP of its files (console download)',
    },
    ctx.now(),
  );
  const stream =
    format === 'dip'
      ? await streamDip(ctx, withHeader(DIP_PROFILE, ctx.config.organisation), pkg, event)
      : await streamFilesZip(ctx, pkg, event);
  return { ...stream, size: undefined };
}

/** The stored package ZIP from the first copy that opens. */
async function aipDownload(ctx: AppContext, pkg: PackageRecord, user: string): Promise<Download> {
  const record = recorder(ctx, pkg, user, 'the stored AIP');
  return firstOpening(await downloadableCopies(ctx, pkg), async (copy) => {
    const driver = ctx.locations.get(copy.location)?.driver;
    if (!driver) throw new NotFoundError(`location "${copy.location}" is not configured`);
    const stream = await driver.get(copy.key);
    const body = Readable.from(
      verified(stream, pkg, `package ${pkg.id} (${copy.location})`, () => record(copy.location)),
    );
    return { name: `${pkg.id}.zip`, size: pkg.size, type: 'application/zip', body, location: copy.location };
  });
}

/** Passes `source` on one chunk behind, so that an error at its end (a digest) comes before its last chunk. */
async function* holdingLast(
  source: AsyncIterable<Buffer>,
  done: () => Promise<void>,
): AsyncGenerator<Buffer> {
  let held: Buffer | undefined;
  for await (const chunk of source) {
    if (held) yield held;
    held = chunk;
  }
  if (held) yield held;
  await done();
}

/** One file of a package, read from its entry alone (one ranged request), verified by the export's reader. */
export async function fileDownload(
  ctx: AppContext,
  pkg: PackageRecord,
  file: FileRecord,
  user: string,
): Promise<Download> {
  const record = recorder(ctx, pkg, user, `file "${file.path}"`, file.path);
  return firstOpening(await downloadableCopies(ctx, pkg), async (copy) => {
    const location = ctx.locations.get(copy.location);
    if (!location) throw new NotFoundError(`location "${copy.location}" is not configured`);
    // A copy whose directory or entry cannot be read gives way to the next before anything is sent.
    const opened = await openCopy(location, copy);
    if (!opened.entries.has(entryNameOf(file)))
      throw new NotFoundError(`copy lacks entry "${entryNameOf(file)}"`);
    const body = Readable.from(holdingLast(verifiedFileBytes(opened, file), () => record(copy.location)));
    return {
      name: path.posix.basename(file.path),
      size: file.size,
      type: file.mimeType,
      body,
      location: copy.location,
    };
  });
}

/** `attachment` with an ASCII fallback name and the exact name in UTF-8 (RFC 6266, RFC 8187). */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
