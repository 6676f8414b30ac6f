/**
 * Reading source files without following links, without blocking on FIFOs, without touching atime where the
 * OS allows it, and with proof that the bytes read are the bytes that were scanned.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ValidationError } from '../errors.js';
import { printableName } from './names.js';

/** Bytes per read; also the stream's highWaterMark. */
export const READ_CHUNK_BYTES = 256 * 1024;

const BASE_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
const NOATIME = constants.O_NOATIME ?? 0;

/** What identifies a file's content at scan time; compared again before and after reading. */
export interface FileIdentity {
  size: number;
  mtimeNs: bigint;
  ino: bigint;
}

/**
 * Builds the error for a problem in a record: `record "<key>" file "<path>": <reason>`. Control characters in
 * the names are escaped in the message; `subject` keeps the names as they are.
 */
export function recordError(
  rule: string,
  record: string,
  file: string | undefined,
  reason: string,
  cause?: unknown,
): ValidationError {
  const where = `record "${printableName(record)}"${file === undefined ? '' : ` file "${printableName(file)}"`}`;
  return new ValidationError(rule, `${where}: ${reason}`, { record, file }, { cause });
}

/** `EACCES: permission denied` from a Node fs error, without the absolute path Node appends. */
export function describeFsError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return /^(E[A-Z0-9]+: [^,]+)/.exec(message)?.[1] ?? message;
}

/** Maps an error from opening a file to our rule names. */
export function ruleForOpenError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'file-missing';
  if (code === 'ELOOP') return 'symlink';
  return 'unreadable';
}

/**
 * Opens read-only with O_NOFOLLOW and O_NONBLOCK (so a FIFO swapped in after the scan cannot hang us), and
 * with O_NOATIME when the process may use it (owner or CAP_FOWNER), falling back without it on EPERM.
 */
