/**
 * `bevara export` reading from the real S3 engine (Ceph RGW): a restricted record released as a DIP read from the
 * S3 copy with ranged requests, its event log written beside the S3 copy, and a damaged S3 object passed over
 * for the filesystem copy.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Receipt } from '../../src/access/receipt.js';
import type { CopyRecord, PackageSummary } from '../../src/catalog/types.js';
import {
  createTestBucket,
  deleteTestBucket,
  rawS3Client,
  s3CredentialsEnv,
  s3TestEnv,
} from '../helpers/s3-env.js';
import { bevara, copyFixtures, json, sha256File, tempDir } from './helpers.js';

const env = s3TestEnv();
const raw = rawS3Client();
const RELEASE = ['--restricted', '--reason', 'Begäran 2026-12-01', '--requester', 'Anna Andersson'];

describe('bevara export from S3', { timeout: 300_000 }, () => {
  let bucket: string;
  let work: string;
  let data: string;
  let config: string;
  const prefix = `export-${randomBytes(4).toString('hex')}`;
  const cliEnv = s3CredentialsEnv(['primary']);
  const run = (args: string[]) => bevara(data, ['-c', config, ...args], { env: cliEnv });
  const idOf = (label: string) =>
    json<PackageSummary[]>(run(['--json', 'ls'])).find((p) => p.label.includes(label))?.id ?? '';

  beforeAll(async () => {
    bucket = await createTestBucket(raw, 'plain');
    work = tempDir('export-s3');
    const source = copyFixtures(path.join(work, 'records'));
    data = path.join(work, 'data');
    config = path.join(work, 'bevara.config.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        locations: {
          primary: { driver: 's3', endpoint: env.endpoint, bucket, prefix },
          reserve: { driver: 'fs', root: 'store/reserve' },
        },
        copies: ['primary', 'reserve'],
      }),
    );
    const ingested = run(['ingest', source]);
    expect(ingested.code, ingested.stderr).toBe(0);
  });
  afterAll(async () => {
    await deleteTestBucket(raw, bucket);
    raw.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('releases a restricted record as a valid DIP read from the S3 copy, its event log beside that copy', async () => {
    const id = idOf('försörjningsstöd');
    const target = path.join(work, 'out', 'dip.zip');
    const result = run(['--json', 'export', id, '--out', target, ...RELEASE, '--by', 'arkivarie']);
    expect(result.code, result.stderr).toBe(0);
    const { receipt } = json<{ receipt: Receipt }>(result);
    expect(receipt.records[0]?.location).toBe('primary');
    expect(receipt.records[0]?.dip?.sha256).toBe(sha256File(target));
    expect(run(['validate', target]).code).toBe(0);
    const listed = await raw.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/packages/${id}/` }),
    );
    const logs = (listed.Contents ?? []).filter((o) => /events-.*\.premis\.xml$/.test(o.Key ?? ''));
    expect(logs).toHaveLength(1);
    expect(run(['orphans', 'list']).code).toBe(0);
  });

  it('passes over a damaged S3 object for the filesystem copy', async () => {
    const id = idOf('bygglov');
    const copy = json<{ copies: CopyRecord[] }>(run(['--json', 'show', id])).copies.find(
      (c) => c.location === 'primary',
    );
    const key = `${prefix}/${copy?.key}`;
    const original = await raw.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = Buffer.from(
      await (original.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    const pdf = fs.readFileSync(
      path.join(work, 'records', '2024-0113 Bygglov Östra Gränd 3', 'beslut', 'Beslut om bygglov.pdf'),
    );
    const at = bytes.indexOf(pdf) + 10;
    expect(at).toBeGreaterThan(10);
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    await raw.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, Metadata: original.Metadata }),
    );

    for (const format of ['dip', 'zip']) {
      const result = run([
        '--json',
        'export',
        id,
        '--format',
        format,
        '--out',
        path.join(work, 'out', `b.${format}.zip`),
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(json<{ receipt: Receipt }>(result).receipt.records[0]?.location).toBe('reserve');
      expect(result.stderr).toContain('Beslut om bygglov.pdf');
    }
  });
});
