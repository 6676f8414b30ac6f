/**
 * A ZIP archive read in place as a package: the central directory is read with `readZipDirectory` (ranged reads
 * from the end of the file), and each entry is streamed on demand from its local header, stored (method 0) or
 * inflated (method 8), with its size bounded and its CRC-32 checked against the central directory.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { crc32, createInflateRaw } from 'node:zlib';
import { NotFoundError, ValidationError } from '../errors.js';
import { readZipDirectory, type ZipCentralEntry } from '../package/zip-reader.js';
import { FLAG_ENCRYPTED, LOCAL_HEADER_SIZE, SIG_LOCAL } from '../package/zip-format.js';
import { checkEntryName } from './package-path.js';
import { indexFiles, readAll } from './package-index.js';
import type { PackageFile, PackageReader } from './package-reader.js';

const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;

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
    const names = directory.entries.map((entry) => ({ entry, name: checkEntryName(entry.name, name) }));
    const seen = new Set<string>();
    for (const { entry, name: n } of names) {
      const key = `${n}${entry.name.endsWith('/') ? '/' : ''}`;
      if (seen.has(key)) {
        throw new ValidationError('zip-duplicate-entry', `[validate] ${name}: entry "${n}" occurs twice`, {
          file: n,
        });
      }
      seen.add(key);
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
      return entryStream(path, handle, entry, name);
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
  path: string,
  handle: import('node:fs/promises').FileHandle,
  entry: ZipCentralEntry,
  archive: string,
): AsyncGenerator<Uint8Array> {
  const fail = (rule: string, why: string): never => {
    throw new ValidationError(rule, `[validate] ${archive}: entry "${entry.name}": ${why}`, {
      file: entry.name,
    });
  };
  if (entry.flags & FLAG_ENCRYPTED) fail('zip-unsupported-method', 'encrypted entries cannot be read');
  if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATE) {
    fail('zip-unsupported-method', `compression method ${entry.method} is not supported`);
  }
  const header = Buffer.alloc(LOCAL_HEADER_SIZE);
  await handle.read(header, 0, LOCAL_HEADER_SIZE, entry.localHeaderOffset);
  if (header.readUInt32LE(0) !== SIG_LOCAL) fail('zip-local-header', 'no local header signature');
  const dataStart =
    entry.localHeaderOffset + LOCAL_HEADER_SIZE + header.readUInt16LE(26) + header.readUInt16LE(28);
  let crc = 0;
  let size = 0;
  if (entry.compressedSize > 0) {
    const raw = createReadStream(path, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
    const source = entry.method === METHOD_DEFLATE ? raw.pipe(createInflateRaw()) : raw;
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > entry.size) fail('zip-size', `more than the ${entry.size} bytes the directory records`);
        crc = crc32(chunk, crc);
        yield chunk;
      }
    } catch (err) {
      if (err instanceof ValidationError) throw err;
      fail('zip-data', `cannot be read: ${(err as Error).message}`);
    } finally {
      raw.destroy();
      if (source !== raw) source.destroy();
    }
  }
  if (size !== entry.size) fail('zip-size', `${size} bytes extracted, the directory records ${entry.size}`);
  if (crc >>> 0 !== entry.crc32) fail('zip-crc', 'CRC-32 of the data differs from the central directory');
}
