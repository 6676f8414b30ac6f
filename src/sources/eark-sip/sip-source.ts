/**
 * The "E-ARK SIP" source: an inbox of submission information packages. Layout of the input:
 *
 * ```
 * <root>/
 *   sip-2024-0113.zip          one SIP as a ZIP (the key is the name without ".zip")
 *   KS 2023-0890/              one SIP as a folder (the key is the folder name)
 *     METS.xml  metadata/  representations/  schemas/  documentation/
 *   readme.txt                 not a SIP: reported through `onIgnored`
 * ```
 *
 * Each SIP is checked in this order, and the first stage that fails refuses it: its size limits (from the ZIP's
 * central directory or the folder listing, before any data is read), then `validatePackage` with the SIP
 * profile, which reads the package safely (no path escapes the root, no links), validates every METS file and
 * verifies every checksum the producer declared. A refused SIP is copied (never moved) with its report into the
 * quarantine area (see `quarantineSip`); the inbox is never written to.
 *
 * A valid SIP becomes one record whose files are every file of the SIP, each at `<SIP root>/<path in the SIP>`,
 * so that the package holds the SIP unchanged; `submission` names its OBJID and METS.
 */
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { errorMessage, ValidationError } from '../../errors.js';
import type { XmlValidator } from '../../metadata/xml-validator.js';
import type { ValidationReport } from '../../validation/types.js';
import { PACKAGE_METS_NAMES } from '../../validation/fgs1.js';
import { validatePackage } from '../../validation/validate-package.js';
import { describeFsError, recordError } from '../file-reader.js';
import { isolateRecord } from '../isolate.js';
import { entryKind, readInputRoot, sortMarkingCollisions } from '../input-root.js';
import { decodeName, nameProblem, printableName } from '../names.js';
import type { RecordSource, ScannedRecord, SourceRecord } from '../types.js';
import { quarantineSip, REPORT_TEXT } from './quarantine.js';
import { listSipFiles, type PreparedSip, prepareSip } from './sip-files.js';
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_COMPRESSION_RATIO,
  DEFAULT_MAX_ENTRIES,
  type SipLimits,
} from '../../validation/package-limits.js';
import { readSipMets } from './sip-metadata.js';
import { refusalReport, rejectionErrors } from './sip-rejection.js';

export interface EarkSipSourceOptions {
  /** The inbox: each `*.zip` file and each folder directly in it is one SIP. */
  root: string;
  /** Where refused SIPs are copied with their reports, e.g. `<dataDir>/quarantine`. Created when needed. */
  quarantineDir: string;
  /** Schema validator shared by every SIP's validation (default: one created by the validator). */
  validator?: XmlValidator;
  /** Max entries (files and folders) in one SIP (default 100,000). */
  maxEntries?: number;
  /** Max total extracted size of one SIP in bytes (default 1 TiB). */
  maxBytes?: number;
  /** Max extracted/compressed ratio of a ZIP entry over 1 MiB (default 1000). */
  maxCompressionRatio?: number;
  /** Largest METS file read, in bytes (default: the validator's, 2 MiB). */
  maxMetsBytes?: number;
  /** Called for what is in the inbox but is no SIP (other files, links) and for empty folders inside a SIP. */
  onIgnored?: (path: string, reason: string) => void;
  /** Called once a refused SIP has been copied to the quarantine area. */
  onQuarantined?: (key: string, folder: string) => void;
}

/** A record made from a SIP. */
export interface EarkSipRecord extends SourceRecord {
  kind: 'eark-sip';
  submission: NonNullable<SourceRecord['submission']>;
}

interface InboxEntry {
  raw: Buffer;
  key: string;
  zip: boolean;
  errors: ValidationError[];
}

