import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Catalog } from '../catalog/types.js';
import type { FileRecord } from '../model/package.js';
import { errorMessage, FixityError, NotFoundError, PreservationError, ValidationError } from '../errors.js';
import { createDigester } from '../fixity/digest.js';
import { readZipDirectory, walkZip } from '../zip/reader.js';
import type { Location } from '../storage/index.js';
import { readRange } from '../storage/read-range.js';

export interface RestoreOptions {
  packageId: string;
  /** Folder to restore into; created when missing. Existing files are never overwritten. */
  out: string;
  locations: Map<string, Location>;
  /** Told of each copy given up for the next (damaged, unreadable), with why. */
  onCopySkipped?: (location: string, err: unknown) => void;
}

export interface RestoreResult {
  packageId: string;
  /** Location the files were read from. */
  location: string;
  files: { path: string; size: number; sha256: string }[];
}

/**
 * Restores the original files of a package (content files and the producer's metadata file), each written to a
 * temporary name, verified against its catalogued SHA-256, and only then given its name. Reads from the first
 * copy that is not known to be damaged; a copy that turns out damaged is skipped for the next.
 */
export async function restorePackage(catalog: Catalog, options: RestoreOptions): Promise<RestoreResult> {
  const pkg = await catalog.getPackage(options.packageId);
  if (!pkg) throw new NotFoundError(`[get] package ${options.packageId} is not in the catalog`);
  const files = await catalog.listFiles(pkg.id);
  const out = path.resolve(options.out);
  const asSubmitted = submittedLayout(pkg.sourceKind);
  const targets = new Map(
    files.map((f) => [`${pkg.id}/${f.entryPath}`, { file: f, target: safeTarget(out, f, asSubmitted(f)) }]),
  );
  for (const { file, target } of targets.values()) {
    await checkFolders(out, path.dirname(target), file, false);
    if (
      await fs.lstat(target).then(
        () => true,
        () => false,
      )
    ) {
      throw new ValidationError(
        'restore-exists',
        `[get] ${target} exists; restore into an empty folder (file "${file.path}")`,
        { package: pkg.id, file: file.path },
      );
    }
  }
  const copies = (await catalog.listCopies({ packageId: pkg.id })).sort(
    (a, b) => Number(a.status === 'failed') - Number(b.status === 'failed'),
  );
  const errors: string[] = [];
  for (const copy of copies) {
    const location = options.locations.get(copy.location);
    if (!location) continue;
    const written: string[] = [];
    try {
      const directory = await readZipDirectory(
        (s, e) => readRange(location.driver, copy.key, s, e),
        (await location.driver.head(copy.key))?.size ?? copy.size,
      );
      const restored: RestoreResult['files'] = [];
      await walkZip(await location.driver.get(copy.key), directory, {
        onEntry: (entry) => {
          const hit = targets.get(entry.name);
          return hit ? verifiedFileSink(out, hit.file, hit.target, written, restored) : undefined;
        },
      });
      if (restored.length !== files.length)
        throw new PreservationError(
          `[get] copy ${copy.location}:${copy.key} lacks ${files.length - restored.length} file(s)`,
        );
      return { packageId: pkg.id, location: copy.location, files: restored };
    } catch (err) {
      await Promise.all(written.map((f) => fs.rm(f, { force: true })));
      options.onCopySkipped?.(copy.location, err);
      errors.push(`${copy.location}: ${errorMessage(err)}`);
    }
  }
  throw new PreservationError(
    `[get] no intact copy of package ${pkg.id} could be read: ${errors.join('; ') || 'no copies'}`,
  );
}

/**
 * Checks (and with `create`, makes) each folder from `out` down to `dir` without following links: a folder
 * inside the target that is a symbolic link (or not a folder) is refused, so nothing is written through it to
 * somewhere else. Made one level at a time, so a link put in place meanwhile is found, not followed.
 */
async function checkFolders(out: string, dir: string, file: FileRecord, create: boolean): Promise<void> {
  const parts = path.relative(out, dir).split(path.sep).filter(Boolean);
  let current = out;
  for (const part of parts) {
    current = path.join(current, part);
    const stat = await fs.lstat(current).catch(() => null);
    if (!stat) {
      if (!create) return;
      await fs.mkdir(current).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      const made = await fs.lstat(current);
      if (made.isDirectory() && !made.isSymbolicLink()) continue;
    } else if (stat.isDirectory() && !stat.isSymbolicLink()) continue;
    throw new ValidationError(
      'restore-symlink',
      `[get] ${current} is a symbolic link or not a folder; nothing is written through it (file "${file.path}")`,
      { package: file.packageId, file: file.path },
    );
  }
}

/**
 * The path a file is restored to, as it was submitted: for a record that came as a BagIt bag, the content files
 * go back under `data/` and the tag files (bagit.txt, bag-info.txt, manifests, kept as the record's metadata
 * files under metadata/descriptive/) back to the bag's root, so the restored folder is the bag again.
 */
export function submittedLayout(sourceKind: string): (file: FileRecord) => string {
  if (sourceKind !== 'bagit') return (file) => file.path;
  return (file) => (isProducerMetadata(file) ? file.path : `data/${file.path}`);
}

/** A producer's metadata file kept verbatim (record.json, ERMS export, bag tag files): not a content file. */
function isProducerMetadata(file: FileRecord): boolean {
  return (
    file.entryPath === `metadata/descriptive/${file.path}` ||
    file.entryPath.endsWith(`/metadata/descriptive/${file.path}`)
  );
}

/** Where a file lands (`relative` to `out`); refuses any path that would resolve outside `out`. */
function safeTarget(out: string, file: FileRecord, relative: string): string {
  const target = path.resolve(out, ...relative.split('/'));
  if (path.isAbsolute(relative) || !target.startsWith(out + path.sep)) {
    throw new ValidationError(
      'restore-path',
      `[get] file "${file.path}" would be written outside ${out}; refused`,
      { package: file.packageId, file: file.path },
    );
  }
  return target;
}

function verifiedFileSink(
  out: string,
  file: FileRecord,
  target: string,
  written: string[],
  restored: RestoreResult['files'],
) {
  const temp = `${target}.${randomBytes(6).toString('hex')}.part`;
  const digester = createDigester('SHA-256');
  let handle: fs.FileHandle | undefined;
  let size = 0;
  return {
    skipCrc: true, // verified by SHA-256 in end()
    async write(chunk: Uint8Array) {
      if (!handle) {
        await fs.mkdir(out, { recursive: true });
        await checkFolders(out, path.dirname(target), file, true);
        handle = await fs.open(temp, 'wx');
        written.push(temp);
      }
      digester.update(chunk);
      size += chunk.length;
      await handle.write(chunk);
    },
    async end() {
      if (!handle) {
        await fs.mkdir(out, { recursive: true });
        await checkFolders(out, path.dirname(target), file, true);
        handle = await fs.open(temp, 'wx');
        written.push(temp);
      }
      await handle.sync();
      await handle.close();
      const actual = digester.hex();
      if (actual !== file.sha256 || size !== file.size) {
        throw new FixityError(
          `[get] file "${file.path}" of package ${file.packageId} does not match its digest`,
          'SHA-256',
          file.sha256,
          actual,
          { package: file.packageId, file: file.path },
        );
      }
      await fs.link(temp, target);
      await fs.rm(temp);
      written.push(target);
      await fs.utimes(target, file.modifiedAt, file.modifiedAt);
      restored.push({ path: file.path, size, sha256: actual });
    },
  };
}
