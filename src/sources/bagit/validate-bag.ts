/**
 * Validates one bag folder (RFC 8493 "valid": complete, and every checksum in every manifest matches) without
 * writing anything. Order: walk the bag (names, links, special files), read the tag files, parse bagit.txt,
 * bag-info.txt and the manifests, check completeness, Payload-Oxum and the tag manifests; then, only for a bag
 * with no problem so far, read each payload file once and compute every manifest algorithm in that one pass.
 *
 * With `checksums: 'defer'` the payload is not read here: each payload file comes back with the digests the
 * manifests expect, for the packaging read to check (see `createCheckedStream`).
 */
import { lstat } from 'node:fs/promises';
import { ValidationError } from '../../errors.js';
import { createVerifiedReadStream, describeFsError, type FileIdentity, recordError } from '../file-reader.js';
import { comparePaths } from '../names.js';
import { type FoundFile, walkRecord } from '../record-walk.js';
import type { SourceMetadataFile } from '../types.js';
import { BAG_DECLARATION_NAME, parseBagDeclaration } from './bag-declaration.js';
import { BAG_INFO_NAME, type BagInfo, parseBagInfo, payloadOxum } from './bag-info.js';
import {
  checkOxum,
  checkPayloadManifests,
  checkTagManifests,
  type NamedManifest,
  parseManifests,
} from './check-manifests.js';
import { type ManifestAlgorithm, manifestKind } from './manifests.js';
import { compareDigests, createMultiDigest, type ExpectedDigests } from './payload-check.js';
import { readTagFiles } from './tag-files.js';

export interface ValidateBagOptions {
  /** Record key, used in messages. */
  key: string;
  /** 'scan' (default): read and check every payload file here. 'defer': leave that to the packaging read. */
  checksums?: 'scan' | 'defer';
  /** Manifest algorithms the bag must have, e.g. ["md5", "sha1"] for the E-ARK BagIt profile (default none). */
  requiredAlgorithms?: readonly ManifestAlgorithm[];
  /** Accepted BagIt-Version values (default `DEFAULT_BAGIT_VERSIONS`). */
  versions?: readonly string[];
  /** Max length of a path inside the bag, in characters. */
  maxPathLength: number;
  maxRecordFiles?: number;
  /** Max size of one tag file in bytes. */
  maxTagFileBytes: number;
  /** Payload files read at the same time during the checksum pass (default 4). */
  concurrency?: number;
  onIgnored?: (path: string, reason: string) => void;
}

/** A payload file of a bag that passed the structural checks. */
export interface BagPayloadFile {
  /** Path in the bag, e.g. `data/beslut/beslut.pdf`. */
  bagPath: string;
  /** Path inside `data/`, e.g. `beslut/beslut.pdf`: the record's file path. */
  path: string;
  absolute: Buffer;
  identity: FileIdentity;
  modifiedAt: Date;
  /** Digest of this file in each payload manifest, by algorithm. */
  expected: ExpectedDigests;
}

/** What validation found; the bag is valid when `errors` is empty. */
export interface BagValidation {
  errors: ValidationError[];
  /** BagIt-Version from bagit.txt, when it could be read. */
  version?: string;
  info?: BagInfo;
  /** Payload manifest algorithms, e.g. ["sha256", "sha512"]. */
  algorithms: ManifestAlgorithm[];
  /** Payload files sorted by path. */
  payload: BagPayloadFile[];
  /** Every tag file read (bagit.txt, bag-info.txt, manifests, tag manifests, others), sorted by name. */
  tagFiles: SourceMetadataFile[];
}

