/** Package search from request parameters (for the API and the search page alike) and one package in full. */
import type { AppContext } from '../../app/context.js';
import type { PackageCursor, PackageQuery } from '../../catalog/types.js';
import type {
  CopyRecord,
  EventRecord,
  FileRecord,
  PackageRecord,
  PackageState,
} from '../../model/package.js';
import { NotFoundError, ValidationError } from '../../errors.js';

export const DEFAULT_PAGE = 25;
export const MAX_PAGE = 100;
const STATES: readonly PackageState[] = ['stored', 'archived', 'failed', 'damaged'];

/** `2024-05-13T08:15:30.123Z|<id>` in base64url: opaque to clients, and never a page number. */
export function encodeCursor(cursor: PackageCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`).toString('base64url');
}

export function decodeCursor(text: string): PackageCursor {
  const decoded = Buffer.from(text, 'base64url').toString('utf8');
  const bar = decoded.indexOf('|');
  const createdAt = new Date(decoded.slice(0, bar));
  if (bar < 0 || Number.isNaN(createdAt.getTime()) || decoded.slice(bar + 1) === '')
    throw new ValidationError('search-cursor', '[packages] "after" is not a cursor this server gave');
  return { createdAt, id: decoded.slice(bar + 1) };
}

/** The search parameters a request can hold, as text (query string or form). */
export interface SearchParams {
  text?: string;
  identifier?: string;
  creator?: string;
  /** Archive creator (arkivbildare): part of its name or reference code. */
  archiveCreator?: string;
  /** Classification node: packages classified there or below. */
  classification?: string;
  from?: string;
  to?: string;
  file?: string;
  digest?: string;
  puid?: string;
  state?: string;
  limit?: string;
  after?: string;
}

const given = (value: unknown) =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/** A `PackageQuery` from parameters; throws `ValidationError` naming the parameter and rule of the first problem. */
export function parseSearch(params: SearchParams): PackageQuery {
  const bad = (rule: string, message: string): never => {
    throw new ValidationError(rule, `[packages] ${message}`);
  };
  const query: PackageQuery = { limit: DEFAULT_PAGE };
  for (const key of ['text', 'identifier', 'creator', 'archiveCreator', 'classification', 'puid'] as const) {
    const value = given(params[key]);
    if (value !== undefined) query[key] = value;
  }
  const file = given(params.file);
  if (file !== undefined) query.fileName = file;
  for (const key of ['from', 'to'] as const) {
    const value = given(params[key]);
    if (value === undefined) continue;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value)))
      bad('search-date', `${key} must be a date YYYY-MM-DD, got "${value}"`);
    query[key] = value;
  }
  const digest = given(params.digest);
  if (digest !== undefined) {
    if (!/^[0-9a-fA-F]{64}$/.test(digest)) bad('search-digest', `digest must be a SHA-256 in 64 hex digits`);
    query.digest = digest.toLowerCase();
  }
  const state = given(params.state);
  if (state !== undefined) {
    if (!(STATES as readonly string[]).includes(state))
      bad('search-state', `state must be one of ${STATES.join(', ')}, got "${state}"`);
    query.state = state as PackageState;
  }
  const limit = given(params.limit);
  if (limit !== undefined) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) bad('search-limit', `limit must be 1 to ${MAX_PAGE}`);
    query.limit = n;
  }
  const after = given(params.after);
  if (after !== undefined) query.after = decodeCursor(after);
  return query;
}

export interface PackageDetail {
  package: PackageRecord;
  /** The record's access restriction (record.json `accessRestriction`): downloads need the archivist role. */
  restricted: boolean;
  files: FileRecord[];
  copies: CopyRecord[];
  events: EventRecord[];
}

export async function packageDetail(ctx: AppContext, id: string): Promise<PackageDetail> {
  const pkg = await ctx.catalog.getPackage(id);
  if (!pkg) throw new NotFoundError(`[packages] package ${id} is not in the catalog`);
  const [files, copies, events] = await Promise.all([
    ctx.catalog.listFiles(id),
    ctx.catalog.listCopies({ packageId: id }),
    ctx.catalog.listEvents(id),
  ]);
  return { package: pkg, restricted: isRestricted(pkg), files, copies, events };
}

export const isRestricted = (pkg: PackageRecord) => Boolean(pkg.metadata.accessRestriction?.trim());