export async function openNoFollow(path: Buffer): Promise<FileHandle> {
  if (NOATIME !== 0) {
    try {
      return await open(path, BASE_FLAGS | NOATIME);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
  }
  return open(path, BASE_FLAGS);
}

/** A probed file's identity, or the rule and reason it fails. */
export type ProbeResult =
  | { ok: true; identity: FileIdentity; modifiedAt: Date }
  | { ok: false; rule: string; reason: string; cause?: unknown };

/** Checks at scan time that a file can be opened (open + fstat + close, no read) and is a regular file. */
export async function probeFile(path: Buffer): Promise<ProbeResult> {
  let handle: FileHandle;
  try {
    handle = await openNoFollow(path);
  } catch (err) {
    const rule = ruleForOpenError(err);
    const reason =
      rule === 'symlink' ? 'symbolic link (not followed)' : `unreadable (${describeFsError(err)})`;
    return { ok: false, rule, reason, cause: err };
  }
  try {
    const st = await handle.stat({ bigint: true });
    if (!st.isFile()) return { ok: false, rule: 'special-file', reason: 'not a regular file' };
    return {
      ok: true,
      identity: { size: Number(st.size), mtimeNs: st.mtimeNs, ino: st.ino },
      modifiedAt: new Date(Number(st.mtimeMs)),
    };
  } catch (err) {
    return { ok: false, rule: 'unreadable', reason: `unreadable (${describeFsError(err)})`, cause: err };
  } finally {
    await handle.close();
  }
}

function identityChange(expected: FileIdentity, st: { size: bigint; mtimeNs: bigint; ino: bigint }) {
  if (st.ino !== expected.ino) return 'replaced by another file';
  if (Number(st.size) !== expected.size) return `size ${expected.size} -> ${st.size} bytes`;
  if (st.mtimeNs !== expected.mtimeNs) return 'modification time changed';
  return undefined;
}

/** Where to read from and what the scan saw there. */
export interface VerifiedReadOptions {
  path: Buffer;
  record: string;
  file: string;
  expected: FileIdentity;
  /** Bytes per read (default {@link READ_CHUNK_BYTES}). */
  chunkSize?: number;
}

/**
 * A Readable over one source file that fails with a `ValidationError` rule `file-changed` when the file's
 * identity, size or mtime differ from the scan (checked after open and again at the end) or the byte count
 * differs from the scanned size; `file-missing` / `unreadable` when it cannot be opened.
 */
export function createVerifiedReadStream(options: VerifiedReadOptions): Readable {
  const { path, record, file, expected } = options;
  const chunkSize = options.chunkSize ?? READ_CHUNK_BYTES;
  const changed = (why: string) =>
    recordError('file-changed', record, file, `changed since the scan (${why})`);
  let handle: FileHandle | undefined;
  let position = 0;

  const verify = async (h: FileHandle) => {
    const why = identityChange(expected, await h.stat({ bigint: true }));
    if (why) throw changed(why);
  };

  return new Readable({
    highWaterMark: chunkSize,
    construct(callback) {
      openNoFollow(path)
        .then(async (h) => {
          handle = h;
          await verify(h);
        })
        .then(
          () => callback(),
          (err: unknown) => {
            if (err instanceof ValidationError) return callback(err);
            const rule = ruleForOpenError(err);
            const reason =
              rule === 'symlink' ? 'changed since the scan (now a symbolic link)' : describeFsError(err);
            callback(recordError(rule === 'symlink' ? 'file-changed' : rule, record, file, reason, err));
          },
        );
    },
    read() {
      const h = handle as FileHandle;
      const remaining = expected.size - position;
      // Ask for one byte more than should remain, so growth shows up as an over-long read.
      const buffer = Buffer.allocUnsafe(Math.min(chunkSize, Math.max(remaining, 0) + 1));
      h.read(buffer, 0, buffer.length, position)
        .then(async ({ bytesRead }) => {
          if (bytesRead > remaining) throw changed(`more than ${expected.size} bytes read`);
          if (bytesRead === 0) {
            if (position !== expected.size) throw changed(`only ${position} of ${expected.size} bytes read`);
            await verify(h);
            this.push(null);
            return;
          }
          position += bytesRead;
          this.push(buffer.subarray(0, bytesRead));
        })
        .catch((err: unknown) => {
          this.destroy(
            err instanceof ValidationError
              ? err
              : recordError('unreadable', record, file, `read failed (${describeFsError(err)})`, err),
          );
        });
    },
    destroy(err, callback) {
      const h = handle;
      handle = undefined;
      if (!h) return callback(err);
      h.close().then(
        () => callback(err),
        () => callback(err),
      );
    },
  });
}

/**
 * The same verified read with synchronous system calls, for worker threads that do nothing else while they read:
 * no thread-pool round trip per open, stat and read, which dominates the cost of small files.
 */
export function createVerifiedReadStreamSync(options: VerifiedReadOptions): Readable {
  const { path, record, file, expected } = options;
  const chunkSize = options.chunkSize ?? READ_CHUNK_BYTES;
  const changed = (why: string) =>
    recordError('file-changed', record, file, `changed since the scan (${why})`);
  function* chunks(): Generator<Buffer> {
    let fd: number;
    try {
      fd = openNoFollowSync(path);
    } catch (err) {
      const rule = ruleForOpenError(err);
      const reason =
        rule === 'symlink' ? 'changed since the scan (now a symbolic link)' : describeFsError(err);
      throw recordError(rule === 'symlink' ? 'file-changed' : rule, record, file, reason, err);
    }
    try {
      const verify = () => {
        const why = identityChange(expected, fstatSync(fd, { bigint: true }));
        if (why) throw changed(why);
      };
      verify();
      let position = 0;
      for (;;) {
        const remaining = expected.size - position;
        // One byte more than should remain, so growth shows up as an over-long read.
        const buffer = Buffer.allocUnsafe(Math.min(chunkSize, Math.max(remaining, 0) + 1));
        let bytesRead: number;
        try {
          bytesRead = readSync(fd, buffer, 0, buffer.length, position);
        } catch (err) {
          throw recordError('unreadable', record, file, `read failed (${describeFsError(err)})`, err);
        }
        if (bytesRead > remaining) throw changed(`more than ${expected.size} bytes read`);
        if (bytesRead === 0) break;
        position += bytesRead;
        yield buffer.subarray(0, bytesRead);
        if (position === expected.size && bytesRead < buffer.length) break;
      }
      if (position !== expected.size) throw changed(`only ${position} of ${expected.size} bytes read`);
      verify();
    } finally {
      closeSync(fd);
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: chunkSize });
}

function openNoFollowSync(path: Buffer): number {
  if (NOATIME !== 0) {
    try {
      return openSync(path, BASE_FLAGS | NOATIME);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
  }
  return openSync(path, BASE_FLAGS);
}
