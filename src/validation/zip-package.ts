import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { NotFoundError, ValidationError } from '../errors.js';
import { extractEntry } from '../zip/entry-data.js';
import { readZipDirectory, type ZipCentralEntry } from '../zip/reader.js';
import { indexFiles, readAll } from './package-index.js';
import { checkZipLimits, DEFAULT_PACKAGE_LIMITS } from './package-limits.js';
import { checkEntryName } from './package-path.js';
import type { PackageFile, PackageReader } from './package-reader.js';

const _METHOD_STORED = 0;
const _METHOD_DEFLATE = 8;

export async function openZipPackage(path: string, size: number): Promise<PackageReader> {
  const name = basename(path);
  const handle = await open(path, 'r');
  try {
    const readRange = async (start: number, endInclusive: number): Promise<Buffer> => {
      const buf = Buffer.alloc(endInclusive - start + 1);
      const { bytesRead } = await handle.read(buf, 0, buf.length, start);
      return buf.subarray(0, bytesRead);
    };
    const directory = await readZipDirectory(readRange, size);
    // The same size limits as ingest of a SIP: one verdict whether a package is validated or ingested.
    const [limit] = checkZipLimits(directory.entries, DEFAULT_PACKAGE_LIMITS, size);
    if (limit)
      throw new ValidationError(limit.id, `[validate] ${name}: ${limit.message}`, {
        file: limit.location?.file,
      });
    const names = directory.entries.map((entry) => ({ entry, name: checkEntryName(entry.name, name) }));
    // As ingest reads them: names compared after NFC normalisation, so "å" composed and decomposed are one name.
    const seen = new Map<string, string>();
    for (const { entry, name: n } of names) {
      const key = `${n.normalize('NFC')}${entry.name.endsWith('/') ? '/' : ''}`;
      const other = seen.get(key);
      if (other === n) {
        throw new ValidationError('zip-duplicate-entry', `[validate] ${name}: entry "${n}" occurs twice`, {
          file: n,
        });
      }
      if (other !== undefined) throw nameCollision(name, other, n);
      seen.set(key, n);
    }
    const tops = new Set(names.map(({ name: n }) => n.split('/')[0] as string));
    const onlyTop = tops.size === 1 ? ([...tops][0] as string) : undefined;
    const singleRoot =
      onlyTop !== undefined && names.every(({ entry, name: n }) => n !== onlyTop || entry.name.endsWith('/'));
    const prefix = singleRoot ? `${onlyTop}/` : '';
    const entries = new Map<string, ZipCentralEntry>();
    const list: PackageFile[] = [];
    const folders: string[] = [];
    for (const { entry, name: n } of names) {
      if (singleRoot && n === onlyTop) continue;
      const rel = n.slice(prefix.length);
      if (entry.name.endsWith('/')) folders.push(rel);
      else {
        entries.set(rel, entry);
        list.push({ path: rel, size: entry.size });
      }
    }
    const index = indexFiles(list, folders);
    const stream = (file: string): AsyncIterable<Uint8Array> => {
      const found = index.find(file);
      const entry = found && entries.get(found.path);
      if (!entry) throw new NotFoundError(`[validate] ${name}: no entry "${file}"`);
      return entryStream(handle, entry, name);
    };
    return {
      kind: 'zip',
      root: singleRoot ? (onlyTop as string) : name.replace(/\.zip$/i, ''),
      singleRoot,
      ...index,
      stream,
      read: (file) => readAll(stream(file)),
      close: () => handle.close(),
    };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

async function* entryStream(
  handle: import('node:fs/promises').FileHandle,
  entry: ZipCentralEntry,
  archive: string,
): AsyncGenerator<Uint8Array> {
  yield* extractEntry(handle, entry, (rule, why) => {
    throw new ValidationError(rule, `[validate] ${archive}: entry "${entry.name}": ${why}`, {
      file: entry.name,
    });
  });
}

/** Two entry names that differ in their bytes but are one name after NFC normalisation (rule `name-collision`). */
export function nameCollision(pkg: string, first: string, second: string): ValidationError {
  return new ValidationError(
    'name-collision',
    `[validate] ${pkg}: entries "${first}" and "${second}" are the same name after NFC normalisation`,
    { file: second },
  );
}
