/**
 * Reads the E-ARK IP test corpus (github.com/DILCISBoard/eark-ip-test-corpus, fetched by
 * scripts/fetch-eark-corpus.sh): every testCase.xml, its rules and the packages each rule names, with the verdict
 * the corpus expects (isValid, and the error level the rule reports: ERROR, WARNING or INFO).
 */
import fs from 'node:fs';
import path from 'node:path';
import { attr, kid, kids, parseXml, type XmlNode } from '../../src/validation/xml-tree.js';

/** One package named by one rule of a test case. */
export interface CorpusCase {
  /** Requirement group: CSIP, CSIPSTR, SIP or DIP. */
  group: string;
  /** The requirement the test case tests, e.g. "CSIP17". */
  requirement: string;
  rule: string;
  /** ERROR (a MUST broken), WARNING (a SHOULD), INFO (a MAY). */
  level: string;
  /** What the corpus says: the package is valid for this requirement. */
  isValid: boolean;
  /** Package folder or file, absolute. */
  path: string;
  /** "CSIP17/invalid/…", for messages and the table of disagreements. */
  name: string;
}

const NO_NS = '';

function text(node: XmlNode | undefined): string {
  return (node?.text ?? '').trim();
}

/** Every implemented case of the corpus in `root` (the folder holding corpus/). Missing packages are returned too. */
export function readCorpus(root: string): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const spec of ['CSIP', 'SIP', 'DIP']) {
    const specDir = path.join(root, 'corpus', spec);
    for (const dir of fs.readdirSync(specDir).sort()) {
      const file = path.join(specDir, dir, 'testCase.xml');
      if (!fs.existsSync(file)) continue;
      const parsed = parseXml(fs.readFileSync(file, 'utf8'));
      if (!('root' in parsed)) throw new Error(`${file}: ${parsed.error}`);
      const testCase = parsed.root;
      const requirement = attr(kid(testCase, 'id', NO_NS) as XmlNode, 'requirementId') ?? dir;
      const group = /^CSIPSTR/.test(requirement) ? 'CSIPSTR' : spec;
      for (const rule of kids(kid(testCase, 'rules', NO_NS) ?? testCase, 'rule', NO_NS)) {
        const level = attr(kid(rule, 'error', NO_NS) ?? rule, 'level') ?? 'ERROR';
        const packages = kids(kid(rule, 'corpusPackages', NO_NS) ?? rule, 'package', NO_NS);
        for (const pkg of packages) {
          if (attr(pkg, 'isImplemented') !== 'TRUE') continue;
          const rel = text(kid(pkg, 'path', NO_NS));
          const resolved = rel.startsWith('/corpus/')
            ? path.join(root, rel)
            : path.join(specDir, dir, rel.replace(/^\.\//, ''));
          cases.push({
            group,
            requirement,
            rule: attr(rule, 'id') ?? '?',
            level: level.toUpperCase(),
            isValid: attr(pkg, 'isValid') === 'TRUE',
            path: resolved,
            name: `${dir}/${rel.replace(/^\.\//, '')}`,
          });
        }
      }
    }
  }
  return cases;
}
