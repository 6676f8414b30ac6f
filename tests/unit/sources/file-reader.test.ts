import { appendFileSync } from 'node:fs';
import { readFile, rename, rm, stat, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { createVerifiedReadStream, probeFile, READ_CHUNK_BYTES } from '../../../src/sources/file-reader.js';
import { createFolderSource } from '../../../src/sources/folder.js';
import type { SourceFile } from '../../../src/sources/types.js';
import { accepted, collect, readAll, useTempRoot, writeTree } from './helpers.js';

const temp = useTempRoot();
let root: string;
beforeEach(() => {
  root = temp.root;
});

async function scanFile(name: string, content: string | Buffer): Promise<SourceFile> {
  await writeTree(root, { [`2024-0113 Bygglov/${name}`]: content });
  const record = accepted((await collect(createFolderSource({ root })))[0]);
  const file = record.files.find((f) => f.path === name);
  if (!file) throw new Error(`${name} not scanned`);
  return file;
}

async function expectFailure(file: SourceFile, rule: string, reason: RegExp) {
  const err = await readAll(file.open()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationError);
  const v = err as ValidationError;
  expect(v.rule).toBe(rule);
  expect(v.subject).toEqual({ record: '2024-0113 Bygglov', file: file.path });
  expect(v.message.startsWith(`record "2024-0113 Bygglov" file "${file.path}": `)).toBe(true);
  expect(v.message).toMatch(reason);
}

describe('SourceFile.open', () => {
  it('streams the exact bytes in chunks of 1 MiB', async () => {
    const content = Buffer.alloc(2 * READ_CHUNK_BYTES + 123);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31) & 0xff;
    const file = await scanFile('ritning.pdf', content);
    await temp.freeze();
    const stream = file.open();
    expect(stream.readableHighWaterMark).toBe(READ_CHUNK_BYTES);
    const sizes: number[] = [];
    const chunks: Buffer[] = [];
    for await (const chunk of stream) {
      sizes.push((chunk as Buffer).length);
      chunks.push(chunk as Buffer);
    }
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
    expect(sizes).toEqual([READ_CHUNK_BYTES, READ_CHUNK_BYTES, 123]);
  });

  it('reads with small chunks and sizes that are and are not multiples of the chunk', async () => {
    for (const content of ['', 'abcde', 'abcdefghij', 'abcdefghijk']) {
      await writeFile(join(root, 'f.txt'), content);
      const probe = await probeFile(Buffer.from(join(root, 'f.txt')));
      if (!probe.ok) throw new Error(probe.reason);
      const stream = createVerifiedReadStream({
        path: Buffer.from(join(root, 'f.txt')),
        record: 'r',
        file: 'f.txt',
        expected: probe.identity,
        chunkSize: 5,
      });
      expect((await readAll(stream)).toString()).toBe(content);
    }
  });

  it('does not change the atime of what it scans and reads (O_NOATIME)', async () => {
    const file = await scanFile('a.txt', 'innehåll');
    const path = join(root, '2024-0113 Bygglov/a.txt');
    const old = new Date('2020-01-01T00:00:00Z');
    await utimes(path, old, new Date('2021-01-01T00:00:00Z'));
    const rescanned = accepted((await collect(createFolderSource({ root })))[0]).files[0] ?? file;
    expect((await readAll(rescanned.open())).toString()).toBe('innehåll');
    expect((await stat(path)).atime.toISOString()).toBe(old.toISOString());
    // control: a plain read on this filesystem does move atime (relatime), so the check above means something
    await readFile(path);
    expect((await stat(path)).atime.getTime()).toBeGreaterThan(old.getTime());
  });

  it('file-changed: the file grows while it is being read', async () => {
    const file = await scanFile('logg.txt', Buffer.alloc(3 * READ_CHUNK_BYTES, 0x61));
    const stream = file.open();
    let appended = false;
    const err = await new Promise<unknown>((resolve) => {
      stream.on('data', () => {
        if (!appended) appendFileSync(join(root, '2024-0113 Bygglov/logg.txt'), 'mer');
        appended = true;
      });
      stream.on('error', resolve);
      stream.on('end', () => resolve(undefined));
    });
    expect(appended).toBe(true);
    expect(err).toMatchObject({
      rule: 'file-changed',
      subject: { record: '2024-0113 Bygglov', file: 'logg.txt' },
    });
    expect((err as Error).message).toBe(
      `record "2024-0113 Bygglov" file "logg.txt": changed since the scan (more than ${3 * READ_CHUNK_BYTES} bytes read)`,
    );
    await temp.freeze(); // the test changed the file itself; the source must not change it further
  });

  it('file-changed: modification time differs from the scan', async () => {
    const file = await scanFile('beslut.pdf', 'beslut');
    const t = new Date('2024-05-05T05:05:05Z');
    await utimes(join(root, '2024-0113 Bygglov/beslut.pdf'), t, t);
    await temp.freeze();
    await expectFailure(file, 'file-changed', /modification time changed/);
  });

  it('file-changed: truncated, or replaced by another file of the same size', async () => {
    const file = await scanFile('a.txt', 'abcdef');
    await truncate(join(root, '2024-0113 Bygglov/a.txt'), 2);
    await expectFailure(file, 'file-changed', /size 6 -> 2 bytes/);
    await writeFile(join(root, 'ny.txt'), 'ABCDEF');
    const file2 = (await scanFile('b.txt', 'abcdef')) as SourceFile;
    await rename(join(root, 'ny.txt'), join(root, '2024-0113 Bygglov/b.txt'));
    await temp.freeze();
    await expectFailure(file2, 'file-changed', /replaced by another file/);
  });

  it('file-changed: replaced by a symbolic link (not followed)', async () => {
    const file = await scanFile('a.txt', 'abc');
    await rm(join(root, '2024-0113 Bygglov/a.txt'));
    await symlink('/etc/hostname', join(root, '2024-0113 Bygglov/a.txt'));
    await temp.freeze();
    await expectFailure(file, 'file-changed', /now a symbolic link/);
  });

  it('file-missing: deleted after the scan', async () => {
    const file = await scanFile('bilagor/ritning.pdf', 'pdf');
    await rm(join(root, '2024-0113 Bygglov/bilagor/ritning.pdf'));
    await temp.freeze();
    await expectFailure(file, 'file-missing', /ENOENT: no such file or directory$/);
  });
});
