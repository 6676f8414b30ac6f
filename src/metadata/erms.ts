import { XMLParser } from 'fast-xml-parser';
import type { DescriptiveMetadata } from '../model/package.js';

/** The CITS ERMS (FGS Ärendehantering) namespace. */
export const ERMS_NAMESPACE = 'https://DILCIS.eu/XML/ERMS';

/** What bevara takes from an ERMS export: the first aggregation (case) describes the record. */
export interface ErmsSummary {
  title?: string;
  /** The case's identifications, in document order, e.g. `[{ type: 'diarienummer', value: 'KS 2024/0113' }]`. */
  identifications: { type?: string; value: string }[];
  objectId?: string;
  aggregationType?: string;
  /** ISO 8601 dates found on the case (`created`, `closed`, …) by dateType. */
  dates: Record<string, string>;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  isArray: (name) => ['aggregation', 'identification', 'date', 'title'].includes(name),
});

type Node = Record<string, unknown>;
const text = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value.trim() || undefined;
  if (value && typeof value === 'object' && '#text' in value) return String((value as Node)['#text']).trim();
  return undefined;
};

/**
 * Reads the summary of an ERMS document that has passed schema validation (which also settles its namespace).
 * Returns an error text when the root is not `erms`.
 */
export function readErms(xml: string): { ok: true; summary: ErmsSummary } | { ok: false; problem: string } {
  const doc = parser.parse(xml) as Node;
  const root = doc.erms as Node | undefined;
  if (!root) return { ok: false, problem: 'the root element is not <erms>' };
  const aggregations = (root.aggregations as Node | undefined)?.aggregation as Node[] | undefined;
  const first = aggregations?.[0] ?? {};
  const identifications = ((first.identification as unknown[]) ?? []).flatMap((node) => {
    const value = text(node);
    const type = (node as Node)['@identificationType'];
    return value ? [{ type: typeof type === 'string' ? type : undefined, value }] : [];
  });
  const dates: Record<string, string> = {};
  for (const node of ((first.dates as Node | undefined)?.date as unknown[]) ?? []) {
    const type = (node as Node)['@dateType'];
    const value = text(node);
    if (typeof type === 'string' && value && !(type in dates)) dates[type] = value;
  }
  return {
    ok: true,
    summary: {
      title: text((first.title as unknown[] | undefined)?.[0]),
      identifications,
      objectId: text(first.objectId),
      aggregationType: typeof first['@aggregationType'] === 'string' ? first['@aggregationType'] : undefined,
      dates,
    },
  };
}

/** Descriptive metadata from an ERMS summary: the case title is the package label, its first identification the identifier. */
export function ermsDescriptiveMetadata(summary: ErmsSummary): Partial<DescriptiveMetadata> {
  const date = (type: string) => summary.dates[type]?.slice(0, 10);
  const out: Partial<DescriptiveMetadata> = {};
  if (summary.title) out.title = summary.title;
  const identifier = summary.identifications[0]?.value ?? summary.objectId;
  if (identifier) out.identifier = identifier;
  const created = date('created') ?? date('opened');
  const closed = date('closed');
  if (created || closed) out.dates = { ...(created ? { created } : {}), ...(closed ? { end: closed } : {}) };
  return out;
}
