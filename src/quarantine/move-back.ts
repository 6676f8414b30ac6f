/**
 * Giving a record moved to a quarantine folder back to its source inbox, and removing one from there. A record in
 * quarantine is `<quarantine>/<name>.<stamp>` (a folder, or a file with `.zip` kept last; the stamp is the
 * refusal's time, `20261128T010203456Z`); it goes back as `<source>/<name>`.
 *
 * Never over anything: a file is hard-linked to its new name (which fails when the name exists) and then unlinked
 * from quarantine; a folder gets its new name created empty first (which fails when it exists) and is renamed onto
 * it (which replaces only an empty folder). Safe to repeat after a kill at any step: a link already made (same
 * inode at both names), or an empty folder made and not yet filled, is finished on the next attempt.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError, ValidationError } from '../errors.js';
import { isSafeEntryName } from '../sources/disposition.js';

const STAMPED = /^(.+)\.\d{8}T\d{9}Z((?:\.zip)?)$/i;

/** The name a quarantined entry had in its source inbox (`a.20261128T010203456Z.zip` → `a.zip`), or null. */
export function originalName(quarantinedName: string): string | null {
  const match = STAMPED.exec(quarantinedName);
  return match?.[1] ? `${match[1]}${match[2] ?? ''}` : null;
}

/**
 * The quarantined entry at `entry`, checked: directly inside `quarantineFolder`, a single safe name, not a
 * symbolic link. Returns its lstat, or null when it is no longer there.
 */
export async function checkedQuarantined(
  record: string,
  entry: string,
  quarantineFolder: string | undefined,
): Promise<Awaited<ReturnType<typeof fs.lstat>> | null> {
  if (!quarantineFolder || path.dirname(path.resolve(entry)) !== path.resolve(quarantineFolder))
    throw new ValidationError(
      'quarantine-outside',
      `[quarantine] record "${record}": ${entry} is not directly in the job's quarantine folder ` +
        `(${quarantineFolder ?? 'none'}); was the job's quarantine changed? Move it by hand.`,
    );
  if (!isSafeEntryName(Buffer.from(path.basename(entry))))
    throw new ValidationError('quarantine-outside', `[quarantine] record "${record}": unsafe name ${entry}`);
  const stat = await fs.lstat(entry).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (stat?.isSymbolicLink())
    throw new ValidationError(
      'quarantine-outside',
      `[quarantine] record "${record}": ${entry} is a symbolic link; left alone`,
    );
  return stat;
}

/** Moves `<quarantine>/<name>.<stamp>` back to `<sourceRoot>/<name>`, never over anything. Returns the new path. */
export async function moveBack(
  record: string,
  entry: string,
  quarantineFolder: string | undefined,
  sourceRoot: string,
): Promise<string> {
  const name = originalName(path.basename(entry));
  if (!name || !isSafeEntryName(Buffer.from(name)))
    throw new ValidationError(
      'quarantine-name',
      `[quarantine] record "${record}": ${entry} does not carry a quarantine stamp; cannot tell its inbox name`,
    );
  const target = path.join(path.resolve(sourceRoot), name);
  const stat = await checkedQuarantined(record, entry, quarantineFolder);
  const there = await fs.lstat(target).catch(() => null);
  if (!stat) {
    // Gone from quarantine: an earlier release that was stopped before it was recorded, when it is in the inbox.
    if (there) return target;
    throw new NotFoundError(
      `[quarantine] record "${record}": neither in quarantine (${entry}) nor back in ${sourceRoot}`,
    );
  }
  await fs.mkdir(path.resolve(sourceRoot), { recursive: true });
  if (stat.isDirectory()) await moveFolder(record, entry, target, there);
  else await moveFile(record, entry, target, there, stat);
  return target;
}

function conflict(record: string, entry: string, target: string): never {
  throw new ValidationError(
    'quarantine-release-conflict',
    `[quarantine] record "${record}": ${target} already exists in the inbox; ${entry} stays in quarantine ` +
      '(rename or remove the one in the inbox, then release again)',
  );
}

async function moveFolder(
  record: string,
  entry: string,
  target: string,
  there: Awaited<ReturnType<typeof fs.lstat>> | null,
): Promise<void> {
  if (there) {
    // An empty folder of that name is what a release stopped between its two steps leaves.
    const empty = there.isDirectory() && (await fs.readdir(target)).length === 0;
    if (!empty) conflict(record, entry, target);
  } else {
    await fs.mkdir(target).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') conflict(record, entry, target);
      throw err;
    });
  }
  await fs.rename(entry, target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOTEMPTY' || err.code === 'EEXIST' || err.code === 'ENOTDIR')
      conflict(record, entry, target);
    throw err;
  });
}

async function moveFile(
  record: string,
  entry: string,
  target: string,
  there: Awaited<ReturnType<typeof fs.lstat>> | null,
  stat: Awaited<ReturnType<typeof fs.lstat>>,
): Promise<void> {
  const sameFile = (other: Awaited<ReturnType<typeof fs.lstat>> | null) =>
    other !== null && other.ino === stat.ino && other.dev === stat.dev;
  if (there && !sameFile(there)) conflict(record, entry, target);
  if (!there)
    await fs.link(entry, target).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
      if (!sameFile(await fs.lstat(target).catch(() => null))) conflict(record, entry, target);
    });
  await fs.unlink(entry);
}

/** Removes a quarantined entry (file or folder) for good; nothing when it is already gone. */
export async function removeQuarantined(
  record: string,
  entry: string,
  quarantineFolder: string | undefined,
): Promise<boolean> {
  const stat = await checkedQuarantined(record, entry, quarantineFolder);
  if (!stat) return false;
  await fs.rm(entry, { recursive: true, force: true });
  return true;
}
