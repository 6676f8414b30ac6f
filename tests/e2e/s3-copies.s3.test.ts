import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CopyRecord, PackageSummary } from '../../src/catalog/types.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import {
  createTestBucket,
  deleteTestBucket,
  rawS3Client,
  s3CredentialsEnv,
  s3TestEnv,
} from '../helpers/s3-env.js';
import { bevara, bevaraAsync, copyFixtures, json, snapshot, tempDir } from './helpers.js';

// Two S3 copies per package on the real engine: `primary` in a bucket with Object Lock (COMPLIANCE, 1 day),
// `offsite` in a plain bucket reached through a proxy that the tests can take down. Keys come from the
// environment, as operators are told to pass them; the secret must never show in output or reports.
const env = s3TestEnv();
const raw = rawS3Client();
let lockedBucket: string;
let plainBucket: string;

beforeAll(async () => {
  lockedBucket = await createTestBucket(raw, 'locked');
  plainBucket = await createTestBucket(raw, 'plain');
});
afterAll(async () => {
  await deleteTestBucket(raw, lockedBucket);
  await deleteTestBucket(raw, plainBucket);
  raw.destroy();
});

interface Setup {
  work: string;
  data: string;
  source: string;
  config: string;
  cliEnv: NodeJS.ProcessEnv;
}

function setup(offsiteEndpoint: string, extra: Record<string, unknown> = {}): Setup {
  const work = tempDir('s3copies');
  const source = copyFixtures(path.join(work, 'records'));
  const prefix = `e2e-${randomBytes(4).toString('hex')}`;
  const config = path.join(work, 'bevara.config.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      locations: {
        primary: {
          driver: 's3',
          endpoint: env.endpoint,
          bucket: lockedBucket,
          prefix,
          objectLock: { mode: 'COMPLIANCE', retainDays: 1 },
        },
        offsite: { driver: 's3', endpoint: offsiteEndpoint, bucket: plainBucket, prefix, maxAttempts: 2 },
      },
      copies: ['primary', 'offsite'],
      ...extra,
    }),
  );
  const cliEnv = s3CredentialsEnv(['primary', 'offsite']);
  return { work, data: path.join(work, 'data'), source, config, cliEnv };
}

const run = (s: Setup, args: string[]) => bevara(s.data, ['-c', s.config, ...args], { env: s.cliEnv });
const runAsync = (s: Setup, args: string[]) =>
  bevaraAsync(s.data, ['-c', s.config, ...args], { env: s.cliEnv }).done;

function expectNoSecret(s: Setup, ...outputs: string[]): void {
  for (const out of outputs) expect(out).not.toContain(env.secretAccessKey);
  for (const file of fs.readdirSync(path.join(s.data, 'reports'))) {
    expect(fs.readFileSync(path.join(s.data, 'reports', file), 'utf8')).not.toContain(env.secretAccessKey);
  }
}

