/** The input folder of a source (folder, bagit, eark-sip): listing it, and the checks its entries share. */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { NotFoundError, ValidationError } from '../errors.js';
import { describeFsError, recordError } from './file-reader.js';
import { comparePaths, decodeName, nameProblem, printableName } from './names.js';

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

/** A folder at the input root: its raw name, its key (the decoded name, or the escaped one), its name's problems. */
export interface RootFolder {
  raw: Buffer;
  key: string;
  errors: ValidationError[];
}

/**
 * Lists the input root of a source whose records are folders (folder, bagit): folders become entries, sorted by
 * key, everything else goes to `onIgnored`. Problems with a folder's own name (not UTF-8, control characters,
 * the same key as another's) are attached to the entry so that the record is rejected, not skipped.
 * `source` opens messages (`[source:bagit]`); `noun` names a record of the source ("bag", "record").
 */
export async function listRootFolders(
  root: string,
  names: { source: string; noun: string },
  onIgnored?: (path: string, reason: string) => void,
): Promise<RootFolder[]> {
  const dirents = await readInputRoot(root, `${names.source} input folder`);
  const entries: RootFolder[] = [];
  for (const dirent of dirents) {
    const decoded = decodeName(dirent.name);
    const key = decoded.ok ? decoded.name : decoded.escaped;
    if (!dirent.isDirectory()) {
      onIgnored?.(
        printableName(key),
        `${entryKind(dirent)} at the input root is not a ${names.noun} (${names.noun}s are folders)`,
      );
      continue;
    }
    const errors: ValidationError[] = [];
    if (!decoded.ok) {
      errors.push(recordError('name-encoding', key, undefined, 'folder name is not valid UTF-8'));
    } else {
      const problem = nameProblem(key);
      if (problem) errors.push(recordError('name-invalid', key, undefined, `folder ${problem}`));
    }
    entries.push({ raw: dirent.name, key, errors });
  }
  return sortMarkingCollisions(
    entries,
    `another ${names.noun} folder has the same name after NFC normalisation`,
  );
}
