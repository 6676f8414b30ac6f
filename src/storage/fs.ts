/**
 * Filesystem storage driver: the embedded default.
 *
 * Layout under `root`:
 *   <key>                 the object itself, read-only for its owner and group (0440) once written
 *   .meta/<key>.json      sidecar: { sha256, size, storedAt } as given by the writer; 0440 like its object
 *   .tmp/<host>#<pid>-<random>.part  uploads in progress; removed on failure, never visible under their key, and
 *                         at the next start once their process is dead (else once older than the age given)
 *   .bevara-location.json marker: this folder is a bevara location (written before the first object)
 *
 * A root must be bevara's own: it is refused when it is the filesystem root, or holds anything but bevara's
 * layout without the marker, so that a mistyped path never mixes packages with (or lists as orphans) files of
 * another program.
 * A put streams into a temp file, fsyncs it, then hard-links it to its key: link(2) fails with EEXIST when the
 * key exists, so an existing object is never replaced, even by a concurrent writer. The folder is fsynced after.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, type Dirent, fstatSync, openSync, readSync, writevSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  AlreadyExistsError,
  LocationRootError,
  NotFoundError,
  PreservationError,
  StorageError,
} from '../errors.js';
import { createDigester } from '../fixity/digest.js';
import { isDeadLocalProcess, processTag } from '../processes.js';
import { checkFsRoot } from './fs-check.js';
import { validateKey } from './keys.js';
import type { GetOptions, PutOptions, StorageDriver, StoredObject } from './types.js';

export interface FsDriverOptions {
  /** Folder that holds the objects; created when missing. */
  root: string;
  /**
   * Read and write objects with blocking system calls: for worker threads that do nothing else meanwhile, where a
   * thread-pool round trip per chunk would leave the core idle. Default false.
   */
  blockingIo?: boolean;
}

const META_DIR = '.meta';
const TMP_DIR = '.tmp';
/**
 * Mode of a stored object: read-only, for the owner and the group (never other local users: a package may hold a
 * restricted record).
 */
const PACKAGE_MODE = 0o440;

/** The file that marks a folder as a bevara location. */
export const LOCATION_MARKER = '.bevara-location.json';

/**
 * Makes sure `root` is a bevara location before anything is written to it: an empty or new folder gets the marker;
 * a folder with the marker, or with only bevara's layout (an older location, which then gets the marker), is
 * accepted; the filesystem root and any other non-empty folder are refused.
 */
async function claimRoot(root: string): Promise<void> {
  if (path.parse(root).root === root)
    throw new LocationRootError(
      `[storage:fs] location root "${root}" is the filesystem root; choose a folder of its own`,
    );
  await fs.mkdir(root, { recursive: true, mode: 0o700 });
  const names = await fs.readdir(root);
  if (names.includes(LOCATION_MARKER)) return;
  const ours = new Set([META_DIR, TMP_DIR, 'packages', 'reports']);
  const foreign = names.filter((n) => !ours.has(n));
  if (foreign.length > 0)
    throw new LocationRootError(
      `[storage:fs] location root "${root}" is not empty and not a bevara location (it holds ${foreign
        .slice(0, 3)
        .map((n) => `"${n}"`)
        .join(', ')}${foreign.length > 3 ? ', …' : ''}); choose an empty folder`,
    );
  const body = `${JSON.stringify({ bevaraLocation: 1, createdAt: new Date().toISOString() })}\n`;
  await fs
    .writeFile(path.join(root, LOCATION_MARKER), body, { flag: 'wx' })
    .catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
}

