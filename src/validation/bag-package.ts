/**
 * A bag-wrapped E-ARK package (the `bagit` profile, E-ARK BagIt profile): a BagIt bag whose payload folder holds
 * one E-ARK package, `<bag>/data/<id>/METS.xml`. Both are checked: the bag (declaration, bag-info, every manifest
 * and tag manifest, completeness, Payload-Oxum, every payload digest) by a `BagChecker` passed in, and the inner
 * package as CSIP by `validateOpened`.
 *
 * Each payload byte is read once: the inner package is read through a view that feeds every file's bytes, the
 * first time it is read whole, to the digests the bag's manifests need; files the CSIP checks did not read are
 * read afterwards for the bag alone.
 */
import { createHash, type Hash } from 'node:crypto';
import type { PackageFile, PackageReader } from './package-reader.js';
import type { Finding, ValidationProfile } from './types.js';

/** What a bag's tag files say, and the check of its payload digests once they are known. */
export interface BagInspection {
  /** Problems of the bag found from its tag files and file list (declaration, manifests, Payload-Oxum, …). */
  findings: Finding[];
  /** node:crypto names of the payload manifest algorithms, e.g. ["md5", "sha1", "sha256"]. */
  algorithms: string[];
  /** Compares the payload digests (bag path → algorithm → hex) with the manifests. */
  verifyPayload(digests: ReadonlyMap<string, ReadonlyMap<string, string>>): Finding[];
}

/** Checks the bag in a package whose root holds bagit.txt (see sources/bagit/bag-package-check.ts). */
export type BagChecker = (pkg: PackageReader) => Promise<BagInspection>;

/** The bag's declaration file: a package root holding it and no METS.xml is a bag. */
export const BAG_DECLARATION = 'bagit.txt';

/** True when the package root is a bag rather than an E-ARK package. */
export function isBagLayout(pkg: PackageReader): boolean {
  return pkg.find(BAG_DECLARATION) !== undefined && pkg.find('METS.xml') === undefined;
}

/** The folders `data/<name>` of the bag that hold a METS.xml: the E-ARK packages inside. */
export function innerPackageFolders(pkg: PackageReader): string[] {
  return [...pkg.folders].filter((f) => /^data\/[^/]+$/.test(f) && pkg.find(`${f}/METS.xml`) !== undefined);
}

/** Collects each payload file's digests in the bag's algorithms, from the first complete read of it. */
export interface PayloadDigests {
  /** Passes a file's chunks through, digesting them when this is the first read of `bagPath`. */
  tap(bagPath: string, chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array>;
  /** Digests a whole file already in memory (a METS file read whole). */
  digestWhole(bagPath: string, bytes: Uint8Array): void;
  readonly digests: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export function createPayloadDigests(algorithms: readonly string[]): PayloadDigests {
  const claimed = new Set<string>();
  const digests = new Map<string, Map<string, string>>();
  const finish = (bagPath: string, hashes: Hash[]) =>
    digests.set(bagPath, new Map(algorithms.map((a, i) => [a, (hashes[i] as Hash).digest('hex')])));
  return {
    digests,
    async *tap(bagPath, chunks) {
      if (claimed.has(bagPath)) {
        yield* chunks;
        return;
      }
      claimed.add(bagPath);
      const hashes = algorithms.map((a) => createHash(a));
      try {
        for await (const chunk of chunks) {
          for (const hash of hashes) hash.update(chunk);
          yield chunk;
        }
      } catch (err) {
        claimed.delete(bagPath);
        throw err;
      }
      finish(bagPath, hashes);
    },
    digestWhole(bagPath, bytes) {
      if (claimed.has(bagPath)) return;
      claimed.add(bagPath);
      finish(
        bagPath,
        algorithms.map((a) => createHash(a).update(bytes)),
      );
    },
  };
}

/**
 * The package in folder `prefix` (e.g. "data/uuid-…/") of `pkg`, as a package of its own whose every read goes
 * through `digests` under its bag path.
 */
export function subPackage(pkg: PackageReader, prefix: string, digests: PayloadDigests): PackageReader {
  const files = new Map<string, PackageFile>();
  for (const [path, file] of pkg.files) {
    if (path.startsWith(prefix))
      files.set(path.slice(prefix.length), { ...file, path: path.slice(prefix.length) });
  }
  const folders = new Set(
    [...pkg.folders].filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length)),
  );
  return {
    kind: pkg.kind,
    root: prefix.replace(/\/$/, '').split('/').pop() as string,
    singleRoot: true,
    files,
    folders,
    find(path) {
      const file = pkg.find(prefix + path);
      return file && { ...file, path: file.path.slice(prefix.length) };
    },
    stream: (path) => digests.tap(prefix + path, pkg.stream(prefix + path)),
    async read(path) {
      const bytes = await pkg.read(prefix + path);
      digests.digestWhole(prefix + path, bytes);
      return bytes;
    },
    close: async () => {},
  };
}

