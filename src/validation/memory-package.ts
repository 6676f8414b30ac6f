import { indexFiles } from './package-index.js';
import type { PackageReader } from './package-reader.js';

/**
 * A package known by its file list and the text (or UTF-8 bytes) of its METS files, as the package builder holds it before the
 * ZIP is stored: enough for every CSIP rule except the checksum comparison (validate it with
 * `verifyChecksums: false`; the builder computed those checksums from the bytes themselves).
 */
export function memoryPackage(
  root: string,
  files: { path: string; size: number }[],
  texts: ReadonlyMap<string, string | Buffer>,
): PackageReader {
  const index = indexFiles(files, []);
  return {
    kind: 'folder',
    root,
    singleRoot: true,
    ...index,
    async *stream(path) {
      const text = texts.get(path);
      if (text === undefined) throw new Error(`[validate] ${root}/${path}: content not held in memory`);
      yield typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    },
    async read(path) {
      const text = texts.get(path);
      if (text === undefined) throw new Error(`[validate] ${root}/${path}: content not held in memory`);
      return typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    },
    async close() {},
  };
}