export function createFsDriver(options: FsDriverOptions): StorageDriver {
  const root = path.resolve(options.root);
  const objectPath = (key: string) => path.join(root, ...validateKey(key).split('/'));
  const metaPath = (key: string) => path.join(root, META_DIR, `${validateKey(key)}.json`);
  const fail = (what: string, key: string, err: unknown) => fsError(root, what, key, err);

  let claimed: Promise<void> | undefined;
  async function put(key: string, body: Readable, putOptions: PutOptions = {}): Promise<StoredObject> {
    claimed ??= claimRoot(root);
    await claimed.catch((err: unknown) => {
      claimed = undefined;
      throw err;
    });
    const target = objectPath(key);
    if (await exists(target))
      throw new AlreadyExistsError(`[storage:fs] key "${key}" exists in ${root}; packages are written once`);
    const size = await writeNew(root, key, target, body, {
      blockingIo: options.blockingIo === true,
      signal: putOptions.signal,
    });
    const sha256 = putOptions.sha256?.();
    const storedAt = new Date();
    try {
      await syncDir(path.dirname(target));
      await writeMeta(metaPath(key), { sha256, size, storedAt: storedAt.toISOString() });
    } catch (err) {
      // Without its sidecar (e.g. the disk filled up just then) the object is not stored: nothing stays behind.
      await fs.rm(target, { force: true });
      await fs.rm(metaPath(key), { force: true });
      throw fail('put', key, err);
    }
    return { key, size, sha256, mtime: storedAt };
  }

  async function openObject(file: string, key: string, action: string): Promise<fs.FileHandle> {
    try {
      return await fs.open(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new NotFoundError(`[storage:fs] key "${key}" not found in ${root}`);
      throw fail(action, key, err);
    }
  }

  async function get(key: string, getOptions: GetOptions = {}): Promise<Readable> {
    const file = objectPath(key);
    if (options.blockingIo) return readBlocking(file, key, getOptions);
    const handle = await openObject(file, key, 'get');
    const { range, signal } = getOptions;
    return handle.createReadStream({ start: range?.start, end: range?.end, highWaterMark: 1 << 20, signal });
  }

  async function digest(
    key: string,
    digestOptions: { onBytes?: (n: number) => void } = {},
  ): Promise<{ size: number; sha256: string }> {
    const file = objectPath(key);
    if (options.blockingIo) return digestBlocking(file, key, digestOptions.onBytes);
    const handle = await openObject(file, key, 'digest');
    try {
      return await digestHandle(handle, false, digestOptions.onBytes);
    } finally {
      await handle.close();
    }
  }

  async function head(key: string): Promise<StoredObject | null> {
    let stat: import('node:fs').Stats;
    try {
      stat = await fs.stat(objectPath(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw fail('head', key, err);
    }
    const meta = await readMeta(metaPath(key));
    return { key, size: stat.size, mtime: stat.mtime, sha256: meta?.sha256 };
  }

  async function* list(prefix = ''): AsyncIterable<StoredObject> {
    for await (const file of walk(root, '')) {
      if (!file.key.startsWith(prefix)) continue;
      yield file;
    }
  }

  async function del(key: string): Promise<void> {
    await fs.rm(objectPath(key), { force: true });
    await fs.rm(metaPath(key), { force: true });
  }

  return {
    name: 'fs',
    capabilities: { writeOnce: true, versioning: false },
    put,
    get,
    digest,
    head,
    list,
    delete: del,
    check: () => checkFsRoot(root, path.join(root, TMP_DIR)),
    removeIncomplete: (olderThan) => removeIncompleteParts(root, olderThan),
  };
}

function fsError(root: string, what: string, key: string, err: unknown): StorageError {
  return new StorageError(`[storage:fs] ${what} "${key}" in ${root} failed: ${(err as Error).message}`, {
    cause: err,
  });
}

/**
 * Writes `body` to a temp file (synced, read-only) and links it to `target`, which must not exist; returns the
 * size. The temp file is gone afterwards, whatever happened.
 */
async function writeNew(
  root: string,
  key: string,
  target: string,
  body: Readable,
  options: { blockingIo: boolean; signal?: AbortSignal },
): Promise<number> {
  // The temp name says which process writes it: a later process removes it at once once that one is dead.
  const temp = path.join(root, TMP_DIR, `${processTag()}-${randomBytes(12).toString('hex')}.part`);
  let size = 0;
  try {
    await fs.mkdir(path.join(root, TMP_DIR), { recursive: true });
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      size = await writeAll(handle, body, options.blockingIo, options.signal);
      await handle.sync();
      await handle.chmod(PACKAGE_MODE);
    } finally {
      await handle.close();
    }
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.link(temp, target);
  } catch (err) {
    await fs.rm(temp, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new AlreadyExistsError(`[storage:fs] key "${key}" exists in ${root}; packages are written once`);
    }
    if (err instanceof PreservationError || (err instanceof Error && err.name === 'AbortError')) throw err;
    throw fsError(root, 'put', key, err);
  }
  await fs.rm(temp, { force: true });
  return size;
}

async function digestHandle(
  handle: fs.FileHandle,
  blockingIo: boolean,
  onBytes?: (n: number) => void,
): Promise<{ size: number; sha256: string }> {
  const digester = createDigester('SHA-256');
  const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  let size = 0;
  for (;;) {
    const bytesRead = blockingIo
      ? readSync(handle.fd, buffer, 0, buffer.length, size)
      : (await handle.read(buffer, 0, buffer.length, size)).bytesRead;
    if (bytesRead === 0) break;
    digester.update(buffer.subarray(0, bytesRead));
    size += bytesRead;
    onBytes?.(bytesRead);
  }
  return { size, sha256: digester.hex() };
}

/** Removes temp files older than `olderThan`, or written by a local process that is gone. */
async function removeIncompleteParts(root: string, olderThan: Date): Promise<string[]> {
  const tmp = path.join(root, TMP_DIR);
  const removed: string[] = [];
  for (const name of await fs.readdir(tmp).catch(() => [] as string[])) {
    const file = path.join(tmp, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile() || (stat.mtime >= olderThan && !isDeadLocalProcess(name))) continue;
    await fs.rm(file, { force: true });
    removed.push(`${TMP_DIR}/${name}`);
  }
  return removed;
}

async function* walk(dir: string, relative: string): AsyncIterable<StoredObject> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (relative === '' && [META_DIR, TMP_DIR, LOCATION_MARKER].includes(entry.name)) continue;
    const key = relative ? `${relative}/${entry.name}` : entry.name;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full, key);
    else if (entry.isFile()) {
      const stat = await fs.stat(full);
      yield { key, size: stat.size, mtime: stat.mtime };
    }
  }
}

