/** Parses builder output back into objects for assertions; repeated elements are always arrays. */
import { XMLParser } from 'fast-xml-parser';

const ALWAYS_ARRAY = new Set([
  'dmdSec',
  'digiprovMD',
  'fileGrp',
  'file',
  'div',
  'premis:object',
  'premis:event',
  'premis:agent',
  'premis:relatedObjectIdentifier',
  'premis:linkingObjectIdentifier',
  'dc:date',
  'dc:subject',
  'dc:language',
  'dc:identifier',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => ALWAYS_ARRAY.has(name),
});

// biome-ignore lint/suspicious/noExplicitAny: test-only access into parsed XML
export type Parsed = any;

export function parseXml(xml: string): Parsed {
  return parser.parse(xml);
}

/** Text of an element that may carry attributes (`#text`) or be plain text. */
export function textOf(node: Parsed): string {
  return typeof node === 'object' && node !== null ? (node['#text'] ?? '') : String(node ?? '');
}

/** Line number (1-based) of the first line containing `needle`. */
export function lineOf(xml: string, needle: string): number {
  const index = xml.split('\n').findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`"${needle}" not found`);
  return index + 1;
}
