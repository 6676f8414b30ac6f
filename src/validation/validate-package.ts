/**
 * Validates an E-ARK information package (ZIP or folder) against CSIP 2.1, and for SIPs the E-ARK SIP 2.1
 * additions: XML Schema validation of the package and representation METS files (libxml2 via xmllint-wasm,
 * offline), the CSIP/SIP requirements a schema cannot express as named rules, the folder structure, and every
 * referenced file's presence, size and checksum against its bytes.
 *
 * Order: structure (CSIPSTR1, CSIPSTR4) -> package METS (well-formed, schema, rules) -> representation METS files
 * named by the structMap's mptrs (well-formed, schema, file rules) -> folder SHOULDs -> checksums. A check that
 * depends on something already reported missing is skipped, so one fault gives one finding.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NotFoundError, ValidationError } from '../errors.js';
import { createXmlValidator, type XmlSchemaName, type XmlValidator } from '../metadata/xml-validator.js';
import { type BagChecker, isBagLayout, validateBagOpened } from './bag-package.js';
import { fgs1Evidence, fgs1Notes, PACKAGE_METS_NAMES } from './fgs1.js';
import { verifyFiles } from './file-verifier.js';
import { openPackage, type PackageReader } from './package-reader.js';
import { createRuleContext, type FileRef, type RuleContext } from './rule-context.js';
import { checkFileSec, checkFiles } from './rules/csip-filesec.js';
import { checkMetadataSections } from './rules/csip-metadata.js';
import { checkMetadataFolders, type ParsedMets } from './rules/csip-metadata-folders.js';
import { checkHeader, checkNamespaces, checkRoot } from './rules/csip-root.js';
import { checkStructMap } from './rules/csip-structmap.js';
import { checkStructure } from './rules/csip-structure.js';
import { checkFgs1 } from './rules/fgs1.js';
import { checkSip } from './rules/sip.js';
import type { Finding, RuleLevel, ValidationProfile, ValidationReport } from './types.js';
import { SIP_PROFILE_URL } from './vocabularies.js';
import { attr, kid, NS, parseXml, type XmlNode } from './xml-tree.js';

export interface ValidatePackageOptions {
  /**
   * Profile to check against. Default: 'fgs1' when the METS is FGS Paketstruktur 1.x (see fgs1.ts), 'sip' when
   * it says OAISPACKAGETYPE SIP or has the SIP profile URL, else 'csip'.
   */
  profile?: ValidationProfile;
  /** With a `profile` given: still check an FGS 1.x METS as 'fgs1' (ingest of SIPs takes both). Default false. */
  acceptFgs1?: boolean;
  /** Schema validator to use (default: a new `createXmlValidator()`); pass one to share its loaded schemas. */
  xmlValidator?: XmlValidator;
  /** Validate METS files against the XML schemas (default true). */
  schema?: boolean;
  /** Read every referenced file and compare its checksum (default true). Sizes are checked either way. */
  verifyChecksums?: boolean;
  /**
   * With `verifyChecksums`, also read every file no METS references (default true), so that a ZIP entry that
   * does not inflate to what its headers claim is found. Ingest of a SIP leaves it to packaging, which reads
   * every file anyway and refuses such an entry with the same rule.
   */
  readUnreferenced?: boolean;
  /**
   * Checks a bag (see bag-package.ts). When given, a package whose root holds bagit.txt and no METS.xml is
   * validated as a bag-wrapped E-ARK package: the bag by this checker, the package in data/<id>/ as CSIP. Without
   * it such a package fails CSIPSTR4 like any package without METS.xml.
   */
  bagChecker?: BagChecker;
  /** Largest METS file read, in bytes (default {@link DEFAULT_MAX_METS_BYTES}); a larger one is refused unread. */
  maxMetsBytes?: number;
  /**
   * Representation METS files not read nor checked (the package builder's check of a package it wrote, for a
   * METS too large to parse cheaply). Never for a package from outside.
   */
  skipMets?: (path: string) => boolean;
}

