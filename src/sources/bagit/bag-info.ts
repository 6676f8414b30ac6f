/**
 * `bag-info.txt` (RFC 8493 section 2.2.2): `Label: value` lines; a line starting with a space or tab continues
 * the value of the line before. Labels are compared case-insensitively; a few reserved labels may appear once.
 *
 * Mapping to the record's descriptive metadata:
 *
 * | bag-info label                                         | metadata                   |
 * |--------------------------------------------------------|----------------------------|
 * | Title, else External-Description, else the bag's name  | title                      |
 * | External-Identifier, else Internal-Sender-Identifier   | identifier                 |
 * | Source-Organization (several joined with "; ")         | creator                    |
 * | Bagging-Date                                           | dates.created              |
 * | External-Description                                   | description                |
 */
import type { DescriptiveMetadata } from '../../model/package.js';
import { printableName } from '../names.js';
import { isIsoDateOrDateTime } from '../record-json.js';
import { decodeTagText, splitTagLines } from './tag-text.js';

/** Name of the optional metadata tag file at the root of a bag. */
export const BAG_INFO_NAME = 'bag-info.txt';

/** Reserved labels that must not repeat (RFC 8493 section 2.2.2). */
const NOT_REPEATABLE = ['Bagging-Date', 'Bag-Size', 'Payload-Oxum', 'Bag-Group-Identifier', 'Bag-Count'];

/** The labels and values of a bag-info.txt, in file order, with continuation lines joined by one space. */
export interface BagInfo {
  entries: { label: string; value: string }[];
}

/** Parsed bag-info, or every problem found (each prefixed with its line when it has one). */
export type BagInfoResult = { ok: true; info: BagInfo } | { ok: false; problems: string[] };

/** Parses the raw bytes of a bag-info.txt (strict UTF-8, no BOM). */
export function parseBagInfo(bytes: Uint8Array): BagInfoResult {
  const decoded = decodeTagText(bytes);
  if (!decoded.ok) return { ok: false, problems: [decoded.reason] };
  const problems: string[] = [];
  const entries: BagInfo['entries'] = [];
  for (const line of splitTagLines(decoded.text)) {
    const last = entries[entries.length - 1];
    if (/^[ \t]/.test(line.text)) {
      if (last && line.text.trim() !== '') last.value = `${last.value} ${line.text.trim()}`.trim();
      else if (!last) problems.push(`line ${line.number}: continuation line without a label before it`);
      continue;
    }
    const m = /^([^:\s][^:]*?)[ \t]*:(?:[ \t]+(.*))?$/.exec(line.text);
    if (!m?.[1]) {
      problems.push(`line ${line.number}: expected "Label: value", found "${shorten(line.text)}"`);
      continue;
    }
    entries.push({ label: m[1], value: (m[2] ?? '').trim() });
  }
  const info: BagInfo = { entries };
  for (const label of NOT_REPEATABLE) {
    const count = values(info, label).length;
    if (count > 1) problems.push(`${label} appears ${count} times, at most once is allowed`);
  }
  const date = bagInfoValue(info, 'Bagging-Date');
  if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    problems.push(`Bagging-Date "${shorten(date)}" is not a date YYYY-MM-DD`);
  } else if (date !== undefined && !isIsoDateOrDateTime(date)) {
    problems.push(`Bagging-Date "${date}" is not a calendar date`);
  }
  return problems.length === 0 ? { ok: true, info } : { ok: false, problems };
}

/** Every value of a label (case-insensitive), in file order. */
export function values(info: BagInfo, label: string): string[] {
  const wanted = label.toLowerCase();
  return info.entries.filter((e) => e.label.toLowerCase() === wanted).map((e) => e.value);
}

/** The first non-empty value of a label, if any. */
export function bagInfoValue(info: BagInfo, label: string): string | undefined {
  return values(info, label).find((v) => v !== '');
}

/** `Payload-Oxum: <octets>.<file count>`. */
export interface PayloadOxum {
  octets: number;
  files: number;
}

/** The Payload-Oxum of the bag: undefined when absent, a string describing the problem when malformed. */
export function payloadOxum(info: BagInfo): PayloadOxum | string | undefined {
  const raw = bagInfoValue(info, 'Payload-Oxum');
  if (raw === undefined) return undefined;
  const m = /^(\d{1,15})\.(\d{1,15})$/.exec(raw);
  if (!m) return `Payload-Oxum "${shorten(raw)}" is not "<octets>.<file count>"`;
  return { octets: Number(m[1]), files: Number(m[2]) };
}

/** Descriptive metadata of a bag from its bag-info (see the table above); `name` is the bag's folder name. */
export function bagInfoToMetadata(info: BagInfo | undefined, name: string): DescriptiveMetadata {
  const get = (label: string) => (info ? bagInfoValue(info, label) : undefined);
  const description = get('External-Description');
  const metadata: DescriptiveMetadata = { title: get('Title') ?? description ?? name };
  const identifier = get('External-Identifier') ?? get('Internal-Sender-Identifier');
  if (identifier !== undefined) metadata.identifier = identifier;
  const creators = info ? values(info, 'Source-Organization').filter((v) => v !== '') : [];
  if (creators.length > 0) metadata.creator = creators.join('; ');
  const bagged = get('Bagging-Date');
  if (bagged !== undefined) metadata.dates = { created: bagged };
  if (description !== undefined) metadata.description = description;
  return metadata;
}

const shorten = (s: string) => printableName(s.length > 60 ? `${s.slice(0, 57)}...` : s);
