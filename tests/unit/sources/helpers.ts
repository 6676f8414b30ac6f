import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, expect } from 'vitest';
import type { RecordSource, ScannedRecord } from '../../../src/sources/types.js';

/** A temp folder that user `nobody` can traverse (mkdtemp makes it 0700). */
export async function makeTempRoot(prefix = 'bevara-src-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

export async function removeTempRoot(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Writes files given as `{ "record/path": content }`, creating folders. */
export async function writeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

export async function collect(source: RecordSource): Promise<ScannedRecord[]> {
  const out: ScannedRecord[] = [];
  for await (const item of source.scan()) out.push(item);
  return out;
}

/** The rules and messages of a rejected scan result; fails the test if it was accepted. */
export function rejection(item: ScannedRecord | undefined) {
  if (!item || item.ok) throw new Error(`expected a rejected record, got ${JSON.stringify(item)}`);
  return item.rejected;
}

export function accepted(item: ScannedRecord | undefined) {
  if (!item?.ok) {
    throw new Error(`expected an accepted record, got ${item ? item.rejected.errors.join('\n') : item}`);
  }
  return item.record;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface SnapshotEntry {
  type: string;
  mode: number;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  content?: string;
}

/**
 * Everything about a tree that the source must not change: every name (as raw bytes), type, mode, size,
 * mtime and ctime (ctime moves on any metadata write, even chmod or utimes), file digests, link targets.
 */
export async function snapshot(root: string): Promise<Map<string, SnapshotEntry>> {
  const out = new Map<string, SnapshotEntry>();
  const walk = async (dir: Buffer, rel: string) => {
    const entries: Dirent<Buffer>[] = await readdir(dir, { encoding: 'buffer', withFileTypes: true });
    for (const entry of entries) {
      const abs = Buffer.concat([dir, Buffer.from('/'), entry.name]);
      const key = `${rel}/${entry.name.toString('hex')}`;
      const st = await lstat(abs, { bigint: true });
      const item: SnapshotEntry = {
        type: st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'special',
        mode: Number(st.mode),
        size: st.isDirectory() ? 0n : st.size,
        mtimeNs: st.mtimeNs,
        ctimeNs: st.ctimeNs,
      };
      if (st.isFile())
        item.content = createHash('sha256')
          .update(await readFile(abs))
          .digest('hex');
      if (st.isSymbolicLink()) item.content = (await readlink(abs, { encoding: 'buffer' })).toString('hex');
      out.set(key, item);
      if (st.isDirectory()) await walk(abs, key);
    }
  };
  const st = await lstat(root, { bigint: true });
  out.set('.', { type: 'dir', mode: Number(st.mode), size: 0n, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs });
  await walk(Buffer.from(root), '');
  return out;
}

/**
 * Gives each test of the file a fresh temp root, removed afterwards. A test that calls `freeze()` also gets the
 * check that the source tree is exactly as it was then (names, modes, sizes, times, contents) when it ends.
 */
export function useTempRoot(): { readonly root: string; freeze(): Promise<void>; checkNow(): Promise<void> } {
  let root = '';
  let before: Map<string, SnapshotEntry> | undefined;
  beforeEach(async () => {
    root = await makeTempRoot();
    before = undefined;
  });
  afterEach(async () => {
    try {
      if (before) expect(await snapshot(root)).toEqual(before);
    } finally {
      await removeTempRoot(root);
    }
  });
  return {
    get root() {
      return root;
    },
    async freeze() {
      before = await snapshot(root);
    },
    /** Checks at once instead of at the end (for a tree the test itself changes afterwards). */
    async checkNow() {
      expect(await snapshot(root)).toEqual(before);
      before = undefined;
    },
  };
}