/** Validates the bag in folder `dir` (absolute, raw bytes). Never throws for problems inside the bag. */
export async function validateBag(dir: Buffer, options: ValidateBagOptions): Promise<BagValidation> {
  const { key } = options;
  const fail = (rule: string, file: string | undefined, reason: string) =>
    errors.push(recordError(rule, key, file, reason));
  const walk = await walkRecord(dir, {
    key,
    maxPathLength: options.maxPathLength + 'data/'.length,
    // Tag files and the few files of bagit.txt, bag-info.txt and manifests come on top of the payload.
    maxFiles: options.maxRecordFiles === undefined ? undefined : options.maxRecordFiles + 100,
    maxMetadataBytes: options.maxTagFileBytes,
    producerMetadata: false,
    onIgnored: options.onIgnored,
  });
  const errors = walk.errors;
  const found = [...walk.files];
  found.sort((a, b) => comparePaths(a.path, b.path));
  const result: BagValidation = { errors, algorithms: [], payload: [], tagFiles: [] };
  const payloadFound = found.filter((f) => f.path.startsWith('data/'));
  const tagFound = found.filter((f) => !f.path.startsWith('data/'));
  const tagPaths = new Set(tagFound.map((f) => f.path));
  if (!tagPaths.has(BAG_DECLARATION_NAME)) {
    fail('bagit-declaration', undefined, `not a bag: ${BAG_DECLARATION_NAME} is missing`);
    return result;
  }
  const tagFiles = await readTagFiles(tagFound, key, options.maxTagFileBytes, errors);
  result.tagFiles = [...tagFiles.values()];

  const declaration = tagFiles.get(BAG_DECLARATION_NAME);
  if (declaration) {
    const parsed = parseBagDeclaration(declaration.bytes, options.versions);
    if (parsed.ok) result.version = parsed.version;
    else for (const p of parsed.problems) fail('bagit-declaration', BAG_DECLARATION_NAME, p);
  }
  await checkDataFolder(dir, payloadFound.length, (rule, reason) => fail(rule, 'data', reason));

  const info = tagFiles.get(BAG_INFO_NAME);
  if (info) {
    const parsed = parseBagInfo(info.bytes);
    if (parsed.ok) result.info = parsed.info;
    else for (const p of parsed.problems) fail('bagit-info', BAG_INFO_NAME, p);
  }
  const fetch = tagPaths.has('fetch.txt');
  if (fetch) {
    const why = 'the bag lists payload to fetch from elsewhere; fetch it into data/ and re-bag before ingest';
    fail('bagit-fetch', 'fetch.txt', `fetch.txt is not supported: ${why}`);
  }

  const { payload: payloadManifests, tag: tagManifests } = parseManifests(tagFiles, fail);
  result.algorithms = payloadManifests.map((m) => m.algorithm);
  if (payloadManifests.length === 0 && ![...tagPaths].some((p) => manifestKind(p)?.kind === 'payload')) {
    fail('bagit-manifest-missing', undefined, 'no payload manifest (manifest-<algorithm>.txt)');
  }
  for (const algorithm of options.requiredAlgorithms ?? []) {
    if (result.algorithms.includes(algorithm)) continue;
    fail('bagit-manifest-missing', `manifest-${algorithm}.txt`, 'required payload manifest is missing');
  }

  const reported = new Set<string>();
  for (const e of walk.errors) if (e.subject.file?.startsWith('data/')) reported.add(e.subject.file);
  const disk = { sizes: new Map(payloadFound.map((f) => [f.path, f.identity.size])), reported };
  if (!fetch) {
    if (payloadManifests.length > 0) checkPayloadManifests(key, payloadManifests, disk, errors);
    if (result.info) checkOxum(key, payloadOxum(result.info), disk, errors);
  }
  checkTagManifests(key, tagManifests, tagFiles, tagPaths, errors);

  result.payload = payloadFound.map((f) => toPayloadFile(f, payloadManifests));
  if (errors.length === 0 && (options.checksums ?? 'scan') === 'scan') {
    await checkPayload(key, result.payload, options.concurrency ?? 4, errors);
  }
  return result;
}

function toPayloadFile(found: FoundFile, manifests: NamedManifest[]): BagPayloadFile {
  const expected: ExpectedDigests = {};
  for (const { algorithm, manifest } of manifests) {
    const digest = manifest.entries.get(found.path);
    if (digest !== undefined) expected[algorithm] = digest;
  }
  return { ...found, bagPath: found.path, path: found.path.slice('data/'.length), expected };
}

/** `data/` must be a folder (`bagit-payload-folder`) and hold at least one file (`empty-record`). */
async function checkDataFolder(
  dir: Buffer,
  payloadCount: number,
  fail: (rule: string, reason: string) => void,
): Promise<void> {
  if (payloadCount > 0) return;
  try {
    const st = await lstat(Buffer.concat([dir, Buffer.from('/data')]));
    if (st.isDirectory()) fail('empty-record', 'empty: the payload folder holds no files');
    else fail('bagit-payload-folder', 'data is not a folder');
  } catch {
    fail('bagit-payload-folder', 'payload folder data/ is missing');
  }
}

/** Reads each payload file once (verified against the walk), computing every manifest algorithm together. */
async function checkPayload(
  key: string,
  payload: BagPayloadFile[],
  concurrency: number,
  errors: ValidationError[],
): Promise<void> {
  const slots: ValidationError[][] = payload.map(() => []);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < payload.length; i = next++) {
      const file = payload[i] as BagPayloadFile;
      const subject = { record: key, file: file.bagPath };
      const digest = createMultiDigest(Object.keys(file.expected) as ManifestAlgorithm[]);
      try {
        const stream = createVerifiedReadStream({ path: file.absolute, ...subject, expected: file.identity });
        for await (const chunk of stream) digest.update(chunk as Buffer);
        slots[i]?.push(...compareDigests(file.expected, digest.digests(), subject));
      } catch (err) {
        const reason = `read failed (${describeFsError(err)})`;
        slots[i]?.push(
          err instanceof ValidationError ? err : recordError('unreadable', key, file.bagPath, reason, err),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, payload.length) }, worker));
  for (const slot of slots) errors.push(...slot);
}
