import { execFileSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileForNobody } from './compile-for-nobody.js';
import { makeTempRoot, removeTempRoot, snapshot, writeTree } from './helpers.js';

// Root can open anything, so unreadable files only show up when the scan runs as another user.
const RUNNER = `
import { createFolderSource } from './src/sources/folder.js';
const result = [];
try {
  for await (const item of createFolderSource({ root: process.argv[2] }).scan()) {
    if (!item.ok) {
      const errors = item.rejected.errors.map((e) => ({ rule: e.rule, file: e.subject.file, message: e.message }));
      result.push({ ok: false, key: item.rejected.key, errors });
      continue;
    }
    const files = [];
    for (const f of item.record.files) {
      let bytes = 0;
      for await (const chunk of f.open()) bytes += chunk.length;
      files.push([f.path, bytes]);
    }
    result.push({ ok: true, key: item.record.key, files });
  }
} catch (err) {
  result.push({ thrown: { name: err.name, rule: err.rule, message: err.message } });
}
process.stdout.write(JSON.stringify(result));
`;

let compiled: string;
let root: string;

beforeAll(async () => {
  compiled = await compileForNobody('src/sources/folder.ts');
  await writeFile(join(compiled, 'runner.mjs'), RUNNER, { mode: 0o644 });
  root = await makeTempRoot();
});

afterAll(async () => {
  await removeTempRoot(compiled);
  await removeTempRoot(root);
});

function scanAsNobody(dir: string): unknown[] {
  const stdout = execFileSync('runuser', ['-u', 'nobody', '--', process.execPath, 'runner.mjs', dir], {
    cwd: compiled,
    encoding: 'utf8',
  });
  return JSON.parse(stdout) as unknown[];
}

describe('unreadable (scan runs as user nobody)', () => {
  it('rejects records with files or folders that cannot be opened or listed, and reads the rest', async () => {
    const input = join(root, 'in');
    await writeTree(input, {
      '2024-0113 Bygglov/ansökan.pdf': '%PDF-1.4',
      '2024-0113 Bygglov/bilagor/ritning.pdf': 'secret',
      '2024-0113 Bygglov/låst mapp/a.txt': 'a',
      'B metadata/a.txt': 'a',
      'B metadata/record.json': '{"title":"B"}',
      'C ok/a.txt': 'abc',
    });
    await mkdir(join(input, 'D låst'));
    await chmod(join(input, '2024-0113 Bygglov/bilagor/ritning.pdf'), 0o000);
    await chmod(join(input, '2024-0113 Bygglov/låst mapp'), 0o000);
    await chmod(join(input, 'B metadata/record.json'), 0o000);
    await chmod(join(input, 'D låst'), 0o000);
    const before = await snapshot(input);

    const result = scanAsNobody(input);

    expect(result).toEqual([
      {
        ok: false,
        key: '2024-0113 Bygglov',
        errors: [
          {
            rule: 'unreadable',
            file: 'bilagor/ritning.pdf',
            message:
              'record "2024-0113 Bygglov" file "bilagor/ritning.pdf": unreadable (EACCES: permission denied)',
          },
          {
            rule: 'unreadable',
            file: 'låst mapp',
            message: 'record "2024-0113 Bygglov" file "låst mapp": unreadable (EACCES: permission denied)',
          },
        ],
      },
      {
        ok: false,
        key: 'B metadata',
        errors: [
          {
            rule: 'unreadable',
            file: 'record.json',
            message: 'record "B metadata" file "record.json": unreadable (EACCES: permission denied)',
          },
        ],
      },
      { ok: true, key: 'C ok', files: [['a.txt', 3]] },
      {
        ok: false,
        key: 'D låst',
        errors: [{ rule: 'unreadable', message: 'record "D låst": unreadable (EACCES: permission denied)' }],
      },
    ]);
    expect(await snapshot(input)).toEqual(before);
  });

  it('fails the whole scan when the input folder itself cannot be listed', async () => {
    const input = join(root, 'stängd');
    await writeTree(input, { 'a/b.txt': 'b' });
    await chmod(input, 0o700);
    expect(scanAsNobody(input)).toEqual([
      {
        thrown: {
          name: 'ValidationError',
          rule: 'unreadable',
          message: `[source:folder] input folder "${input}": EACCES: permission denied`,
        },
      },
    ]);
  });
});
