import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { Location } from './index.js';
import type { StoredObject } from './types.js';
import { verifyObject } from './verify-object.js';

/**
 * Copies one object from a location holding a good copy to another, streaming (nothing on local disk), then reads
 * the new copy back. Both directions are checked against `expected` (the catalog's size and SHA-256), never
 * against the source: a damaged source makes the copy fail and the new object is removed, so a bad copy is never
 * spread. Throws like `put` and `verifyObject`.
 */
export async function replicateObject(
  from: Location,
  to: Location,
  key: string,
  expected: { size: number; sha256: string },
  options: { signal?: AbortSignal; targetKey?: string } = {},
): Promise<StoredObject> {
  const context = `[replicate ${from.name} → ${to.name}]`;
  const target = options.targetKey ?? key;
  // An object already there (an earlier attempt that was stored but never recorded) is kept when it is the
  // expected one; otherwise the write below refuses to replace it.
  const existing = await to.driver.head(target);
  if (existing && existing.size === expected.size) {
    await verifyObject(to, target, expected, context);
    return existing;
  }
  const hash = createHash('sha256');
  let size = 0;
  const source = await from.driver.get(key, { signal: options.signal });
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      const sha256 = hash.copy().digest('hex');
      callback(
        sha256 === expected.sha256 && size === expected.size
          ? null
          : new Error(
              `${context} source copy of "${key}" is not the expected one: ${size} bytes SHA-256 ${sha256}, ` +
                `expected ${expected.size} bytes ${expected.sha256}; nothing was copied`,
            ),
      );
    },
  });
  source.on('error', (err) => counted.destroy(err));
  source.pipe(counted);
  const stored = await to.driver.put(target, counted, {
    size: expected.size,
    sha256: () => hash.digest('hex'),
    signal: options.signal,
  });
  try {
    await verifyObject(to, target, expected, context);
  } catch (err) {
    await to.driver.delete(target).catch(() => {});
    throw err;
  }
  return stored;
}
