import fs from 'node:fs';
import path from 'node:path';
import {
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutObjectLockConfigurationCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { allVersions, createTestBucket, rawS3Client, s3TestEnv } from '../helpers/s3-env.js';
import { bevara, type CliResult, json, tempDir } from './helpers.js';

// `bevara storage check` against the real Ceph RGW: buckets of each kind, wrong secrets, a dead endpoint.
const env = s3TestEnv();
const raw = rawS3Client();
const buckets: string[] = [];
let plain: string;
let locked: string;
let work: string;

interface Fact {
  status: 'yes' | 'no' | 'unknown';
  detail?: string;
}
interface Report {
  ok: boolean;
  policy: string[];
  errors: number;
  warnings: number;
  locations: {
    location: string;
    inPolicy: boolean;
    where: string;
    facts: Record<string, Fact>;
    problems: { location: string; severity: string; fact: string; message: string }[];
  }[];
}

const s3 = (bucket: string, extra: Record<string, unknown> = {}) => ({
  driver: 's3',
  endpoint: env.endpoint,
  region: env.region,
  bucket,
  credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
  maxAttempts: 2,
  requestTimeoutSeconds: 10,
  ...extra,
});

/** Runs `bevara storage check` on a config file holding these locations and copy policy. */
function check(
  locations: Record<string, unknown>,
  copies: string[],
  options: { json?: boolean; args?: string[] } = {},
): CliResult {
  const file = path.join(work, 'bevara.config.yaml');
  fs.writeFileSync(file, YAML.stringify({ locations, copies }));
  // The suite's BEVARA_TEST_* variables are not the CLI's business: keep them out of its environment.
  const unset = Object.keys(process.env).filter((k) => k.startsWith('BEVARA_TEST_'));
  const args = ['--config', file, '--log-level', 'warn', ...(options.json === false ? [] : ['--json'])];
  return bevara(path.join(work, 'data'), [...args, 'storage', 'check', ...(options.args ?? [])], {
    env: Object.fromEntries(unset.map((k) => [k, undefined])),
  });
}

function facts(report: Report, location: string): Record<string, string> {
  const found = report.locations.find((l) => l.location === location);
  if (!found) throw new Error(`no location ${location} in the report`);
  return Object.fromEntries(Object.entries(found.facts).map(([name, fact]) => [name, fact.status]));
}

async function removeBucket(bucket: string, bypass = false): Promise<void> {
  const out = await raw.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  for (const v of [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])]) {
    await raw.send(
      new DeleteObjectCommand({
        Bucket: bucket,
        Key: v.Key,
        VersionId: v.VersionId,
        BypassGovernanceRetention: bypass || undefined,
      }),
    );
  }
  await raw.send(new DeleteBucketCommand({ Bucket: bucket }));
}

beforeAll(async () => {
  plain = await createTestBucket(raw, 'plain');
  buckets.push(plain);
  locked = await createTestBucket(raw, 'locked');
  buckets.push(locked);
});
afterAll(async () => {
  for (const bucket of buckets) await removeBucket(bucket, true);
  raw.destroy();
});
beforeEach(() => {
  work = tempDir('storage-check');
  return () => fs.rmSync(work, { recursive: true, force: true });
});

