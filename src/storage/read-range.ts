import type { StorageDriver } from './types.js';

/** Reads a byte range of an object into memory. For small ranges only (ZIP directories, headers). */
export async function readRange(
  driver: StorageDriver,
  key: string,
  start: number,
  end: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await driver.get(key, { range: { start, end } })) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