/** Reads, for the bag's digests alone, every payload file the inner package checks did not read whole. */
export async function digestRemainingPayload(
  pkg: PackageReader,
  digests: PayloadDigests,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const path of pkg.files.keys()) {
    if (!path.startsWith('data/') || digests.digests.has(path)) continue;
    try {
      for await (const _chunk of digests.tap(path, pkg.stream(path)));
    } catch (err) {
      findings.push({
        id: 'bagit-unreadable',
        level: 'MUST',
        message: `${path} cannot be read: ${err instanceof Error ? err.message : String(err)}`,
        location: { file: path },
      });
    }
  }
  return findings;
}

/** What validating the inner package gives (see `validateOpened`). */
export interface InnerValidation {
  findings: Finding[];
  notes: string[];
  verified: { files: number; bytes: number };
  profile: ValidationProfile;
  profileReason: string;
}

/**
 * Validates a bag-wrapped package: the bag by `checkBag`, the one E-ARK package in `data/` by `validateInner`
 * (passed in: `validateOpened`). Findings inside the inner package name their file from the bag's root
 * (`data/<id>/METS.xml`).
 */
export async function validateBagOpened(
  pkg: PackageReader,
  checkBag: BagChecker,
  validateInner: (inner: PackageReader) => Promise<InnerValidation>,
): Promise<InnerValidation & { root: string }> {
  const bag = await checkBag(pkg);
  const digests = createPayloadDigests(bag.algorithms);
  const inner = innerPackageFolders(pkg);
  const findings = [...bag.findings];
  let result: InnerValidation = {
    findings: [],
    notes: [],
    verified: { files: 0, bytes: 0 },
    profile: 'csip',
    profileReason: 'a BagIt bag without an E-ARK package in data/',
  };
  if (inner.length !== 1) {
    findings.push({
      id: 'bagit-eark-package',
      level: 'MUST',
      message: `The bag's payload folder data/ must hold one E-ARK package (a folder with METS.xml); it holds ${inner.length}: ${inner.join(', ') || 'none'}.`,
      location: { file: 'data' },
    });
  } else {
    const prefix = `${inner[0]}/`;
    result = await validateInner(subPackage(pkg, prefix, digests));
    const reason = `a BagIt bag (bagit.txt) holding the E-ARK package ${prefix}, which ${result.profileReason.replace(/^the METS/, 'its METS')}`;
    result = { ...result, profileReason: reason };
    findings.push(
      ...result.findings.map((f) => ({
        ...f,
        location: {
          ...f.location,
          file: f.location.file === '.' ? (inner[0] as string) : prefix + f.location.file,
        },
      })),
    );
  }
  findings.push(...(await digestRemainingPayload(pkg, digests)));
  findings.push(...bag.verifyPayload(digests.digests));
  return { ...result, findings, root: pkg.root };
}
