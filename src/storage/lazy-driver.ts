import type { StorageDriver } from './types.js';

/**
 * A driver whose code is loaded on first use. The S3 driver brings the AWS SDK, about 25 MB of heap and 0.7 s of
 * CPU per V8 isolate (measured on Node 20): a run that never touches an S3 location, on the main thread or in a
 * worker thread, should not pay that. Every operation waits for the module, then delegates.
 */
export function lazyDriver(
  name: string,
  capabilities: StorageDriver['capabilities'],
  load: () => Promise<StorageDriver>,
): StorageDriver {
  let loaded: Promise<StorageDriver> | undefined;
  const driver = () => {
    loaded ??= load().catch((err) => {
      loaded = undefined;
      throw err;
    });
    return loaded;
  };
  return {
    name,
    capabilities,
    put: async (key, body, options) => (await driver()).put(key, body, options),
    get: async (key, options) => (await driver()).get(key, options),
    head: async (key) => (await driver()).head(key),
    async *list(prefix) {
      yield* (await driver()).list(prefix);
    },
    delete: async (key) => (await driver()).delete(key),
    async check() {
      const real = await driver();
      if (!real.check) throw new Error(`[storage:${name}] the driver cannot check its location`);
      return real.check();
    },
    async removeIncomplete(olderThan) {
      const real = await driver();
      return real.removeIncomplete ? real.removeIncomplete(olderThan) : [];
    },
    async dispose() {
      // Nothing to release when it was never loaded.
      if (loaded) await (await loaded).dispose?.();
    },
  };
}
