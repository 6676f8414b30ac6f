import type { Readable } from 'node:stream';
import { PreservationError } from '../errors.js';
import { type BagFileRef, openBagFile } from './bagit/bag-source.js';
import { type EarkSipFileRef, openEarkSipFile } from './eark-sip/sip-file.js';
import { type FolderFileRef, openFolderFile } from './folder.js';
import type { SourceFile, SourceFileRef, SourceRecord } from './types.js';

/** A record as plain data (no functions), to hand to another thread. */
export type TransferableRecord = Omit<SourceRecord, 'files'> & { files: Omit<SourceFile, 'open'>[] };

/** How files of a rebuilt record are read: `sync` with blocking calls, for worker threads that only read. */
export interface OpenOptions {
  sync?: boolean;
}

export function toTransferable(record: SourceRecord): TransferableRecord {
  return { ...record, files: record.files.map(({ open: _open, ...file }) => file) };
}

/**
 * Rebuilds a record received from another thread; its files open through `openSourceFile`. Takes `data` over: its
 * file objects become the record's, given their `open` (a large record's list is held once, not twice).
 */
export function fromTransferable(data: TransferableRecord, options: OpenOptions = {}): SourceRecord {
  const files = data.files as SourceFile[];
  for (const file of files) file.open = () => openSourceFile(file.ref, options);
  return {
    ...data,
    metadataFiles: data.metadataFiles.map((f) => ({ ...f, bytes: Buffer.from(f.bytes) })),
    files,
  };
}

/** Opens a file from its reference, by the kind of source that made it. */
export function openSourceFile(ref: SourceFileRef, options: OpenOptions = {}): Readable {
  switch (ref.kind) {
    case 'folder':
      return openFolderFile(ref as FolderFileRef, options);
    case 'bagit':
      return openBagFile(ref as BagFileRef, options);
    case 'eark-sip':
      return openEarkSipFile(ref as EarkSipFileRef, options);
    default:
      throw new PreservationError(`[source] cannot open files of source kind "${ref.kind}"`);
  }
}
