/**
 * Several records in one plain ZIP (`<package id>/<file path>` for every file), streamed from storage with each
 * file verified on the way. A ZIP cannot take back what it has written, so when a copy turns out damaged half
 * way, that copy is set aside and the ZIP is written again from the start, into a new temporary file: bytes are
 * read twice only when a damaged copy is met.
 */
import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { EventRecord, FileRecord, PackageRecord } from '../model/package.js';
import { createDigester } from '../fixity/digest.js';
import { createZipStream, type ZipEntrySource } from '../zip/writer.js';
import { type OpenedCopy, verifiedFileBytes } from './copy-reader.js';
import { fromSomeCopy, type HandOutDeps, receiptRecord, writeNewFile } from './hand-out.js';
import type { Receipt, ReceiptRecord } from './receipt.js';

/** A copy that failed while the ZIP was being written: set aside for the next attempt. */
class CopyFailed extends Error {
  constructor(
    readonly packageId: string,
    readonly location: string,
    readonly reason: unknown,
  ) {
    super(`copy ${location} of ${packageId} failed`);
  }
}

/** A record and the copy its files are read from. */
export interface Opened {
  pkg: PackageRecord;
  files: FileRecord[];
  opened: OpenedCopy;
  event: EventRecord;
}

export async function writeZipFile(
  deps: HandOutDeps,
  records: { pkg: PackageRecord; event: EventRecord }[],
  target: string,
): Promise<{ records: ReceiptRecord[]; zip: NonNullable<Receipt['zip']> }> {
  const setAside = new Map<string, Set<string>>();
  for (;;) {
    const opened: Opened[] = [];
    for (const { pkg, event } of records) {
      const skip = setAside.get(pkg.id) ?? new Set<string>();
      const files = await deps.catalog.listFiles(pkg.id);
      opened.push(
        await fromSomeCopy(
          deps,
          pkg,
          async (o) => ({ pkg, files, opened: o, event }),
          async () => {},
          skip,
        ),
      );
    }
    try {
      const zip = await writeOnce(opened, target);
      return { records: opened.map(receiptOf), zip: { file: target, ...zip } };
    } catch (err) {
      await fs.rm(target, { force: true });
      if (!(err instanceof CopyFailed)) throw err;
      deps.logger.warn(
        { packageId: err.packageId, location: err.location, err: String(err.reason) },
        'copy damaged during the export; writing the ZIP again without it',
      );
      const skip = setAside.get(err.packageId) ?? new Set<string>();
      skip.add(err.location);
      setAside.set(err.packageId, skip);
    }
  }
}

async function writeOnce(opened: Opened[], target: string): Promise<{ size: number; sha256: string }> {
  const digester = createDigester('SHA-256');
  let size = 0;
  async function* measured(): AsyncGenerator<Buffer> {
    for await (const chunk of recordZipStream(opened)) {
      digester.update(chunk as Buffer);
      size += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
  await writeNewFile(Readable.from(measured(), { objectMode: false }), target);
  return { size, sha256: digester.hex() };
}

/** The records' files as one ZIP stream, `<package id>/<path>`, each verified as it passes. */
export const recordZipStream = (opened: Opened[]) => createZipStream(entries(opened));

async function* entries(opened: Opened[]): AsyncGenerator<ZipEntrySource> {
  for (const { pkg, files, opened: copy } of opened) {
    for (const file of files) {
      yield {
        name: `${pkg.id}/${file.path}`,
        mtime: file.modifiedAt,
        size: file.size,
        data: guarded(copy, file),
      };
    }
  }
}

async function* guarded(opened: OpenedCopy, file: FileRecord): AsyncGenerator<Buffer> {
  try {
    yield* verifiedFileBytes(opened, file);
  } catch (err) {
    throw new CopyFailed(file.packageId, opened.copy.location, err);
  }
}

const receiptOf = ({ pkg, files, opened, event }: Opened): ReceiptRecord =>
  receiptRecord(pkg, files, opened.copy, event);
