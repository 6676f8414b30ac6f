/**
 * Walks one record folder: lists every folder (names as raw bytes), checks every name and file, and collects
 * every problem instead of stopping at the first. Nothing is written; files are opened and closed, not read,
 * except `record.json`, which is read once.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import type { ValidationError } from '../errors.js';
import { ERMS_FILE_NAME } from './erms-file.js';
import { describeFsError, type FileIdentity, openNoFollow, probeFile, recordError } from './file-reader.js';
import { decodeName, nameProblem } from './names.js';
import { parseRecordJson, RECORD_JSON_NAME, type RecordJson } from './record-json.js';
import type { SourceMetadataFile } from './types.js';

/** A content file found in a record, ready to be turned into a `SourceFile`. */
export interface FoundFile {
  /** POSIX path inside the record, NFC. */
  path: string;
  /** Absolute path as raw bytes (the on-disk spelling, which may not be NFC). */
  absolute: Buffer;
  identity: FileIdentity;
  modifiedAt: Date;
}

/** What {@link walkRecord} needs besides the folder; see `FolderSourceOptions`. */
export interface WalkOptions {
  /** Record key, used in messages. */
  key: string;
  maxPathLength: number;
  maxMetadataBytes: number;
  /**
   * Set `record.json` and `erms.xml` at the root apart as producer metadata (folder records; default). Off for
   * sources whose root files mean something else, such as a bag's tag files.
   */
  producerMetadata?: boolean;
  /**
   * Most content files a record may hold (default {@link DEFAULT_MAX_RECORD_FILES}): above it the record is refused
   * (`record-too-many-files`) and the walk stops probing, so memory stays bounded whatever the folder holds.
   */
  maxFiles?: number;
  onIgnored?: (path: string, reason: string) => void;
}

/**
 * Default most files of one record: 20,000. Packaging holds a few hundred bytes of catalogue data per file, and
 * the measured peak of an ingest grows by about 10 MB per 1,000 files: 20,000 keep it near 300 MB. A larger
 * transfer is better split (E-ARK divided packages); `ingest.maxRecordFiles` raises the limit.
 */
export const DEFAULT_MAX_RECORD_FILES = 20_000;

/** Everything found in one record folder; the record is rejected when `errors` is not empty. */
export interface WalkResult {
  files: FoundFile[];
  metadata?: RecordJson;
  metadataFiles: SourceMetadataFile[];
  errors: ValidationError[];
}

const SLASH = Buffer.from('/');
/** Files opened at the same time while probing one folder (the fs thread pool has 4 threads by default). */
const PROBE_CONCURRENCY = 16;

/** Walks the record folder `dir` (absolute, raw bytes). Never throws for problems inside the record. */
export async function walkRecord(dir: Buffer, options: WalkOptions): Promise<WalkResult> {
  const result: WalkResult = { files: [], errors: [], metadataFiles: [] };
  const counted = { files: 0, max: options.maxFiles ?? DEFAULT_MAX_RECORD_FILES };
  await walkFolder(dir, '', options, result, result.errors, counted);
  if (counted.files > counted.max) {
    result.files = [];
    result.errors.unshift(
      recordError(
        'record-too-many-files',
        options.key,
        undefined,
        `holds more than ${counted.max} files (ingest.maxRecordFiles); split it into several records, or raise the limit`,
      ),
    );
  }
  return result;
}

function fileTypeName(entry: Dirent<Buffer>): string {
  if (entry.isFIFO()) return 'FIFO (named pipe)';
  if (entry.isSocket()) return 'socket';
  if (entry.isBlockDevice()) return 'block device';
  if (entry.isCharacterDevice()) return 'character device';
  return 'file of unknown type';
}

const hex = (raw: Buffer) => raw.toString('hex').replace(/(..)(?!$)/g, '$1 ');

/**
 * Lists one folder and everything below it, adding its problems to `errors` in name order. Files are probed
 * up to {@link PROBE_CONCURRENCY} at a time; subfolders are walked one after the other. Returns how many
 * content files were found below it (0 = nothing to preserve there), or -1 when it could not be listed.
 */
