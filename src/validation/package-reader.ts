/**
 * Read access to an information package given as a ZIP archive or as a folder, without unpacking it: the list of
 * files (paths relative to the package root folder) and streams of their bytes.
 *
 * A ZIP that holds one top folder has that folder as its root (CSIPSTR1); one with files or several folders at
 * the top has the archive itself as root, and `singleRoot` is false. A folder is its own root; if it holds no
 * METS.xml but exactly one sub-folder that does, that sub-folder is the root (a package unpacked into a folder).
 */
import { stat } from 'node:fs/promises';
import { NotFoundError } from '../errors.js';
import { openFolderPackage } from './folder-package.js';
import { openZipPackage } from './zip-package.js';

/** One file of the package. */
export interface PackageFile {
  /** Path relative to the package root folder, "/"-separated. */
  path: string;
  /** Size in bytes of the (extracted) file. */
  size: number;
}

export interface PackageReader {
  readonly kind: 'zip' | 'folder';
  /** Name of the package root folder. */
  readonly root: string;
  /** False when a ZIP does not unpack to a single root folder (CSIPSTR1). */
  readonly singleRoot: boolean;
  /** Files by path relative to the root. */
  readonly files: ReadonlyMap<string, PackageFile>;
  /** Folders relative to the root (every parent of a file, and empty folders the source records). */
  readonly folders: ReadonlySet<string>;
  /** The file at `path`, matching Unicode NFC/NFD spellings of the same name; undefined when absent. */
  find(path: string): PackageFile | undefined;
  /** Streams the bytes of a file; a ZIP entry is inflated and its CRC-32 checked while streaming. */
  stream(path: string): AsyncIterable<Uint8Array>;
  /** Reads a whole file into memory (for METS files). */
  read(path: string): Promise<Buffer>;
  close(): Promise<void>;
}

/** Opens a ZIP file or a folder. Throws NotFoundError when `path` does not exist. */
export async function openPackage(path: string): Promise<PackageReader> {
  const info = await stat(path).catch((err: unknown) => {
    throw new NotFoundError(`[validate] ${path}: no such file or folder`, { cause: err });
  });
  return info.isDirectory() ? openFolderPackage(path) : openZipPackage(path, info.size);
}
