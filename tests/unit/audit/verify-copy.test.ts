import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyCopy } from '../../../src/audit/verify-copy.js';
import type { CopyRecord, FileRecord } from '../../../src/model/package.js';
import { createFsDriver } from '../../../src/storage/fs.js';
import type { Location } from '../../../src/storage/index.js';
import type { StorageDriver } from '../../../src/storage/types.js';
import { makeZip } from '../../helpers/zip-bytes.js';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const ID = 'pkg-1';
const CONTENT = { 'a.txt': 'the first file\n'.repeat(200), 'b.txt': 'the second file\n'.repeat(300) };

/** A real fs location whose driver counts how often an object is read whole (`get` without a range, `digest`). */
function countingLocation(root: string): { location: Location; reads: () => number } {
  const driver = createFsDriver({ root });
  let reads = 0;
  const counted: StorageDriver = {
    ...driver,
    get: (key, options) => {
      if (!options?.range) reads++;
      return driver.get(key, options);
    },
    // A digest counts as a read once the object opened and was read (a missing one fails at the open).
    digest: async (key, options) => {
      const digested = await (driver.digest as NonNullable<StorageDriver['digest']>)(key, options);
      reads++;
      return digested;
    },
  };
  return { location: { name: 'local', driver: counted }, reads: () => reads };
}

describe('verifyCopy: what each level reads and proves', () => {
  let root: string;
  let zip: Buffer;
  let copy: CopyRecord;
  let files: FileRecord[];

  beforeEach(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'bevara-verify-'));
    zip = makeZip(
      Object.entries(CONTENT).map(([name, data]) => ({
        name: `${ID}/representations/rep1/data/${name}`,
        data,
      })),
    );
    files = Object.entries(CONTENT).map(([name, data]) => ({
      packageId: ID,
      path: name,
      entryPath: `representations/rep1/data/${name}`,
      size: data.length,
      sha256: sha256(data),
      mimeType: 'text/plain',
      modifiedAt: new Date(0),
    }));
    copy = {
      packageId: ID,
      location: 'local',
      key: `packages/${ID}.zip`,
      size: zip.length,
      sha256: sha256(zip),
      storedAt: new Date(0),
      status: 'verified',
    };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  async function store(bytes: Buffer) {
    const { location, reads } = countingLocation(root);
    await location.driver.put(copy.key, Readable.from([bytes]));
    return { location, reads };
  }

  it('full, intact: one read, whole digest only, all files covered by it', async () => {
    const { location, reads } = await store(zip);
    const check = await verifyCopy(location, copy, files);
    expect(check).toMatchObject({
      status: 'verified',
      problems: [],
      bytes: zip.length,
      filesVerified: 2,
      perFile: false,
    });
    expect(reads()).toBe(1);
  });

  it('deep, intact: one read that also recomputes every file digest', async () => {
    const { location, reads } = await store(zip);
    const check = await verifyCopy(location, copy, files, undefined, { deep: true });
    expect(check).toMatchObject({ status: 'verified', bytes: zip.length, filesVerified: 2, perFile: true });
    expect(reads()).toBe(1);
  });

  it('deep finds a file whose catalogued digest is wrong although the package digest matches', async () => {
    const { location } = await store(zip);
    const wrong = files.map((f) => (f.path === 'b.txt' ? { ...f, sha256: sha256('something else') } : f));
    expect((await verifyCopy(location, copy, wrong)).status).toBe('verified');
    const deep = await verifyCopy(location, copy, wrong, undefined, { deep: true });
    expect(deep.status).toBe('failed');
    expect(deep.problems.map((p) => [p.rule, p.file])).toEqual([['file-digest', 'b.txt']]);
  });

  it('full, one byte flipped in a file: a second read names that file', async () => {
    const damaged = Buffer.from(zip);
    const at = damaged.indexOf('the second file');
    damaged.writeUInt8(damaged.readUInt8(at) ^ 0x20, at);
    const { location, reads } = await store(damaged);
    const check = await verifyCopy(location, copy, files);
    expect(check.status).toBe('failed');
    expect(check.problems.map((p) => [p.rule, p.file])).toEqual([
      ['package-digest', undefined],
      ['file-digest', 'b.txt'],
    ]);
    expect(check.perFile).toBe(true);
    expect(check.filesVerified).toBe(1);
    expect(check.bytes).toBe(2 * zip.length);
    expect(reads()).toBe(2);
  });

  it('full with only the file count: an intact copy needs no list; a damaged one asks for it', async () => {
    const intact = await store(zip);
    expect(await verifyCopy(intact.location, copy, files.length)).toMatchObject({
      status: 'verified',
      filesVerified: 2,
      perFile: false,
    });
    expect(intact.reads()).toBe(1);
    await intact.location.driver.delete(copy.key);
    const damaged = Buffer.from(zip);
    const at = damaged.indexOf('the second file');
    damaged.writeUInt8(damaged.readUInt8(at) ^ 0x20, at);
    const { location, reads } = await store(damaged);
    const check = await verifyCopy(location, copy, files.length);
    expect(check).toMatchObject({ status: 'failed', needsFiles: true, filesVerified: 0, bytes: zip.length });
    expect(reads()).toBe(1);
    const deep = await verifyCopy(location, copy, files.length, undefined, { deep: true });
    expect(deep).toMatchObject({ needsFiles: true, bytes: 0 });
    expect(reads()).toBe(1);
  });

  it('full, truncated: size and digest differ, the ZIP cannot be walked, and it is not read a third time', async () => {
    const { location, reads } = await store(zip.subarray(0, zip.length - 30));
    const check = await verifyCopy(location, copy, files);
    const rules = check.problems.map((p) => p.rule);
    expect(rules).toEqual(['size-mismatch', 'package-digest', 'zip-structure']);
    expect(reads()).toBe(1);
  });

  it('missing: nothing read (the open fails, or head finds nothing)', async () => {
    const { location, reads } = countingLocation(root);
    const check = await verifyCopy(location, copy, files);
    expect(check.status).toBe('missing');
    expect(check.problems[0]?.rule).toBe('copy-missing');
    expect(reads()).toBe(0);
  });
});
