import { createHash, type Hash } from 'node:crypto';
import type { ZipEntrySource } from '../zip/writer.js';

/** Manifest algorithms of the E-ARK BagIt profile (MD5 and SHA-1 required) plus SHA-256, bevara's own. */
const ALGORITHMS = ['md5', 'sha1', 'sha256'] as const;

export interface BagInfo {
  /** bag-info.txt labels and values, in order (Payload-Oxum, Bag-Size and Bagging-Date are added). */
  labels: [string, string][];
  baggedAt: Date;
}

/**
 * Wraps a package's ZIP entries in a BagIt bag (RFC 8493 layout, E-ARK BagIt profile): every entry moves under
 * `<bag>/data/`, is hashed in every manifest algorithm as it streams by, and the tag files follow the payload at
 * the end of the ZIP: bagit.txt, bag-info.txt (with Payload-Oxum and Bag-Size), manifest-md5/sha1/sha256.txt and
 * tagmanifest-sha256.txt. `bag` is the bag's base folder with a trailing slash, e.g. `uuid-…/`; entry names must
 * start with it.
 */
export async function* bagEntries(
  entries: AsyncIterable<ZipEntrySource>,
  bag: string,
  info: BagInfo,
): AsyncGenerator<ZipEntrySource> {
  const lines: Record<(typeof ALGORITHMS)[number], string[]> = { md5: [], sha1: [], sha256: [] };
  let octets = 0;
  let count = 0;
  for await (const entry of entries) {
    if (!entry.name.startsWith(bag))
      throw new Error(`[package:bagit] entry "${entry.name}" outside the bag "${bag}"`);
    const payloadPath = `data/${entry.name.slice(bag.length)}`;
    const hashes = ALGORITHMS.map((a) => createHash(a));
    yield { ...entry, name: bag + payloadPath, data: hashing(entry.data, hashes, (n) => (octets += n)) };
    count++;
    ALGORITHMS.forEach((algorithm, i) => {
      lines[algorithm].push(`${(hashes[i] as Hash).digest('hex')}  ${encodePath(payloadPath)}`);
    });
  }
  const tagFiles: [string, string][] = [
    ['bagit.txt', 'BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n'],
    [
      'bag-info.txt',
      (
        [
          ...info.labels,
          ['Bagging-Date', info.baggedAt.toISOString().slice(0, 10)],
          ['Bag-Size', `${octets} bytes`],
          ['Payload-Oxum', `${octets}.${count}`],
        ] as [string, string][]
      )
        .map(([label, value]) => `${label}: ${value.replace(/\s*\n\s*/g, ' ')}\n`)
        .join(''),
    ],
    ...ALGORITHMS.map((a): [string, string] => [`manifest-${a}.txt`, `${lines[a].join('\n')}\n`]),
  ];
  const tagLines: string[] = [];
  for (const [name, text] of tagFiles) {
    const bytes = Buffer.from(text, 'utf8');
    tagLines.push(`${createHash('sha256').update(bytes).digest('hex')}  ${name}`);
    yield { name: bag + name, mtime: info.baggedAt, size: bytes.length, data: once(bytes) };
  }
  const tagManifest = Buffer.from(`${tagLines.join('\n')}\n`, 'utf8');
  yield {
    name: `${bag}tagmanifest-sha256.txt`,
    mtime: info.baggedAt,
    size: tagManifest.length,
    data: once(tagManifest),
  };
}

async function* hashing(
  data: AsyncIterable<Uint8Array>,
  hashes: Hash[],
  onBytes: (n: number) => void,
): AsyncIterable<Uint8Array> {
  for await (const chunk of data) {
    for (const hash of hashes) hash.update(chunk);
    onBytes(chunk.length);
    yield chunk;
  }
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** RFC 8493 §2.1.3: CR, LF and % in manifest paths are percent-encoded. */
function encodePath(path: string): string {
  return path.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