/**
 * Default largest METS file: 2 MiB (about 5,000 file entries). A METS is parsed whole, at about 30 bytes of memory
 * a byte, so this keeps the peak memory of `validate` and ingest under 300 MB; E-ARK packages keep large file
 * lists in representation METS files, each held to the same limit. Raise it (ingest.maxMetsMiB) for producers whose
 * packages need more, and give the process the memory.
 */
export const DEFAULT_MAX_METS_BYTES = 2 * 1024 * 1024;

interface MetsDoc {
  file: string;
  text: string;
}

/** Validates the package at `path` (a .zip file or a folder). Throws NotFoundError when `path` does not exist. */
export async function validatePackage(
  path: string,
  options: ValidatePackageOptions = {},
): Promise<ValidationReport> {
  const started = performance.now();
  const info = await stat(path).catch((err: unknown) => {
    throw new NotFoundError(`[validate] ${path}: no such file or folder`, { cause: err });
  });
  const kind = info.isDirectory() ? 'folder' : 'zip';
  if (!info.isDirectory() && !info.isFile()) {
    // A FIFO, socket or device would be read forever (or consumed): a package is a ZIP file or a folder.
    throw new ValidationError('not-a-package', `[validate] ${path} is neither a ZIP file nor a folder`, {
      file: basename(path),
    });
  }
  const report = (fields: Partial<ValidationReport> & { findings: Finding[] }): ValidationReport => {
    const counts: Record<RuleLevel, number> = { MUST: 0, SHOULD: 0, MAY: 0 };
    for (const f of fields.findings) counts[f.level]++;
    return {
      path,
      kind,
      root: basename(path),
      profile: 'csip',
      profileReason: 'default',
      notes: [],
      verified: { files: 0, bytes: 0 },
      ...fields,
      valid: counts.MUST === 0,
      counts,
      durationMs: Math.round(performance.now() - started),
    };
  };
  let pkg: PackageReader;
  try {
    pkg = await openPackage(path);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const file = err.subject.file ?? basename(path);
    return report({ findings: [{ id: err.rule, level: 'MUST', message: err.message, location: { file } }] });
  }
  try {
    const checkBag = options.bagChecker;
    if (checkBag && isBagLayout(pkg)) {
      return report(await validateBagOpened(pkg, checkBag, (inner) => validateOpened(inner, options)));
    }
    return report({ root: pkg.root, ...(await validateOpened(pkg, options)) });
  } finally {
    await pkg.close();
  }
}

/**
 * Validates a package already opened (a ZIP, a folder, or one held in memory, see `memory-package.ts`). With
 * `schema: false` and `verifyChecksums: false` it costs a parse of the METS files and the rules: milliseconds.
 */
