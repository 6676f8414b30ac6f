import { describe, expect, it } from 'vitest';
import { readZipDirectory, walkZip } from '../../../src/zip/reader.js';
import { createZipStream } from '../../../src/zip/writer.js';

async function zipOf(files: Record<string, Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const entries = Object.entries(files).map(([name, data]) => ({
    name,
    mtime: new Date('2024-01-15T08:00:00Z'),
    size: data.length,
    data: (async function* () {
      yield data;
    })(),
  }));
  for await (const chunk of createZipStream(
    (async function* () {
      yield* entries;
    })(),
  ))
    chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('walkZip with a sink that checks its own digest', () => {
  it('skips CRC-32 only for that entry and still hands it every byte', async () => {
    const a = Buffer.from('första filen, oförändrad\n'.repeat(100));
    const b = Buffer.from('andra filen\n'.repeat(100));
    const zip = await zipOf({ 'p/a.txt': a, 'p/b.txt': b });
    // Damage one byte of each entry's data.
    for (const data of [a, b]) {
      const at = zip.indexOf(data);
      zip[at + 5] = (zip[at + 5] ?? 0) ^ 1;
    }
    const directory = await readZipDirectory(async (s, e) => zip.subarray(s, e + 1), zip.length);
    const received: Buffer[] = [];
    const checks = await walkZip(
      (async function* () {
        yield zip;
      })(),
      directory,
      {
        onEntry: (entry) =>
          entry.name === 'p/a.txt'
            ? { write: (chunk) => void received.push(Buffer.from(chunk)), end: () => {}, skipCrc: true }
            : undefined,
      },
    );
    expect(checks.map((c) => [c.entry.name, c.crcOk])).toEqual([
      ['p/a.txt', undefined],
      ['p/b.txt', false],
    ]);
    expect(Buffer.concat(received).length).toBe(a.length);
    expect(Buffer.concat(received).equals(a)).toBe(false); // the damaged bytes, for the sink's own digest to catch
  });
});
