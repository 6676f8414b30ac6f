/**
 * A small namespace-aware element tree over fast-xml-parser's ordered output, with the line and an XPath of
 * every element, so that rules can say where a requirement failed. Only what the rules need: elements,
 * attributes by namespace, text.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Namespaces the rules look at. XML namespaces are case-sensitive: DILCIS is upper-case. */
export const NS = {
  mets: 'http://www.loc.gov/METS/',
  xlink: 'http://www.w3.org/1999/xlink',
  csip: 'https://DILCIS.eu/XML/METS/CSIPExtensionMETS',
  sip: 'https://DILCIS.eu/XML/METS/SIPExtensionMETS',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

const PREFIXES: Record<string, string> = {
  [NS.mets]: 'mets',
  [NS.xlink]: 'xlink',
  [NS.csip]: 'csip',
  [NS.sip]: 'sip',
};

export interface XmlNode {
  /** Namespace URI ('' when none). */
  ns: string;
  local: string;
  /** Name as written, with the document's prefix. */
  qname: string;
  /** Attributes keyed by `{namespace}local`, or just `local` for attributes without a namespace. */
  attrs: Map<string, string>;
  children: XmlNode[];
  /** Text content directly inside the element, concatenated. */
  text: string;
  /** 1-based line of the start tag. */
  line: number;
  /** XPath from the root, e.g. `/mets:mets/mets:fileSec/mets:fileGrp[2]`. */
  xpath: string;
}

export type ParsedXml = { root: XmlNode } | { error: string; line?: number };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  captureMetaData: true,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});
const META = XMLParser.getMetaDataSymbol() as unknown as string;

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

/** Parses a document; a document that is not well-formed gives the parser's message and line. */
export function parseXml(xml: string): ParsedXml {
  const text = xml.startsWith('\uFEFF') ? xml.slice(1) : xml;
  // Package metadata never needs a document type: its entity declarations (external, parameter, or expanding
  // to gigabytes) are how XML attacks a reader, so a document that declares one is refused unread.
  const doctype = /<!DOCTYPE/i.exec(text);
  if (doctype) {
    const line = text.slice(0, doctype.index).split('\n').length;
    return { error: 'a DOCTYPE (entity declarations) is not accepted in package metadata', line };
  }
  const check = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (check !== true) return { error: check.err.msg, line: check.err.line };
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineAt = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  let parsed: Ordered[];
  try {
    parsed = parser.parse(text) as Ordered[];
  } catch (err) {
    // The parser's own limits (nesting depth, entities) refuse the document, not the run.
    return { error: `not accepted by the parser: ${err instanceof Error ? err.message : String(err)}` };
  }
  const top = parsed.find((n) => elementName(n) !== undefined);
  if (!top) return { error: 'no root element' };
  const root = build(top, new Map([['xml', NS.xml]]), lineAt);
  assignPaths(root, `/${step(root)}`);
  return { root };
}

function elementName(node: Ordered): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && !k.startsWith('#') && !k.startsWith('?'));
}

function build(node: Ordered, scope: Map<string, string>, lineAt: (o: number) => number): XmlNode {
  const qname = elementName(node) as string;
  const raw = node[':@'] ?? {};
  const ns = new Map(scope);
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'xmlns') ns.set('', value);
    else if (name.startsWith('xmlns:')) ns.set(name.slice(6), value);
  }
  const [prefix, local] = splitName(qname);
  const attrs = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    const [p, l] = splitName(name);
    attrs.set(p === '' ? l : `{${ns.get(p) ?? p}}${l}`, String(value));
  }
  const meta = (node as Record<string, unknown>)[META] as { startIndex?: number } | undefined;
  const el: XmlNode = {
    ns: ns.get(prefix) ?? '',
    local,
    qname,
    attrs,
    children: [],
    text: '',
    line: lineAt(meta?.startIndex ?? 0),
    xpath: '',
  };
  for (const child of (node[qname] as Ordered[] | undefined) ?? []) {
    if ('#text' in child) el.text += String(child['#text']);
    if (elementName(child) !== undefined) el.children.push(build(child, ns, lineAt));
  }
  return el;
}

/** Gives every element its XPath; a position is added where siblings share the name. */
function assignPaths(el: XmlNode, path: string): void {
  el.xpath = path;
  const counts = new Map<string, number>();
  for (const c of el.children) counts.set(c.qname, (counts.get(c.qname) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const child of el.children) {
    const n = (seen.get(child.qname) ?? 0) + 1;
    seen.set(child.qname, n);
    assignPaths(child, `${path}/${step(child)}${(counts.get(child.qname) ?? 0) > 1 ? `[${n}]` : ''}`);
  }
}

function step(el: XmlNode): string {
  const prefix = PREFIXES[el.ns];
  return prefix ? `${prefix}:${el.local}` : el.qname;
}

function splitName(name: string): [string, string] {
  const i = name.indexOf(':');
  return i === -1 ? ['', name] : [name.slice(0, i), name.slice(i + 1)];
}

/** Attribute value; `ns` omitted for attributes without a namespace (METS's own attributes). */
export function attr(node: XmlNode, local: string, ns?: string): string | undefined {
  return node.attrs.get(ns ? `{${ns}}${local}` : local);
}

/** Child elements with a local name, in the METS namespace unless another is given. */
export function kids(node: XmlNode, local: string, ns: string = NS.mets): XmlNode[] {
  return node.children.filter((c) => c.local === local && c.ns === ns);
}

/** First child element with a local name, or undefined. */
export function kid(node: XmlNode, local: string, ns: string = NS.mets): XmlNode | undefined {
  return node.children.find((c) => c.local === local && c.ns === ns);
}
