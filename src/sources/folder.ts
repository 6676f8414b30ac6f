/**
 * The "folder of records" source. Layout of the input:
 *
 * ```
 * <root>/
 *   2024-0113 Bygglov Östra Gränd 3/     one record (the key is the folder name, NFC)
 *     record.json                        optional descriptive metadata, kept verbatim, not a content file
 *     ansökan.pdf                        content files, any depth
 *     bilagor/fasadritning söder.png
 *   KS 2023-0890 Medborgarförslag/       a record without record.json: its title is the folder name
 *   readme.txt                           not a record: reported through `onIgnored`, never yielded
 * ```
 *
 * The source never writes to the input. Records are listed by name up front (names only, no stat) and then
 * scanned one at a time as the consumer asks for them, so the first record arrives without waiting for the rest.
 */

import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { createErmsSchematron, type ErmsSchematron } from '../metadata/erms-schematron.js';
import { createXmlValidator, type XmlValidator } from '../metadata/xml-validator.js';
import { checkErmsFile, ERMS_FILE_NAME } from './erms-file.js';
import {
  createVerifiedReadStream,
  createVerifiedReadStreamSync,
  type FileIdentity,
  recordError,
} from './file-reader.js';
import { isolateRecord } from './isolate.js';
import { listRootFolders, type RootFolder } from './input-root.js';
import { comparePaths, printableName } from './names.js';
import { walkRecord } from './record-walk.js';
import type { RecordSource, ScannedRecord, SourceFile, SourceFileRef } from './types.js';

export interface FolderSourceOptions {
  /** The input folder; each immediate subfolder is one record. */
  root: string;
  /** Max length of a file's path inside the record, in characters (default 255), so restores stay portable. */
  maxPathLength?: number;
  /** Most content files a record may hold (default `DEFAULT_MAX_RECORD_FILES`). */
  maxRecordFiles?: number;
  /** Max size of record.json in bytes (default 1 MiB). */
  /** Validates ERMS exports (`erms.xml` at a record's root); created on first need when not given. */
  xmlValidator?: XmlValidator;
  maxMetadataBytes?: number;
  /**
   * Called for what is found but is not part of any record: files, links and special files directly in the
   * root (only folders are records) and empty folders inside a record (a package holds files, not folders).
   * `path` is relative to the root.
   */
  onIgnored?: (path: string, reason: string) => void;
}

/** Default {@link FolderSourceOptions.maxPathLength}: 255 characters fits common file systems and ZIP tools. */
export const DEFAULT_MAX_PATH_LENGTH = 255;
/** Default {@link FolderSourceOptions.maxMetadataBytes}: 1 MiB. */
export const DEFAULT_MAX_METADATA_BYTES = 1024 * 1024;

type RecordEntry = RootFolder;

/** Creates the source of kind "folder". Nothing is read until `scan()` is iterated. */
export function createFolderSource(options: FolderSourceOptions): RecordSource {
  const maxPathLength = options.maxPathLength ?? DEFAULT_MAX_PATH_LENGTH;
  const maxMetadataBytes = options.maxMetadataBytes ?? DEFAULT_MAX_METADATA_BYTES;
  const root = resolve(options.root);
  let validator = options.xmlValidator;
  const xmlValidator = () => {
    validator ??= createXmlValidator();
    return validator;
  };
  let schematron: ErmsSchematron | undefined;
  const ermsSchematron = () => {
    schematron ??= createErmsSchematron();
    return schematron;
  };

  async function* scan(): AsyncGenerator<ScannedRecord> {
    for (const entry of await listRootFolders(
      root,
      { source: '[source:folder]', noun: 'record' },
      options.onIgnored,
    )) {
      const location = `${root}/${printableName(entry.key)}`;
      yield await isolateRecord({ kind: 'folder', key: entry.key, location, entry: entry.raw }, () =>
        scanRecord(entry),
      );
    }
  }

  async function scanRecord(entry: RecordEntry): Promise<ScannedRecord> {
    const { key } = entry;
    const location = `${root}/${printableName(key)}`;
    const walk = await walkRecord(Buffer.concat([Buffer.from(`${root}/`), entry.raw]), {
      key,
      maxPathLength,
      maxFiles: options.maxRecordFiles,
      maxMetadataBytes,
      onIgnored: options.onIgnored,
    });
    const errors = [...entry.errors, ...walk.errors];
    if (
      walk.files.length === 0 &&
      !errors.some(
        (e) =>
          (e.rule === 'unreadable' && e.subject.file === undefined) || e.rule === 'record-too-many-files',
      )
    ) {
      const why =
        walk.metadataFiles.length > 0
          ? `no content files (only ${walk.metadataFiles.map((f) => f.name).join(', ')})`
          : 'no content files';
      errors.push(recordError('empty-record', key, undefined, `empty: ${why}`));
    }
    const erms = walk.metadataFiles.find((f) => f.name === ERMS_FILE_NAME);
    const fromErms = erms
      ? await checkErmsFile(erms, key, xmlValidator(), ermsSchematron())
      : { errors: [], metadata: {} };
    errors.push(...fromErms.errors);
    if (errors.length > 0)
      return { ok: false, rejected: { kind: 'folder', key, location, entry: entry.raw, errors } };

    const files: SourceFile[] = walk.files
      .sort((a, b) => comparePaths(a.path, b.path))
      .map((found) => {
        const ref: FolderFileRef = {
          kind: 'folder',
          path: found.absolute,
          record: key,
          file: found.path,
          identity: found.identity,
        };
        return {
          path: found.path,
          size: found.identity.size,
          modifiedAt: found.modifiedAt,
          ref,
          open: () => openFolderFile(ref),
        };
      });
    return {
      ok: true,
      record: {
        kind: 'folder',
        key,
        location,
        entry: entry.raw,
        // record.json overrides what a case export says; the folder name is the title of last resort.
        metadata: {
          ...fromErms.metadata,
          ...walk.metadata,
          title: walk.metadata?.title ?? fromErms.metadata.title ?? key,
        },
        metadataFiles: walk.metadataFiles,
        files,
      },
    };
  }

  return { kind: 'folder', scan };
}

/** What it takes to open a file of a folder record again, in this thread or another. */
export interface FolderFileRef extends SourceFileRef {
  kind: 'folder';
  /** Absolute path as raw bytes (a Uint8Array once it has crossed a thread boundary). */
  path: Uint8Array;
  record: string;
  file: string;
  identity: FileIdentity;
}

/**
 * Opens a folder record's file for its one verified read (see `createVerifiedReadStream`); `sync` reads with
 * blocking system calls, for worker threads.
 */
export function openFolderFile(ref: FolderFileRef, options: { sync?: boolean } = {}): Readable {
  const path = Buffer.isBuffer(ref.path) ? ref.path : Buffer.from(ref.path);
  const read = options.sync ? createVerifiedReadStreamSync : createVerifiedReadStream;
  return read({ path, record: ref.record, file: ref.file, expected: ref.identity });
}
