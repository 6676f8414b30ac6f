/**
 * An ISO Schematron evaluator: a schema's patterns, rules, asserts and reports, with every XPath (rule contexts,
 * tests, `let` variables, `value-of`) evaluated by fontoxpath (XPath 3.1, so `queryBinding="xslt2"` schemas run
 * as written) over an @xmldom/xmldom document, which gives each element its line.
 *
 * Semantics as ISO/IEC 19757-3 states them: within a pattern a node is matched by the first rule whose context
 * matches it (later rules of the same pattern do not fire for it); every pattern sees every node. A rule context
 * is an XSLT pattern; it is evaluated as `//(context)` (or as written when it starts at the root), which gives
 * the same nodes for the patterns Schematron schemas use (paths and predicates, no `key()` or `id()` patterns).
 * Not supported (refused when compiling, never ignored): `include`, `extends`, abstract rules and patterns,
 * phases other than #ALL.
 *
 * A document with a DOCTYPE is refused unread, as everywhere in bevara (entity attacks).
 */
import { DOMParser, type Element, type Node as XmlDomNode } from '@xmldom/xmldom';
import fontoxpath from 'fontoxpath';
import { PreservationError } from '../errors.js';

const { evaluateXPathToBoolean, evaluateXPathToNodes, evaluateXPathToString, evaluateXPath } = fontoxpath;

const SCH_NS = 'http://purl.oclc.org/dsdl/schematron';

/** One failed assert or fired report. */
export interface SchematronFinding {
  /** The assert's (or report's) id; else its rule's; else "<pattern id>: <rule context>". */
  id: string;
  /** `role` of the assert ("error" when it has none; "warning", "info" as the schema says). */
  role: string;
  /** The assert's text, whitespace collapsed, with `value-of`/`name` evaluated. */
  message: string;
  /** 1-based line of the element the rule fired on (an attribute's element). */
  line?: number;
  /** The test that failed (assert) or held (report). */
  test: string;
}

interface CompiledCheck {
  kind: 'assert' | 'report';
  id?: string;
  role?: string;
  test: string;
  message: Element;
}

interface CompiledRule {
  id?: string;
  context: string;
  lets: { name: string; value: string }[];
  checks: CompiledCheck[];
}

interface CompiledPattern {
  id?: string;
  rules: CompiledRule[];
}

/** A compiled Schematron schema; `validate` runs it on one document. */
export interface Schematron {
  /** Every failed assert and fired report, in pattern, rule and document order. */
  validate(xml: string): SchematronFinding[];
}

function parse(xml: string, what: string): XmlDomNode {
  if (/<!DOCTYPE/i.test(xml)) throw new PreservationError(`[schematron] ${what}: a DOCTYPE is not accepted`);
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  }).parseFromString(xml, 'text/xml');
  if (errors.length > 0)
    throw new PreservationError(`[schematron] ${what} is not well-formed XML: ${errors[0]}`);
  return doc as unknown as XmlDomNode;
}

const schChildren = (el: Element, local: string): Element[] =>
  Array.from(el.childNodes).filter(
    (n): n is Element =>
      n.nodeType === 1 && (n as Element).namespaceURI === SCH_NS && (n as Element).localName === local,
  );

const attribute = (el: Element, name: string): string | undefined => el.getAttribute(name) ?? undefined;

