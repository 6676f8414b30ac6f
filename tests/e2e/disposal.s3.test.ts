import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PutObjectRetentionCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allVersions,
  createTestBucket,
  deleteTestBucket,
  rawS3Client,
  s3CredentialsEnv,
  s3TestEnv,
} from '../helpers/s3-env.js';
import { bevara, copyFixtures, json, tempDir } from './helpers.js';

interface ApproveJson {
  proposal: { status: string; approvedBy: string };
  items: { packageId: string; status: string; detail?: string }[];
  certificate: string[];
}
interface AuditJson {
  failed: number;
  orphans: number;
  items: { subject: string; status: string }[];
}

/** How long the one copy put under COMPLIANCE retention stays locked. */
const LOCK_MS = 25_000;

/**
 * Disposal on Ceph RGW: `primary` in a bucket with Object Lock, `offsite` in a plain bucket. One package's
 * primary copy is put under COMPLIANCE retention for a few seconds: approve destroys its offsite copy, keeps the
 * locked one and leaves the proposal open (exit 3); an audit meanwhile is clean; once the retention has ended a
 * second approve (another approver, not the planner) finishes it and removes every version of the object.
 */
describe('disposal on S3 with Object Lock', () => {
  const env = s3TestEnv();
  const raw = rawS3Client();
  const prefix = `disp-${randomBytes(4).toString('hex')}`;
  let lockedBucket: string;
  let plainBucket: string;
  let data: string;
  let config: string;
  const cliEnv = s3CredentialsEnv(['primary', 'offsite']);
  const run = (args: string[]) => bevara(data, ['-c', config, ...args], { env: cliEnv });
  const ls = () => json<{ id: string; state: string; label: string }[]>(run(['--json', 'ls']));
  const keyOf = (id: string) => `${prefix}/packages/${id}/${id}.zip`;

  beforeAll(async () => {
    lockedBucket = await createTestBucket(raw, 'locked');
    plainBucket = await createTestBucket(raw, 'plain');
    const work = tempDir('disposal-s3');
    data = path.join(work, 'data');
    const source = copyFixtures(path.join(work, 'records'));
    // The third record names its own rule in record.json.
    fs.writeFileSync(
      path.join(source, 'KS 2023-0890 Medborgarförslag', 'record.json'),
      JSON.stringify({
        title: 'Medborgarförslag om parkbänkar',
        dates: { end: '2023-06-01' },
        retentionRule: 'forslag-2y',
      }),
    );
    config = path.join(work, 'bevara.config.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        locations: {
          primary: { driver: 's3', endpoint: env.endpoint, bucket: lockedBucket, prefix },
          offsite: { driver: 's3', endpoint: env.endpoint, bucket: plainBucket, prefix },
        },
        copies: ['primary', 'offsite'],
        retention: {
          rules: [
            { id: 'bygglov-1y', classification: '3.1.2', retain: '1y' },
            { id: 'bistand-1y', classification: '7.2.1', retain: '1y' },
            { id: 'forslag-2y', retain: '2y', from: 'end' },
          ],
        },
      }),
    );
    const ingest = run(['ingest', source]);
    expect(ingest.code, ingest.stderr).toBe(0);
  });
  afterAll(async () => {
    await deleteTestBucket(raw, lockedBucket);
    await deleteTestBucket(raw, plainBucket);
    raw.destroy();
  });

  it('keeps a locked copy with the proposal open, skips the held record, and finishes after the retention', async () => {
    const packages = ls();
    const bygglov = packages.find((p) => p.label.includes('bygglov')) as { id: string };
    const bistand = packages.find((p) => p.label.includes('bistånd')) as { id: string };
    const forslag = packages.find((p) => p.label.includes('parkbänkar')) as { id: string };
    expect(
      run(['hold', 'add', bistand.id, '--by', 'Eva Jurist', '--reason', 'begäran om utlämnande']).code,
    ).toBe(0);
    const lockedUntil = new Date(Date.now() + LOCK_MS);
    await raw.send(
      new PutObjectRetentionCommand({
        Bucket: lockedBucket,
        Key: keyOf(bygglov.id),
        Retention: { Mode: 'COMPLIANCE', RetainUntilDate: lockedUntil },
      }),
    );

    const plan = json<{ proposal: { id: string } }>(run(['--json', 'disposal', 'plan', '--planner', 'Anna']));
    const id = plan.proposal.id;
    expect(run(['disposal', 'approve', id, '--approver', 'anna']).code).toBe(2);

    const first = run(['--json', 'disposal', 'approve', id, '--approver', 'Bengt']);
    expect(first.code, first.stderr).toBe(3);
    const open = json<ApproveJson>(first);
    expect(open.proposal.status).toBe('approved');
    const status = Object.fromEntries(open.items.map((i) => [i.packageId, i.status]));
    expect(status).toEqual({ [bygglov.id]: 'locked', [bistand.id]: 'held', [forslag.id]: 'disposed' });
    expect(open.items.find((i) => i.packageId === bygglov.id)?.detail).toMatch(
      /locked, waits for its retention to end: primary:packages\//,
    );
    expect(await allVersions(raw, lockedBucket, keyOf(bygglov.id))).toHaveLength(1);
    expect(await allVersions(raw, plainBucket, keyOf(bygglov.id))).toEqual([]);
    expect(await allVersions(raw, lockedBucket, keyOf(forslag.id))).toEqual([]);
    expect(await allVersions(raw, plainBucket, keyOf(forslag.id))).toEqual([]);
    expect(ls().find((p) => p.id === bygglov.id)?.state).toBe('disposing');

    // Meanwhile the audit is clean: the package being disposed of is left alone, the disposed one expected gone.
    const audit = run(['--json', 'audit', '--all']);
    expect(audit.code, audit.stdout).toBe(0);
    expect(json<AuditJson>(audit)).toMatchObject({ failed: 0, orphans: 0 });
    expect(json<AuditJson>(audit).items.filter((i) => i.status === 'ok')).toHaveLength(2);

    await new Promise((resolve) => setTimeout(resolve, lockedUntil.getTime() - Date.now() + 2000));
    const second = run(['--json', 'disposal', 'approve', id, '--approver', 'Cecilia']);
    expect(second.code, second.stderr).toBe(0);
    const done = json<ApproveJson>(second);
    expect(done.proposal).toMatchObject({ status: 'completed', approvedBy: 'Bengt' });
    expect(await allVersions(raw, lockedBucket, keyOf(bygglov.id))).toEqual([]);
    expect(ls().find((p) => p.id === bygglov.id)?.state).toBe('disposed');

    const certificate = JSON.parse(fs.readFileSync(done.certificate[0] as string, 'utf8'));
    expect(certificate.destroyed.map((t: { packageId: string }) => t.packageId).sort()).toEqual(
      [bygglov.id, forslag.id].sort(),
    );
    expect(certificate.notDestroyed.map((i: { status: string }) => i.status)).toEqual(['held']);

    const after = run(['--json', 'audit', '--all']);
    expect(after.code, after.stdout).toBe(0);
    expect(json<AuditJson>(after)).toMatchObject({ failed: 0, orphans: 0 });
  }, 180_000);
});