export async function validateOpened(
  pkg: PackageReader,
  options: ValidatePackageOptions,
): Promise<Pick<ValidationReport, 'findings' | 'notes' | 'verified' | 'profile' | 'profileReason'>> {
  const findings: Finding[] = [];
  const base = { notes: [] as string[], verified: { files: 0, bytes: 0 } };
  if (!pkg.singleRoot) {
    findings.push({
      id: 'CSIPSTR1',
      level: 'MUST',
      message: 'The archive must unpack to a single root folder; it holds several entries at the top.',
      location: { file: '.' },
    });
  }
  const metsName = PACKAGE_METS_NAMES.find((name) => pkg.find(name));
  if (!metsName) {
    findings.push(missingMets(pkg.root));
    return { ...base, findings, profile: options.profile ?? 'csip', profileReason: 'no METS.xml' };
  }
  const validator =
    options.schema === false
      ? { validate: async () => ({ valid: true, problems: [] }) }
      : (options.xmlValidator ?? createXmlValidator());
  const maxMets = options.maxMetsBytes ?? DEFAULT_MAX_METS_BYTES;
  const tooLarge = (file: string): Finding | undefined => {
    const size = pkg.find(file)?.size ?? 0;
    if (size <= maxMets) return undefined;
    return {
      id: 'METS-size',
      level: 'MUST',
      message: `${file} is ${size} bytes; a METS file of at most ${maxMets} bytes is read (the limit keeps memory bounded)`,
      location: { file },
    };
  };
  const rootTooLarge = tooLarge(metsName);
  if (rootTooLarge)
    return {
      ...base,
      findings: [rootTooLarge],
      profile: options.profile ?? 'csip',
      profileReason: `${metsName} not read`,
    };
  const packageText = (await pkg.read(metsName)).toString('utf8');
  const parsed = parseXml(packageText);
  const mets = 'root' in parsed ? parsed.root : undefined;
  const { profile, reason } = chooseProfile(mets, options);
  if (metsName !== 'METS.xml' && profile !== 'fgs1') {
    // sip.xml is an FGS 1.x name; an E-ARK package's METS must be METS.xml.
    return { ...base, findings: [missingMets(pkg.root)], profile, profileReason: reason };
  }
  const schemaName = SCHEMA_FOR[profile];
  const schemaCheck = (file: string, text: string): Promise<Finding[]> =>
    validator.validate(text, schemaName, file).then((r) =>
      r.problems.map((p) => ({
        id: 'METS-XSD',
        level: 'MUST' as const,
        message: p.message,
        location: p.line === undefined ? { file } : { file, line: p.line },
      })),
    );
  if (!mets) {
    const error = parsed as { error: string; line?: number };
    findings.push(notWellFormed(metsName, error));
    return { ...base, findings, profile, profileReason: reason };
  }
  // Schema checks start together once every METS file is read, so that the validator runs them in one batch.
  const docs: MetsDoc[] = [{ file: metsName, text: packageText }];
  const refs: { ref: FileRef; metsFile: string }[] = [];
  const ruleFindings: Finding[] = [];
  const parsedMets: ParsedMets[] = [];
  if (profile === 'fgs1') {
    checkFgs1(
      createRuleContext({ pkg, file: metsName, mets, profile }, ruleFindings, (ref) =>
        refs.push({ ref, metsFile: metsName }),
      ),
    );
  } else
    await checkRules(pkg, mets, profile, tooLarge, options.skipMets, {
      docs,
      refs,
      findings: ruleFindings,
      parsed: parsedMets,
    });
  // xmllint runs in a worker thread: let it work while the files are hashed.
  const schema = Promise.all(docs.map((doc) => schemaCheck(doc.file, doc.text)));
  schema.catch(() => {});
  const verified =
    options.verifyChecksums === false
      ? { findings: [], notes: [], files: 0, bytes: 0 }
      : await verifyFiles(pkg, refs, { readUnreferenced: options.readUnreferenced });
  findings.push(...(await schema).flat(), ...ruleFindings);
  if (profile !== 'fgs1') {
    findings.push(...checkStructure(pkg, attr(mets, 'OBJID')));
    findings.push(...checkMetadataFolders(pkg, parsedMets));
  }
  findings.push(...verified.findings);
  return {
    findings,
    notes: profile === 'fgs1' ? [...fgs1Notes(mets), ...verified.notes] : verified.notes,
    verified: { files: verified.files, bytes: verified.bytes },
    profile,
    profileReason: reason,
  };
}

/**
 * The CSIP (and SIP) rules on the root METS and on each representation METS it points to. Each representation
 * METS read is added to `out.docs` for the schema check, every file reference to `out.refs` for the checksums.
 */
