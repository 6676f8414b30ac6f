import type {
  DisposalItem,
  DisposalItemStatus,
  DisposalProposal,
  HoldRecord,
  ProposalStatus,
  TombstoneRecord,
} from '../model/disposal.js';
import type { EventRecord, PackageRecord } from '../model/package.js';

export type * from '../model/disposal.js';

/** What a disposal records when a package's last copy is gone: all of it in one transaction. */
export interface DisposalRecord {
  tombstone: TombstoneRecord;
  /** The PREMIS deletion event of the package. */
  event: EventRecord;
  /** Also removes the package's file list (and, on SQLite, its rows in the file-name search index). */
  forgetFiles: boolean;
}

/**
 * Appraisal and disposal (src/disposal/): legal holds, two-step disposal proposals and tombstones. Used by
 * `bevara hold`, `bevara disposal`, and by the audit (disposed packages' copies are expected to be gone).
 */
export interface DisposalCatalog {
  addHold(hold: HoldRecord): Promise<void>;
  /**
   * Releases an active hold for `by` with `reason`. Throws NotFoundError for an unknown id; a hold released
   * already stays as it was (the first release is kept) and is returned as such.
   */
  releaseHold(id: string, release: { by: string; reason: string; at: Date }): Promise<HoldRecord>;
  /** Holds oldest first; `active`: only those not released. */
  listHolds(filter?: { active?: boolean; packageId?: string }): Promise<HoldRecord[]>;

  /** The packages that are the newest version of their record (no package names them predecessor), by id, paged. */
  pageRecordHeads(page: { after?: string; limit: number }): Promise<PackageRecord[]>;

  /** Adds a proposal with its items, in one transaction. */
  addProposal(proposal: DisposalProposal, items: DisposalItem[]): Promise<void>;
  getProposal(id: string): Promise<DisposalProposal | null>;
  /** Proposals newest first. */
  listProposals(filter?: { status?: ProposalStatus }): Promise<DisposalProposal[]>;
  /** Items of a proposal (`proposalId`) or of a package in any proposal, ordered by proposal then package id. */
  listDisposalItems(filter: { proposalId?: string; packageId?: string }): Promise<DisposalItem[]>;
  /**
   * Approves a `proposed` proposal (compare-and-set: returns false when it was not `proposed` any more). The
   * catalog does not judge who: the caller refuses the planner as approver.
   */
  approveProposal(id: string, approvedBy: string, at: Date): Promise<boolean>;
  setDisposalItem(
    proposalId: string,
    packageId: string,
    change: { status: DisposalItemStatus; detail?: string },
    at: Date,
  ): Promise<void>;
  completeProposal(id: string, at: Date): Promise<void>;

  /**
   * Records a package as disposed, in one transaction: its copies and stored objects are forgotten, its state
   * becomes `disposed`, the tombstone and the deletion event are written and its item becomes `disposed`.
   * Recording the same package twice is refused (a duplicate tombstone).
   */
  recordDisposal(record: DisposalRecord): Promise<void>;
  /**
   * Rewrites what deleted rows leave behind, so that forgotten file names cannot be read back from the database's
   * files: SQLite merges the file-name index (its segments keep a deleted name's trigrams until merged) and
   * empties the WAL (which holds earlier page images); PostgreSQL runs VACUUM on the files table, which frees the
   * space of deleted rows for reuse (it does not overwrite it). Costs a pass over the index: once per disposal pass.
   */
  purgeDeleted(): Promise<void>;
  getTombstone(packageId: string): Promise<TombstoneRecord | null>;
  listTombstones(filter: { proposalId?: string }): Promise<TombstoneRecord[]>;
}
