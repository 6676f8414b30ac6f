#!/usr/bin/env node
/**
 * Compares ZIP writers in store mode on the same generated files, reading from disk and writing to a file:
 * our createZipStream, archiver (`store: true`) and Info-ZIP `zip -0 -r -q`.
 *
 *   npx tsc -p tsconfig.build.json && node scripts/bench-zip.mjs
 *   # or, when other parts of the tree do not compile yet:
 *   npx tsc --outDir /tmp/zipbench --rootDir src --module NodeNext --moduleResolution NodeNext --target ES2022 \
 *     --skipLibCheck --types node src/zip/*.ts src/errors.ts
 *   node scripts/bench-zip.mjs --from /tmp/zipbench
 *
 * Options: --from <dir> (compiled output holding zip/writer.js, default ../dist), --runs <n> (default 3,
 * the best run counts). Corpora: (a) 2,000 files of 4-200 KB in 20 folders, (b) one 200 MB file. Every tool
 * reads the same files, warm in the page cache after the first run.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ZipArchive } from 'archiver';

const { values } = parseArgs({
  options: { from: { type: 'string' }, runs: { type: 'string', default: '3' } },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const from = path.resolve(values.from ?? path.join(here, '..', 'dist'));
const { createZipStream } = await import(pathToFileURL(path.join(from, 'zip', 'writer.js')).href);
const runs = Number(values.runs);

function run(cmd, args, cwd) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd }, (err, _stdout, stderr) =>
      err ? reject(new Error(`${cmd}: ${stderr}`)) : resolve(),
    );
  });
}

/** Deterministic sizes (xorshift), random content. Returns relative paths and the total size. */
async function makeCorpus(root, kind) {
  const files = [];
  if (kind === 'small') {
    let seed = 2463534242;
    for (let i = 0; i < 2000; i++) {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      const size = 4096 + ((seed >>> 0) % (200 * 1024 - 4096));
      files.push({ name: `mapp-${i % 20}/fil-${i}.bin`, size });
    }
  } else {
    files.push({ name: 'stor.bin', size: 200 * 1024 * 1024 });
  }
  const block = randomBytes(8 * 1024 * 1024);
  for (const file of files) {
    const target = path.join(root, file.name);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const handle = await fs.open(target, 'w');
    for (let done = 0; done < file.size; ) {
      const n = Math.min(block.length, file.size - done);
      const offset = (done * 31 + file.size) % (block.length - n + 1);
      await handle.write(block, offset, n);
      done += n;
    }
    await handle.close();
  }
  return { files, bytes: files.reduce((sum, f) => sum + f.size, 0) };
}

/**
 * CPU seconds used so far by this process (all threads, so libuv's file I/O too) plus its waited-for children
 * (zip). CPU time is less disturbed than wall time when other work shares the machine.
 */
function cpuSeconds() {
  const { user, system } = process.cpuUsage();
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const children = (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, in clock ticks (USER_HZ)
  return (user + system) / 1e6 + children;
}

const writers = {
  async ours(root, files, out) {
    async function* entries() {
      for (const { name } of files) {
        const file = path.join(root, name);
        const stat = await fs.stat(file);
        yield { name, mtime: stat.mtime, size: stat.size, data: createReadStream(file) };
      }
    }
    await pipeline(createZipStream(entries()), createWriteStream(out));
  },
  async archiver(root, _files, out) {
    const archive = new ZipArchive({ store: true });
    const done = pipeline(archive, createWriteStream(out));
    archive.directory(root, false);
    await archive.finalize();
    await done;
  },
  async 'zip -0'(root, _files, out) {
    await run('zip', ['-0', '-r', '-q', out, '.'], root);
  },
};

const base = await fs.mkdtemp(path.join(os.tmpdir(), 'bevara-bench-zip-'));
try {
  for (const [label, kind] of [
    ['(a) 2,000 files of 4-200 KB', 'small'],
    ['(b) one 200 MB file', 'large'],
  ]) {
    const root = path.join(base, kind);
    const { files, bytes } = await makeCorpus(root, kind);
    const results = {};
    for (const [name, write] of Object.entries(writers)) {
      let wall = Number.POSITIVE_INFINITY;
      let cpu = Number.POSITIVE_INFINITY;
      for (let i = 0; i < runs; i++) {
        const out = path.join(base, `out-${kind}.zip`);
        const cpuBefore = cpuSeconds();
        const start = performance.now();
        await write(root, files, out);
        wall = Math.min(wall, (performance.now() - start) / 1000);
        cpu = Math.min(cpu, cpuSeconds() - cpuBefore);
        await fs.rm(out);
      }
      results[name] = { wall: bytes / 1e6 / wall, cpu: bytes / 1e6 / cpu };
    }
    console.log(
      `${label}: ${(bytes / 1e6).toFixed(0)} MB, best of ${runs} (MB/s of wall time | of CPU time)`,
    );
    for (const [name, { wall, cpu }] of Object.entries(results)) {
      const ratio = (value, key) => (value / results['zip -0'][key]).toFixed(2);
      console.log(
        `  ${name.padEnd(9)} ${wall.toFixed(0).padStart(5)} MB/s ${ratio(wall, 'wall')}x zip -0 | ` +
          `${cpu.toFixed(0).padStart(5)} MB/s ${ratio(cpu, 'cpu')}x zip -0`,
      );
    }
  }
} finally {
  await fs.rm(base, { recursive: true, force: true });
}
