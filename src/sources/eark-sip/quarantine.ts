/**
 * The quarantine area for refused SIPs. Layout:
 *
 * ```
 * <quarantineDir>/
 *   <key>/                          one folder per refused SIP (replaced when the same SIP is refused again;
 *                                   the key made one safe name: `/`, `%`, control characters escaped, `..` → `%2E.`)
 *     <name>.zip  or  <name>/...    a copy of the SIP as it was in the inbox (the original is never moved)
 *     validation-report.json        the ValidationReport
 *     validation-report.txt         the same report as text (formatReport)
 * ```
 *
 * The copy is made with raw byte paths, never follows links (a link is copied as a link) and keeps
 * modification times; special files (FIFOs, sockets, devices) are not copied. Copies get bevara's modes (its umask),
 * not the inbox's.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type Dirent } from 'node:fs';
import { lstat, mkdir, readdir, readlink, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { formatReport } from '../../validation/report.js';
import { safeName } from '../disposition.js';
import type { ValidationReport } from '../../validation/types.js';

/** Names of the report files written next to the copy. */
export const REPORT_JSON = 'validation-report.json';
export const REPORT_TEXT = 'validation-report.txt';

/**
 * Copies the SIP at `source` (raw path; `name` is its file or folder name) into `<quarantineDir>/<key>/` and
 * writes both reports there. Returns the quarantine folder. The folder is built under a temporary name and
 * renamed into place, so a half-written quarantine never looks complete.
 */
export async function quarantineSip(
  quarantineDir: string,
  key: string,
  source: Buffer,
  name: Buffer,
  report: ValidationReport,
): Promise<string> {
  await mkdir(quarantineDir, { recursive: true });
  // The key is the SIP's decoded name: made one safe path segment, so nothing outside the quarantine folder is
  // ever replaced (a SIP named "...zip" has the key "..").
  const folder = safeName(key);
  const target = join(quarantineDir, folder);
  // A name no other attempt uses (pid and random), not a time: the app clock has no say in temporary names.
  const temp = join(quarantineDir, `.${folder}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  if (dirname(target) !== resolve(quarantineDir) || dirname(temp) !== resolve(quarantineDir))
    throw new Error(`[quarantine] SIP "${key}": no safe folder name in ${quarantineDir}`);
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp);
  try {
    await copyTree(source, Buffer.concat([Buffer.from(`${temp}/`), name]));
    await writeFile(join(temp, REPORT_JSON), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(join(temp, REPORT_TEXT), `${formatReport(report).join('\n')}\n`);
    await rm(target, { recursive: true, force: true });
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
  return target;
}

async function copyTree(from: Buffer, to: Buffer): Promise<void> {
  const st = await lstat(from);
  if (st.isSymbolicLink()) {
    await symlink(await readlink(from, { encoding: 'buffer' }), to);
    return;
  }
  if (st.isFile()) {
    // Created here, so its mode follows bevara's umask: copyFile would keep the inbox file's (maybe 0666) mode.
    await pipeline(createReadStream(from), createWriteStream(to, { flags: 'wx' }));
  } else if (st.isDirectory()) {
    await mkdir(to);
    const entries: Dirent<Buffer>[] = await readdir(from, { encoding: 'buffer', withFileTypes: true });
    for (const entry of entries) {
      const slash = Buffer.from('/');
      await copyTree(Buffer.concat([from, slash, entry.name]), Buffer.concat([to, slash, entry.name]));
    }
  } else {
    return;
  }
  await utimes(to, st.atime, st.mtime);
}
