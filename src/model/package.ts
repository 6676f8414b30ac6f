/** Packages, their files, stored copies and PREMIS events: what the catalog records and the builders use. */

/**
 * Lifecycle of a package. `archived` only once every required copy is stored and read back verified;
 * `damaged` when an audit found no healthy copy left to repair from; `disposing` while an approved disposal
 * destroys its copies (audits leave it alone); `disposed` once they are gone and its tombstone is written.
 */
export type PackageState = 'stored' | 'archived' | 'failed' | 'damaged' | 'disposing' | 'disposed';

export type CopyStatus = 'stored' | 'verified' | 'failed' | 'missing';

/** Descriptive metadata of a record, as given by `record.json` or derived from the folder name. */
export interface DescriptiveMetadata {
  title: string;
  /** Identifier in the producing system, e.g. the case number "KS 2024/0113". */
  identifier?: string;
  creator?: string;
  /** ISO 8601 dates. */
  dates?: { created?: string; modified?: string; start?: string; end?: string };
  description?: string;
  /** Access restriction, e.g. a reference to the secrecy rule that applies ("OSL 26 kap. 1 §"). */
  accessRestriction?: string;
  /**
   * Node of the records classification scheme (klassificeringsstruktur) the record belongs to, e.g. a KLASSA
   * process code "3.1.2".
   */
  classification?: string;
  /** The archive creator (arkivbildare) whose archive the record belongs to. */
  archiveCreator?: ArchiveCreator;
  /** Language codes (ISO 639), e.g. ["sv"]. */
  language?: string[];
  subject?: string[];
  /** Kind of record (e.g. "bygglovsansökan"), for retention rules by record type. */
  recordType?: string;
  /** Id of the retention rule that applies, when the producer states it; it wins over rules that match. */
  retentionRule?: string;
}

/**
 * A NAD-style reference code (referenskod): a two-letter country code, the archival institution's code and the
 * archive's id, separated by "/", further levels allowed: "SE/RA/420422", "SE/EXK/BN/F1".
 */
export const REFERENCE_CODE = /^[A-Z]{2}(\/[^/\s][^/]*){2,}$/;

/** An archive creator (arkivbildare), as archival description names it. */
export interface ArchiveCreator {
  name: string;
  /**
   * Stable reference code of the archive creator's archive, NAD style `SE/<institution>/<id>`, e.g.
   * "SE/EXK/BN" (country, the archival institution's code, the archive's id).
   */
  referenceCode?: string;
  /** Organisation number or other identification code, e.g. "212000-0000". */
  identificationCode?: string;
}

export interface PackageRecord {
  id: string;
  label: string;
  profile: string;
  /** Where the record came from: source kind and its key (e.g. folder name). */
  sourceKind: string;
  sourceKey: string;
  /** SHA-256 over the record's sorted (path, sha256) list: identifies unchanged content. */
  contentDigest: string;
  /** Size of the package ZIP in bytes. */
  size: number;
  /** Hex SHA-256 of the whole package ZIP. */
  sha256: string;
  fileCount: number;
  state: PackageState;
  createdAt: Date;
  archivedAt?: Date;
  /** The package this one supersedes (a new version of the same record). */
  predecessorId?: string;
  metadata: DescriptiveMetadata;
}

export interface FileRecord {
  packageId: string;
  /** Path of the file inside the record, POSIX, as restored by `get`. */
  path: string;
  /** Path of the entry inside the package ZIP. */
  entryPath: string;
  size: number;
  sha256: string;
  /** Identified from the content (never the extension); `application/octet-stream` when unknown. */
  mimeType: string;
  /** Format in the PRONOM registry, when identified, e.g. `{ puid: 'fmt/354', name: 'Acrobat PDF/A …', version: '1b' }`. */
  format?: FileFormat;
  /** Last modification time of the source file. */
  modifiedAt: Date;
}

export interface FileFormat {
  puid?: string;
  name?: string;
  version?: string;
  /** What the identification rests on, e.g. "PDF header %PDF-1.4 and XMP pdfaid:part 1, conformance B". */
  basis: string;
}

export interface CopyRecord {
  packageId: string;
  location: string;
  key: string;
  size: number;
  sha256: string;
  versionId?: string;
  storedAt: Date;
  status: CopyStatus;
  lastVerifiedAt?: Date;
  lastCheckedAt?: Date;
}

/** The outcome of checking one stored copy. */
export interface CopyCheckRecord {
  packageId: string;
  location: string;
  status: CopyStatus;
  at: Date;
  /** The PREMIS event (e.g. "fixity check") recorded with it. */
  event?: EventRecord;
}

/** A PREMIS-shaped event. */
export interface EventRecord {
  id: string;
  packageId: string;
  /** PREMIS event type from the LoC vocabulary, e.g. "ingestion", "message digest calculation", "fixity check". */
  type: string;
  at: Date;
  outcome: 'success' | 'failure';
  detail: string;
  /** Agent identifier, e.g. "bevara/0.1.0". */
  agent: string;
  /** What the event was about beyond the package: a file path or a copy (location:key). */
  object?: string;
  runId?: string;
}

/** An object the archive stored beside packages, which the orphan listing must not report. */
export interface StoredObjectRecord {
  location: string;
  key: string;
  /**
   * `event-log`: PREMIS events of a package; `report`: an audit report; `damaged`: a damaged copy kept;
   * `kept-orphan`: an unknown object an operator chose to keep (`bevara orphans keep`).
   */
  kind: 'event-log' | 'report' | 'damaged' | 'kept-orphan';
  packageId?: string;
  storedAt: Date;
}

/** How far one location's copies are within their audit period. */
export interface CopyCoverage {
  location: string;
  copies: number;
  bytes: number;
  /** Copies whose last successful verification is at or after `since`. */
  withinPolicy: number;
  /** The copy whose last successful verification (or storage, if never) is oldest. */
  oldest?: CopyRecord;
}

export interface PackageSummary {
  id: string;
  label: string;
  size: number;
  fileCount: number;
  state: PackageState;
  createdAt: Date;
  copies: { location: string; status: CopyStatus }[];
}
