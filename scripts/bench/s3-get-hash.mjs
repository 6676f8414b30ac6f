#!/usr/bin/env node
/**
 * The S3 audit floor, run as its own process (so GNU time measures it like the other steps): every package ZIP in
 * a bucket (`packages/**.zip`) read with a plain SDK GetObject and streamed into `openssl dgst -sha256`, `parallel`
 * objects at once (as many as bevara audit has workers). Prints `{ objects, bytes, digests }` as JSON.
 *
 * Process start-up is costly on a busy machine (tens of ms for openssl 3), so instead of one openssl per object
 * each lane runs one openssl over a list of named pipes (FIFOs), one per object, and writes the objects into them
 * in that order: openssl reads one pipe to its end, prints its digest and opens the next, as the filesystem floor
 * (`xargs openssl dgst`) reads many files per process. Objects are dealt to the lanes largest first, each to the
 * lane with the fewest bytes so far, so the lanes finish together.
 *
 *   node s3-get-hash.mjs <fifo dir>
 *   env: BENCH_S3_ENDPOINT, BENCH_S3_REGION, BENCH_S3_BUCKET, BENCH_S3_PARALLEL, AWS_ACCESS_KEY_ID,
 *        AWS_SECRET_ACCESS_KEY
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';

const env = process.env;
const required = (name) => {
  if (!env[name]) throw new Error(`[bench] s3-get-hash: ${name} is not set`);
  return env[name];
};
const PACKAGE_ZIP = /^packages\/.+\.zip$/;

async function listPackages(client, bucket) {
  const objects = [];
  for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: 'packages/' })) {
    for (const o of page.Contents ?? []) {
      if (PACKAGE_ZIP.test(o.Key)) objects.push({ key: o.Key, size: o.Size ?? 0 });
    }
  }
  return objects;
}

/** Largest first, each to the lane with the fewest bytes so far. */
function deal(objects, laneCount) {
  const lanes = Array.from({ length: laneCount }, () => ({ objects: [], bytes: 0 }));
  for (const o of [...objects].sort((a, b) => b.size - a.size)) {
    const lane = lanes.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    lane.objects.push(o);
    lane.bytes += o.size;
  }
  return lanes.filter((l) => l.objects.length > 0);
}

/** One openssl over one FIFO per object; the objects are fetched one after another into their FIFO. */
async function runLane(client, bucket, fifoDir, index, objects) {
  const fifos = objects.map((_, i) => join(fifoDir, `${index}-${i}`));
  const made = spawnSync('mkfifo', fifos, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`[bench] s3-get-hash: mkfifo failed: ${made.stderr}`);
  const openssl = spawn('openssl', ['dgst', '-sha256', ...fifos], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  openssl.stdout.on('data', (d) => {
    stdout += d;
  });
  openssl.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise((resolve) => openssl.on('close', (code) => resolve(code)));
  // openssl gone early would leave the next FIFO open waiting for a reader forever.
  let finished = false;
  const early = exited.then((code) => {
    if (!finished)
      throw new Error(`[bench] s3-get-hash: openssl (lane ${index}) exited early (${code}): ${stderr}`);
  });
  let bytes = 0;
  const fetchAll = async () => {
    for (const [i, object] of objects.entries()) {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: object.key }));
      const sink = createWriteStream(fifos[i]);
      await pipeline(out.Body, sink);
      bytes += sink.bytesWritten;
    }
    finished = true;
  };
  try {
    await Promise.race([fetchAll(), early]);
  } catch (err) {
    openssl.kill();
    throw err;
  }
  const code = await exited;
  const digests = stdout.split('\n').filter((l) => /= [0-9a-f]{64}$/.test(l)).length;
  if (code !== 0 || digests !== objects.length) {
    throw new Error(
      `[bench] s3-get-hash: openssl (lane ${index}) exited ${code} with ${digests} of ${objects.length} ` +
        `digests: ${stderr}`,
    );
  }
  return { bytes, digests };
}

async function main() {
  const fifoDir = process.argv[2];
  if (!fifoDir) throw new Error('[bench] s3-get-hash: usage: s3-get-hash.mjs <fifo dir>');
  mkdirSync(fifoDir, { recursive: true });
  const bucket = required('BENCH_S3_BUCKET');
  const parallel = Math.max(1, Number(required('BENCH_S3_PARALLEL')));
  const client = new S3Client({
    endpoint: required('BENCH_S3_ENDPOINT'),
    region: required('BENCH_S3_REGION'),
    forcePathStyle: true,
    credentials: {
      accessKeyId: required('AWS_ACCESS_KEY_ID'),
      secretAccessKey: required('AWS_SECRET_ACCESS_KEY'),
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { httpAgent: { keepAlive: true, maxSockets: 64 } },
  });
  const objects = await listPackages(client, bucket);
  const lanes = deal(objects, parallel);
  const done = await Promise.all(lanes.map((lane, i) => runLane(client, bucket, fifoDir, i, lane.objects)));
  const bytes = done.reduce((sum, d) => sum + d.bytes, 0);
  const digests = done.reduce((sum, d) => sum + d.digests, 0);
  process.stdout.write(`${JSON.stringify({ objects: objects.length, bytes, digests })}\n`);
}

main().catch((err) => {
  process.stderr.write(
    `[bench] s3-get-hash: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`,
  );
  // A FIFO still being opened holds a libuv thread: exit instead of waiting for it.
  process.exit(1);
});