async function checkRules(
  pkg: PackageReader,
  mets: XmlNode,
  profile: ValidationProfile,
  tooLarge: (file: string) => Finding | undefined,
  skipMets: ((file: string) => boolean) | undefined,
  out: {
    docs: MetsDoc[];
    refs: { ref: FileRef; metsFile: string }[];
    findings: Finding[];
    parsed: ParsedMets[];
  },
): Promise<void> {
  const contextFor = (file: string, root: XmlNode): RuleContext =>
    createRuleContext({ pkg, file, mets: root, profile }, out.findings, (ref) =>
      out.refs.push({ ref, metsFile: file }),
    );
  if (mets.ns !== NS.mets || mets.local !== 'mets') {
    out.findings.push({
      id: 'CSIP1000',
      level: 'MUST',
      message: `The root element must be mets in namespace ${NS.mets}, not ${mets.qname}.`,
      location: { file: 'METS.xml', xpath: mets.xpath, line: mets.line },
    });
  } else {
    const ctx = contextFor('METS.xml', mets);
    out.parsed.push({ file: 'METS.xml', mets });
    for (const rule of [
      checkNamespaces,
      checkRoot,
      checkHeader,
      checkMetadataSections,
      checkFileSec,
      checkFiles,
    ]) {
      rule(ctx);
    }
    const representations = [...new Set(checkStructMap(ctx))];
    if (profile === 'sip') checkSip(ctx);
    for (const file of representations) {
      if (skipMets?.(file)) continue;
      const refused = tooLarge(file);
      if (refused) {
        out.findings.push(refused);
        continue;
      }
      const text = (await pkg.read(file)).toString('utf8');
      const rep = parseXml(text);
      if (!('root' in rep)) {
        out.findings.push(notWellFormed(file, rep));
        continue;
      }
      out.docs.push({ file, text });
      out.parsed.push({ file, mets: rep.root });
      out.findings.push(...checkRepresentationObjid(file, rep.root));
      const repCtx = contextFor(file, rep.root);
      checkNamespaces(repCtx);
      checkFiles(repCtx);
    }
  }
}

function missingMets(root: string): Finding {
  return {
    id: 'CSIPSTR4',
    level: 'MUST',
    message: `The package root folder "${root}" must hold a file named METS.xml (FGS 1.x: METS.xml or sip.xml); nothing else can be checked.`,
    location: { file: 'METS.xml' },
  };
}

const SCHEMA_FOR: Record<ValidationProfile, XmlSchemaName> = {
  csip: 'mets-csip',
  sip: 'mets-sip',
  fgs1: 'mets-fgs1',
};

/** CSIP1 (SHOULD part): a representation METS's OBJID is the name of its representation folder. */
function checkRepresentationObjid(file: string, mets: XmlNode): Finding[] {
  const folder = /^representations\/([^/]+)\/METS\.xml$/.exec(file)?.[1];
  const objid = attr(mets, 'OBJID');
  if (folder === undefined || objid === undefined || objid.trim() === '' || objid === folder) return [];
  return [
    {
      id: 'CSIP1',
      level: 'SHOULD',
      message: `The OBJID "${objid}" of a representation METS should be the representation folder's name "${folder}".`,
      location: { file, xpath: mets.xpath, line: mets.line },
    },
  ];
}

function notWellFormed(file: string, error: { error: string; line?: number }): Finding {
  return {
    id: 'METS-XML',
    level: 'MUST',
    message: `${file} is not well-formed XML: ${error.error}`,
    location: error.line === undefined ? { file } : { file, line: error.line },
  };
}

/**
 * The profile given (or 'fgs1' for an FGS 1.x METS when `acceptFgs1`), else 'fgs1' for an FGS 1.x METS, 'sip'
 * when the METS declares itself a SIP (also in a wrongly spelt CSIP namespace), else 'csip'.
 */
function chooseProfile(
  mets: XmlNode | undefined,
  options: Pick<ValidatePackageOptions, 'profile' | 'acceptFgs1'>,
): { profile: ValidationProfile; reason: string } {
  const given = options.profile;
  const fgs1 = given === undefined || options.acceptFgs1 ? fgs1Evidence(mets) : undefined;
  if (fgs1 && given !== 'fgs1') return { profile: 'fgs1', reason: fgs1 };
  if (given) return { profile: given, reason: 'given as an option' };
  const hdr = mets && kid(mets, 'metsHdr');
  const typeKey =
    hdr && [...hdr.attrs.keys()].find((k) => k.toLowerCase() === `{${NS.csip}}oaispackagetype`.toLowerCase());
  if (hdr && typeKey && hdr.attrs.get(typeKey) === 'SIP') {
    return { profile: 'sip', reason: 'metsHdr/@csip:OAISPACKAGETYPE is "SIP"' };
  }
  const url = mets && attr(mets, 'PROFILE');
  if (url && SIP_PROFILE_URL.test(url))
    return { profile: 'sip', reason: 'mets/@PROFILE is the E-ARK SIP profile' };
  return { profile: 'csip', reason: 'the METS does not declare a SIP' };
}
