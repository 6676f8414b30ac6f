/**
 * The `BagChecker` of `bevara validate` (see validation/bag-package.ts): checks a bag given as a package (a ZIP
 * or a folder, read through a PackageReader) with the same parsers and rules as `--source bagit` ingest:
 * bagit.txt, bag-info.txt, fetch.txt refused, every payload and tag manifest, completeness, Payload-Oxum, and
 * then the payload digests the validator computed while reading the package.
 */
import type { ValidationError } from '../../errors.js';
import type { BagChecker, BagInspection } from '../../validation/bag-package.js';
import type { PackageReader } from '../../validation/package-reader.js';
import type { Finding } from '../../validation/types.js';
import { recordError } from '../file-reader.js';
import type { SourceMetadataFile } from '../types.js';
import { BAG_DECLARATION_NAME, parseBagDeclaration } from './bag-declaration.js';
import { BAG_INFO_NAME, parseBagInfo, payloadOxum } from './bag-info.js';
import {
  checkOxum,
  checkPayloadManifests,
  checkTagManifests,
  type NamedManifest,
  parseManifests,
} from './check-manifests.js';
import { MANIFEST_ALGORITHMS } from './manifests.js';
import { DEFAULT_MAX_TAG_FILE_BYTES, tagMediaType } from './tag-files.js';

/** A finding from a bag rule's error: its rule id, a MUST, located at its file (or the bag root). */
function toFinding(error: ValidationError): Finding {
  return {
    id: error.rule,
    level: 'MUST',
    message: error.message,
    location: { file: error.subject.file ?? '.' },
  };
}

/** Creates the checker; `maxTagBytes` bounds the tag files read into memory, all together. */
export function createBagPackageChecker(maxTagBytes = DEFAULT_MAX_TAG_FILE_BYTES): BagChecker {
  return (pkg) => inspectBag(pkg, maxTagBytes);
}

async function inspectBag(pkg: PackageReader, maxTagBytes: number): Promise<BagInspection> {
  const key = pkg.root;
  const errors: ValidationError[] = [];
  const fail = (rule: string, file: string | undefined, reason: string) =>
    errors.push(recordError(rule, key, file, reason));
  const tagPaths = new Set([...pkg.files.keys()].filter((p) => !p.startsWith('data/')));
  const tagBytes = [...tagPaths].reduce((sum, p) => sum + (pkg.files.get(p)?.size ?? 0), 0);
  const none: BagInspection = { findings: [], algorithms: [], verifyPayload: () => [] };
  if (tagBytes > maxTagBytes) {
    fail(
      'bagit-tags-too-big',
      undefined,
      `its tag files hold ${tagBytes} bytes, over the limit of ${maxTagBytes}`,
    );
    return { ...none, findings: errors.map(toFinding) };
  }
  const tagFiles = new Map<string, SourceMetadataFile>();
  for (const path of tagPaths) {
    const bytes = await pkg.read(path);
    tagFiles.set(path, { name: path, bytes, modifiedAt: new Date(0), mimeType: tagMediaType(path) });
  }
  const declaration = tagFiles.get(BAG_DECLARATION_NAME);
  if (declaration) {
    const parsed = parseBagDeclaration(declaration.bytes);
    if (!parsed.ok) for (const p of parsed.problems) fail('bagit-declaration', BAG_DECLARATION_NAME, p);
  }
  const infoFile = tagFiles.get(BAG_INFO_NAME);
  const info = infoFile ? parseBagInfo(infoFile.bytes) : undefined;
  if (info && !info.ok) for (const p of info.problems) fail('bagit-info', BAG_INFO_NAME, p);
  if (tagPaths.has('fetch.txt'))
    fail('bagit-fetch', 'fetch.txt', 'fetch.txt is not supported: the payload must be in data/');
  const { payload: payloadManifests, tag: tagManifests } = parseManifests(tagFiles, fail);
  if (payloadManifests.length === 0)
    fail('bagit-manifest-missing', undefined, 'no payload manifest (manifest-<algorithm>.txt)');
  const sizes = new Map(
    [...pkg.files.values()].filter((f) => f.path.startsWith('data/')).map((f) => [f.path, f.size]),
  );
  const payload = { sizes, reported: new Set<string>() };
  checkPayloadManifests(key, payloadManifests, payload, errors);
  if (info?.ok) checkOxum(key, payloadOxum(info.info), payload, errors);
  checkTagManifests(key, tagManifests, tagFiles, tagPaths, errors);
  return {
    findings: errors.map(toFinding),
    algorithms: payloadManifests.map((m) => MANIFEST_ALGORITHMS[m.algorithm].hash),
    verifyPayload: (digests) => compareWithManifests(key, payloadManifests, digests),
  };
}

/** Each manifest line against the digest computed from the file's bytes (`bagit-checksum`). */
function compareWithManifests(
  key: string,
  manifests: NamedManifest[],
  digests: ReadonlyMap<string, ReadonlyMap<string, string>>,
): Finding[] {
  const findings: Finding[] = [];
  for (const { name, algorithm, manifest } of manifests) {
    const hash = MANIFEST_ALGORITHMS[algorithm].hash;
    for (const [path, want] of manifest.entries) {
      const got = digests.get(path)?.get(hash);
      if (got === undefined || got === want) continue;
      const reason = `${algorithm} checksum ${got} does not match ${want} in ${name}`;
      findings.push(toFinding(recordError('bagit-checksum', key, path, reason)));
    }
  }
  return findings;
}
