import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageSummary } from '../../src/catalog/types.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import {
  createTestBucket,
  deleteTestBucket,
  incompleteUploads,
  rawS3Client,
  s3CredentialsEnv,
  s3TestEnv,
} from '../helpers/s3-env.js';
import { bevara, bevaraAsync, json, snapshot, tempDir } from './helpers.js';

// An ingest process interrupted mid-upload, on the real engine: with SIGKILL (nothing can clean up; the next run
// must) and with SIGTERM (the process aborts its multipart upload itself before it exits).
const env = s3TestEnv();
const raw = rawS3Client();
let bucket: string;
beforeAll(async () => {
  bucket = await createTestBucket(raw, 'plain');
});
afterAll(async () => {
  await deleteTestBucket(raw, bucket);
  raw.destroy();
});

interface Setup {
  work: string;
  data: string;
  source: string;
  config: string;
  prefix: string;
  proxy: FaultProxy;
  cliEnv: NodeJS.ProcessEnv;
}

async function setup(): Promise<Setup> {
  const work = tempDir('s3kill');
  const source = path.join(work, 'records');
  fs.mkdirSync(path.join(source, 'stor-ritning'), { recursive: true });
  fs.writeFileSync(path.join(source, 'stor-ritning', 'ritning.tif'), randomBytes(40 * 1024 * 1024));
  fs.writeFileSync(path.join(source, 'stor-ritning', 'anteckning.txt'), 'Ritning till bygglov 2024-0113\n');
  const proxy = await startFaultProxy(env.endpoint);
  const prefix = `kill-${randomBytes(4).toString('hex')}`;
  const config = path.join(work, 'bevara.config.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      locations: {
        arkiv: {
          driver: 's3',
          endpoint: proxy.endpoint,
          bucket,
          prefix,
          partSizeMiB: 5,
          uploadConcurrency: 1,
        },
      },
      copies: ['arkiv'],
      ingest: { workers: 1, incompleteUploadsMaxAgeMinutes: 0 },
    }),
  );
  const cliEnv = s3CredentialsEnv(['arkiv']);
  return { work, data: path.join(work, 'data'), source, config, prefix, proxy, cliEnv };
}

/** Starts an ingest and sends `signal` once the engine has received the second part of the upload. */
async function ingestInterrupted(s: Setup, signal: NodeJS.Signals) {
  const { child, done } = bevaraAsync(s.data, ['-c', s.config, '--json', 'ingest', s.source], {
    env: s.cliEnv,
  });
  const seenPart2 = () => s.proxy.seen.some((r) => r.includes('partNumber=2'));
  const started = Date.now();
  while (!seenPart2() && Date.now() - started < 30_000 && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(seenPart2()).toBe(true);
  child.kill(signal);
  return done;
}

async function visibleObjects(s: Setup): Promise<string[]> {
  const out = await raw.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${s.prefix}/packages/` }));
  return (out.Contents ?? []).map((o) => o.Key ?? '');
}

async function nextRunCompletes(s: Setup, before: Record<string, string>): Promise<void> {
  const again = await bevaraAsync(s.data, ['-c', s.config, '--json', 'ingest', s.source], { env: s.cliEnv })
    .done;
  expect(again.code, again.stderr).toBe(0);
  expect(json<{ archived: number }>(again).archived).toBe(1);
  expect(await incompleteUploads(raw, bucket, s.prefix)).toEqual([]);
  expect(await visibleObjects(s)).toHaveLength(1);
  const packages = json<PackageSummary[]>(
    bevara(s.data, ['-c', s.config, '--json', 'ls'], { env: s.cliEnv }),
  );
  expect(packages.map((p) => p.state)).toEqual(['archived']);
  const audit = await bevaraAsync(s.data, ['-c', s.config, '--json', 'audit', '--all'], { env: s.cliEnv })
    .done;
  expect(audit.code, audit.stderr).toBe(0);
  expect(snapshot(s.source)).toEqual(before);
}

describe('an ingest interrupted mid-upload', () => {
  it('killed with SIGKILL: no visible package; the next run removes the incomplete upload and archives it', async () => {
    const s = await setup();
    try {
      const before = snapshot(s.source);
      const killed = await ingestInterrupted(s, 'SIGKILL');
      expect(killed.code).toBe(128);
      expect(await visibleObjects(s)).toEqual([]);
      // The scenario is real: the killed process could not abort its upload.
      expect((await incompleteUploads(raw, bucket, s.prefix)).length).toBeGreaterThan(0);
      expect(
        json<PackageSummary[]>(bevara(s.data, ['-c', s.config, '--json', 'ls'], { env: s.cliEnv })),
      ).toEqual([]);
      await nextRunCompletes(s, before);
    } finally {
      await s.proxy.close();
      fs.rmSync(s.work, { recursive: true, force: true });
    }
  });

  it('stopped with SIGTERM: aborts its own upload, reports the record as waiting, and the next run archives it', async () => {
    const s = await setup();
    try {
      const before = snapshot(s.source);
      const stopped = await ingestInterrupted(s, 'SIGTERM');
      expect(stopped.code).toBe(1);
      // The run is closed with a status and a report; the record stands where the stop left it.
      expect(
        json<{ waiting: number; archived: number; interrupted: number; status: string }>(stopped),
      ).toMatchObject({
        waiting: 1,
        archived: 0,
        interrupted: 1,
        status: 'completed-with-failures',
      });
      expect(await incompleteUploads(raw, bucket, s.prefix)).toEqual([]);
      expect(await visibleObjects(s)).toEqual([]);
      await nextRunCompletes(s, before);
    } finally {
      await s.proxy.close();
      fs.rmSync(s.work, { recursive: true, force: true });
    }
  });
});
