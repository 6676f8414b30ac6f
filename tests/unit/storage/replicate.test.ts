import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsDriver } from '../../../src/storage/fs.js';
import type { Location } from '../../../src/storage/index.js';
import { replicateObject } from '../../../src/storage/replicate.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('replicateObject', () => {
  let work: string;
  let from: Location;
  let to: Location;
  const key = 'packages/p/p.zip';

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-replicate-'));
    from = { name: 'primary', driver: createFsDriver({ root: path.join(work, 'primary') }) };
    to = { name: 'offsite', driver: createFsDriver({ root: path.join(work, 'offsite') }) };
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  it('copies a good copy and reads the new one back', async () => {
    const data = randomBytes(3 << 20);
    await from.driver.put(key, Readable.from([data]));
    const stored = await replicateObject(from, to, key, { size: data.length, sha256: sha256(data) });
    expect(stored.size).toBe(data.length);
    expect((await to.driver.head(key))?.sha256).toBe(sha256(data));
  });

  it('never spreads a damaged copy: the target is left without the object', async () => {
    const data = randomBytes(100_000);
    const damaged = Buffer.from(data);
    damaged[500] = (damaged[500] ?? 0) ^ 1;
    await from.driver.put(key, Readable.from([damaged]));
    await expect(replicateObject(from, to, key, { size: data.length, sha256: sha256(data) })).rejects.toThrow(
      /not the expected one/,
    );
    expect(await to.driver.head(key)).toBeNull();
  });

  it('keeps an object already at the target when it is the expected one', async () => {
    const data = randomBytes(10_000);
    await from.driver.put(key, Readable.from([data]));
    await to.driver.put(key, Readable.from([data]));
    const stored = await replicateObject(from, to, key, { size: data.length, sha256: sha256(data) });
    expect(stored.size).toBe(data.length);
  });
});
