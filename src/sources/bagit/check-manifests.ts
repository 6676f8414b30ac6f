/**
 * The checks of a bag that need no payload bytes: manifests against the payload found on disk (complete: every
 * file listed in every payload manifest, every listed file present), Payload-Oxum, and tag manifests against
 * the tag files read at scan time. Pure functions; they add to an error list.
 */
import { createHash } from 'node:crypto';
import type { ValidationError } from '../../errors.js';
import { recordError } from '../file-reader.js';
import { printableName } from '../names.js';
import type { SourceMetadataFile } from '../types.js';
import type { PayloadOxum } from './bag-info.js';
import {
  isManifestAlgorithm,
  MANIFEST_ALGORITHMS,
  type Manifest,
  type ManifestAlgorithm,
  manifestKind,
  parseManifest,
} from './manifests.js';

/** A parsed manifest with its algorithm and file name. */
export interface NamedManifest {
  name: string;
  algorithm: ManifestAlgorithm;
  manifest: Manifest;
}

/** Payload paths (bag-relative, `data/...`) found on disk, and paths the walk already reported a problem for. */
export interface PayloadOnDisk {
  sizes: Map<string, number>;
  reported: Set<string>;
}

/**
 * Every payload file must be in every payload manifest (`bagit-unlisted-file` when it is in none,
 * `bagit-manifest-incomplete` when only some list it); every listed file must exist (`bagit-file-missing`);
 * payload manifests list only files under `data/` (`bagit-manifest-line`).
 */
export function checkPayloadManifests(
  key: string,
  manifests: NamedManifest[],
  payload: PayloadOnDisk,
  errors: ValidationError[],
): void {
  const missing = new Map<string, string[]>();
  for (const { name, manifest } of manifests) {
    for (const path of manifest.entries.keys()) {
      if (!path.startsWith('data/')) {
        const reason = `lists "${printableName(path)}", which is not in the payload folder data/`;
        errors.push(recordError('bagit-manifest-line', key, name, reason));
        manifest.entries.delete(path);
      } else if (!payload.sizes.has(path) && !payload.reported.has(path)) {
        missing.set(path, [...(missing.get(path) ?? []), name]);
      }
    }
  }
  for (const [path, names] of missing) {
    errors.push(
      recordError('bagit-file-missing', key, path, `listed in ${names.join(', ')} but not in the bag`),
    );
  }
  for (const path of payload.sizes.keys()) {
    const without = manifests.filter((m) => !m.manifest.entries.has(path)).map((m) => m.name);
    if (without.length === 0) continue;
    if (without.length === manifests.length) {
      errors.push(
        recordError('bagit-unlisted-file', key, path, 'payload file is not listed in any manifest'),
      );
    } else {
      const reason = `not listed in ${without.join(', ')} (every payload manifest must list every payload file)`;
      errors.push(recordError('bagit-manifest-incomplete', key, path, reason));
    }
  }
}

/** Payload-Oxum, when present, must equal the payload's total size and file count (`bagit-oxum`). */
export function checkOxum(
  key: string,
  oxum: PayloadOxum | string | undefined,
  payload: PayloadOnDisk,
  errors: ValidationError[],
): void {
  // When the walk refused payload entries (links, special files) the counts cannot be compared meaningfully.
  if (oxum === undefined || payload.reported.size > 0) return;
  if (typeof oxum === 'string') {
    errors.push(recordError('bagit-oxum', key, 'bag-info.txt', oxum));
    return;
  }
  let octets = 0;
  for (const size of payload.sizes.values()) octets += size;
  const files = payload.sizes.size;
  if (octets === oxum.octets && files === oxum.files) return;
  const reason = `Payload-Oxum ${oxum.octets}.${oxum.files} does not match the payload found: ${octets} bytes in ${files} file(s)`;
  errors.push(recordError('bagit-oxum', key, 'bag-info.txt', reason));
}

/**
 * Tag manifests list tag files only, each present and with a matching digest (`bagit-tagmanifest`). Files that
 * could not be read were reported already and are skipped.
 */
export function checkTagManifests(
  key: string,
  manifests: NamedManifest[],
  tagFiles: Map<string, SourceMetadataFile>,
  tagPaths: Set<string>,
  errors: ValidationError[],
): void {
  for (const { name, algorithm, manifest } of manifests) {
    for (const [path, want] of manifest.entries) {
      const fail = (reason: string) => errors.push(recordError('bagit-tagmanifest', key, path, reason));
      if (path.startsWith('data/')) {
        fail(`listed in ${name}, which lists tag files only, but it is a payload path`);
        continue;
      }
      const file = tagFiles.get(path);
      if (!file) {
        if (!tagPaths.has(path)) fail(`listed in ${name} but not in the bag`);
        continue;
      }
      const got = createHash(MANIFEST_ALGORITHMS[algorithm].hash).update(file.bytes).digest('hex');
      if (got !== want) fail(`${algorithm} checksum ${got} does not match ${want} in ${name}`);
    }
  }
}

/**
 * Parses every manifest among a bag's tag files, payload manifests apart from tag manifests. An unsupported
 * algorithm or a malformed line is told to `fail` with its rule and file.
 */
export function parseManifests(
  tagFiles: ReadonlyMap<string, { bytes: Uint8Array }>,
  fail: (rule: string, file: string | undefined, reason: string) => void,
): { payload: NamedManifest[]; tag: NamedManifest[] } {
  const payload: NamedManifest[] = [];
  const tag: NamedManifest[] = [];
  for (const [name, file] of tagFiles) {
    const kind = manifestKind(name);
    if (!kind) continue;
    if (!isManifestAlgorithm(kind.algorithm)) {
      fail('bagit-algorithm', name, `unsupported checksum algorithm "${kind.algorithm}"`);
      continue;
    }
    const manifest = parseManifest(file.bytes, kind.algorithm);
    for (const p of manifest.problems) fail(p.rule, name, p.reason);
    (kind.kind === 'payload' ? payload : tag).push({ name, algorithm: kind.algorithm, manifest });
  }
  return { payload, tag };
}
