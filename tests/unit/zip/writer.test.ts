import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { ValidationError } from '../../../src/errors.js';
import { readZipDirectory, walkZip } from '../../../src/zip/reader.js';
import {
  createZipStream,
  type ZipEntrySource,
  type ZipEntryWritten,
  type ZipWriterOptions,
} from '../../../src/zip/writer.js';

const run = promisify(execFile);

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bevara-zip-writer-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* parts;
}

async function* fromArray<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

async function writeZip(entries: AsyncIterable<ZipEntrySource>, options?: ZipWriterOptions): Promise<string> {
  const file = path.join(dir, `out-${Math.random().toString(36).slice(2)}.zip`);
  await pipeline(createZipStream(entries, options), createWriteStream(file));
  return file;
}

/** Consumes a stream and resolves with its bytes (for error cases and small archives). */
async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

interface YauzlEntry {
  name: string;
  crc32: number;
  size: number;
  offset: number;
  data?: Buffer;
}

/** Reads an archive with yauzl (a second, independent reader); entry data only for names `wanted` accepts. */
function readWithYauzl(file: string, wanted: (name: string) => boolean = () => true): Promise<YauzlEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, decodeStrings: true }, (err, zip) => {
      if (err) return reject(err);
      const out: YauzlEntry[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry: yauzl.Entry) => {
        const row: YauzlEntry = {
          name: entry.fileName,
          crc32: entry.crc32,
          size: entry.uncompressedSize,
          offset: entry.relativeOffsetOfLocalHeader,
        };
        out.push(row);
        if (!wanted(entry.fileName)) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          drain(stream).then((data) => {
            row.data = data;
            zip.readEntry();
          }, reject);
        });
      });
      zip.readEntry();
    });
  });
}

async function readOurs(file: string) {
  const handle = await fs.open(file);
  try {
    const { size } = await handle.stat();
    const directory = await readZipDirectory(async (start, end) => {
      const buf = Buffer.alloc(end - start + 1);
      const { bytesRead } = await handle.read(buf, 0, buf.length, start);
      return buf.subarray(0, bytesRead);
    }, size);
    const data = new Map<string, Buffer[]>();
    const checks = await walkZip(createReadStream(file), directory, {
      onEntry: (entry) => {
        const parts: Buffer[] = [];
        data.set(entry.name, parts);
        return { write: (chunk) => void parts.push(Buffer.from(chunk)), end: () => undefined };
      },
    });
    return { directory, checks, data: new Map([...data].map(([k, v]) => [k, Buffer.concat(v)])) };
  } finally {
    await handle.close();
  }
}

async function unzipTest(file: string): Promise<void> {
  const { stdout } = await run('unzip', ['-t', file], { maxBuffer: 64 * 1024 * 1024 });
  expect(stdout).toMatch(/No errors detected/);
}

const MTIME = new Date('2023-06-15T10:20:30Z');

async function writeSourceFiles(): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>([
    ['tom.txt', Buffer.alloc(0)],
    ['en-byte.bin', randomBytes(1)],
    ['gränser/65535.bin', randomBytes(65535)],
    ['gränser/65536.bin', randomBytes(65536)],
    ['gränser/65537.bin', randomBytes(65537)],
    ['dokument/årsredovisning/bilaga ä ö å.pdf'.normalize('NFC'), randomBytes(3 * 1024 * 1024 + 17)],
    ['a/b/c/d/djup.txt', Buffer.from('djupt ner\n')],
  ]);
  for (const [name, data] of files) {
    await fs.mkdir(path.dirname(path.join(dir, 'src', name)), { recursive: true });
    await fs.writeFile(path.join(dir, 'src', name), data);
  }
  return files;
}

/** Entries read from disk; the last one without a size (ZIP64 local header), the rest with their size. */
async function* diskEntries(files: Map<string, Buffer>): AsyncGenerator<ZipEntrySource> {
  const names = [...files.keys()];
  for (const [i, name] of names.entries()) {
    const file = path.join(dir, 'src', name);
    const { size } = await fs.stat(file);
    yield {
      name,
      mtime: MTIME,
      size: i === names.length - 1 ? undefined : size,
      data: createReadStream(file),
    };
  }
}