async function walkFolder(
  dir: Buffer,
  rel: string,
  options: WalkOptions,
  result: WalkResult,
  errors: ValidationError[],
  counted: { files: number; max: number },
): Promise<number> {
  const { key } = options;
  if (counted.files > counted.max) return 0;
  let entries: Dirent<Buffer>[];
  try {
    entries = await readdir(dir, { encoding: 'buffer', withFileTypes: true });
  } catch (err) {
    const file = rel === '' ? undefined : rel;
    errors.push(recordError('unreadable', key, file, `unreadable (${describeFsError(err)})`, err));
    return -1;
  }
  entries.sort((a, b) => Buffer.compare(a.name, b.name));
  const seen = new Map<string, Buffer>();
  const slots: ValidationError[][] = [];
  const probes: (() => Promise<void>)[] = [];
  const folders: (() => Promise<void>)[] = [];
  let found = 0;

  for (const entry of entries) {
    const decoded = decodeName(entry.name);
    const name = decoded.ok ? decoded.name : decoded.escaped;
    const path = rel === '' ? name : `${rel}/${name}`;
    const slot: ValidationError[] = [];
    slots.push(slot);
    const fail = (rule: string, reason: string, cause?: unknown) =>
      slot.push(recordError(rule, key, path, reason, cause));

    if (!decoded.ok) {
      fail('name-encoding', `name is not valid UTF-8 (bytes ${hex(entry.name)})`);
    } else {
      const problem = nameProblem(decoded.name);
      if (problem) fail('name-invalid', problem);
      const other = seen.get(decoded.name);
      if (other) {
        const bytes = `UTF-8 bytes ${hex(other)} and ${hex(entry.name)}`;
        fail('name-collision', `two names become the same after NFC normalisation (${bytes})`);
      } else {
        seen.set(decoded.name, entry.name);
      }
    }

    const absolute = Buffer.concat([dir, SLASH, entry.name]);
    // Producer metadata files are recognised at the record root only.
    const metadataName =
      options.producerMetadata !== false &&
      rel === '' &&
      decoded.ok &&
      PRODUCER_METADATA_FILES.has(decoded.name)
        ? decoded.name
        : undefined;
    if (entry.isSymbolicLink()) {
      fail('symlink', 'symbolic link (not followed)');
    } else if (entry.isDirectory()) {
      if (metadataName) fail(metadataRule(metadataName), 'is a folder, expected a file');
      folders.push(async () => {
        const count = await walkFolder(absolute, path, options, result, slot, counted);
        if (count === 0) options.onIgnored?.(`${key}/${path}`, 'folder without files (not preserved)');
        found += Math.max(count, 0);
      });
    } else if (!entry.isFile()) {
      fail('special-file', `special file: ${fileTypeName(entry)}`);
    } else if (metadataName) {
      probes.push(() => readMetadataFile(absolute, metadataName, options, result, slot));
    } else {
      const length = [...path].length;
      if (length > options.maxPathLength) {
        fail(
          'path-too-long',
          `path is ${length} characters, longer than the limit of ${options.maxPathLength}`,
        );
      }
      found += 1;
      counted.files += 1;
      if (counted.files > counted.max) break;
      probes.push(async () => {
        const probe = await probeFile(absolute);
        if (probe.ok) {
          result.files.push({ path, absolute, identity: probe.identity, modifiedAt: probe.modifiedAt });
        } else {
          fail(probe.rule, probe.reason, probe.cause);
        }
      });
    }
  }
  await runLimited(probes, PROBE_CONCURRENCY);
  for (const walk of folders) await walk();
  for (const slot of slots) errors.push(...slot);
  return found;
}

/** Runs tasks with at most `limit` in flight. */
async function runLimited(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]?.();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

/** Producer metadata files at the record root: name → MIME type. They are metadata, not content. */
const PRODUCER_METADATA_FILES = new Map([
  [RECORD_JSON_NAME, 'application/json'],
  [ERMS_FILE_NAME, 'text/xml'],
]);

function metadataRule(name: string): string {
  return name === RECORD_JSON_NAME ? 'record-json-invalid' : 'erms-invalid';
}

/**
 * Reads a producer metadata file once (refusing files over the size limit before reading them); `record.json`
 * is parsed here, an ERMS export is checked against its schema by the source.
 */
async function readMetadataFile(
  absolute: Buffer,
  name: string,
  options: WalkOptions,
  result: WalkResult,
  errors: ValidationError[],
): Promise<void> {
  const fail = (reason: string, cause?: unknown) =>
    errors.push(recordError(metadataRule(name), options.key, name, reason, cause));
  let bytes: Buffer;
  let modifiedAt: Date;
  try {
    const handle = await openNoFollow(absolute);
    try {
      const st = await handle.stat();
      if (!st.isFile()) return void fail('not a regular file');
      if (st.size > options.maxMetadataBytes) {
        return void fail(`too big (${st.size} bytes, limit ${options.maxMetadataBytes})`);
      }
      bytes = await handle.readFile();
      modifiedAt = st.mtime;
    } finally {
      await handle.close();
    }
  } catch (err) {
    return void errors.push(
      recordError('unreadable', options.key, name, `unreadable (${describeFsError(err)})`, err),
    );
  }
  if (bytes.length > options.maxMetadataBytes) {
    return void fail(`too big (${bytes.length} bytes, limit ${options.maxMetadataBytes})`);
  }
  result.metadataFiles.push({ name, bytes, modifiedAt, mimeType: PRODUCER_METADATA_FILES.get(name) ?? '' });
  result.metadataFiles.sort((a, b) => (a.name < b.name ? -1 : 1));
  if (name !== RECORD_JSON_NAME) return;
  const parsed = parseRecordJson(bytes);
  if (parsed.ok) result.metadata = parsed.metadata;
  else for (const problem of parsed.problems) fail(`invalid: ${problem}`);
}
