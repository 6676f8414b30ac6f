import type { Readable } from 'node:stream';
import type { DescriptiveMetadata } from '../model/package.js';
import type { ValidationError } from '../errors.js';

/** One file of a record, found but not yet read. */
export interface SourceFile {
  /** POSIX path relative to the record root, NFC-normalised UTF-8, e.g. "bilagor/ritning.pdf". */
  path: string;
  /** Size in bytes when the record was scanned. */
  size: number;
  modifiedAt: Date;
  /**
   * Opens the file for its one read. The stream fails with a `ValidationError` (rule `file-changed`) if the
   * file's size or modification time differs from the scan, or its byte count differs from `size`.
   */
  open(): Readable;
  /** Plain data from which `openSourceFile` opens the same file again, e.g. in a worker thread. */
  ref: SourceFileRef;
}

/** Structured-clone safe description of a source file; `kind` names the source that can open it. */
export interface SourceFileRef {
  kind: string;
  [detail: string]: unknown;
}

/**
 * Producer metadata read from the record itself (`record.json`, an ERMS case export, BagIt tag files), kept
 * verbatim in the package under `metadata/descriptive/` and referenced from the METS dmdSec.
 */
export interface SourceMetadataFile {
  /** Name of the file in the record, e.g. "record.json"; also its name in `metadata/descriptive/`. */
  name: string;
  bytes: Buffer;
  modifiedAt: Date;
  mimeType: string;
}

export interface SourceRecord {
  /** Source kind, e.g. "folder". */
  kind: string;
  /** Stable key of the record within its source, e.g. the folder name. */
  key: string;
  /** Absolute location of the record, for messages. */
  location: string;
  /**
   * Raw name of the record's folder or file directly in the source root (`.zip` included), exactly as read from
   * disk: what a release or quarantine moves. Absent when the record is the source root itself.
   */
  entry?: Buffer;
  metadata: DescriptiveMetadata;
  /** Producer metadata files, in a stable order; empty when the record has none. */
  metadataFiles: SourceMetadataFile[];
  /** Content files in a stable order (sorted by path). */
  files: SourceFile[];
  /**
   * The submission information package the record arrived as (E-ARK SIP source only): the package keeps the
   * SIP unchanged among its files and references it by OBJID and by the digest of its METS file.
   */
  submission?: SubmissionReference;
}

/** A SIP a record was submitted as; plain data. */
export interface SubmissionReference {
  /** mets/@OBJID of the SIP. */
  objid: string;
  /** Path of the SIP's root METS among the record's `files`, e.g. "sip-2024-0113/METS.xml". */
  metsPath: string;
  /** mets/@LABEL of the SIP, when it has one. */
  label?: string;
}

/** A record refused at scan time; it stays untouched in the source. */
export interface RejectedRecord {
  kind: string;
  key: string;
  location: string;
  /** As {@link SourceRecord.entry}. */
  entry?: Buffer;
  /** Every problem found, each naming the file and rule. */
  errors: ValidationError[];
}

export type ScannedRecord = { ok: true; record: SourceRecord } | { ok: false; rejected: RejectedRecord };

/** Turns an input (folder of records, SIP drop folder, bags) into records. Never modifies the input. */
export interface RecordSource {
  readonly kind: string;
  scan(): AsyncIterable<ScannedRecord>;
}