describe('createZipStream', () => {
  it('round-trips files through unzip, yauzl and our reader with identical bytes', async () => {
    const files = await writeSourceFiles();
    const written: ZipEntryWritten[] = [];
    const file = await writeZip(diskEntries(files), { onEntry: (e) => written.push(e) });

    await unzipTest(file);
    const out = path.join(dir, 'extracted');
    await run('unzip', ['-q', file, '-d', out]);
    for (const [name, data] of files) {
      const extracted = path.join(out, name);
      expect((await fs.readFile(extracted)).equals(data), name).toBe(true);
      expect((await fs.stat(extracted)).mtime.getTime(), `${name} mtime from the UT field`).toBe(
        MTIME.getTime(),
      );
    }

    const viaYauzl = await readWithYauzl(file);
    expect(viaYauzl.map((e) => e.name)).toEqual([...files.keys()]);
    for (const entry of viaYauzl) {
      const data = files.get(entry.name) as Buffer;
      expect(entry.data?.equals(data), entry.name).toBe(true);
      expect(entry.crc32).toBe(crc32(data));
    }
    expect(written).toEqual(
      viaYauzl.map((e) => ({ name: e.name, offset: e.offset, size: e.size, crc32: e.crc32 })),
    );

    const ours = await readOurs(file);
    expect(ours.checks.every((c) => c.crcOk)).toBe(true);
    for (const [name, data] of files) expect(ours.data.get(name)?.equals(data), name).toBe(true);
    expect(ours.directory.entries.map((e) => e.mtime.getTime())).toEqual(
      [...files.keys()].map(() => MTIME.getTime()),
    );
  });

  it('writes Unix mode 0644, version made by Unix 6.3 and needs 2.0, or 4.5 for ZIP64 entries', async () => {
    const file = await writeZip(
      fromArray([
        { name: 'known.txt', mtime: MTIME, size: 3, data: chunks(Buffer.from('abc')) },
        { name: 'unknown.txt', mtime: MTIME, data: chunks(Buffer.from('def')) },
      ]),
    );
    const { stdout } = await run('zipinfo', ['-v', file]);
    const [known = '', unknown = ''] = stdout.split(/Central directory entry #\d+:/).slice(1);
    for (const section of [known, unknown]) {
      expect(section).toMatch(/file system or operating system of origin:\s+Unix/);
      expect(section).toMatch(/version of encoding software:\s+6\.3/);
      expect(section).toMatch(/Unix file attributes \(100644 octal\):\s+-rw-r--r--/);
      expect(section).toMatch(/extended local header:\s+yes/);
      expect(section).toMatch(/compression method:\s+none \(stored\)/);
    }
    expect(known).toMatch(/minimum software version required to extract:\s+2\.0/);
    expect(unknown).toMatch(/minimum software version required to extract:\s+4\.5/);
    expect(unknown).toMatch(/ID 0x0001 \(PKWARE 64-bit sizes\)/);
  });

  it('forceZip64 archives pass unzip, yauzl and our reader', async () => {
    const files = await writeSourceFiles();
    const file = await writeZip(diskEntries(files), { forceZip64: true });
    await unzipTest(file);
    const { stdout } = await run('zipinfo', ['-v', file]);
    expect(stdout.match(/minimum software version required to extract:\s+4\.5/g)).toHaveLength(files.size);

    const bytes = await fs.readFile(file);
    const eocd = bytes.subarray(bytes.length - 22);
    expect(eocd.readUInt16LE(10)).toBe(0xffff);
    expect(eocd.readUInt32LE(16)).toBe(0xffffffff);
    expect(bytes.readUInt32LE(bytes.length - 42)).toBe(0x07064b50); // ZIP64 locator before the EOCD

    for (const entry of await readWithYauzl(file)) {
      expect(entry.data?.equals(files.get(entry.name) as Buffer), entry.name).toBe(true);
    }
    const ours = await readOurs(file);
    expect(ours.checks.map((c) => c.crcOk)).toEqual([...files.keys()].map(() => true));
    for (const [name, data] of files) expect(ours.data.get(name)?.equals(data), name).toBe(true);
  });

  it('writes ZIP64 end records for more than 65535 entries and all readers agree', async () => {
    const count = 70_000;
    async function* many(): AsyncGenerator<ZipEntrySource> {
      for (let i = 0; i < count; i++) {
        const data = Buffer.from(`fil ${i}\n`);
        yield {
          name: `d${Math.floor(i / 1000)}/f${i}.txt`,
          mtime: MTIME,
          size: data.length,
          data: chunks(data),
        };
      }
    }
    const file = await writeZip(many());
    const bytes = await fs.readFile(file);
    expect(bytes.readUInt16LE(bytes.length - 12)).toBe(0xffff);
    expect(bytes.readUInt32LE(bytes.length - 42)).toBe(0x07064b50);

    await unzipTest(file);
    const sampled = (name: string) => name.endsWith('7.txt');
    const viaYauzl = await readWithYauzl(file, sampled);
    const ours = await readOurs(file);
    expect(viaYauzl).toHaveLength(count);
    expect(ours.checks).toHaveLength(count);
    expect(ours.checks.every((c) => c.crcOk)).toBe(true);
    expect(ours.directory.entries.map((e) => [e.name, e.localHeaderOffset, e.size, e.crc32])).toEqual(
      viaYauzl.map((e) => [e.name, e.offset, e.size, e.crc32]),
    );
    for (const entry of viaYauzl.filter((e) => sampled(e.name))) {
      expect(entry.data?.equals(ours.data.get(entry.name) as Buffer)).toBe(true);
    }
  }, 60_000);

  it('pulls entries lazily: the next entry is requested only after the previous one was fully written', async () => {
    const log: string[] = [];
    const written: ZipEntryWritten[] = [];
    async function* data(label: string, parts: string[]): AsyncGenerator<Uint8Array> {
      for (const part of parts) {
        log.push(`${label} chunk`);
        yield Buffer.from(part);
      }
      log.push(`${label} done`);
    }
    async function* entries(): AsyncGenerator<ZipEntrySource> {
      log.push('pull 1');
      yield { name: 'data/a.txt', mtime: MTIME, data: data('a', ['hej ', 'då']) };
      log.push('pull 2');
      // Like METS: built from what was measured while writing the data files.
      const manifest = written.map((w) => `${w.name} ${w.size} ${w.crc32.toString(16)}`).join('\n');
      yield { name: 'manifest.txt', mtime: MTIME, data: data('manifest', [manifest]) };
    }
    const file = await writeZip(entries(), {
      onEntry: (e) => {
        log.push(`written ${e.name}`);
        written.push(e);
      },
    });
    expect(log).toEqual([
      'pull 1',
      'a chunk',
      'a chunk',
      'a done',
      'written data/a.txt',
      'pull 2',
      'manifest chunk',
      'manifest done',
      'written manifest.txt',
    ]);
    const manifest = (await readWithYauzl(file)).find((e) => e.name === 'manifest.txt');
    expect(manifest?.data?.toString()).toBe(`data/a.txt 7 ${crc32(Buffer.from('hej då')).toString(16)}`);
  });

  it('applies backpressure: a slow consumer does not make the writer read ahead', async () => {
    const chunk = randomBytes(64 * 1024);
    let produced = 0;
    let closed = false;
    async function* endless(): AsyncGenerator<Uint8Array> {
      try {
        for (let i = 0; i < 4096; i++) {
          produced += chunk.length;
          yield chunk;
        }
      } finally {
        closed = true;
      }
    }
    const stream = createZipStream(fromArray([{ name: 'stor.bin', mtime: MTIME, data: endless() }]));
    let consumed = 0;
    let maxAhead = 0;
    for (let i = 0; i < 40; i++) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      const got = stream.read() as Buffer | null;
      consumed += got?.length ?? 0;
      maxAhead = Math.max(maxAhead, produced - consumed);
      expect(stream.readableLength).toBeLessThanOrEqual(256 * 1024);
    }
    expect(consumed).toBeGreaterThan(0);
    expect(maxAhead).toBeLessThan(512 * 1024);
    stream.destroy();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closed, 'destroying the stream closes the entry source').toBe(true);
    expect(produced).toBeLessThan(4096 * chunk.length);
  });

  it('fails the stream when a data source fails', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('början');
      throw new Error('disk read failed');
    }
    const stream = createZipStream(fromArray([{ name: 'a.txt', mtime: MTIME, data: failing() }]));
    await expect(pipeline(stream, new Writable({ write: (_c, _e, cb) => cb() }))).rejects.toThrow(
      'disk read failed',
    );
  });

  it.each([
    ['more', 4, 'sex b'],
    ['fewer', 7, 'fem b'],
  ])('fails when the data yields %s bytes than the declared size', async (_label, size, content) => {
    const stream = createZipStream(
      fromArray([
        {
          name: 'a.txt',
          mtime: MTIME,
          size,
          data: chunks(Buffer.from(content.slice(0, 3)), Buffer.from(content.slice(3))),
        },
      ]),
    );
    await expect(drain(stream)).rejects.toMatchObject({ rule: 'zip-entry-size' });
  });

  it.each([
    [''],
    ['/etc/passwd'],
    ['mapp\\fil.txt'],
    ['a/../b.txt'],
    ['../b.txt'],
    ['./a.txt'],
    ['a//b.txt'],
    ['mapp/'],
    ['rad\nbrytning.txt'],
  ])('rejects the unsafe name %j', async (name) => {
    const stream = createZipStream(fromArray([{ name, mtime: MTIME, data: chunks(Buffer.from('x')) }]));
    const error = await drain(stream).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ rule: 'zip-entry-name' });
  });

  it.each([
    [['a.txt', 'a.txt']],
    [['å.txt'.normalize('NFC'), 'å.txt'.normalize('NFD')]],
    [['a', 'a/b.txt']],
    [['a/b.txt', 'a']],
  ])('rejects the conflicting names %j', async (names) => {
    let pulled = 0;
    async function* entries(): AsyncGenerator<ZipEntrySource> {
      for (const name of names) {
        pulled++;
        yield { name, mtime: MTIME, data: chunks(Buffer.from('x')) };
      }
    }
    await expect(drain(createZipStream(entries()))).rejects.toMatchObject({ rule: 'zip-entry-name' });
    expect(pulled).toBe(2);
  });

  it('writes a valid empty archive', async () => {
    const bytes = await drain(createZipStream(fromArray<ZipEntrySource>([])));
    expect(bytes.length).toBe(22);
    const directory = await readZipDirectory(async (s, e) => bytes.subarray(s, e + 1), bytes.length);
    expect(directory.entries).toEqual([]);
    expect(await walkZip(chunks(bytes), directory)).toEqual([]);
  });
});