/** Compiles a Schematron schema given as text; throws PreservationError for what this evaluator cannot run. */
export function compileSchematron(schemaText: string, schemaName: string): Schematron {
  const schema = (parse(schemaText, schemaName) as unknown as { documentElement: Element }).documentElement;
  if (schema.namespaceURI !== SCH_NS || schema.localName !== 'schema')
    throw new PreservationError(`[schematron] ${schemaName}: the root element is not sch:schema`);
  const refuse = (what: string) => {
    throw new PreservationError(`[schematron] ${schemaName}: ${what} is not supported by this evaluator`);
  };
  if (schema.getElementsByTagNameNS(SCH_NS, 'include').length > 0) refuse('sch:include');
  if (schema.getElementsByTagNameNS(SCH_NS, 'extends').length > 0) refuse('sch:extends');
  const namespaces = new Map<string, string>();
  for (const ns of schChildren(schema, 'ns')) {
    const prefix = attribute(ns, 'prefix');
    const uri = attribute(ns, 'uri');
    if (prefix && uri) namespaces.set(prefix, uri);
  }
  const patterns: CompiledPattern[] = schChildren(schema, 'pattern').map((pattern) => {
    if (attribute(pattern, 'abstract') === 'true' || attribute(pattern, 'is-a'))
      refuse('an abstract pattern');
    return {
      id: attribute(pattern, 'id'),
      rules: schChildren(pattern, 'rule').map((rule) => {
        if (attribute(rule, 'abstract') === 'true') refuse('an abstract rule');
        const context = attribute(rule, 'context');
        if (!context) return refuse('a rule without context');
        return {
          id: attribute(rule, 'id'),
          context,
          lets: schChildren(rule, 'let').map((l) => ({
            name: attribute(l, 'name') ?? '',
            value: attribute(l, 'value') ?? '',
          })),
          checks: [...schChildren(rule, 'assert'), ...schChildren(rule, 'report')].map((check) => ({
            kind: check.localName === 'assert' ? ('assert' as const) : ('report' as const),
            id: attribute(check, 'id'),
            role: attribute(check, 'role'),
            test: attribute(check, 'test') ?? 'true()',
            message: check,
          })),
        };
      }),
    };
  });
  const options = { namespaceResolver: (prefix: string) => namespaces.get(prefix) ?? null };
  return {
    validate(xml) {
      const doc = parse(xml, 'document');
      const findings: SchematronFinding[] = [];
      for (const pattern of patterns) runPattern(pattern, doc, options, findings);
      return findings;
    },
  };
}

type XPathOptions = { namespaceResolver: (prefix: string) => string | null };

function runPattern(
  pattern: CompiledPattern,
  doc: XmlDomNode,
  options: XPathOptions,
  out: SchematronFinding[],
): void {
  const fired = new Set<unknown>();
  for (const rule of pattern.rules) {
    const expression = rule.context.startsWith('/') ? rule.context : `//(${rule.context})`;
    for (const node of evaluateXPathToNodes(expression, doc, null, {}, options)) {
      if (fired.has(node)) continue;
      fired.add(node);
      const variables: Record<string, unknown> = {};
      for (const l of rule.lets)
        variables[l.name] = evaluateXPath(l.value, node, null, variables, undefined, options);
      for (const check of rule.checks) {
        const holds = evaluateXPathToBoolean(check.test, node, null, variables, options);
        if (holds === (check.kind === 'report')) {
          out.push({
            id: check.id ?? rule.id ?? `${pattern.id ?? 'pattern'}: ${rule.context}`,
            role: check.role ?? 'error',
            message: messageOf(check.message, node, variables, options),
            ...lineOf(node),
            test: check.test,
          });
        }
      }
    }
  }
}

function lineOf(node: unknown): { line?: number } {
  const n = node as { lineNumber?: number; ownerElement?: { lineNumber?: number } };
  const line = n.lineNumber ?? n.ownerElement?.lineNumber;
  return typeof line === 'number' ? { line } : {};
}

/** The assert's text with `sch:value-of` and `sch:name` evaluated against the context node. */
function messageOf(
  check: Element,
  node: unknown,
  variables: Record<string, unknown>,
  options: XPathOptions,
): string {
  let text = '';
  const walk = (el: Element) => {
    for (const child of Array.from(el.childNodes)) {
      if (child.nodeType === 3) text += child.nodeValue ?? '';
      else if (child.nodeType === 1) {
        const c = child as Element;
        if (c.namespaceURI === SCH_NS && c.localName === 'value-of')
          text += evaluateXPathToString(attribute(c, 'select') ?? '.', node, null, variables, options);
        else if (c.namespaceURI === SCH_NS && c.localName === 'name')
          text += evaluateXPathToString(
            `name(${attribute(c, 'path') ?? '.'})`,
            node,
            null,
            variables,
            options,
          );
        else walk(c);
      }
    }
  };
  walk(check);
  return text.replace(/\s+/g, ' ').trim();
}