/** Creates the source of kind "eark-sip". Nothing is read until `scan()` is iterated. */
export function createEarkSipSource(options: EarkSipSourceOptions): RecordSource {
  const root = resolve(options.root);
  const limits: SipLimits = {
    maxEntries: options.maxEntries ?? DEFAULT_MAX_ENTRIES,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    maxCompressionRatio: options.maxCompressionRatio ?? DEFAULT_MAX_COMPRESSION_RATIO,
  };

  async function* scan(): AsyncGenerator<ScannedRecord> {
    for (const entry of await listInbox(root, options.onIgnored)) {
      const location = Buffer.concat([Buffer.from(`${root}/`), entry.raw]).toString('utf8');
      const record = { kind: 'eark-sip', key: entry.key, location, entry: entry.raw };
      yield await isolateRecord(record, () => scanSip(entry));
    }
  }

  // A run scans its source more than once (discovery, then each pass): a SIP ZIP that has not changed since it
  // was validated (same size, modification time and inode) keeps its verdict, so its bytes are not read again
  // before packaging reads them. Folder SIPs are validated on each scan.
  const verdicts = new Map<string, { identity: string; report: ValidationReport }>();
  async function validateOnce(location: string, sip: PreparedSip): Promise<ValidationReport> {
    const identity =
      sip.kind === 'zip' ? `${sip.identity.size}:${sip.identity.mtimeNs}:${sip.identity.ino}` : '';
    const known = verdicts.get(location);
    if (identity && known?.identity === identity) return known.report;
    const report = await validatePackage(location, {
      profile: 'sip',
      // FGS Paketstruktur 1.x SIPs, which many municipal systems still deliver, are checked as what they are.
      acceptFgs1: true,
      // Packaging reads every file once more and refuses a lying entry with the same rule (zip-size, zip-crc).
      readUnreferenced: false,
      ...(options.validator ? { xmlValidator: options.validator } : {}),
      ...(options.maxMetsBytes ? { maxMetsBytes: options.maxMetsBytes } : {}),
    });
    if (identity) verdicts.set(location, { identity, report });
    return report;
  }

  async function scanSip(entry: InboxEntry): Promise<ScannedRecord> {
    const raw = Buffer.concat([Buffer.from(`${root}/`), entry.raw]);
    const location = raw.toString('utf8');
    const started = performance.now();
    const refuse = async (
      report: ValidationReport,
      extra: ValidationError[] = [],
    ): Promise<ScannedRecord> => {
      let where: string;
      try {
        const folder = await quarantineSip(options.quarantineDir, entry.key, raw, entry.raw, report);
        options.onQuarantined?.(entry.key, folder);
        where = `the SIP and its full report are in ${join(folder, REPORT_TEXT)}`;
      } catch (err) {
        where = `it could not be copied to the quarantine area (${describeFsError(err)})`;
      }
      const errors = [...extra, ...rejectionErrors(entry.key, report, where)];
      return {
        ok: false,
        rejected: { kind: 'eark-sip', key: entry.key, location, entry: entry.raw, errors },
      };
    };
    if (entry.errors.length > 0) {
      return refuse(
        refusalReport(location, entry.zip ? 'zip' : 'folder', entry.key, [], started),
        entry.errors,
      );
    }
    const prepared = await prepareSip(raw, entry.zip, entry.key, limits);
    if (!prepared.ok) {
      const kind = entry.zip ? 'zip' : 'folder';
      return refuse(refusalReport(location, kind, entry.key, prepared.findings, started));
    }
    const report = await validateOnce(location, prepared.sip);
    if (!report.valid) return refuse(report);
    try {
      return { ok: true, record: await buildRecord(entry, location, prepared.sip, options.onIgnored) };
    } catch (err) {
      const error =
        err instanceof ValidationError
          ? err
          : recordError('unreadable', entry.key, undefined, `cannot be read (${errorMessage(err)})`, err);
      return {
        ok: false,
        rejected: { kind: 'eark-sip', key: entry.key, location, entry: entry.raw, errors: [error] },
      };
    }
  }

  return { kind: 'eark-sip', scan };
}

async function buildRecord(
  entry: InboxEntry,
  location: string,
  sip: PreparedSip,
  onIgnored: EarkSipSourceOptions['onIgnored'],
): Promise<EarkSipRecord> {
  const { root, files } = await listSipFiles(sip, entry.key, onIgnored);
  const metsFile = PACKAGE_METS_NAMES.map((name) => files.find((f) => f.path === `${root}/${name}`)).find(
    (f) => f !== undefined,
  );
  if (!metsFile)
    throw recordError('CSIPSTR4', entry.key, `${root}/METS.xml`, 'the SIP has no METS.xml at its root');
  const metsPath = metsFile.path;
  const chunks: Buffer[] = [];
  for await (const chunk of metsFile.open()) chunks.push(chunk as Buffer);
  const mets = readSipMets(Buffer.concat(chunks).toString('utf8'), entry.key);
  return {
    kind: 'eark-sip',
    key: entry.key,
    location,
    entry: entry.raw,
    metadata: mets.metadata,
    metadataFiles: [],
    files,
    submission: { objid: mets.objid, metsPath, ...(mets.label ? { label: mets.label } : {}) },
  };
}

/** Lists the inbox: ZIP files and folders are SIPs (sorted by key), everything else goes to `onIgnored`. */
async function listInbox(root: string, onIgnored: EarkSipSourceOptions['onIgnored']): Promise<InboxEntry[]> {
  const dirents = await readInputRoot(root, '[source:eark-sip] inbox');
  const entries: InboxEntry[] = [];
  for (const dirent of dirents) {
    const decoded = decodeName(dirent.name);
    const name = decoded.ok ? decoded.name : decoded.escaped;
    const zip = dirent.isFile() && /\.zip$/i.test(name);
    if (!zip && !dirent.isDirectory()) {
      onIgnored?.(
        printableName(name),
        `${entryKind(dirent)} in the inbox is not a SIP (SIPs are .zip files or folders)`,
      );
      continue;
    }
    const key = zip && name.length > 4 ? name.slice(0, -4) : name;
    const errors: ValidationError[] = [];
    if (!decoded.ok)
      errors.push(recordError('name-encoding', key, undefined, 'SIP file or folder name is not valid UTF-8'));
    else if (key === '' || key === '.' || key === '..' || /^\.zip$/i.test(name))
      errors.push(
        recordError('unsafe-name', key, undefined, `SIP name "${printableName(name)}" leaves no usable name`),
      );
    else {
      const problem = nameProblem(key);
      if (problem) errors.push(recordError('name-invalid', key, undefined, `SIP ${problem}`));
    }
    entries.push({ raw: dirent.name, key, zip, errors });
  }
  return sortMarkingCollisions(
    entries,
    'another SIP in the inbox has the same name (a .zip and a folder, or NFC spellings)',
  );
}
