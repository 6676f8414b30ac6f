/**
 * `check()` of the filesystem driver. The probe works where uploads do, in the driver's `.tmp/` folder (never
 * listed): a small file is written and fsynced, hard-linked to a second name twice (the second link must fail with
 * EEXIST, as `put` relies on), and both names removed. Nothing is left behind; the root is created when missing,
 * as the first `put` would.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { LocationFact, LocationFacts } from './types.js';

const yes = (detail?: string): LocationFact => ({ status: 'yes', detail });
const no = (detail?: string): LocationFact => ({ status: 'no', detail });
const unknown = (detail: string): LocationFact => ({ status: 'unknown', detail });
const reason = (err: unknown) => (err as Error).message;

/** Probes the folder `root`, whose uploads go to `tmpDir`; never throws. */
export async function checkFsRoot(root: string, tmpDir: string): Promise<LocationFacts> {
  const facts: LocationFacts = {
    versioning: no('a filesystem keeps no prior versions'),
    objectLock: no('no retention on a filesystem: objects are read-only files (0440), which root can change'),
  };
  try {
    const stat = await fs.stat(root);
    if (!stat.isDirectory()) return { ...facts, reachable: no(`${root} exists but is not a folder`) };
    facts.reachable = yes('the folder exists');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return { ...facts, reachable: no(reason(err)) };
    try {
      await fs.mkdir(root, { recursive: true });
      facts.reachable = yes('the folder did not exist and was created');
    } catch (mkdirErr) {
      return { ...facts, reachable: no(`cannot create the folder: ${reason(mkdirErr)}`) };
    }
  }
  const probe = path.join(tmpDir, `check-${randomBytes(8).toString('hex')}`);
  const temp = `${probe}.part`;
  const linked = `${probe}.link`;
  try {
    await fs.mkdir(tmpDir, { recursive: true });
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.writeFile('bevara storage check\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    await fs.rm(temp, { force: true });
    const detail = `cannot write a probe in ${tmpDir}: ${reason(err)}`;
    return { ...facts, write: no(detail), delete: unknown(detail), conditionalWrites: unknown(detail) };
  }
  facts.write = yes('wrote and fsynced a probe file');
  facts.conditionalWrites = await probeLink(temp, linked);
  if (facts.conditionalWrites.status === 'no') {
    facts.write = no(`packages are stored with link(2), which failed: ${facts.conditionalWrites.detail}`);
  }
  try {
    await fs.rm(temp, { force: true });
    await fs.rm(linked, { force: true });
    facts.delete = yes('probe removed');
  } catch (err) {
    facts.delete = no(`probe ${temp} left behind: ${reason(err)}`);
  }
  return facts;
}

async function probeLink(temp: string, linked: string): Promise<LocationFact> {
  try {
    await fs.link(temp, linked);
  } catch (err) {
    return no(`hard link refused: ${reason(err)}`);
  }
  try {
    await fs.link(temp, linked);
    return no('a second link(2) to an existing name succeeded');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return yes('link(2) refuses an existing name');
    return unknown(`second link failed unexpectedly: ${reason(err)}`);
  }
}
