/**
 * A package's file list on disk between the packaging thread and the catalog: one JSON object a line (NDJSON).
 * The packaging thread writes it when its package is built; the main thread streams it into the catalog's one
 * transaction for the package, in batches, and removes it. So a record's file list is never copied to the main
 * thread whole (a 100,000-file record's list was two copies of about 100,000 objects each on the main thread).
 */
import { createReadStream } from 'node:fs';
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FileRecord } from '../model/package.js';
import { isDeadLocalProcess, processTag } from '../processes.js';

/** Lines are written in blocks of about this size. */
const BLOCK = 256 << 10;

/**
 * Lists of more files than this are spilled; shorter ones cross as a structured clone, which costs less than a file
 * written, read and removed for every record (a few hundred KB of heap at most).
 */
export const SPILL_FROM_FILES = 1000;

const PREFIX = 'bevara-files-';
/** The folders swept in this process (once each). */
const swept = new Set<string>();

/**
 * Removes the spill folders that processes of this host left when they were killed: a folder is named by the
 * process that made it (`bevara-files-<host>#<pid>-…`), and the file names of a restricted record must not stay
 * behind in the temporary folder.
 */
function sweepDeadSpills(parent: string): void {
  swept.add(parent);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names)
    if (name.startsWith(PREFIX) && isDeadLocalProcess(name))
      rmSync(join(parent, name), { recursive: true, force: true });
}

/**
 * Writes `files` to a new file in a folder of its own under the system's temporary folder (readable by this user
 * only: the process's umask), with blocking writes; returns its path. The caller removes it (`removeSpill`).
 */
export function spillFiles(files: Iterable<FileRecord>, parent = tmpdir()): string {
  if (!swept.has(parent)) sweepDeadSpills(parent);
  const dir = mkdtempSync(join(parent, `${PREFIX}${processTag()}-`));
  const path = join(dir, 'files.ndjson');
  const fd = openSync(path, 'wx', 0o600);
  try {
    let pending: string[] = [];
    let length = 0;
    const write = () => {
      if (pending.length === 0) return;
      writeSync(fd, pending.join(''));
      pending = [];
      length = 0;
    };
    for (const file of files) {
      const line = `${JSON.stringify(file)}\n`;
      pending.push(line);
      length += line.length;
      if (length >= BLOCK) write();
    }
    write();
  } catch (err) {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  closeSync(fd);
  return path;
}

/** The files of a spilled list, one at a time, as they were written (dates revived). */
export async function* readSpilledFiles(path: string): AsyncGenerator<FileRecord> {
  const lines = createInterface({
    input: createReadStream(path, { highWaterMark: 64 << 10 }),
    crlfDelay: Infinity,
  });
  for await (const line of lines) {
    if (line === '') continue;
    const file = JSON.parse(line) as FileRecord & { modifiedAt: string };
    yield { ...file, modifiedAt: new Date(file.modifiedAt) };
  }
}

/** Removes a spilled list and its folder; never throws. */
export function removeSpill(path: string): void {
  rmSync(dirname(path), { recursive: true, force: true });
}
