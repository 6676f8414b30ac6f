/**
 * What happens to a record in its source once decided: released after its package is archived (`leave`, `mark`,
 * `move`), or moved to a quarantine folder when refused. For every source kind (record folders, bag folders, SIP
 * folders and SIP `.zip` files) and always on the record's real entry in the source root (its raw name, as read
 * from the folder), never on a path built from the record's key: a key is a decoded, normalised name (NFC; non-UTF-8
 * bytes escaped) that may not name anything on disk, or may name something else.
 *
 * Every path is checked before use: the entry is one name directly in the source root (never empty, `.`, `..`, or
 * holding `/` or NUL) and not a symbolic link; a target is one such name directly in the folder the operator
 * configured. Nothing outside those two folders is ever moved, created or removed.
 */
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AfterSuccess } from '../model/job.js';
import { PreservationError } from '../errors.js';
import { decodeName } from './names.js';

/** Name of the marker `mark` leaves beside a record: hidden, at the source root, never a record itself. */
export const markerName = (key: string) => `.${safeName(key)}.bevara-archived.json`;

/** Whether a file at the source root is one of our markers (or its temp file while being written). */
export const isMarkerFile = (name: string) => /^\..+\.bevara-archived\.json(\.tmp)?$/.test(name);

/** The record a disposition acts on: its key, and its raw entry name in the source root when known. */
export interface DispositionSubject {
  key: string;
  /** Raw name of the record's file or folder in the source root (`.zip` included); found by key when absent. */
  entry?: Buffer;
}

/** Refused: a disposition would act on something that is not the record, or outside its folder. */
export class UnsafePathError extends PreservationError {
  override readonly code = 'E_UNSAFE_PATH';
  override readonly unrecoverable = true;
}

const SLASH = Buffer.from('/');

/** Whether `raw` is a single safe name: not empty, `.` or `..`, without `/` or NUL. */
export function isSafeEntryName(raw: Buffer): boolean {
  const text = raw.toString('latin1');
  return text !== '' && text !== '.' && text !== '..' && !text.includes('/') && !text.includes('\0');
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we escape
const UNSAFE_IN_NAME = /[%/\\\u0000-\u001f\u007f]/g;

/**
 * A name made from a key that can safely be one path segment: `%`, `/`, NUL and control characters are
 * percent-escaped, and a name of dots only gets its first dot escaped (`..` → `%2E.`).
 */
export function safeName(key: string): string {
  let out = key.replace(
    UNSAFE_IN_NAME,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  if (out === '') out = '%00';
  if (/^\.+$/.test(out)) out = `%2E${out.slice(1)}`;
  return out;
}

/** The record's entry in `root`: its raw path, checked to be a real (non-link) file or folder directly in root. */
export async function recordEntryPath(root: string, subject: DispositionSubject): Promise<Buffer | null> {
  const entry = subject.entry ?? (await findEntry(root, subject.key));
  if (!entry) return null;
  if (!isSafeEntryName(entry))
    throw new UnsafePathError(`[disposition] record "${subject.key}": entry name is not a single safe name`);
  const full = Buffer.concat([Buffer.from(path.resolve(root)), SLASH, entry]);
  const stat = await fs.lstat(full).catch(() => null);
  if (!stat) return null;
  if (stat.isSymbolicLink())
    throw new UnsafePathError(
      `[disposition] record "${subject.key}": its entry is a symbolic link; left in place`,
    );
  return full;
}

/** Finds a record's entry by its key: the folder or file (`<key>.zip` for SIPs) whose decoded name is the key. */
async function findEntry(root: string, key: string): Promise<Buffer | null> {
  let dirents: Dirent<Buffer>[];
  try {
    dirents = await fs.readdir(Buffer.from(root), { encoding: 'buffer', withFileTypes: true });
  } catch {
    return null;
  }
  const matches = dirents.filter((d) => {
    const decoded = decodeName(d.name);
    const name = decoded.ok ? decoded.name : decoded.escaped;
    return name === key || (d.isFile() && /\.zip$/i.test(name) && name.slice(0, -4) === key);
  });
  return matches.length === 1 ? (matches[0]?.name ?? null) : null;
}

/** `<folder>/<name>`, with `name` checked to be one safe segment, so the result is directly inside `folder`. */
function childOf(folder: string, name: Buffer): Buffer {
  if (!isSafeEntryName(name))
    throw new UnsafePathError(`[disposition] target name is not a single safe name`);
  return Buffer.concat([Buffer.from(path.resolve(folder)), SLASH, name]);
}

const exists = (p: Buffer) =>
  fs.lstat(p).then(
    () => true,
    () => false,
  );

/** `name` with `suffix` inserted before a `.zip` extension, or appended. */
function withSuffix(name: Buffer, suffix: string): Buffer {
  const text = name.toString('latin1');
  if (/\.zip$/i.test(text))
    return Buffer.concat([
      name.subarray(0, name.length - 4),
      Buffer.from(suffix),
      name.subarray(name.length - 4),
    ]);
  return Buffer.concat([name, Buffer.from(suffix)]);
}

/**
 * The after-success action on a record whose package is archived (every copy verified): `leave` it, `mark` it
 * (a marker file beside it; marked records are not taken again), or `move` it into another folder. Each is
 * idempotent, so that a worker restarted after the action but before recording it does no harm: a record
 * already moved is found at its destination.
 */
export async function releaseRecord(
  action: AfterSuccess,
  root: string,
  subject: DispositionSubject,
  packageId: string,
  at: Date,
): Promise<string> {
  switch (action.action) {
    case 'leave':
      return 'left in place';
    case 'mark': {
      const marker = path.join(path.resolve(root), markerName(subject.key));
      const text = `${JSON.stringify({ record: subject.key, packageId, archivedAt: at.toISOString() })}\n`;
      await fs.writeFile(`${marker}.tmp`, text, { flush: true });
      await fs.rename(`${marker}.tmp`, marker);
      return `marked (${path.basename(marker)})`;
    }
    case 'move': {
      const from = await recordEntryPath(root, subject);
      const name = from
        ? (subject.entry ?? Buffer.from(path.basename(from.toString('latin1')), 'latin1'))
        : null;
      const planned = childOf(action.to, name ?? Buffer.from(safeName(subject.key)));
      if (!from) {
        for (const candidate of [planned, withSuffix(planned, '.zip')])
          if (await exists(candidate)) return `moved to ${candidate.toString('utf8')}`;
        throw new PreservationError(
          `[release] record "${subject.key}" is neither in ${root} nor in ${path.resolve(action.to)}`,
        );
      }
      await fs.mkdir(action.to, { recursive: true });
      // Never over an earlier record of the same name: the new one goes beside it, named by its package.
      const target = (await exists(planned)) ? withSuffix(planned, `.${packageId}`) : planned;
      await fs.rename(from, target);
      return `moved to ${target.toString('utf8')}`;
    }
  }
}

/** Moves a record refused by validation into the quarantine folder; returns where it went. */
export async function quarantineRecord(
  folder: string,
  root: string,
  subject: DispositionSubject,
  stamp: string,
): Promise<string> {
  const from = await recordEntryPath(root, subject);
  if (!from) throw new PreservationError(`[quarantine] record "${subject.key}" is not in ${root}`);
  const name = subject.entry ?? Buffer.from(path.basename(from.toString('latin1')), 'latin1');
  const target = childOf(folder, withSuffix(name, `.${stamp}`));
  await fs.mkdir(folder, { recursive: true });
  await fs.rename(from, target);
  return target.toString('utf8');
}
