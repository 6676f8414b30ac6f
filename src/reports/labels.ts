/**
 * Every word the HTML run reports show, in Swedish and English. Renderers take a {@link Labels} object and never
 * hold text of their own, so a report is in one language throughout. Counted phrases are functions because
 * Swedish adjectives agree in number ("1 reparerad", "2 reparerade").
 */
import type { RunStatus } from '../model/run.js';
import { SV } from './labels-sv.js';
import type { ReportLanguage } from './write-report.js';

/** A phrase with a count in it, e.g. `n => "2 failed"`. */
export type Counted = (n: string, count: number) => string;

type Words<K extends string> = Record<K, string>;

export interface Labels {
  /** BCP 47 tag for `<html lang>` and number formatting. */
  locale: string;
  kind: Words<'audit' | 'ingest'>;
  status: Record<RunStatus, string>;
  /** Headline of the audit banner. */
  verdict: Words<'intact' | 'intactAfterRepair' | 'attention' | 'damaged'>;
  /** Banner line of an interrupted run; banner line after the number of deferred copies. */
  interrupted: string;
  deferred: string;
  /** Counted phrases for the banner. */
  counted: Record<
    'failed' | 'missing' | 'repaired' | 'damaged' | 'orphans' | 'deferred' | 'rejected' | 'waiting',
    Counted
  >;
  /** Headings of the summary counts, by `run.summary` key. */
  counts: Record<string, string>;
  /** Single words and short phrases of the meta line, tiles and cells. */
  duration: string;
  throughput: string;
  run: string;
  started: string;
  finished: string;
  timesInUtc: string;
  none: string;
  never: string;
  thisRun: string;
  days: string;
  of: string;
  sections: Words<
    | 'coverage'
    | 'failures'
    | 'repaired'
    | 'damaged'
    | 'orphans'
    | 'trend'
    | 'fine'
    | 'fineRecords'
    | 'problems'
  >;
  notes: Words<'coverage' | 'damaged' | 'orphans' | 'trend'>;
  columns: Words<
    | 'package'
    | 'location'
    | 'copy'
    | 'file'
    | 'rule'
    | 'expected'
    | 'actual'
    | 'status'
    | 'note'
    | 'withinPolicy'
    | 'period'
    | 'waitedLongest'
    | 'repairedFrom'
    | 'newKey'
    | 'previousKey'
    | 'at'
    | 'found'
    | 'key'
    | 'date'
    | 'subject'
    | 'bytes'
    | 'throughput'
  >;
  /** Item statuses as shown in tables; `missing` and `damaged` are derived from the item's details. */
  itemStatus: Record<string, string>;
}

/** English labels (the default). */
export const EN: Labels = {
  locale: 'en-GB',
  kind: { audit: 'Audit', ingest: 'Ingest' },
  status: {
    succeeded: 'All good',
    'completed-with-failures': 'Completed with failures',
    failed: 'Failed',
    running: 'Still running',
  },
  verdict: {
    intact: 'All copies intact',
    intactAfterRepair: 'All copies intact after repair',
    attention: 'All audited copies intact, but something needs a look',
    damaged: 'Failures: copies are damaged or missing',
  },
  interrupted: 'The run was interrupted before every copy was audited.',
  deferred: 'copies were planned but not reached within the window; they come first next time.',
  counted: {
    failed: (n) => `${n} failed`,
    missing: (n) => `${n} missing`,
    repaired: (n) => `${n} repaired`,
    damaged: (n, c) => `${n} ${c === 1 ? 'damaged package' : 'damaged packages'}`,
    orphans: (n, c) => `${n} ${c === 1 ? 'orphan' : 'orphans'}`,
    deferred: (n) => `${n} deferred`,
    rejected: (n) => `${n} rejected`,
    waiting: (n) => `${n} waiting for copies`,
  },
  counts: {
    copies: 'Copies',
    verified: 'Verified',
    failed: 'Failed',
    missing: 'Missing',
    repaired: 'Repaired',
    damaged: 'Damaged packages',
    orphans: 'Orphans',
    deferred: 'Deferred',
    files: 'Files checked',
    bytes: 'Bytes read',
    archived: 'Archived',
    unchanged: 'Unchanged',
    rejected: 'Rejected',
    waiting: 'Waiting for copies',
  },
  duration: 'Duration',
  throughput: 'Throughput',
  run: 'Run',
  started: 'started',
  finished: 'finished',
  timesInUtc: 'all times UTC',
  none: 'None.',
  never: 'never',
  thisRun: 'this run',
  days: 'days',
  of: 'of',
  sections: {
    coverage: 'Coverage',
    failures: 'Failed and missing copies',
    repaired: 'Repaired copies',
    damaged: 'Damaged packages',
    orphans: 'Orphans',
    trend: 'Trend',
    fine: 'Copies that were fine',
    fineRecords: 'Records without problems',
    problems: 'Problems',
  },
  notes: {
    coverage: 'Share of each location’s copies verified within its audit period.',
    damaged: 'No healthy copy is left to repair from. Restore from a backup or from the source.',
    orphans: 'Objects in storage that the catalog does not know.',
    trend: 'This run compared with earlier audits.',
  },
  columns: {
    package: 'Package',
    location: 'Location',
    copy: 'Copy',
    file: 'File',
    rule: 'Rule',
    expected: 'Expected',
    actual: 'Actual',
    status: 'Status',
    note: 'Note',
    withinPolicy: 'Within period',
    period: 'Period',
    waitedLongest: 'Waited longest',
    repairedFrom: 'Repaired from',
    newKey: 'New key',
    previousKey: 'Previous key',
    at: 'At',
    found: 'What was found',
    key: 'Key',
    date: 'Date',
    subject: 'Subject',
    bytes: 'Bytes read',
    throughput: 'MB/s',
  },
  itemStatus: {
    ok: 'OK',
    failed: 'Failed',
    missing: 'Missing',
    repaired: 'Repaired',
    damaged: 'Damaged',
    orphan: 'Orphan',
    skipped: 'Unchanged',
    rejected: 'Rejected',
    waiting: 'Waiting',
  },
};

/** The label table for a report language; unknown values fall back to English. */
export function labelsFor(language: ReportLanguage | undefined): Labels {
  return language === 'sv' ? SV : EN;
}
