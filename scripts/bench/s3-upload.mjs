#!/usr/bin/env node
/**
 * The S3 floors, run as their own process (so GNU time measures them like the other steps), with
 * `@aws-sdk/lib-storage` Upload (part size and parts in flight as bevara's s3 location, checksums only when
 * required, path-style URLs). Prints `{ objects, bytes }` as JSON.
 *
 *   node s3-upload.mjs <list file>      every file named in a NUL-separated list, relative to the working
 *                                       directory, as one object under the same key; `parallel` files at once
 *   node s3-upload.mjs --single <file>  that one file (the zip of the corpus) as one object named by its basename,
 *                                       under `packages/` (where s3-get-hash.mjs looks, to read it back)
 *   env: BENCH_S3_ENDPOINT, BENCH_S3_REGION, BENCH_S3_BUCKET, BENCH_S3_PART_MIB, BENCH_S3_QUEUE, BENCH_S3_PARALLEL
 *        (list mode only), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

const env = process.env;
const required = (name) => {
  if (!env[name]) throw new Error(`[bench] s3-upload: ${name} is not set`);
  return env[name];
};
const USAGE = '[bench] s3-upload: usage: s3-upload.mjs <list file> | s3-upload.mjs --single <file>';

async function main() {
  const [first, second] = process.argv.slice(2);
  const single = first === '--single';
  const source = single ? second : first;
  if (!source) throw new Error(USAGE);
  const files = single ? [source] : readFileSync(source, 'utf8').split('\0').filter(Boolean);
  const keyOf = single ? (file) => `packages/${basename(file)}` : (file) => file.replace(/^\.\//, '');
  const parallel = single ? 1 : Number(required('BENCH_S3_PARALLEL'));
  const bucket = required('BENCH_S3_BUCKET');
  const partSize = Number(required('BENCH_S3_PART_MIB')) * 2 ** 20;
  const queueSize = Number(required('BENCH_S3_QUEUE'));
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

  let next = 0;
  let bytes = 0;
  const uploadOne = async (file) => {
    const size = statSync(file).size;
    const upload = new Upload({
      client,
      params: { Bucket: bucket, Key: keyOf(file), Body: createReadStream(file), ContentLength: size },
      partSize,
      queueSize,
      leavePartsOnError: false,
    });
    await upload.done();
    bytes += size;
  };
  const lane = async () => {
    while (next < files.length) await uploadOne(files[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, lane));
  process.stdout.write(`${JSON.stringify({ objects: files.length, bytes })}\n`);
}

main().catch((err) => {
  process.stderr.write(
    `[bench] s3-upload: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`,
  );
  process.exitCode = 1;
});
