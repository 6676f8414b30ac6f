import { createHash, type Hash } from 'node:crypto';

/**
 * Digest algorithms bevara computes, keyed by the name METS uses in CHECKSUMTYPE.
 *
 * All use node:crypto. `npm run bench` measures node:crypto against hash-wasm for each one on the same data;
 * on the reference machine (2 cores, CPU SHA extensions) node:crypto won for every algorithm offered here,
 * by 10x for SHA-256 (OpenSSL uses the SHA-NI instructions; WebAssembly cannot).
 */
export const DIGEST_ALGORITHMS = {
  'SHA-256': 'sha256',
  'SHA-512': 'sha512',
  MD5: 'md5',
} as const;

export type DigestAlgorithm = keyof typeof DIGEST_ALGORITHMS;

/** An incremental digest: feed chunks, read the hex result once. */
export interface Digester {
  update(chunk: Uint8Array): void;
  hex(): string;
}

export function createDigester(algorithm: DigestAlgorithm = 'SHA-256'): Digester {
  const hash: Hash = createHash(DIGEST_ALGORITHMS[algorithm]);
  let result: string | undefined;
  return {
    update(chunk) {
      hash.update(chunk);
    },
    hex() {
      result ??= hash.digest('hex');
      return result;
    },
  };
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Reads a stream to its end and returns its size and hex SHA-256 (one pass, bounded memory). */
export async function digestStream(
  stream: AsyncIterable<Uint8Array>,
): Promise<{ size: number; sha256: string }> {
  const digester = createDigester('SHA-256');
  let size = 0;
  for await (const chunk of stream) {
    digester.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: digester.hex() };
}
