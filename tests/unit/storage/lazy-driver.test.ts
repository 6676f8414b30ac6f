import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsDriver } from '../../../src/storage/fs.js';
import { createLocation } from '../../../src/storage/index.js';
import { lazyDriver } from '../../../src/storage/lazy-driver.js';

describe('lazyDriver: the driver module is loaded on first use, once', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'bevara-lazy-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('loads nothing until an operation, then once for all of them', async () => {
    let loads = 0;
    const driver = lazyDriver('fs', { writeOnce: true, versioning: false }, async () => {
      loads++;
      return createFsDriver({ root });
    });
    expect(driver.capabilities.writeOnce).toBe(true);
    await driver.dispose?.();
    expect(loads).toBe(0);
    await driver.put('a/b.txt', Readable.from([Buffer.from('hello')]));
    const listed: string[] = [];
    for await (const object of driver.list('a/')) listed.push(object.key);
    expect(listed).toEqual(['a/b.txt']);
    expect((await driver.head('a/b.txt'))?.size).toBe(5);
    expect(loads).toBe(1);
  });

  it('a failed load is tried again on the next operation', async () => {
    let loads = 0;
    const driver = lazyDriver('fs', { writeOnce: true, versioning: false }, async () => {
      loads++;
      if (loads === 1) throw new Error('module not found');
      return createFsDriver({ root });
    });
    await expect(driver.head('x')).rejects.toThrow('module not found');
    expect(await driver.head('x')).toBeNull();
    expect(loads).toBe(2);
  });

  it('an S3 location is created without an SDK call and names itself s3', () => {
    const location = createLocation('offsite', {
      driver: 's3',
      bucket: 'b',
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      partSizeMiB: 16,
    } as never);
    expect(location.driver.name).toBe('s3');
    expect(location.driver.capabilities).toEqual({ writeOnce: false, versioning: false });
  });
});
