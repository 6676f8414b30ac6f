/**
 * In-process digest throughput: node:crypto against hash-wasm for every algorithm bevara offers (SHA-256,
 * SHA-512, MD5), each fed the same data in 1 MiB chunks through its incremental API, and CRC-32 from
 * `zlib.crc32` (what the ZIP writer uses) against hash-wasm's. Results of the two implementations are compared,
 * so a wrong digest cannot win.
 */
import { createHash, randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { createCRC32, createMD5, createSHA256, createSHA512 } from 'hash-wasm';

const MIB = 1024 * 1024;
/** Distinct data cycled through, larger than the CPU caches so every chunk comes from memory. */
const POOL_BYTES = 64 * MIB;

function chunksOf(pool, chunkBytes) {
  const chunks = [];
  for (let offset = 0; offset + chunkBytes <= pool.length; offset += chunkBytes) {
    chunks.push(pool.subarray(offset, offset + chunkBytes));
  }
  return chunks;
}

/** Feeds `totalBytes` to `update` in chunks, returns { seconds, digest }. */
function run(chunks, totalBytes, start, update, finish) {
  const count = Math.ceil(totalBytes / chunks[0].length);
  const t0 = performance.now();
  start();
  for (let i = 0; i < count; i++) update(chunks[i % chunks.length]);
  const digest = finish();
  return { seconds: (performance.now() - t0) / 1000, digest };
}

function nodeHash(algorithm) {
  let hash;
  return {
    start: () => {
      hash = createHash(algorithm);
    },
    update: (chunk) => hash.update(chunk),
    finish: () => hash.digest('hex'),
  };
}

function wasmHash(hasher) {
  return {
    start: () => hasher.init(),
    update: (chunk) => hasher.update(chunk),
    finish: () => hasher.digest('hex'),
  };
}

function zlibCrc32() {
  let crc = 0;
  return {
    start: () => {
      crc = 0;
    },
    update: (chunk) => {
      crc = zlib.crc32(chunk, crc);
    },
    finish: () => crc.toString(16).padStart(8, '0'),
  };
}

/**
 * Measures every implementation over `totalMiB` MiB (after a short warm-up pass over 16 MiB each).
 * @returns {Promise<Array<{ algorithm: string, results: Array<{ implementation: string, seconds: number,
 *   mbPerSecond: number }>, winner: string, speedup: number, digestsAgree: boolean }>>}
 */
export async function compareDigests({ totalMiB = 512, chunkMiB = 1 } = {}) {
  const chunks = chunksOf(randomBytes(POOL_BYTES), chunkMiB * MIB);
  const totalBytes = totalMiB * MIB;
  const contenders = [
    {
      algorithm: 'SHA-256',
      impls: [
        ['node:crypto', () => nodeHash('sha256')],
        ['hash-wasm', async () => wasmHash(await createSHA256())],
      ],
    },
    {
      algorithm: 'SHA-512',
      impls: [
        ['node:crypto', () => nodeHash('sha512')],
        ['hash-wasm', async () => wasmHash(await createSHA512())],
      ],
    },
    {
      algorithm: 'MD5',
      impls: [
        ['node:crypto', () => nodeHash('md5')],
        ['hash-wasm', async () => wasmHash(await createMD5())],
      ],
    },
  ];
  if (typeof zlib.crc32 === 'function') {
    contenders.push({
      algorithm: 'CRC-32',
      impls: [
        ['zlib.crc32', () => zlibCrc32()],
        ['hash-wasm', async () => wasmHash(await createCRC32())],
      ],
    });
  }
  const out = [];
  for (const { algorithm, impls } of contenders) {
    const results = [];
    const digests = new Set();
    for (const [implementation, make] of impls) {
      const h = await make();
      run(chunks, 16 * MIB, h.start, h.update, h.finish);
      const { seconds, digest } = run(chunks, totalBytes, h.start, h.update, h.finish);
      digests.add(digest);
      results.push({ implementation, seconds, mbPerSecond: totalMiB / seconds });
    }
    const sorted = [...results].sort((a, b) => b.mbPerSecond - a.mbPerSecond);
    out.push({
      algorithm,
      results,
      winner: sorted[0].implementation,
      speedup: sorted[0].mbPerSecond / sorted[1].mbPerSecond,
      digestsAgree: digests.size === 1,
    });
  }
  return out;
}
