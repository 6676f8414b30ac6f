/**
 * A folder on disk read as a package. Symbolic links are refused rather than followed (a link could point outside
 * the package), as are names that are not valid package paths.
 */
import { createReadStream } from 'node:fs';
import { lstat, opendir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { NotFoundError, ValidationError } from '../errors.js';
import { indexFiles } from './package-index.js';
import { checkEntryName } from './package-path.js';
import type { PackageFile, PackageReader } from './package-reader.js';
import { nameCollision } from './zip-package.js';

export async function openFolderPackage(path: string): Promise<PackageReader> {
  const root = await pickRoot(path);
  const list: PackageFile[] = [];
  const folders: string[] = [];
  await walk(root, '', list, folders);
  // As ingest reads them: names compared after NFC normalisation.
  const seen = new Map<string, string>();
  for (const file of [...folders.map((f) => `${f}/`), ...list.map((f) => f.path)]) {
    const other = seen.get(file.normalize('NFC'));
    if (other !== undefined) throw nameCollision(root, other, file);
    seen.set(file.normalize('NFC'), file);
  }
  const index = indexFiles(list, folders);
  const full = (file: string): string => {
    const found = index.find(file);
    if (!found) throw new NotFoundError(`[validate] ${root}: no file "${file}"`);
    return join(root, ...found.path.split('/'));
  };
  return {
    kind: 'folder',
    root: basename(root),
    singleRoot: true,
    ...index,
    stream: (file) => createReadStream(full(file)),
    read: (file) => readFile(full(file)),
    close: async () => {},
  };
}

/** The folder itself, or its only sub-folder when that one holds the METS.xml. */
async function pickRoot(path: string): Promise<string> {
  const names: { name: string; dir: boolean }[] = [];
  for await (const entry of await opendir(path)) {
    if (!entry.name.startsWith('.')) names.push({ name: entry.name, dir: entry.isDirectory() });
  }
  if (names.some((n) => n.name === 'METS.xml')) return path;
  const only = names.length === 1 && names[0]?.dir ? join(path, names[0].name) : undefined;
  if (only && (await lstat(join(only, 'METS.xml')).catch(() => undefined))) return only;
  return path;
}

async function walk(dir: string, rel: string, list: PackageFile[], folders: string[]): Promise<void> {
  for await (const entry of await opendir(dir)) {
    const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
    checkEntryName(relPath, dir);
    const full = join(dir, entry.name);
    if (entry.isSymbolicLink()) {
      throw new ValidationError('package-symlink', `[validate] ${full}: symbolic links are not followed`, {
        file: relPath,
      });
    }
    if (entry.isDirectory()) {
      folders.push(relPath);
      await walk(full, relPath, list, folders);
    } else if (entry.isFile()) {
      list.push({ path: relPath, size: (await lstat(full)).size });
    } else {
      // A FIFO, socket or device is no file of a package: refused, never read (a FIFO would block) or left out.
      throw new ValidationError(
        'package-special-file',
        `[validate] ${full}: a special file (FIFO, socket or device) is not part of a package`,
        {
          file: relPath,
        },
      );
    }
  }
}