describe('bevara storage check', () => {
  it('passes a plain bucket (conditional writes) and an fs location, and leaves no probe behind', async () => {
    const result = check({ local: { driver: 'fs' }, arkiv: s3(plain, { prefix: 'bevara/' }) }, [
      'local',
      'arkiv',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = json<Report>(result);
    expect(report).toMatchObject({ ok: true, errors: 0, warnings: 0, policy: ['local', 'arkiv'] });
    expect(facts(report, 'arkiv')).toEqual({
      reachable: 'yes',
      credentials: 'yes',
      bucket: 'yes',
      write: 'yes',
      delete: 'yes',
      versioning: 'no',
      objectLock: 'no',
      conditionalWrites: 'yes',
    });
    expect(facts(report, 'local')).toEqual({
      reachable: 'yes',
      write: 'yes',
      delete: 'yes',
      versioning: 'no',
      objectLock: 'no',
      conditionalWrites: 'yes',
    });
    expect(report.locations.find((l) => l.location === 'arkiv')?.where).toBe(
      `s3://${plain}/bevara at ${env.endpoint}`,
    );
    expect(await allVersions(raw, plain)).toEqual([]);
    expect(fs.readdirSync(path.join(work, 'data/store/local/.tmp'))).toEqual([]);

    const human = check({ local: { driver: 'fs' }, arkiv: s3(plain) }, ['local', 'arkiv'], { json: false });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^arkiv \(s3\) s3:\/\/\S+ at \S+ \[copy policy\]$/m);
    expect(human.stdout).toMatch(/conditional writes\s+yes\s+a second If-None-Match/);
    expect(human.stdout).toMatch(
      /^Storage check passed: 2 location\(s\) checked, 0 error\(s\), 0 warning\(s\)$/m,
    );
  });

  it('passes a bucket with Object Lock (versioning on), with and without objectLock configured', async () => {
    for (const extra of [{}, { objectLock: { mode: 'GOVERNANCE', retainDays: 1 } }]) {
      const result = check({ arkiv: s3(locked, extra) }, ['arkiv']);
      expect(result.code, result.stderr).toBe(0);
      const found = facts(json<Report>(result), 'arkiv');
      expect(found).toMatchObject({ versioning: 'yes', objectLock: 'yes', write: 'yes', delete: 'yes' });
      // Ceph 16 ignores If-None-Match on versioned buckets: versioning is what keeps the first write.
      if (env.engine === 'ceph') expect(found.conditionalWrites).toBe('no');
    }
    expect(await allVersions(raw, locked)).toEqual([]);
  });

  it('says so honestly when default retention keeps the probe', async () => {
    const retained = await createTestBucket(raw, 'locked');
    buckets.push(retained);
    await raw.send(
      new PutObjectLockConfigurationCommand({
        Bucket: retained,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
        },
      }),
    );
    const result = check({ arkiv: s3(retained) }, ['arkiv']);
    expect(result.code, result.stderr).toBe(0);
    const arkiv = json<Report>(result).locations[0];
    expect(arkiv?.facts.objectLock).toEqual({
      status: 'yes',
      detail: 'enabled, default retention GOVERNANCE 1 day',
    });
    expect(arkiv?.facts.delete?.status).toBe('no');
    expect(arkiv?.facts.delete?.detail).toMatch(
      /^probe \.bevara\/check-[0-9a-f]+ is kept by Object Lock retention/,
    );
    expect((await allVersions(raw, retained)).every((v) => v.startsWith('.bevara/check-'))).toBe(true);
  });

  it('fails when objectLock is configured on a bucket without Object Lock', () => {
    const result = check(
      { arkiv: s3(plain, { objectLock: { mode: 'COMPLIANCE', retainDays: 30 } }) },
      ['arkiv'],
      { json: false },
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain(
      `ERROR arkiv: objectLock (COMPLIANCE 30 days) is configured but Object Lock is not enabled on bucket "${plain}"`,
    );
    expect(result.stdout).toMatch(/^Storage check FAILED: 1 location\(s\) checked, 1 error\(s\)/m);
  });

  it('fails on a missing bucket; a location outside the copy policy only warns', () => {
    const missing = `bevara-missing-${Date.now()}`;
    const result = check({ local: { driver: 'fs' }, arkiv: s3(missing) }, ['arkiv']);
    expect(result.code).toBe(1);
    const report = json<Report>(result);
    expect(facts(report, 'arkiv')).toEqual({ reachable: 'yes', credentials: 'yes', bucket: 'no' });
    expect(report.locations.find((l) => l.location === 'arkiv')?.problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        fact: 'bucket',
        message: expect.stringContaining(missing),
      }),
    ]);

    const warned = check({ local: { driver: 'fs' }, arkiv: s3(missing) }, ['local']);
    expect(warned.code, warned.stderr).toBe(0);
    expect(json<Report>(warned)).toMatchObject({ ok: true, errors: 0, warnings: 1 });
  });

  it('fails with a credentials message on a wrong secret key, and never prints the secret', () => {
    const secret = `wrong-${Date.now()}-secret`;
    const locations = {
      arkiv: s3(plain, { credentials: { accessKeyId: env.accessKeyId, secretAccessKey: secret } }),
    };
    const data = check(locations, ['arkiv']);
    expect(data.code).toBe(1);
    const report = json<Report>(data);
    expect(facts(report, 'arkiv')).toEqual({ reachable: 'yes', credentials: 'no' });
    expect(report.locations[0]?.problems[0]?.message).toMatch(
      /^the credentials are not accepted: .*SignatureDoesNotMatch/,
    );
    const human = check(locations, ['arkiv'], { json: false });
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('ERROR arkiv: the credentials are not accepted');
    for (const output of [data.stdout, data.stderr, human.stdout, human.stderr])
      expect(output).not.toContain(secret);
    expect(human.stdout).not.toContain(env.secretAccessKey);
  });

  it('fails fast with "unreachable" when the endpoint is down', async () => {
    const proxy = await startFaultProxy(env.endpoint);
    await proxy.down();
    try {
      const started = Date.now();
      const result = check({ arkiv: s3(plain, { endpoint: proxy.endpoint, maxAttempts: 1 }) }, ['arkiv'], {
        json: false,
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^ {2}ERROR arkiv: the location is unreachable: .*ECONNREFUSED/m);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await proxy.close();
    }
  });

  it('checks only --location; an unknown one is a usage error (exit 2)', () => {
    const locations = { local: { driver: 'fs' }, arkiv: s3(`bevara-missing-${Date.now()}`) };
    const only = check(locations, ['local', 'arkiv'], { args: ['--location', 'local'] });
    expect(only.code, only.stderr).toBe(0);
    expect(json<Report>(only).locations.map((l) => l.location)).toEqual(['local']);
    const unknown = check(locations, ['local', 'arkiv'], { args: ['--location', 'nope'] });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('location "nope" is not configured');
  });
});
