/** The input folder of a source (folder, bagit, eark-sip): listing it, and the checks its entries share. */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { NotFoundError, ValidationError } from '../errors.js';
import { describeFsError, recordError } from './file-reader.js';
import { comparePaths } from './names.js';

/**
 * The entries of the input folder, names as raw bytes (not every name is UTF-8). `what` opens the messages, e.g.
 * `[source:bagit] input folder`: a missing folder is a NotFoundError, one that cannot be read `unreadable`.
 */
export async function readInputRoot(root: string, what: string): Promise<Dirent<Buffer>[]> {
  try {
    return await readdir(Buffer.from(root), { encoding: 'buffer', withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new NotFoundError(`${what} "${root}" does not exist`);
    throw new ValidationError('unreadable', `${what} "${root}": ${describeFsError(err)}`, {}, { cause: err });
  }
}

/** What an entry that is not a folder is, for the message that says why it is ignored. */
export function entryKind(dirent: Dirent<Buffer>): string {
  return dirent.isFile() ? 'file' : dirent.isSymbolicLink() ? 'symbolic link' : 'special file';
}

/**
 * Sorts entries by key (then raw name) and gives every entry whose key another one has too a `name-collision`
 * error with `reason`, once.
 */
export function sortMarkingCollisions<E extends { key: string; raw: Buffer; errors: ValidationError[] }>(
  entries: E[],
  reason: string,
): E[] {
  entries.sort((a, b) => comparePaths(a.key, b.key) || Buffer.compare(a.raw, b.raw));
  for (let i = 1; i < entries.length; i++) {
    const [prev, cur] = [entries[i - 1], entries[i]];
    if (!prev || !cur || prev.key !== cur.key) continue;
    for (const e of [prev, cur]) {
      if (e.errors.some((x) => x.rule === 'name-collision')) continue;
      e.errors.push(recordError('name-collision', e.key, undefined, reason));
    }
  }
  return entries;
}
