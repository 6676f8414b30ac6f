import { createHash } from 'node:crypto';
import { writeTree } from './helpers.js';

const sha = (alg: string, bytes: Buffer) => createHash(alg).update(bytes).digest('hex');

export interface TestBagOptions {
  /** Payload manifest algorithms (default sha256 and sha512). */
  algorithms?: string[];
  /** Extra bag-info.txt lines. */
  info?: string;
  /** Leave out the Payload-Oxum line. */
  noOxum?: boolean;
  /** Manifest path spelling per payload path (default: the path with %, CR, LF encoded). */
  manifestPath?: (path: string) => string;
}

/** Writes a valid BagIt 1.0 bag at `dir` with `payload` (paths relative to data/) and a sha256 tag manifest. */
export async function writeBag(
  dir: string,
  payload: Record<string, string | Buffer>,
  options: TestBagOptions = {},
): Promise<void> {
  const files = Object.entries(payload).map(
    ([path, content]) => [`data/${path}`, Buffer.from(content)] as const,
  );
  const octets = files.reduce((n, [, b]) => n + b.length, 0);
  const encode =
    options.manifestPath ??
    ((p: string) => p.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
  const tags: Record<string, Buffer> = {
    'bagit.txt': Buffer.from('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n'),
    'bag-info.txt': Buffer.from(
      `Source-Organization: Exempelby kommun\nBagging-Date: 2024-06-01\n${
        options.noOxum ? '' : `Payload-Oxum: ${octets}.${files.length}\n`
      }${options.info ?? ''}`,
    ),
  };
  for (const alg of options.algorithms ?? ['sha256', 'sha512']) {
    tags[`manifest-${alg}.txt`] = Buffer.from(
      files.map(([p, b]) => `${sha(alg, b)}  ${encode(p)}\n`).join(''),
    );
  }
  tags['tagmanifest-sha256.txt'] = Buffer.from(
    Object.entries(tags)
      .map(([p, b]) => `${sha('sha256', b)}  ${p}\n`)
      .join(''),
  );
  await writeTree(dir, { ...tags, ...Object.fromEntries(files) });
}
