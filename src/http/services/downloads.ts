/**
 * Downloads of one file of a package, or of the whole package ZIP, each verified against its catalogued SHA-256
 * while it streams: the last piece is held back until the digest and size are known to match, so a damaged copy
 * never reaches the client whole (the response breaks off instead, short of its Content-Length). A file is read
 * with one ranged request for its entry only. Copies are tried verified first; one that cannot be opened gives
 * way to the next. Every download is logged with who, and recorded as a PREMIS `dissemination` event.
 */
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { AppContext } from '../../app/context.js';
import { createEvent, personAgentId } from '../../metadata/events.js';
import type { CopyRecord, FileRecord, PackageRecord } from '../../model/package.js';
import { errorMessage, FixityError, NotFoundError, PreservationError } from '../../errors.js';
import { createDigester } from '../../fixity/digest.js';
import { readZipDirectory, walkZip } from '../../zip/reader.js';
import { readRange } from '../../storage/read-range.js';

export interface Download {
  /** File name for Content-Disposition. */
  name: string;
  size: number;
  type: string;
  /** The bytes, verified as they pass (errors out on a mismatch). */
  body: Readable;
  /** The location read from. */
  location: string;
}

const ORDER: Record<CopyRecord['status'], number> = { verified: 0, stored: 1, failed: 2, missing: 3 };

/** Copies worth reading, verified first; a copy known failed or missing is not offered. */
async function readableCopies(ctx: AppContext, pkg: PackageRecord): Promise<CopyRecord[]> {
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

/** The PREMIS event and the log line of one download. */
function recorder(ctx: AppContext, pkg: PackageRecord, user: string, object: string | undefined) {
  return async (location: string) => {
    const at = ctx.now();
    const detail = `downloaded by ${user} from location "${location}"${object ? `: file "${object}"` : ': whole package'}${
      pkg.metadata.accessRestriction ? ` (restricted: ${pkg.metadata.accessRestriction})` : ''
    }`;
    ctx.logger.info(
      {
        user,
        packageId: pkg.id,
        file: object,
        location,
        restricted: Boolean(pkg.metadata.accessRestriction),
      },
      'download verified',
    );
    await ctx.catalog
      .addEvent(
        createEvent({
          type: 'dissemination',
          packageId: pkg.id,
          at,
          detail,
          agent: personAgentId(user),
          object,
        }),
      )
      .catch((err) =>
        ctx.logger.error({ err: errorMessage(err), packageId: pkg.id }, 'download event not recorded'),
      );
  };
}

/** The whole package ZIP from the first copy that opens. */
export async function packageDownload(ctx: AppContext, pkg: PackageRecord, user: string): Promise<Download> {
  const record = recorder(ctx, pkg, user, undefined);
  return firstOpening(await readableCopies(ctx, pkg), async (copy) => {
    const driver = ctx.locations.get(copy.location)?.driver;
    if (!driver) throw new NotFoundError(`location "${copy.location}" is not configured`);
    const stream = await driver.get(copy.key);
    const body = Readable.from(
      verified(stream, pkg, `package ${pkg.id} (${copy.location})`, () => record(copy.location)),
    );
    return { name: `${pkg.id}.zip`, size: pkg.size, type: 'application/zip', body, location: copy.location };
  });
}

/** One file of a package, read from its entry alone. */
export async function fileDownload(
  ctx: AppContext,
  pkg: PackageRecord,
  file: FileRecord,
  user: string,
): Promise<Download> {
  const record = recorder(ctx, pkg, user, file.path);
  const entryName = `${pkg.id}/${file.entryPath}`;
  return firstOpening(await readableCopies(ctx, pkg), async (copy) => {
    const driver = ctx.locations.get(copy.location)?.driver;
    if (!driver) throw new NotFoundError(`location "${copy.location}" is not configured`);
    const directory = await readZipDirectory(
      (s, e) => readRange(driver, copy.key, s, e),
      (await driver.head(copy.key))?.size ?? copy.size,
    );
    const ordered = [...directory.entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
    const index = ordered.findIndex((e) => e.name === entryName);
    const entry = ordered[index];
    if (!entry) throw new NotFoundError(`copy lacks entry "${entryName}"`);
    const start = entry.localHeaderOffset;
    const end = ordered[index + 1]?.localHeaderOffset ?? directory.centralDirectoryOffset;
    const ranged = await driver.get(copy.key, { range: { start, end: end - 1 } });
    const pipe = new PassThrough();
    const STOP = Symbol('entry read');
    // The entry alone, as if it were an archive of its own: offsets from its local header.
    walkZip(
      ranged,
      {
        entries: [{ ...entry, localHeaderOffset: 0 }],
        centralDirectoryOffset: end - start,
        archiveSize: end - start,
      },
      {
        onEntry: () => ({
          skipCrc: true, // the SHA-256 is checked instead
          write: (chunk) =>
            pipe.write(Buffer.from(chunk))
              ? undefined
              : new Promise<void>((resolve) => pipe.once('drain', resolve)),
          end: () => {
            pipe.end();
            throw STOP;
          },
        }),
      },
    ).catch((err: unknown) => {
      if (err !== STOP) pipe.destroy(err instanceof Error ? err : new Error(String(err)));
    });
    // A copy whose entry cannot be read at all gives way to the next before anything is sent.
    await new Promise<void>((resolve, reject) => {
      const settle = (err?: Error) => {
        pipe.off('readable', settle);
        pipe.off('error', settle);
        if (err) reject(err);
        else resolve();
      };
      pipe.once('readable', settle);
      pipe.once('error', settle);
    });
    const body = Readable.from(
      verified(pipe, file, `file "${file.path}" of package ${pkg.id} (${copy.location})`, () =>
        record(copy.location),
      ),
    );
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
