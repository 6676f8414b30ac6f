/**
 * The files of one SIP, in two steps: `prepareSip` reads only the ZIP's central directory (or lists the folder)
 * and checks the size limits before anything else of the SIP is read; once the SIP has passed validation,
 * `listSipFiles` turns every file of it into a `SourceFile` at `<SIP root>/<path in the SIP>`.
 */
import { open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ValidationError } from '../../errors.js';
import { readZipDirectory, type ZipCentralEntry } from '../../zip/reader.js';
import { checkEntryName } from '../../validation/package-path.js';
import { openPackage } from '../../validation/package-reader.js';
import type { Finding } from '../../validation/types.js';
import { type FileIdentity, probeFile, recordError } from '../file-reader.js';
import { comparePaths } from '../names.js';
import type { SourceFile } from '../types.js';
import { type EarkSipFileRef, openEarkSipFile } from './sip-file.js';
import { checkFolderLimits, checkZipLimits, type SipLimits } from '../../validation/package-limits.js';

/** A SIP whose directory passed the limits. */
export type PreparedSip =
  | { kind: 'zip'; path: string; identity: FileIdentity; entries: ZipCentralEntry[] }
  | { kind: 'folder'; path: string };

/** Reads the SIP's directory and checks the limits; a refusal comes as findings in the validator's format. */
export async function prepareSip(
  raw: Buffer,
  zip: boolean,
  key: string,
  limits: SipLimits,
): Promise<{ ok: true; sip: PreparedSip } | { ok: false; findings: Finding[] }> {
  const path = raw.toString('utf8');
  const refused = (id: string, message: string, file = '.') => ({
    ok: false as const,
    findings: [{ id, level: 'MUST' as const, message, location: { file } }],
  });
  try {
    if (!zip) {
      const pkg = await openPackage(path);
      await pkg.close();
      const findings = checkFolderLimits(pkg.files.values(), limits);
      return findings.length > 0 ? { ok: false, findings } : { ok: true, sip: { kind: 'folder', path } };
    }
    const probe = await probeFile(raw);
    if (!probe.ok) return refused(probe.rule, `The SIP archive cannot be read: ${probe.reason}.`);
    const handle = await open(raw, 'r');
    let entries: ZipCentralEntry[];
    try {
      const readRange = async (start: number, endInclusive: number): Promise<Buffer> => {
        const buf = Buffer.alloc(endInclusive - start + 1);
        const { bytesRead } = await handle.read(buf, 0, buf.length, start);
        return buf.subarray(0, bytesRead);
      };
      entries = (await readZipDirectory(readRange, probe.identity.size)).entries;
    } finally {
      await handle.close();
    }
    const findings = checkZipLimits(entries, limits, probe.identity.size);
    if (findings.length > 0) return { ok: false, findings };
    return { ok: true, sip: { kind: 'zip', path, identity: probe.identity, entries } };
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return refused(err.rule, `${key}: ${err.message}`, err.subject.file ?? '.');
  }
}

/**
 * Every file of a validated SIP, sorted by path, and the name of the SIP's root folder (the first segment of
 * every path); empty folders go to `onIgnored`.
 */
export async function listSipFiles(
  sip: PreparedSip,
  key: string,
  onIgnored?: (path: string, reason: string) => void,
): Promise<{ root: string; files: SourceFile[] }> {
  const files = sip.kind === 'zip' ? zipFiles(sip, key) : await folderFiles(sip, key);
  const roots = new Set(files.map((f) => f.path.split('/')[0] as string));
  const root = roots.size === 1 ? ([...roots][0] as string) : undefined;
  if (root === undefined) {
    throw recordError('CSIPSTR1', key, undefined, 'the SIP does not have exactly one root folder');
  }
  const byPath = new Set<string>();
  for (const file of files) {
    if (byPath.has(file.path)) {
      throw recordError('name-collision', key, file.path, 'two entries have the same name after NFC');
    }
    byPath.add(file.path);
  }
  for (const folder of sip.kind === 'zip' ? zipFolders(sip) : []) {
    if (![...byPath].some((p) => p.startsWith(`${folder}/`))) {
      onIgnored?.(`${key}/${folder}`, 'empty folder in the SIP: a package holds files, not folders');
    }
  }
  return { root, files: files.sort((a, b) => comparePaths(a.path, b.path)) };
}

function zipFolders(sip: Extract<PreparedSip, { kind: 'zip' }>): string[] {
  return sip.entries
    .filter((e) => e.name.endsWith('/'))
    .map((e) => checkEntryName(e.name, sip.path).normalize('NFC'));
}

function zipFiles(sip: Extract<PreparedSip, { kind: 'zip' }>, key: string): SourceFile[] {
  return sip.entries
    .filter((e) => !e.name.endsWith('/'))
    .map((entry) => {
      const path = checkEntryName(entry.name, sip.path).normalize('NFC');
      const ref: EarkSipFileRef = {
        kind: 'eark-sip',
        record: key,
        file: path,
        size: entry.size,
        zip: {
          path: sip.path,
          identity: sip.identity,
          entry: {
            name: entry.name,
            localHeaderOffset: entry.localHeaderOffset,
            compressedSize: entry.compressedSize,
            method: entry.method,
            flags: entry.flags,
            crc32: entry.crc32,
          },
        },
      };
      return { path, size: entry.size, modifiedAt: entry.mtime, ref, open: () => openEarkSipFile(ref) };
    });
}

async function folderFiles(
  sip: Extract<PreparedSip, { kind: 'folder' }>,
  key: string,
): Promise<SourceFile[]> {
  const pkg = await openPackage(sip.path);
  await pkg.close();
  const rootDir = pkg.root === basename(sip.path) ? sip.path : join(sip.path, pkg.root);
  const files: SourceFile[] = [];
  for (const file of pkg.files.values()) {
    const absolute = Buffer.from(join(rootDir, ...file.path.split('/')));
    const path = `${pkg.root}/${file.path}`.normalize('NFC');
    const probe = await probeFile(absolute);
    if (!probe.ok) throw recordError(probe.rule, key, path, probe.reason, probe.cause);
    const ref: EarkSipFileRef = {
      kind: 'eark-sip',
      record: key,
      file: path,
      size: probe.identity.size,
      folder: { path: absolute, identity: probe.identity },
    };
    files.push({ path, size: ref.size, modifiedAt: probe.modifiedAt, ref, open: () => openEarkSipFile(ref) });
  }
  return files;
}
