/**
 * Which records an export hands out: package ids, or a search in the catalog's own terms. Each argument that is
 * a package id selects that package; the others form one search, `field:value` for a field (identifier, text,
 * creator, from, to, file, digest, puid) and bare words for the text. A search selects archived packages only.
 */
import type { Catalog } from '../catalog/types.js';
import type { PackageQuery } from '../catalog/console-types.js';
import type { PackageRecord } from '../model/package.js';
import { NotFoundError, ValidationError } from '../errors.js';

const FIELDS = {
  identifier: 'identifier',
  text: 'text',
  creator: 'creator',
  from: 'from',
  to: 'to',
  file: 'fileName',
  digest: 'digest',
  puid: 'puid',
} as const;

type SearchField = (typeof FIELDS)[keyof typeof FIELDS];

/** At most this many records per export: a query that matches more is refused, not cut short. */
export const MAX_EXPORT_RECORDS = 10_000;
const PAGE = 500;

export async function selectPackages(catalog: Catalog, targets: string[]): Promise<PackageRecord[]> {
  if (targets.length === 0)
    throw new ValidationError('export-target', '[export] name a package id or a search');
  const chosen = new Map<string, PackageRecord>();
  const search: Partial<Record<SearchField, string>> = {};
  for (const target of targets) {
    const pkg = /^uuid-[0-9a-f-]+$/.test(target) ? await catalog.getPackage(target) : null;
    if (pkg) {
      chosen.set(pkg.id, pkg);
      continue;
    }
    const [field, value] = splitCriterion(target);
    search[field] = search[field] ? `${search[field]} ${value}` : value;
  }
  if (Object.keys(search).length > 0) {
    for (const id of await searchAll(catalog, search)) {
      const pkg = chosen.has(id) ? undefined : await catalog.getPackage(id);
      if (pkg) chosen.set(id, pkg);
    }
  }
  if (chosen.size === 0)
    throw new NotFoundError(`[export] no archived package matches ${targets.map((t) => `"${t}"`).join(' ')}`);
  return [...chosen.values()];
}

function splitCriterion(target: string): [SearchField, string] {
  const match = /^([a-z]+):(.*)$/s.exec(target);
  if (!match) return ['text', target];
  const field = FIELDS[match[1] as keyof typeof FIELDS];
  const value = match[2]?.trim() ?? '';
  if (!field || !value)
    throw new ValidationError(
      'export-target',
      `[export] "${target}" is neither a package id nor a search (${Object.keys(FIELDS).join(':, ')}: or words)`,
    );
  return [field, value];
}

async function searchAll(catalog: Catalog, search: Partial<Record<SearchField, string>>): Promise<string[]> {
  const ids: string[] = [];
  let after: PackageQuery['after'];
  do {
    const page = await catalog.searchPackages({ ...search, state: 'archived', limit: PAGE, after });
    ids.push(...page.packages.map((p) => p.id));
    if (ids.length > MAX_EXPORT_RECORDS)
      throw new ValidationError(
        'export-too-many',
        `[export] the search matches more than ${MAX_EXPORT_RECORDS} records; narrow it`,
      );
    after = page.next;
  } while (after);
  return ids.reverse();
}
