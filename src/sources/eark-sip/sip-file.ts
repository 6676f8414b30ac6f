/**
 * Reading one file of an E-ARK SIP for its packaging read: an entry of a SIP ZIP (stored or deflated, streamed
 * from its local header without unpacking anything to disk) or a file of a SIP folder (the verified read of
 * the other sources). Either way the read fails with a `ValidationError` when the bytes differ from the scan:
 * `file-changed` when the ZIP file was replaced or modified, `zip-size` / `zip-crc` when an entry's data does
 * not match its size or CRC-32 in the central directory.
 */

import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { extractEntry } from '../../zip/entry-data.js';
import {
  createVerifiedReadStream,
  createVerifiedReadStreamSync,
  describeFsError,
  type FileIdentity,
  READ_CHUNK_BYTES,
  recordError,
} from '../file-reader.js';
import type { SourceFileRef } from '../types.js';

const _METHOD_STORED = 0;
const _METHOD_DEFLATE = 8;

/** Where one entry of a SIP ZIP is, as the central directory says. */
export interface ZipEntryLocation {
  /** Entry name as written in the archive. */
  name: string;
  localHeaderOffset: number;
  compressedSize: number;
  /** 0 stored, 8 deflate. */
  method: number;
  flags: number;
  /** CRC-32 of the extracted bytes, unsigned. */
  crc32: number;
}

/** What it takes to open a file of a SIP again, in this thread or another (plain data only). */
export interface EarkSipFileRef extends SourceFileRef {
  kind: 'eark-sip';
  /** Key of the SIP (its file or folder name without ".zip"), for messages. */
  record: string;
  /** Path in the SIP as the record names it (`<SIP root>/<path inside the SIP>`), for messages. */
  file: string;
  /** Extracted size in bytes. */
  size: number;
  /** A SIP ZIP: the archive's path, its identity at the scan, and the entry. */
  zip?: { path: string; identity: FileIdentity; entry: ZipEntryLocation };
  /** A SIP folder: the file's absolute path (raw bytes; a Uint8Array once it crossed a thread) and identity. */
  folder?: { path: Uint8Array; identity: FileIdentity };
}

/** Opens a file of a SIP for its one verified read; `sync` applies to files of SIP folders. */
export function openEarkSipFile(ref: EarkSipFileRef, options: { sync?: boolean } = {}): Readable {
  if (ref.folder) {
    const path = Buffer.isBuffer(ref.folder.path) ? ref.folder.path : Buffer.from(ref.folder.path);
    const read = options.sync ? createVerifiedReadStreamSync : createVerifiedReadStream;
    return read({ path, record: ref.record, file: ref.file, expected: ref.folder.identity });
  }
  if (!ref.zip)
    throw recordError('unreadable', ref.record, ref.file, 'reference names neither ZIP nor folder');
  return Readable.from(zipEntryChunks(ref, ref.zip), { objectMode: false, highWaterMark: READ_CHUNK_BYTES });
}

async function* zipEntryChunks(
  ref: EarkSipFileRef,
  zip: NonNullable<EarkSipFileRef['zip']>,
): AsyncGenerator<Buffer> {
  const { entry, identity } = zip;
  const fail = (rule: string, why: string, cause?: unknown): never => {
    throw recordError(rule, ref.record, ref.file, why, cause);
  };
  let handle: FileHandle | undefined;
  try {
    handle = await open(zip.path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    fail('file-changed', `the SIP archive cannot be opened again (${describeFsError(err)})`, err);
  }
  const h = handle as FileHandle;
  try {
    const checkIdentity = async () => {
      const st = await h.stat({ bigint: true });
      if (st.ino !== identity.ino || Number(st.size) !== identity.size || st.mtimeNs !== identity.mtimeNs) {
        fail('file-changed', 'the SIP archive changed since the scan');
      }
    };
    await checkIdentity();
    yield* extractEntry(h, { ...entry, size: ref.size }, fail);
    await checkIdentity();
  } finally {
    await h.close();
  }
}
