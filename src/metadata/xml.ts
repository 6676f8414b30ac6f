/**
 * Shared helpers for the metadata builders: namespaces, one configured fast-xml-parser `XMLBuilder`, and small
 * functions for values that every document needs (dates, xs:ID values, hrefs).
 *
 * Documents are described as plain objects in fast-xml-parser's layout: keys starting with `@_` are attributes,
 * `#text` is text content, every other key is a child element (an array repeats it), and `undefined` values are
 * left out. Key order is document order. The builder escapes `& < > " '` in text and attribute values
 * (`processEntities`), and {@link toXmlChars} replaces characters that XML 1.0 does not allow at all.
 */
import { XMLBuilder } from 'fast-xml-parser';

/** Namespace URIs used by the builders. XML namespaces are case-sensitive: the CSIP one is upper-case DILCIS. */
export const NS = {
  mets: 'http://www.loc.gov/METS/',
  xlink: 'http://www.w3.org/1999/xlink',
  csip: 'https://DILCIS.eu/XML/METS/CSIPExtensionMETS',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  premis: 'http://www.loc.gov/premis/v3',
  dc: 'http://purl.org/dc/elements/1.1/',
  oaiDc: 'http://www.openarchives.org/OAI/2.0/oai_dc/',
} as const;

/** Content of an element or attribute value in fast-xml-parser's object layout. */
export type XmlContent = string | number | XmlElement | XmlContent[] | undefined;

/** One element: `@_name` attributes, `#text`, and child elements by qualified name. */
export interface XmlElement {
  [key: string]: XmlContent;
}

/** Attribute values by attribute name (without the `@_` prefix); `undefined` values are left out. */
export type XmlAttributes = Record<string, string | number | undefined>;

// Anything outside the XML 1.0 Char production (TAB, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF):
// other C0 controls, U+FFFE/U+FFFF and, thanks to the "u" flag, lone surrogates.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Replaces characters that cannot appear in an XML 1.0 document (e.g. U+0001) with U+FFFD. */
export function toXmlChars(value: string): string {
  return value.replace(NOT_XML_CHAR, '\uFFFD');
}

function cleanValue(_name: string, value: unknown): unknown {
  return typeof value === 'string' ? toXmlChars(value) : value;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  processEntities: true,
  tagValueProcessor: cleanValue,
  attributeValueProcessor: cleanValue,
});

/** Serialises one root element as a UTF-8 XML document with an XML declaration. */
export function buildXml(rootName: string, root: XmlElement): string {
  return builder.build({ '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, [rootName]: root });
}

/** Builds an element from attributes, child elements and optional text; undefined values are dropped. */
export function element(
  attributes: XmlAttributes = {},
  children: Record<string, XmlContent> = {},
  text?: string,
): XmlElement {
  const node: XmlElement = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) node[`@_${name}`] = value;
  }
  for (const [name, value] of Object.entries(children)) {
    if (value !== undefined) node[name] = value;
  }
  if (text !== undefined) node['#text'] = text;
  return node;
}

/** An element holding only text, with optional attributes. */
export function textElement(text: string, attributes: XmlAttributes = {}): XmlElement {
  return element(attributes, {}, text);
}

/** xs:dateTime in UTC with milliseconds, e.g. "2024-03-01T09:30:00.000Z". */
export function xmlDateTime(date: Date): string {
  return date.toISOString();
}

/**
 * A valid xs:ID (an NCName): "ID-" followed by the parts joined with "-", characters other than ASCII letters,
 * digits, ".", "_" and "-" replaced by "_". Deterministic, so the same input gives the same document.
 */
export function xmlId(...parts: (string | number)[]): string {
  return `ID-${parts.map((p) => String(p).replace(/[^A-Za-z0-9._-]/g, '_')).join('-')}`;
}

/** A relative URL for a POSIX path: each segment percent-encoded (spaces, å/ä/ö, "#", "%", ...). */
export function hrefFor(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** Folder of the representation inside the package, e.g. "representations/rep1". */
export function representationPath(representationId: string): string {
  return `representations/${representationId}`;
}

/**
 * Identifier of the representation: `${packageId}/representations/${representationId}`, unique across packages:
 * the PREMIS representation object's identifier. (The representation METS OBJID is the folder name alone, as
 * CSIP1 prefers.)
 */
export function representationObjectId(packageId: string, representationId: string): string {
  return `${packageId}/${representationPath(representationId)}`;
}

/** The element marking, in a document's skeleton, where `buildXmlParts` puts the list named `slot`. */
export function xmlSlot(slot: string): string {
  return `bevara-slot-${slot}`;
}

/** What `buildXmlParts` builds: each call a fresh pass over the document's text, in parts. */
export type XmlParts = () => Generator<string>;

/** A long list of elements named `name` for the slot `slot`, made one by one (each call of `items` a fresh pass). */
export interface XmlList {
  slot: string;
  name: string;
  items: () => Iterable<XmlElement>;
}

/**
 * A document with long lists (one element per file of a package) built in parts, so that it is never held
 * whole: `root` holds `[xmlSlot(list.slot)]: ''` where each list goes (lists in document order), and each item is
 * built only when its part is taken.
 * Joined, the parts are exactly what `buildXml` gives with the items in each slot's place (same indentation: an
 * item is built inside as many wrappers as its slot is deep, then cut out).
 */
export function buildXmlParts(rootName: string, root: XmlElement, lists: readonly XmlList[]): XmlParts {
  const skeleton = buildXml(rootName, root);
  const pieces: string[] = [];
  const depths: number[] = [];
  let from = 0;
  lists.forEach((list) => {
    const marker = `<${xmlSlot(list.slot)}/>`;
    const at = skeleton.indexOf(marker, from);
    if (at < 0) throw new Error(`[metadata:xml] ${rootName}: slot ${list.slot} missing or out of order`);
    const lineStart = skeleton.lastIndexOf('\n', at) + 1;
    pieces.push(skeleton.slice(from, lineStart));
    depths.push((at - lineStart) / 2);
    from = at + marker.length + 1;
  });
  pieces.push(skeleton.slice(from));
  return function* parts() {
    for (const [n, list] of lists.entries()) {
      yield pieces[n] as string;
      yield* listParts(list, depths[n] as number);
    }
    yield pieces[lists.length] as string;
  };
}

function* listParts(list: XmlList, depth: number): Generator<string> {
  const opening = Array.from({ length: depth }, (_, i) => `${'  '.repeat(i)}<w>\n`).join('').length;
  const closing = Array.from({ length: depth }, (_, i) => `${'  '.repeat(i)}</w>\n`).join('').length;
  for (const item of list.items()) {
    let wrapped: XmlElement = { [list.name]: item };
    for (let i = 0; i < depth; i++) wrapped = { w: wrapped };
    const built: string = builder.build(wrapped);
    yield built.slice(opening, built.length - closing);
  }
}
