import type { Readable } from 'node:stream';

/** What a location knows about one stored object. */
export interface StoredObject {
  key: string;
  /** Size in bytes. */
  size: number;
  /** Hex SHA-256 of the whole object, when the driver stores or computes it. */
  sha256?: string;
  /** Last modification time reported by the location. */
  mtime?: Date;
  /** Storage version id (S3 versioning), when the location versions objects. */
  versionId?: string;
}

/** Inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface PutOptions {
  /**
   * Expected size in bytes, when known; an estimate is fine. Drivers use it to choose an upload strategy (s3: a
   * part size large enough that the upload stays within 10,000 parts).
   */
  size?: number;
  /**
   * Resolves to the hex SHA-256 of the body once the body has been fully consumed. The caller computes it
   * while streaming; the driver stores it beside the object (fs: sidecar metadata, s3: user metadata).
   */
  sha256?: () => string;
  signal?: AbortSignal;
}

export interface GetOptions {
  range?: ByteRange;
  signal?: AbortSignal;
}

/** What a location can do. Optional abilities are declared, never faked. */
export interface StorageCapabilities {
  /** `put` refuses to replace an existing key atomically. */
  writeOnce: boolean;
  /** Objects keep prior versions. */
  versioning: boolean;
}

/** One fact a location check establishes: `unknown` when an earlier failure kept it from being probed. */
export interface LocationFact {
  status: 'yes' | 'no' | 'unknown';
  /** Why, for people: what was probed and what the location answered. Never carries credentials. */
  detail?: string;
}

/** What `StorageDriver.check` establishes; facts that do not apply to a driver (fs: bucket) are left out. */
export interface LocationFacts {
  /** The location answered at all (fs: the root folder exists or can be created). */
  reachable?: LocationFact;
  /** The location accepted our credentials (s3). */
  credentials?: LocationFact;
  /** The configured bucket exists (s3). */
  bucket?: LocationFact;
  /** A small probe object under the driver's internal `.bevara/` prefix could be written. */
  write?: LocationFact;
  /** The probe could be removed again (Object Lock default retention may keep it: then it stays, hidden). */
  delete?: LocationFact;
  /** Objects keep prior versions (S3 versioning enabled, not suspended). */
  versioning?: LocationFact;
  /** Object Lock is enabled on the bucket; the detail names its default retention, if any. */
  objectLock?: LocationFact;
  /** A second create of an existing key is refused atomically (s3: `If-None-Match: *` answered 412; fs: link). */
  conditionalWrites?: LocationFact;
}

/**
 * One storage location: the filesystem (embedded default) or an S3-compatible bucket.
 * Keys are relative POSIX paths (see `validateKey`). Implementations live in this folder only;
 * SDK error shapes never leave it (they are translated to errors from `../errors.js`).
 */
export interface StorageDriver {
  /** Driver kind: "fs" | "s3". */
  readonly name: string;
  readonly capabilities: StorageCapabilities;
  /**
   * Streams `body` into a new object. The object becomes visible only when complete; on any error or abort
   * nothing is left behind. Throws `AlreadyExistsError` when `key` exists: packages are written once.
   */
  put(key: string, body: Readable, options?: PutOptions): Promise<StoredObject>;
  /** Streams an object or a byte range of it. Throws `NotFoundError`. */
  get(key: string, options?: GetOptions): Promise<Readable>;
  /** Metadata of an object, or null when it does not exist. */
  head(key: string): Promise<StoredObject | null>;
  /** Every object whose key starts with `prefix`, in no particular order. */
  list(prefix?: string): AsyncIterable<StoredObject>;
  /**
   * Reads a whole object and returns its size and hex SHA-256, by the driver's cheapest path (fs: one reused
   * buffer). Optional: callers fall back to hashing `get`. Throws `NotFoundError`. `onBytes` hears of each chunk
   * read (for progress).
   */
  digest?(
    key: string,
    options?: { onBytes?: (n: number) => void },
  ): Promise<{ size: number; sha256: string }>;
  /** Removes an object; no error when it does not exist. */
  delete(key: string): Promise<void>;
  /**
   * Probes what the location supports (`bevara storage check`): reachability, credentials, writes, versioning,
   * Object Lock, conditional writes. Never throws for what it finds: failures become `no` or `unknown` facts.
   */
  check?(): Promise<LocationFacts>;
  /**
   * Removes what interrupted writes left behind (s3: incomplete multipart uploads; fs: temp files) that was
   * started before `olderThan`, and returns what it removed. A write still in progress elsewhere is younger.
   */
  removeIncomplete?(olderThan: Date): Promise<string[]>;
  dispose?(): Promise<void>;
}
