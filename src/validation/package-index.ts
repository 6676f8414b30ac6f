/** Lookup helpers shared by the ZIP and folder package readers. */
import type { PackageFile, PackageReader } from './package-reader.js';

/** Builds the lookup part of a reader from a list of files and explicit folders. */
export function indexFiles(
  list: PackageFile[],
  explicitFolders: Iterable<string>,
): Pick<PackageReader, 'files' | 'folders' | 'find'> {
  const files = new Map<string, PackageFile>();
  const byNfc = new Map<string, PackageFile>();
  const folders = new Set<string>(explicitFolders);
  for (const file of list) {
    files.set(file.path, file);
    byNfc.set(file.path.normalize('NFC'), file);
    const parts = file.path.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  }
  return {
    files,
    folders,
    find: (path) => files.get(path) ?? byNfc.get(path.normalize('NFC')),
  };
}

/** Collects a stream into one buffer. */
export async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
