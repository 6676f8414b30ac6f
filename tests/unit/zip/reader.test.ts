import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { readZipDirectory, walkZip, type ZipDirectory } from '../../../src/zip/reader.js';
import { createZipStream, type ZipEntrySource } from '../../../src/zip/writer.js';

const run = promisify(execFile);

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bevara-zip-reader-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const MTIME = new Date('2024-02-29T23:59:58Z');

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* parts;
}

/** Archive bytes of our writer for `files`, in the given order. */
async function ourZip(files: Map<string, Buffer>, forceZip64 = false): Promise<Buffer> {
  async function* entries(): AsyncGenerator<ZipEntrySource> {
    for (const [name, data] of files) yield { name, mtime: MTIME, size: data.length, data: chunks(data) };
  }
  const parts: Buffer[] = [];
  for await (const part of createZipStream(entries(), { forceZip64 })) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** A ranged reader over a buffer that counts its calls. */
function rangeReader(bytes: Buffer) {
  const calls: Array<[number, number]> = [];
  const read = async (start: number, end: number) => {
    calls.push([start, end]);
    return bytes.subarray(start, end + 1);
  };
  return { read, calls };
}

/** Streams a buffer in uneven chunks, so headers straddle chunk boundaries. */
async function* streamOf(bytes: Buffer, chunkSize = 1000): AsyncGenerator<Uint8Array> {
  for (let pos = 0, i = 0; pos < bytes.length; i++) {
    const size = chunkSize + ((i * 7919) % chunkSize);
    yield bytes.subarray(pos, pos + size);
    pos += size;
  }
}

async function walkCollect(stream: AsyncIterable<Uint8Array>, directory: ZipDirectory) {
  const data = new Map<string, Buffer>();
  const hash = createHash('sha256');
  let bytes = 0;
  const checks = await walkZip(stream, directory, {
    onEntry: (entry) => {
      const parts: Buffer[] = [];
      return {
        write: (chunk) => void parts.push(Buffer.from(chunk)),
        end: () => void data.set(entry.name, Buffer.concat(parts)),
      };
    },
    onBytes: (chunk) => {
      bytes += chunk.byteLength;
      hash.update(chunk);
    },
  });
  return { checks, data, bytes, sha256: hash.digest('hex') };
}

function sampleFiles(): Map<string, Buffer> {
  return new Map([
    ['första.txt', randomBytes(5000)],
    ['mapp/andra.bin', randomBytes(200_000)],
    ['mapp/tom', Buffer.alloc(0)],
    ['tredje/ö.xml', randomBytes(70_000)],
  ]);
}

describe('readZipDirectory and walkZip', () => {
  it.each([false, true])('read our archives (forceZip64 %s) with a few ranged reads', async (force) => {
    const files = sampleFiles();
    const bytes = await ourZip(files, force);
    const reader = rangeReader(bytes);
    const directory = await readZipDirectory(reader.read, bytes.length);
    expect(reader.calls.length).toBeLessThanOrEqual(3);
    expect(directory.archiveSize).toBe(bytes.length);
    expect(directory.entries.map((e) => [e.name, e.size, e.compressedSize, e.crc32, e.method])).toEqual(
      [...files].map(([name, data]) => [name, data.length, data.length, crc32(data), 0]),
    );
    expect(directory.entries.every((e) => e.mtime.getTime() === MTIME.getTime())).toBe(true);

    const walked = await walkCollect(streamOf(bytes), directory);
    expect(walked.checks.map((c) => [c.entry.name, c.crcOk, c.crc32])).toEqual(
      [...files].map(([name, data]) => [name, true, crc32(data)]),
    );
    for (const [name, data] of files) expect(walked.data.get(name)?.equals(data), name).toBe(true);
    expect(walked.bytes).toBe(bytes.length);
    expect(walked.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it.each([17, 1000, 4096])(
    'walks a stream that refills one reused buffer (chunks of %i bytes): it keeps no view of an earlier chunk',
    async (size) => {
      const files = sampleFiles();
      for (const force of [false, true]) {
        const bytes = await ourZip(files, force);
        const directory = await readZipDirectory(rangeReader(bytes).read, bytes.length);
        async function* reused(): AsyncGenerator<Uint8Array> {
          const buffer = Buffer.alloc(size);
          for (let pos = 0; pos < bytes.length; pos += size) {
            const n = bytes.copy(buffer, 0, pos, pos + size);
            yield buffer.subarray(0, n);
            buffer.fill(0xa5);
          }
        }
        const walked = await walkCollect(reused(), directory);
        expect(walked.checks.every((c) => c.crcOk)).toBe(true);
        for (const [name, data] of files) expect(walked.data.get(name)?.equals(data), name).toBe(true);
        expect(walked.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      }
    },
  );

  it.each([
    ['zip -0 -r', ['-0', '-r', '-q', '../info.zip', '.']],
    ['zip -0 -r -fz (ZIP64 local headers)', ['-0', '-r', '-q', '-fz', '../info.zip', '.']],
  ])('reads an Info-ZIP archive made by %s', async (_label, args) => {
    const files = new Map([...sampleFiles(), ['mapp/djup/å ä ö.txt', Buffer.from('svenska tecken\n')]]);
    const src = path.join(dir, 'src');
    for (const [name, data] of files) {
      await fs.mkdir(path.dirname(path.join(src, name)), { recursive: true });
      await fs.writeFile(path.join(src, name), data);
    }
    await fs.mkdir(path.join(src, 'tom mapp'));
    await run('zip', args, { cwd: src });
    await checkInfoZip(path.join(dir, 'info.zip'), files);
  });

  it('reads an Info-ZIP archive streamed to a pipe (data descriptors)', async () => {
    const files = sampleFiles();
    const src = path.join(dir, 'src');
    for (const [name, data] of files) {
      await fs.mkdir(path.dirname(path.join(src, name)), { recursive: true });
      await fs.writeFile(path.join(src, name), data);
    }
    await run('sh', ['-c', 'zip -0 -r -q - . | cat > ../piped.zip'], { cwd: src });
    const directory = await checkInfoZip(path.join(dir, 'piped.zip'), files);
    expect(directory.entries.some((e) => e.flags & 0x0008)).toBe(true);
  });

  it('finds the end record behind an archive comment', async () => {
    const files = sampleFiles();
    const plain = await ourZip(files);
    const comment = Buffer.from('Arkivkommentar: PK\x05\x06 ser ut som en signatur');
    const bytes = Buffer.concat([plain, comment]);
    bytes.writeUInt16LE(comment.length, plain.length - 2);
    const directory = await readZipDirectory(rangeReader(bytes).read, bytes.length);
    expect(directory.entries.map((e) => e.name)).toEqual([...files.keys()]);
    const walked = await walkCollect(streamOf(bytes), directory);
    expect(walked.checks.every((c) => c.crcOk)).toBe(true);
    expect(walked.bytes).toBe(bytes.length);
  });

  it('reports a flipped byte in one entry as a CRC mismatch of exactly that entry', async () => {
    const files = sampleFiles();
    const bytes = await ourZip(files);
    const target = files.get('mapp/andra.bin') as Buffer;
    const at = bytes.indexOf(target.subarray(0, 64)) + 12_345;
    const damaged = Buffer.from(bytes);
    damaged[at] = (damaged[at] ?? 0) ^ 0x40;
    const directory = await readZipDirectory(rangeReader(damaged).read, damaged.length);
    const { checks } = await walkCollect(streamOf(damaged, 4096), directory);
    expect(checks.map((c) => [c.entry.name, c.crcOk])).toEqual(
      [...files.keys()].map((n) => [n, n !== 'mapp/andra.bin']),
    );
    expect(checks[1]?.crc32).not.toBe(checks[1]?.entry.crc32);
  });

  it('rejects a truncated archive', async () => {
    const bytes = await ourZip(sampleFiles());
    const cut = bytes.subarray(0, bytes.length - 10);
    await expect(readZipDirectory(rangeReader(cut).read, cut.length)).rejects.toMatchObject({
      rule: 'zip-eocd-missing',
    });
    const directory = await readZipDirectory(rangeReader(bytes).read, bytes.length);
    const halfway = bytes.subarray(0, 100_000);
    const error = await walkZip(streamOf(halfway), directory).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ rule: 'zip-truncated', subject: { file: 'mapp/andra.bin' } });
    await expect(readZipDirectory(rangeReader(bytes.subarray(0, 10)).read, 10)).rejects.toMatchObject({
      rule: 'zip-eocd-missing',
    });
  });

  it('rejects garbage where a local header should be', async () => {
    const bytes = await ourZip(sampleFiles());
    const directory = await readZipDirectory(rangeReader(bytes).read, bytes.length);
    const third = directory.entries[2];
    const damaged = Buffer.from(bytes);
    damaged.write('SKRÄP', third?.localHeaderOffset ?? 0);
    await expect(walkZip(streamOf(damaged), directory)).rejects.toMatchObject({
      rule: 'zip-local-header',
      subject: { file: 'mapp/tom' },
    });
  });

  it('rejects a local header that disagrees with the central directory', async () => {
    const bytes = await ourZip(sampleFiles());
    const directory = await readZipDirectory(rangeReader(bytes).read, bytes.length);
    const damaged = Buffer.from(bytes);
    const nameAt = (directory.entries[3]?.localHeaderOffset ?? 0) + 30;
    damaged.write('T', nameAt); // "tredje/ö.xml" -> "Tredje/ö.xml"
    await expect(walkZip(streamOf(damaged), directory)).rejects.toMatchObject({ rule: 'zip-local-header' });
  });

  it('rejects bytes after the end of central directory record', async () => {
    const bytes = Buffer.concat([await ourZip(sampleFiles()), Buffer.from('trailing')]);
    await expect(readZipDirectory(rangeReader(bytes).read, bytes.length)).rejects.toMatchObject({
      rule: 'zip-trailing-data',
    });
    const clean = bytes.subarray(0, bytes.length - 8);
    const directory = await readZipDirectory(rangeReader(clean).read, clean.length);
    await expect(walkZip(streamOf(bytes), directory)).rejects.toMatchObject({ rule: 'zip-trailing-data' });
  });

  it('rejects a damaged central directory', async () => {
    const bytes = await ourZip(sampleFiles());
    const directory = await readZipDirectory(rangeReader(bytes).read, bytes.length);
    const damaged = Buffer.from(bytes);
    damaged.writeUInt32LE(0x12345678, directory.centralDirectoryOffset + 100);
    await expect(readZipDirectory(rangeReader(damaged).read, damaged.length)).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('rejects deflated entries when walking but lists them', async () => {
    const src = path.join(dir, 'src');
    await fs.mkdir(src);
    await fs.writeFile(path.join(src, 'text.txt'), 'upprepad text '.repeat(1000));
    await run('zip', ['-q', '-9', '../deflated.zip', 'text.txt'], { cwd: src });
    const bytes = await fs.readFile(path.join(dir, 'deflated.zip'));
    const directory = await readZipDirectory(rangeReader(bytes).read, bytes.length);
    expect(directory.entries.map((e) => [e.name, e.method])).toEqual([['text.txt', 8]]);
    await expect(walkZip(streamOf(bytes), directory)).rejects.toMatchObject({
      rule: 'zip-unsupported-method',
    });
  });

  it('checks skipped entries too and awaits each sink write before the next', async () => {
    const files = sampleFiles();
    const bytes = await ourZip(files);
    const directory = await readZipDirectory(rangeReader(bytes).read, bytes.length);
    let pending = 0;
    let maxPending = 0;
    let received = 0;
    const checks = await walkZip(streamOf(bytes, 3000), directory, {
      onEntry: (entry) =>
        entry.name === 'mapp/andra.bin'
          ? {
              write: async (chunk) => {
                maxPending = Math.max(maxPending, ++pending);
                await new Promise((resolve) => setImmediate(resolve));
                received += chunk.byteLength;
                pending--;
              },
              end: () => undefined,
            }
          : undefined,
    });
    expect(checks.every((c) => c.crcOk)).toBe(true);
    expect(received).toBe(files.get('mapp/andra.bin')?.length);
    expect(maxPending).toBe(1);
  });
});

/** Our reader on an Info-ZIP archive: every file with identical bytes, folders as empty "x/" entries. */
async function checkInfoZip(file: string, files: Map<string, Buffer>): Promise<ZipDirectory> {
  const bytes = await fs.readFile(file);
  const directory = await readZipDirectory(rangeReader(bytes).read, bytes.length);
  const walked = await walkCollect(createReadStream(file), directory);
  expect(walked.checks.every((c) => c.crcOk)).toBe(true);
  const fileEntries = directory.entries.filter((e) => !e.name.endsWith('/'));
  expect(fileEntries.map((e) => e.name).sort()).toEqual([...files.keys()].sort());
  for (const [name, data] of files) expect(walked.data.get(name)?.equals(data), name).toBe(true);
  for (const entry of directory.entries.filter((e) => e.name.endsWith('/'))) expect(entry.size).toBe(0);
  expect(walked.bytes).toBe(bytes.length);
  return directory;
}