const READ_CHUNK_BYTES = 1 << 20;

/**
 * The one read buffer of this thread's blocking digests. A fresh 1 MiB buffer per object is a fresh mmap: the
 * kernel faults in and zeroes its 256 pages before the read fills them, then unmaps them, which for packages of a
 * few MB cost more CPU than the SHA-256 itself. Safe to share: a blocking digest never yields until it is done.
 */
let digestBuffer: Buffer | undefined;

/** Opens a stored object for reading with a blocking call; a missing one is a `NotFoundError`. */
function openBlocking(file: string, key: string, action: string): number {
  try {
    return openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new NotFoundError(`[storage:fs] key "${key}" not found`);
    throw new StorageError(`[storage:fs] ${action} "${key}" failed: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** `digest` with blocking calls only (open, read, close), reading into the thread's one buffer. */
function digestBlocking(
  file: string,
  key: string,
  onBytes?: (n: number) => void,
): { size: number; sha256: string } {
  const fd = openBlocking(file, key, 'digest');
  try {
    digestBuffer ??= Buffer.allocUnsafeSlow(READ_CHUNK_BYTES);
    const buffer = digestBuffer;
    const digester = createDigester('SHA-256');
    let size = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, 0, buffer.length, size);
      if (bytesRead === 0) break;
      digester.update(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
      size += bytesRead;
      onBytes?.(bytesRead);
    }
    return { size, sha256: digester.hex() };
  } finally {
    closeSync(fd);
  }
}

/** `get` with blocking reads into fresh 1 MiB buffers, honouring the range and the abort signal. */
function readBlocking(file: string, key: string, { range, signal }: GetOptions): Readable {
  const fd = openBlocking(file, key, 'get');
  const start = range?.start ?? 0;
  const end = range ? range.end + 1 : fstatSync(fd).size;
  function* chunks(): Generator<Buffer> {
    try {
      for (let position = start; position < end; ) {
        signal?.throwIfAborted();
        const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, end - position));
        const bytesRead = readSync(fd, buffer, 0, buffer.length, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
      }
    } finally {
      closeSync(fd);
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

const WRITE_BATCH_BYTES = 1 << 20;

/**
 * Writes a stream to an open file, gathering small chunks (ZIP headers, descriptors) into one writev of about
 * 1 MiB. Reads the stream in flowing mode: its async iterator would concatenate (copy) whatever is buffered.
 * The handle stays ours to close, whatever happens to the stream. Returns the number of bytes written.
 */
async function writeAll(
  handle: fs.FileHandle,
  body: Readable,
  blocking: boolean,
  signal?: AbortSignal,
): Promise<number> {
  let size = 0;
  let batch: Buffer[] = [];
  let batched = 0;
  const writev = blocking
    ? async (buffers: Buffer[]) => writevSync(handle.fd, buffers)
    : async (buffers: Buffer[]) => (await handle.writev(buffers)).bytesWritten;
  const flush = async () => {
    const buffers = batch;
    batch = [];
    batched = 0;
    for (let done = 0; done < buffers.length; ) {
      // writev may write less than asked: drop what was written and go on with the rest.
      let left = await writev(buffers.slice(done));
      while (done < buffers.length && left >= (buffers[done] as Buffer).length)
        left -= (buffers[done++] as Buffer).length;
      if (left > 0) buffers[done] = (buffers[done] as Buffer).subarray(left);
    }
  };
  await new Promise<void>((resolve, reject) => {
    const abort = () => body.destroy(Object.assign(new Error('upload aborted'), { name: 'AbortError' }));
    const finish = (err?: unknown) => {
      signal?.removeEventListener('abort', abort);
      if (err) reject(err);
      else resolve();
    };
    if (signal?.aborted) return finish(Object.assign(new Error('upload aborted'), { name: 'AbortError' }));
    // A body that failed or was destroyed before we got to it (another copy's write failed first).
    if (body.errored || body.destroyed)
      return finish(body.errored ?? new Error('body closed before it was read'));
    signal?.addEventListener('abort', abort, { once: true });
    let ended = false;
    body.once('close', () => {
      if (!ended) finish(body.errored ?? new Error('body closed before its end'));
    });
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      batch.push(chunk);
      batched += chunk.length;
      if (batched < WRITE_BATCH_BYTES) return;
      body.pause();
      flush().then(
        () => body.resume(),
        (err: unknown) => body.destroy(err as Error),
      );
    });
    body.once('end', () => {
      ended = true;
      flush().then(() => finish(), finish);
    });
    body.once('error', finish);
  });
  return size;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeMeta(file: string, meta: Record<string, unknown>): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  // A cache of what the catalog holds; not fsynced (the catalog is authoritative, and audits read the object).
  // Read-only like its object: written once, replaced only by a new put.
  await fs.writeFile(temp, JSON.stringify(meta), { mode: 0o600 });
  await fs.chmod(temp, PACKAGE_MODE);
  await fs.rename(temp, file);
}

async function readMeta(file: string): Promise<{ sha256?: string } | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch {
    return null;
  }
}
