/**
 * The "BagIt bags" source (RFC 8493). Layout of the input:
 *
 * ```
 * <root>/
 *   BN 2024-0342 Strandskyddsdispens/    one bag = one record (the key is the folder name, NFC)
 *     bagit.txt  bag-info.txt  manifest-sha256.txt  manifest-sha512.txt  tagmanifest-sha256.txt
 *     data/ärende.xml                    payload: the record's files, paths relative to data/
 *   KS 2024-0101 .../                    another bag
 *   readme.txt                           not a record: reported through `onIgnored`
 * ```
 *
 * A root that holds `bagit.txt` itself is one bag (its key is the root's folder name). A subfolder without
 * `bagit.txt` is rejected (rule `bagit-declaration`), not skipped, so nothing in the input is silently left out.
 * Each bag is validated in full before it is yielded (see `validateBag`); a bag with any problem is rejected
 * with every problem found. The source never writes to the input.
 *
 * The record's files are the payload (paths inside `data/`). Every tag file (bagit.txt, bag-info.txt,
 * manifests, tag manifests, other tag files) is kept verbatim as one of the record's `metadataFiles`, named by
 * its path in the bag.
 */
import { lstat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { ValidationError } from '../../errors.js';
import { createVerifiedReadStream, createVerifiedReadStreamSync, type FileIdentity } from '../file-reader.js';
import { DEFAULT_MAX_PATH_LENGTH } from '../folder.js';
import { isolateRecord } from '../isolate.js';
import { listRootFolders } from '../input-root.js';
import { decodeName } from '../names.js';
import type { RecordSource, ScannedRecord, SourceFile, SourceFileRef, SourceRecord } from '../types.js';
import { BAG_DECLARATION_NAME } from './bag-declaration.js';
import { type BagInfo, bagInfoToMetadata } from './bag-info.js';
import type { ManifestAlgorithm } from './manifests.js';
import { createCheckedStream, type ExpectedDigests } from './payload-check.js';
import { DEFAULT_MAX_TAG_FILE_BYTES } from './tag-files.js';
import { type BagPayloadFile, validateBag } from './validate-bag.js';

export interface BagitSourceOptions {
  /** The input folder: each immediate subfolder is one bag, or the folder is itself a bag (has bagit.txt). */
  root: string;
  /**
   * When payload checksums are checked. 'scan' (default): every payload file is read once during the scan and
   * a mismatch rejects the bag. 'defer': the scan checks everything else and each file's reference carries the
   * digests the manifests expect, so the packaging read checks them and a mismatch fails that package.
   */
  checksums?: 'scan' | 'defer';
  /** Manifest algorithms every bag must have, e.g. ["md5", "sha1"] for the E-ARK BagIt profile (default none). */
  requiredAlgorithms?: readonly ManifestAlgorithm[];
  /** Accepted BagIt-Version values (default 1.0 and 0.97). */
  versions?: readonly string[];
  /** Max length of a payload path inside data/, in characters (default 255, as the folder source). */
  maxPathLength?: number;
  /** Most payload files a bag may hold (default `DEFAULT_MAX_RECORD_FILES`). */
  maxRecordFiles?: number;
  /** Max size of one tag file in bytes (default 64 MiB). */
  maxTagFileBytes?: number;
  /** Called for what is in the root but is no bag (files, links) and for empty folders inside a bag. */
  onIgnored?: (path: string, reason: string) => void;
}

/** What a bag record carries besides a `SourceRecord`; plain data, safe to send to a worker thread. */
export interface BagDetails {
  /** BagIt-Version from bagit.txt. */
  version: string;
  /** Payload manifest algorithms, e.g. ["sha256", "sha512"]. */
  algorithms: ManifestAlgorithm[];
  /** bag-info.txt labels and values in file order (empty without bag-info.txt). */
  info: BagInfo['entries'];
}

/** A record made from a bag. */
export interface BagSourceRecord extends SourceRecord {
  kind: 'bagit';
  bag: BagDetails;
}

/** What it takes to open a payload file of a bag again, in this thread or another. */
export interface BagFileRef extends SourceFileRef {
  kind: 'bagit';
  /** Absolute path as raw bytes (a Uint8Array once it has crossed a thread boundary). */
  path: Uint8Array;
  record: string;
  /** Path in the bag (`data/...`), for messages. */
  file: string;
  identity: FileIdentity;
  /** Digests to check while reading (only with `checksums: 'defer'`). */
  expected?: ExpectedDigests;
}

/** Creates the source of kind "bagit". Nothing is read until `scan()` is iterated. */
export function createBagitSource(options: BagitSourceOptions): RecordSource {
  const root = resolve(options.root);

  async function* scan(): AsyncGenerator<ScannedRecord> {
    if (await isBag(Buffer.from(root))) {
      const decoded = decodeName(Buffer.from(basename(root)));
      const key = decoded.ok ? decoded.name : decoded.escaped;
      yield await isolateRecord({ kind: 'bagit', key, location: root }, () =>
        scanBag(Buffer.from(root), key, [], undefined),
      );
      return;
    }
    for (const entry of await listRootFolders(
      root,
      { source: '[source:bagit]', noun: 'bag' },
      options.onIgnored,
    )) {
      const dir = Buffer.concat([Buffer.from(`${root}/`), entry.raw]);
      const record = { kind: 'bagit', key: entry.key, location: dir.toString('utf8'), entry: entry.raw };
      yield await isolateRecord(record, () => scanBag(dir, entry.key, entry.errors, entry.raw));
    }
  }

  async function scanBag(
    dir: Buffer,
    key: string,
    nameErrors: ValidationError[],
    entry: Buffer | undefined,
  ): Promise<ScannedRecord> {
    const location = dir.toString('utf8');
    const checksums = options.checksums ?? 'scan';
    const bag = await validateBag(dir, {
      key,
      checksums,
      requiredAlgorithms: options.requiredAlgorithms,
      versions: options.versions,
      maxPathLength: options.maxPathLength ?? DEFAULT_MAX_PATH_LENGTH,
      maxRecordFiles: options.maxRecordFiles,
      maxTagFileBytes: options.maxTagFileBytes ?? DEFAULT_MAX_TAG_FILE_BYTES,
      onIgnored: options.onIgnored,
    });
    const errors = [...nameErrors, ...bag.errors];
    if (errors.length > 0) return { ok: false, rejected: { kind: 'bagit', key, location, entry, errors } };
    const files = bag.payload.map((f) => toSourceFile(f, key, checksums === 'defer'));
    const record: BagSourceRecord = {
      kind: 'bagit',
      key,
      location,
      entry,
      metadata: bagInfoToMetadata(bag.info, key),
      metadataFiles: bag.tagFiles,
      files,
      bag: { version: bag.version ?? '', algorithms: bag.algorithms, info: bag.info?.entries ?? [] },
    };
    return { ok: true, record };
  }

  return { kind: 'bagit', scan };
}

function toSourceFile(file: BagPayloadFile, record: string, checkOnRead: boolean): SourceFile {
  const ref: BagFileRef = {
    kind: 'bagit',
    path: file.absolute,
    record,
    file: file.bagPath,
    identity: file.identity,
    ...(checkOnRead ? { expected: file.expected } : {}),
  };
  return {
    path: file.path,
    size: file.identity.size,
    modifiedAt: file.modifiedAt,
    ref,
    open: () => openBagFile(ref),
  };
}

/**
 * Opens a bag's payload file for its one verified read (`file-changed` if it differs from the scan) and, when
 * the reference carries expected digests, fails with `bagit-checksum` at the end of a mismatching file.
 * `sync` reads with blocking system calls, for worker threads.
 */
export function openBagFile(ref: BagFileRef, options: { sync?: boolean } = {}): Readable {
  const path = Buffer.isBuffer(ref.path) ? ref.path : Buffer.from(ref.path);
  const read = options.sync ? createVerifiedReadStreamSync : createVerifiedReadStream;
  const stream = read({ path, record: ref.record, file: ref.file, expected: ref.identity });
  if (!ref.expected || Object.keys(ref.expected).length === 0) return stream;
  const checked = createCheckedStream(ref.expected, { record: ref.record, file: ref.file });
  stream.on('error', (err) => checked.destroy(err));
  return stream.pipe(checked);
}

async function isBag(dir: Buffer): Promise<boolean> {
  try {
    return (await lstat(Buffer.concat([dir, Buffer.from(`/${BAG_DECLARATION_NAME}`)]))).isFile();
  } catch {
    return false;
  }
}
