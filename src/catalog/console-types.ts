/**
 * What the web console (`bevara serve`) needs of the catalog beyond what ingest and audit use: accounts and
 * sessions, package search, and counts for the overview and `/metrics`. Part of `Catalog`.
 */
import type {
  CopyStatus,
  DescriptiveMetadata,
  PackageState,
  PackageSummary,
  RecordState,
  RunKind,
  RunStatus,
} from './types.js';

/**
 * reader: sees everything but restricted downloads; archivist: jobs, runs, quarantine, downloads (restricted
 * ones too, logged); operations: audits, orphans, locations; admin: all of it and the accounts.
 */
export type UserRole = 'reader' | 'archivist' | 'operations' | 'admin';

export const USER_ROLES: readonly UserRole[] = ['reader', 'archivist', 'operations', 'admin'];

/** A local account of the console. */
export interface UserRecord {
  /** Login name: 1-64 letters, digits, ".", "_", "-", "@". */
  name: string;
  role: UserRole;
  /** argon2id hash in PHC string form (`$argon2id$v=19$m=…`); the password itself is never stored. */
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A console session. The session id is only in the user's cookie; the catalog keeps its SHA-256. */
export interface SessionRecord {
  /** Hex SHA-256 of the session id. */
  idHash: string;
  user: string;
  /** Synchronizer token every state-changing request of this session must carry. */
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
}

/** Where a page of search results ends: the next page starts after this package. */
export interface PackageCursor {
  createdAt: Date;
  id: string;
}

/**
 * A package search. Every criterion given must hold. Text criteria match anywhere in the value, ignoring case;
 * digests and PUIDs match exactly.
 */
export interface PackageQuery {
  /** Matched against the title (label), identifier and creator; every word must be found in one of them. */
  text?: string;
  /** Identifier in the producing system (diarienummer), e.g. "BN 2024/0113" or part of it. */
  identifier?: string;
  creator?: string;
  /**
   * The archive creator (arkivbildare): part of its name or of its reference code ("Byggnadsnämnden",
   * "SE/EXK/BN"), ignoring case.
   */
  archiveCreator?: string;
  /**
   * A node of the classification structure: packages classified at that node or below it ("3.1" finds "3.1" and
   * "3.1.2", not "3.10").
   */
  classification?: string;
  /** ISO dates (YYYY-MM-DD): records whose dates (start or created, to end or created) overlap from..to. */
  from?: string;
  to?: string;
  /** Part of the path of a file in the package. */
  fileName?: string;
  /** Hex SHA-256 of a file in the package or of the package ZIP itself. */
  digest?: string;
  /** PRONOM id of a file's format, e.g. `fmt/354`. */
  puid?: string;
  state?: PackageState;
  /** Page size, 1-500. */
  limit: number;
  /** The page after this package (newest first): the `next` of the page before. */
  after?: PackageCursor;
}

export interface PackageHit extends PackageSummary {
  metadata: DescriptiveMetadata;
}

export interface PackageSearchPage {
  /** Newest first (created at, then id). */
  packages: PackageHit[];
  /** Set when more packages match: pass it as `after` for the next page. */
  next?: PackageCursor;
}

/** Counts over the whole catalog, for the overview and `/metrics`. */
export interface CatalogStats {
  packages: { state: PackageState; count: number; bytes: number }[];
  /** Files of every package and their original size. */
  files: { count: number; bytes: number };
  copies: { location: string; status: CopyStatus; count: number; bytes: number }[];
  runs: { kind: RunKind; status: RunStatus; count: number }[];
  /** Records of every job by the state they stand in. */
  records: { state: RecordState; count: number }[];
  /**
   * Copies an audit found failed and replaced from a healthy copy (a PREMIS `replication` event each): the sum of
   * `repaired` over the summaries of finished audit runs, so a run still going counts once it ends.
   */
  repairs: number;
}

/** Bytes of the copies a location holds now, by the UTC day each copy was stored (YYYY-MM-DD). */
export interface StorageDay {
  location: string;
  day: string;
  bytes: number;
}

export interface ConsoleCatalog {
  /** Adds an account. Throws `CatalogError` when the name is taken. */
  addUser(user: UserRecord): Promise<void>;
  /** Changes an account's role or password hash. Throws `NotFoundError`. */
  updateUser(name: string, change: { role?: UserRole; passwordHash?: string }, at: Date): Promise<void>;
  getUser(name: string): Promise<UserRecord | null>;
  /** Every account, by name. */
  listUsers(): Promise<UserRecord[]>;
  /** Removes an account and its sessions. Throws `NotFoundError`. */
  removeUser(name: string): Promise<void>;

  addSession(session: SessionRecord): Promise<void>;
  /** The session with this id hash, unless it expired at `now`. */
  getSession(idHash: string, now: Date): Promise<SessionRecord | null>;
  removeSession(idHash: string): Promise<void>;
  /** Removes the sessions expired at `now`. Returns how many. */
  removeExpiredSessions(now: Date): Promise<number>;

  /** Packages matching every criterion, newest first, a page at a time (keyset paging). */
  searchPackages(query: PackageQuery): Promise<PackageSearchPage>;
  /** Counts of packages, files, copies, runs and job records by state. */
  catalogStats(): Promise<CatalogStats>;
  /** Storage used by location and day stored, days in order: what the overview's growth chart adds up. */
  storageByDay(): Promise<StorageDay[]>;
}