describe('two S3 copies per package on a real engine', () => {
  let s: Setup;
  let proxy: FaultProxy;

  beforeAll(async () => {
    proxy = await startFaultProxy(env.endpoint);
    s = setup(proxy.endpoint);
  });
  afterAll(async () => {
    await proxy.close();
    fs.rmSync(s.work, { recursive: true, force: true });
  });

  it('archives every record with both copies verified, version ids recorded, the secret nowhere', async () => {
    const before = snapshot(s.source);
    const result = await runAsync(s, ['--json', 'ingest', s.source]);
    expect(result.code, result.stderr).toBe(0);
    expect(json<{ archived: number; waiting: number }>(result)).toMatchObject({ archived: 3, waiting: 0 });
    expect(snapshot(s.source)).toEqual(before);
    const packages = json<PackageSummary[]>(run(s, ['--json', 'ls']));
    expect(packages).toHaveLength(3);
    for (const p of packages) {
      expect(p.state).toBe('archived');
      expect(p.copies.map((c) => `${c.location}:${c.status}`).sort()).toEqual([
        'offsite:verified',
        'primary:verified',
      ]);
    }
    const shown = json<{ copies: CopyRecord[] }>(run(s, ['--json', 'show', packages[0]?.id ?? '']));
    expect(shown.copies.find((c) => c.location === 'primary')?.versionId).toBeTruthy();
    expectNoSecret(s, result.stdout, result.stderr);
  });

  it('audits every copy in every location clean, through the proxy too', async () => {
    const result = await runAsync(s, ['--json', 'audit', '--all']);
    expect(result.code, result.stderr).toBe(0);
    expect(json<{ verified: number; failed: number }>(result)).toMatchObject({ verified: 6, failed: 0 });
  });

  it('restores a package byte for byte from the first healthy copy', async () => {
    const [first] = json<PackageSummary[]>(run(s, ['--json', 'ls']));
    const out = path.join(s.work, 'restored');
    const result = await runAsync(s, ['get', first?.id ?? '', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(fs.readdirSync(out).length).toBeGreaterThan(0);
  });

  it('finds a corrupted and a deleted object in one location while the other copies stay healthy', async () => {
    const packages = json<PackageSummary[]>(run(s, ['--json', 'ls']));
    const [damaged, deleted] = packages.map((p) =>
      json<{ copies: CopyRecord[] }>(run(s, ['--json', 'show', p.id])).copies.find(
        (c) => c.location === 'offsite',
      ),
    );
    const prefix = JSON.parse(fs.readFileSync(s.config, 'utf8')).locations.offsite.prefix as string;
    const damagedKey = `${prefix}/${damaged?.key}`;
    const original = await raw.send(new GetObjectCommand({ Bucket: plainBucket, Key: damagedKey }));
    const bytes = Buffer.from(
      await (original.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    await raw.send(
      new PutObjectCommand({
        Bucket: plainBucket,
        Key: damagedKey,
        Body: bytes,
        Metadata: original.Metadata,
      }),
    );
    await raw.send(new DeleteObjectCommand({ Bucket: plainBucket, Key: `${prefix}/${deleted?.key}` }));

    // Both are found and repaired from the healthy primary copies: exit 3 (repairs made, all well now).
    const result = await runAsync(s, ['--json', 'audit', '--all']);
    expect(result.code).toBe(3);
    const report = json<{
      verified: number;
      repaired: number;
      items: { status: string; packageId?: string; subject: string; message?: string }[];
    }>(result);
    expect(report.verified).toBe(4);
    expect(report.repaired).toBe(2);
    const bad = report.items.filter((i) => i.status === 'repaired');
    expect(bad.map((i) => i.packageId).sort()).toEqual([damaged?.packageId, deleted?.packageId].sort());
    for (const item of bad) expect(`${item.subject} ${item.message}`).toContain('offsite');
    const again = await runAsync(s, ['--json', 'audit', '--all']);
    expect(again.code).toBe(0);
    expect(json<{ verified: number }>(again).verified).toBe(6);
  });
});

describe('a location that is down', () => {
  it('makes records wait with their verified copies, loses nothing, and the next run completes them', async () => {
    const proxy = await startFaultProxy(env.endpoint);
    const s = setup(proxy.endpoint);
    try {
      await proxy.down();
      const before = snapshot(s.source);
      const first = await runAsync(s, ['--json', 'ingest', s.source]);
      expect(first.code).toBe(1);
      const summary = json<{
        archived: number;
        waiting: number;
        items: { status: string; message: string }[];
      }>(first);
      expect(summary).toMatchObject({ archived: 0, waiting: 3 });
      for (const item of summary.items) expect(item.message).toMatch(/offsite.*unavailable/i);
      expect(snapshot(s.source)).toEqual(before);
      const waiting = json<PackageSummary[]>(run(s, ['--json', 'ls']));
      expect(waiting.map((p) => p.state)).toEqual(['stored', 'stored', 'stored']);
      for (const p of waiting) expect(p.copies.map((c) => c.location)).toEqual(['primary']);
      expect(run(s, ['ingest', s.source]).stdout).toMatch(/waiting/);

      await proxy.up();
      const second = await runAsync(s, ['--json', 'ingest', s.source]);
      expect(second.code, second.stderr).toBe(0);
      const done = json<PackageSummary[]>(run(s, ['--json', 'ls']));
      expect(done.map((p) => p.id).sort()).toEqual(waiting.map((p) => p.id).sort()); // the same packages, completed
      for (const p of done) {
        expect(p.state).toBe('archived');
        expect(p.copies.map((c) => c.location).sort()).toEqual(['offsite', 'primary']);
      }
      const shown = json<{ events: { type: string; outcome: string }[] }>(
        run(s, ['--json', 'show', done[0]?.id ?? '']),
      );
      expect(
        shown.events
          .filter((e) => e.type === 'replication')
          .map((e) => e.outcome)
          .sort(),
      ).toEqual(['failure', 'success']);
      const audit = await runAsync(s, ['--json', 'audit', '--all']);
      expect(audit.code, audit.stderr).toBe(0);
      expect(snapshot(s.source)).toEqual(before);
    } finally {
      await proxy.close();
      fs.rmSync(s.work, { recursive: true, force: true });
    }
  });

  it('with the only location down archives nothing, and succeeds once it is back', async () => {
    const proxy = await startFaultProxy(env.endpoint);
    const s = setup(proxy.endpoint, { copies: ['offsite'] });
    try {
      await proxy.down();
      const first = await runAsync(s, ['--json', 'ingest', s.source]);
      expect(first.code).toBe(1);
      expect(json<{ archived: number; waiting: number }>(first)).toMatchObject({ archived: 0, waiting: 3 });
      expect(json<PackageSummary[]>(run(s, ['--json', 'ls']))).toEqual([]);
      await proxy.up();
      const second = await runAsync(s, ['--json', 'ingest', s.source]);
      expect(second.code, second.stderr).toBe(0);
      expect(json<{ archived: number }>(second).archived).toBe(3);
    } finally {
      await proxy.close();
      fs.rmSync(s.work, { recursive: true, force: true });
    }
  });
});
