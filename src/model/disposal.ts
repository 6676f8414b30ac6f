/**
 * Appraisal and disposal (gallring): legal holds, disposal proposals and their items, and the tombstones the
 * catalog keeps of what was destroyed.
 */

/** What a hold placed by query covers: every package whose metadata matches all the given fields. */
export interface HoldQuery {
  /** A classification code; also holds every code below it (`3.1` holds `3.1.2`). */
  classification?: string;
  /** The record's identifier (diarienummer), exactly. */
  identifier?: string;
  /** The record type (`recordType` in record.json), exactly. */
  recordType?: string;
}

/** A legal hold: while active, no package it covers is disposed of. */
export interface HoldRecord {
  id: string;
  /** The package held (with every version of its record); absent for a hold by query. */
  packageId?: string;
  query?: HoldQuery;
  /** Why, in words an auditor can read later (a case, a request for records). */
  reason: string;
  placedBy: string;
  placedAt: Date;
  releasedBy?: string;
  releasedAt?: Date;
  releaseReason?: string;
}

/**
 * `proposed`: planned, waiting for a second person; `approved`: being carried out, or waiting for copies under
 * Object Lock retention (it stays open until they are gone); `completed`: every item decided.
 */
export type ProposalStatus = 'proposed' | 'approved' | 'completed';

export interface DisposalProposal {
  id: string;
  status: ProposalStatus;
  plannedBy: string;
  plannedAt: Date;
  approvedBy?: string;
  approvedAt?: Date;
  completedAt?: Date;
}

/**
 * `proposed`: waits for approval; `held`: a legal hold kept it; `locked`: a copy is under retention, it waits;
 * `failed`: a location refused or was down, the next approve tries again; `disposed`: every copy destroyed and
 * the tombstone written; `review`: the rule asks a person to appraise it, nothing is deleted.
 */
export type DisposalItemStatus = 'proposed' | 'held' | 'locked' | 'failed' | 'disposed' | 'review';

export interface DisposalItem {
  proposalId: string;
  packageId: string;
  /** The retention rule that made it due. */
  ruleId: string;
  action: 'dispose' | 'review';
  /** When the retention period ended. */
  dueAt: Date;
  /** Why it is due, for people: the rule, the date it counts from, the period; or "predecessor of …". */
  reason: string;
  status: DisposalItemStatus;
  /** What happened last (which copy is locked until when, which location failed). */
  detail?: string;
  updatedAt: Date;
}

/** One stored object destroyed, with the digest it had. */
export interface DestroyedObject {
  location: string;
  key: string;
  /** `copy` (the package), or the kind of object stored beside it (`event-log`, `damaged`). */
  kind: string;
  size?: number;
  sha256?: string;
  versionId?: string;
}

/** What the catalog keeps of a disposed package. The package row stays too, in state `disposed`. */
export interface TombstoneRecord {
  packageId: string;
  proposalId: string;
  ruleId: string;
  label: string;
  identifier?: string;
  classification?: string;
  dates?: { created?: string; modified?: string; start?: string; end?: string };
  /** The decision: who planned and approved it, under which rule and why. */
  decision: { plannedBy: string; approvedBy: string; approvedAt: Date; reason: string };
  /** Digests of what was destroyed: the package ZIP, its content digest, and every object removed. */
  destroyed: {
    packageSha256: string;
    packageSize: number;
    contentDigest: string;
    fileCount: number;
    objects: DestroyedObject[];
  };
  disposedAt: Date;
  /** Whether the package's file list was removed from the catalog with it (see the rule's `keepFileList`). */
  fileList: 'forgotten' | 'kept';
}
