import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError, ValidationError } from '../../src/errors.js';
import { digestStream, sha256Hex } from '../../src/fixity/digest.js';
import type { StorageDriver } from '../../src/storage/types.js';

export interface DriverHarness {
  driver: StorageDriver;
  cleanup(): Promise<void>;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Byte equality without vitest's element-by-element diffing, which is slow on large buffers. */
function sameBytes(actual: Buffer, expected: Buffer): boolean {
  return actual.equals(expected);
}

/** A body that yields `size` pseudo-random bytes in 64 KiB chunks, then fails if `failAfter` is set. */
function bodyOf(data: Buffer, failAfter?: number): Readable {
  return Readable.from(
    (async function* () {
      for (let offset = 0; offset < data.length; offset += 65536) {
        if (failAfter !== undefined && offset >= failAfter) throw new Error('source broke');
        yield data.subarray(offset, offset + 65536);
      }
    })(),
  );
}

/**
 * The behaviour every storage driver must have. Run for each driver (fs here; S3 on a real engine later)
 * with a factory that gives a fresh, empty location.
 */
export function testStorageDriver(name: string, makeHarness: () => Promise<DriverHarness>): void {
  describe(`storage driver conformance: ${name}`, () => {
    let harness: DriverHarness;
    let driver: StorageDriver;
    const testKey = (suffix: string) => `t-${randomBytes(4).toString('hex')}/${suffix}`;

    beforeEach(async () => {
      harness = await makeHarness();
      driver = harness.driver;
    });
    afterEach(async () => harness.cleanup());

    it('stores a streamed body and reads it back byte for byte, with size and digest in head', async () => {
      const data = randomBytes(300_000);
      const key = testKey('pkg.zip');
      const stored = await driver.put(key, bodyOf(data), {
        size: data.length,
        sha256: () => sha256Hex(data),
      });
      expect(stored.size).toBe(data.length);
      expect(sameBytes(await readAll(await driver.get(key)), data)).toBe(true);
      const head = await driver.head(key);
      expect(head?.size).toBe(data.length);
      expect(head?.sha256).toBe(sha256Hex(data));
    });

    it('digests a whole object (its own digest() or hashing get()), and names a missing one', async () => {
      const digest = driver.digest?.bind(driver) ?? (async (k: string) => digestStream(await driver.get(k)));
      const data = randomBytes(2_500_000);
      const key = testKey('digest.zip');
      await driver.put(key, bodyOf(data));
      expect(await digest(key)).toEqual({ size: data.length, sha256: sha256Hex(data) });
      await expect(digest(testKey('absent'))).rejects.toBeInstanceOf(NotFoundError);
    });

    it('serves inclusive byte ranges', async () => {
      const data = randomBytes(10_000);
      const key = testKey('r.bin');
      await driver.put(key, bodyOf(data));
      expect(
        sameBytes(
          await readAll(await driver.get(key, { range: { start: 100, end: 199 } })),
          data.subarray(100, 200),
        ),
      ).toBe(true);
      expect(
        sameBytes(
          await readAll(await driver.get(key, { range: { start: 9_990, end: 9_999 } })),
          data.subarray(9_990),
        ),
      ).toBe(true);
    });

    it('stores an empty object', async () => {
      const key = testKey('empty');
      await driver.put(key, bodyOf(Buffer.alloc(0)));
      expect((await driver.head(key))?.size).toBe(0);
    });

    it('never overwrites an existing key', async () => {
      const key = testKey('once.zip');
      const first = randomBytes(1000);
      await driver.put(key, bodyOf(first));
      await expect(driver.put(key, bodyOf(randomBytes(1000)))).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(sameBytes(await readAll(await driver.get(key)), first)).toBe(true);
    });

    it('leaves nothing behind when the body fails mid-stream', async () => {
      const key = testKey('broken.zip');
      await expect(driver.put(key, bodyOf(randomBytes(500_000), 200_000))).rejects.toThrow(/source broke/);
      expect(await driver.head(key)).toBeNull();
      const keys: string[] = [];
      for await (const object of driver.list()) keys.push(object.key);
      expect(keys).toEqual([]);
    });

    it('leaves nothing behind when aborted', async () => {
      const key = testKey('aborted.zip');
      const controller = new AbortController();
      const slow = Readable.from(
        (async function* () {
          yield randomBytes(1000);
          controller.abort();
          await new Promise((r) => setTimeout(r, 20));
          yield randomBytes(1000);
        })(),
      );
      await expect(driver.put(key, slow, { signal: controller.signal })).rejects.toThrow();
      expect(await driver.head(key)).toBeNull();
    });

    it('reports missing objects: head null, get NotFoundError, delete quiet', async () => {
      const key = testKey('absent');
      expect(await driver.head(key)).toBeNull();
      await expect(driver.get(key)).rejects.toBeInstanceOf(NotFoundError);
      await expect(driver.delete(key)).resolves.toBeUndefined();
    });

    it('lists every object under a prefix with its size', async () => {
      const base = `l-${randomBytes(4).toString('hex')}`;
      await driver.put(`${base}/a/1.zip`, bodyOf(randomBytes(10)));
      await driver.put(`${base}/a/2.zip`, bodyOf(randomBytes(20)));
      await driver.put(`${base}/b/3.zip`, bodyOf(randomBytes(30)));
      const listed: Record<string, number> = {};
      for await (const object of driver.list(`${base}/a/`)) listed[object.key] = object.size;
      expect(listed).toEqual({ [`${base}/a/1.zip`]: 10, [`${base}/a/2.zip`]: 20 });
    });

    it('deletes objects', async () => {
      const key = testKey('gone');
      await driver.put(key, bodyOf(randomBytes(10)));
      await driver.delete(key);
      expect(await driver.head(key)).toBeNull();
    });

    it.each(['../escape', '/abs/key', 'a/../../b', 'a//b', 'a\\b', '', 'a/./b', 'nul\u0000byte'])(
      'rejects the unsafe key %j before touching storage',
      async (key) => {
        await expect(driver.put(key, bodyOf(randomBytes(10)))).rejects.toBeInstanceOf(ValidationError);
        await expect(driver.get(key)).rejects.toBeInstanceOf(ValidationError);
      },
    );

    it('keeps Swedish characters in keys', async () => {
      const key = testKey('ärende-Östra gränd.zip');
      await driver.put(key, bodyOf(Buffer.from('x')));
      const keys: string[] = [];
      for await (const object of driver.list()) keys.push(object.key);
      expect(keys).toContain(key);
    });
  });
}
