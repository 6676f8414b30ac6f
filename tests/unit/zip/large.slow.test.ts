import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { readZipDirectory, walkZip } from '../../../src/zip/reader.js';
import { createZipStream, type ZipEntrySource, type ZipEntryWritten } from '../../../src/zip/writer.js';

/**
 * One real entry past 4 GiB (sizes need ZIP64) followed by a small entry whose local header starts past 4 GiB
 * (offset needs ZIP64). The data is generated on the fly, 1 MiB at a time: mostly zeros, with a random block
 * every 512 MiB so that misplaced data changes the CRC. Zero blocks are written as holes (a sparse file), so the
 * test costs seconds and little disk instead of 4.3 GB of writes; every reader still reads all 4.3 GB.
 */
const BIG = 4_300_000_000;
const MIB = 1024 * 1024;
const ZERO = Buffer.alloc(MIB);
const RANDOM = randomBytes(MIB);
const MTIME = new Date('2025-01-01T12:00:00Z');
const run = promisify(execFile);

let dir: string;
let file: string;
let bigCrc = 0;
const written: ZipEntryWritten[] = [];

async function* pattern(): AsyncGenerator<Uint8Array> {
  for (let i = 0, left = BIG; left > 0; i++, left -= MIB) {
    const block = i % 512 === 7 ? RANDOM : ZERO;
    const chunk = left >= MIB ? block : block.subarray(0, left);
    bigCrc = crc32(chunk, bigCrc);
    yield chunk;
  }
}

/** Writes a file, leaving a hole wherever a chunk is (a view of) the zero block. */
function sparseFileWriter(target: string): Writable {
  let handle: fs.FileHandle | undefined;
  let position = 0;
  return new Writable({
    highWaterMark: MIB,
    construct(callback) {
      fs.open(target, 'w').then((h) => {
        handle = h;
        callback();
      }, callback);
    },
    write(chunk: Buffer, _encoding, callback) {
      const at = position;
      position += chunk.length;
      if (chunk.buffer === ZERO.buffer) return callback();
      handle?.write(chunk, 0, chunk.length, at).then(() => callback(), callback);
    },
    final(callback) {
      handle
        ?.truncate(position)
        .then(() => handle?.close())
        .then(() => callback(), callback);
    },
  });
}

async function* text(value: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(value);
}

async function* entries(): AsyncGenerator<ZipEntrySource> {
  yield { name: 'före.txt', mtime: MTIME, size: 5, data: text('före') };
  yield { name: 'stor/mönster.bin', mtime: MTIME, size: BIG, data: pattern() };
  // No size given, so ZIP64 sizes too; its local header starts past 4 GiB.
  yield { name: 'efter.txt', mtime: MTIME, data: text('efter 4 GiB') };
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bevara-zip-large-'));
  file = path.join(dir, 'large.zip');
  await pipeline(createZipStream(entries(), { onEntry: (e) => written.push(e) }), sparseFileWriter(file));
}, 120_000);

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('an archive with an entry over 4 GiB', () => {
  it('puts the last entry past offset 4 GiB', () => {
    expect(written.map((e) => e.name)).toEqual(['före.txt', 'stor/mönster.bin', 'efter.txt']);
    expect(written[1]).toMatchObject({ size: BIG, crc32: bigCrc });
    expect(written[2]?.offset).toBeGreaterThan(0xffffffff);
  });

  it('passes unzip -t and is read by our reader with correct sizes, offsets and CRCs', async () => {
    // unzip -t is the slow part (about 250 MB/s of CRC on one core), so our reader runs beside it.
    const unzip = run('unzip', ['-t', file]);
    const handle = await fs.open(file);
    const { size } = await handle.stat();
    const directory = await readZipDirectory(async (start, end) => {
      const buf = Buffer.alloc(end - start + 1);
      await handle.read(buf, 0, buf.length, start);
      return buf;
    }, size);
    await handle.close();
    expect(directory.entries.map((e) => [e.name, e.size, e.localHeaderOffset, e.crc32])).toEqual(
      written.map((e) => [e.name, e.size, e.offset, e.crc32]),
    );
    let bytes = 0;
    const checks = await walkZip(createReadStream(file), directory, {
      onBytes: (chunk) => {
        bytes += chunk.byteLength;
      },
    });
    expect(checks.map((c) => c.crcOk)).toEqual([true, true, true]);
    expect(bytes).toBe(size);
    expect((await unzip).stdout).toMatch(/No errors detected/);
  }, 120_000);

  it('lets yauzl read the entry beyond 4 GiB', async () => {
    const data = await new Promise<string>((resolve, reject) => {
      yauzl.open(file, { lazyEntries: true }, (err, zip) => {
        if (err) return reject(err);
        zip.on('error', reject);
        zip.on('entry', (entry: yauzl.Entry) => {
          if (entry.fileName !== 'efter.txt') return zip.readEntry();
          zip.openReadStream(entry, async (e, stream) => {
            if (e) return reject(e);
            const parts: Buffer[] = [];
            for await (const part of stream) parts.push(part as Buffer);
            zip.close();
            resolve(Buffer.concat(parts).toString());
          });
        });
        zip.readEntry();
      });
    });
    expect(data).toBe('efter 4 GiB');
  });
});
