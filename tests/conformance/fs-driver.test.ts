import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { createFsDriver } from '../../src/storage/fs.js';
import { testStorageDriver } from './storage-driver-suite.js';

testStorageDriver('fs', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'bevara-fs-'));
  return { driver: createFsDriver({ root }), cleanup: () => fs.rm(root, { recursive: true, force: true }) };
});

testStorageDriver('fs with blocking I/O (worker threads)', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'bevara-fs-'));
  return {
    driver: createFsDriver({ root, blockingIo: true }),
    cleanup: () => fs.rm(root, { recursive: true, force: true }),
  };
});

it('fs driver: stored objects and their sidecars are read-only and no temp files remain', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'bevara-fs-'));
  try {
    const driver = createFsDriver({ root });
    await driver.put('p/x.zip', Readable.from([randomBytes(100)]));
    const stat = await fs.stat(path.join(root, 'p', 'x.zip'));
    expect(stat.mode & 0o777).toBe(0o440);
    expect((await fs.stat(path.join(root, '.meta', 'p', 'x.zip.json'))).mode & 0o777).toBe(0o440);
    expect(await fs.readdir(path.join(root, '.meta', 'p'))).toEqual(['x.zip.json']);
    expect(await fs.readdir(path.join(root, '.tmp'))).toEqual([]);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});
