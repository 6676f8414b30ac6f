import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRecord, PackageSummary, RunItem } from '../../src/catalog/types.js';
import {
  createTestBucket,
  deleteTestBucket,
  rawS3Client,
  s3CredentialsEnv,
  s3TestEnv,
} from '../helpers/s3-env.js';
import { bevaraAsync, copyFixtures, type CliResult, json, tempDir } from './helpers.js';

/** Raw access to one location's objects behind bevara's back: how damage gets in. */
interface RawStore {
  read(key: string): Promise<Buffer | null>;
  write(key: string, bytes: Buffer): Promise<void>;
  remove(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

interface Backend {
  name: string;
  /** Location configs for `primary` and `offsite`, and raw access to each. */
  locations(
    work: string,
  ): Promise<{ config: Record<string, unknown>; raw: Record<string, RawStore>; env: NodeJS.ProcessEnv }>;
  cleanup(): Promise<void>;
}

const SECRET = 'webhook-shared-secret-for-tests';

interface Received {
  body: { alerts: { kind: string; severity: string; details: Record<string, unknown> }[] };
  signatureOk: boolean;
}

async function startWebhook(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (c: string) => (text += c));
    req.on('end', () => {
      const expected = createHmac('sha256', SECRET)
        .update(`${req.headers['x-bevara-timestamp']}.${text}`)
        .digest('hex');
      received.push({
        body: JSON.parse(text),
        signatureOk: req.headers['x-bevara-signature'] === `sha256=${expected}`,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/bevara`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function fsBackend(): Backend {
  return {
    name: 'filesystem store',
    async locations(work) {
      const store = (name: string): RawStore => {
        const root = path.join(work, 'store', name);
        return {
          read: async (key) =>
            fs.existsSync(path.join(root, key)) ? fs.readFileSync(path.join(root, key)) : null,
          write: async (key, bytes) => {
            fs.mkdirSync(path.dirname(path.join(root, key)), { recursive: true });
            fs.writeFileSync(path.join(root, key), bytes);
          },
          remove: async (key) => fs.rmSync(path.join(root, key)),
          keys: async () =>
            (fs.readdirSync(root, { recursive: true }) as string[])
              .filter((k) => !k.startsWith('.') && fs.statSync(path.join(root, k)).isFile())
              .map((k) => k.split(path.sep).join('/')),
        };
      };
      return {
        config: {
          primary: { driver: 'fs', root: path.join(work, 'store', 'primary') },
          offsite: { driver: 'fs', root: path.join(work, 'store', 'offsite') },
        },
        raw: { primary: store('primary'), offsite: store('offsite') },
        env: {},
      };
    },
    async cleanup() {},
  };
}

function s3Backend(): Backend {
  const buckets: string[] = [];
  const client = rawS3Client();
  return {
    name: 'Ceph RGW',
    async locations() {
      const env = s3TestEnv();
      const store = (bucket: string): RawStore => ({
        async read(key) {
          try {
            const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
            return Buffer.from(
              await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
            );
          } catch {
            return null;
          }
        },
        async write(key, bytes) {
          // Keep the metadata bevara stored: damage to the bytes alone, as bit rot or a faulty disk would do.
          const old = await client
            .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
            .catch(() => undefined);
          await old?.Body?.transformToByteArray();
          await client.send(
            new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, Metadata: old?.Metadata }),
          );
        },
        remove: async (key) =>
          void (await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))),
        async keys() {
          const out = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
          return (out.Contents ?? []).map((o) => o.Key as string).filter((k) => !k.startsWith('.'));
        },
      });
      const primary = await createTestBucket(client, 'plain');
      const offsite = await createTestBucket(client, 'plain');
      buckets.push(primary, offsite);
      return {
        config: {
          primary: { driver: 's3', endpoint: env.endpoint, bucket: primary },
          offsite: { driver: 's3', endpoint: env.endpoint, bucket: offsite },
        },
        raw: { primary: store(primary), offsite: store(offsite) },
        env: s3CredentialsEnv(['primary', 'offsite']),
      };
    },
    async cleanup() {
      for (const bucket of buckets) await deleteTestBucket(client, bucket);
      client.destroy();
    },
  };
}

interface AuditJson {
  status: string;
  verified: number;
  repaired: number;
  damaged: number;
  orphans: number;
  items: RunItem[];
  reports: string[];
}

interface Shown {
  package: { id: string; state: string };
  files: { path: string; sha256: string; entryPath: string }[];
  copies: { location: string; key: string; status: string }[];
  events: EventRecord[];
}

describe.each([fsBackend(), s3Backend()])('audit compares and repairs copies on the $name', (backend) => {
  let work: string;
  let data: string;
  let configFile: string;
  let raw: Record<string, RawStore>;
  let env: NodeJS.ProcessEnv;
  let webhook: Awaited<ReturnType<typeof startWebhook>>;
  const byLabel = new Map<string, Shown>();
  let baseConfig: Record<string, unknown>;

  const run = (args: string[]): Promise<CliResult> =>
    bevaraAsync(data, ['-c', configFile, ...args], { env }).done;
  const writeConfig = (extra: Record<string, unknown> = {}) =>
    fs.writeFileSync(configFile, JSON.stringify({ ...baseConfig, ...extra }));
  const show = async (id: string) => json<Shown>(await run(['--json', 'show', id]));
  const pkg = (name: string) => byLabel.get(name) as Shown;
  const key = (name: string) => pkg(name).copies[0]?.key as string;

  beforeAll(async () => {
    work = tempDir(`repair-${backend.name.split(' ')[0]}`);
    data = path.join(work, 'data');
    configFile = path.join(work, 'bevara.config.json');
    webhook = await startWebhook();
    const setup = await backend.locations(work);
    raw = setup.raw;
    env = setup.env;
    baseConfig = {
      locations: setup.config,
      copies: ['primary', 'offsite'],
      language: 'en',
      audit: { workers: 1, alerts: { webhook: webhook.url, secret: SECRET } },
    };
    writeConfig();
    const records = copyFixtures(path.join(work, 'records'));
    for (const extra of ['Extra 1', 'Extra 2']) {
      fs.mkdirSync(path.join(records, extra));
      fs.writeFileSync(
        path.join(records, extra, 'anteckning.txt'),
        `${extra}: tjänsteanteckning\n`.repeat(50),
      );
    }
    const ingest = await run(['ingest', records]);
    expect(ingest.code, ingest.stderr).toBe(0);
    for (const p of json<PackageSummary[]>(await run(['--json', 'ls']))) {
      const shown = await show(p.id);
      byLabel.set(p.label, shown);
    }
  }, 240_000);

  afterAll(async () => {
    await webhook.close();
    await backend.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('finds a flipped byte, a truncation, a deleted and a swapped copy, and an orphan; repairs each from the healthy copy', async () => {
    const labels = [...byLabel.keys()].sort();
    expect(labels).toHaveLength(5);
    const [flipped, truncated, deleted, swapped, donor] = labels.map((l) => pkg(l));
    if (!flipped || !truncated || !deleted || !swapped || !donor) throw new Error('fixtures');
    // One byte inside a file of the first package's primary copy.
    const file = flipped.files[0] as Shown['files'][number];
    const zip = (await raw.primary?.read(key(labels[0] as string))) as Buffer;
    const at = zip.indexOf(Buffer.from(file.entryPath)) + 30 + Buffer.byteLength(file.entryPath) + 2;
    zip[at] = (zip[at] as number) ^ 0xff;
    await raw.primary?.write(key(labels[0] as string), zip);
    const whole = (await raw.primary?.read(key(labels[1] as string))) as Buffer;
    await raw.primary?.write(key(labels[1] as string), whole.subarray(0, whole.length - 100));
    await raw.offsite?.remove(key(labels[2] as string));
    await raw.primary?.write(
      key(labels[3] as string),
      (await raw.primary?.read(key(labels[4] as string))) as Buffer,
    );
    await raw.offsite?.write('stray/unknown.zip', Buffer.from('not ours'));

    const result = await run(['--json', 'audit', '--all']);
    const audit = json<AuditJson>(result);
    expect(result.code).toBe(1); // the orphan remains a finding
    expect(audit.repaired).toBe(4);
    expect(audit.orphans).toBe(1);
    const item = (id: string, location: string) =>
      audit.items.find((i) => i.packageId === id && i.details?.location === location) as RunItem;
    const problems = (i: RunItem) =>
      i.details?.problems as { rule: string; file?: string; expected?: string; actual?: string }[];

    const flippedItem = item(flipped.package.id, 'primary');
    expect(flippedItem.status).toBe('repaired');
    expect(problems(flippedItem)).toContainEqual(
      expect.objectContaining({ rule: 'file-digest', file: file.path, expected: file.sha256 }),
    );
    expect(problems(flippedItem).find((p) => p.rule === 'file-digest')?.actual).not.toBe(file.sha256);
    expect(problems(item(truncated.package.id, 'primary')).map((p) => p.rule)).toContain('size-mismatch');
    expect(item(deleted.package.id, 'offsite')).toMatchObject({ status: 'repaired' });
    expect(problems(item(deleted.package.id, 'offsite')).map((p) => p.rule)).toEqual(['copy-missing']);
    expect(problems(item(swapped.package.id, 'primary')).map((p) => p.rule)).toContain('package-digest');
    expect(item(swapped.package.id, 'offsite').status).toBe('ok');
    expect(audit.items.find((i) => i.status === 'orphan')?.subject).toBe('offsite:stray/unknown.zip');

    // The PREMIS chain, in the catalog and in an event log object beside the package.
    const events = (await show(flipped.package.id)).events.map(
      (e) => `${e.type}:${e.outcome}:${e.object?.split(':')[0]}`,
    );
    const failedAt = events.indexOf('fixity check:failure:primary');
    expect(failedAt).toBeGreaterThanOrEqual(0);
    expect(events.slice(failedAt)).toEqual(
      expect.arrayContaining(['replication:success:primary', 'fixity check:success:primary']),
    );
    expect(events.lastIndexOf('fixity check:success:primary')).toBeGreaterThan(
      events.indexOf('replication:success:primary'),
    );
    const logKey = (await raw.primary?.keys())?.find((k) =>
      k.startsWith(`packages/${flipped.package.id}/events-`),
    );
    expect(logKey).toMatch(/\.premis\.xml$/);
    const log = (await raw.primary?.read(logKey as string))?.toString('utf8') ?? '';
    expect(log).toContain('replication');
    expect(log).toContain('http://www.loc.gov/premis/v3');

    // Repaired copies are new objects (the damaged ones are gone); the next audit finds every copy intact.
    expect((await show(flipped.package.id)).copies.find((c) => c.location === 'primary')?.key).not.toBe(
      key(labels[0] as string),
    );
    const again = json<AuditJson>(await run(['--json', 'audit', '--all']));
    expect(again.verified).toBe(10);
    expect(again.repaired + again.damaged).toBe(0);
    expect(again.orphans).toBe(1); // never deleted
    // Every copy was verified just now: coverage is complete in both locations.
    const coverage = await run(['--json', 'coverage']);
    expect(coverage.code).toBe(0);
    const locations = json<{ locations: { location: string; copies: number; withinPolicy: number }[] }>(
      coverage,
    ).locations;
    expect(locations.map((l) => [l.location, l.copies, l.withinPolicy]).sort()).toEqual([
      ['offsite', 5, 5],
      ['primary', 5, 5],
    ]);
    expect(await raw.offsite?.read('stray/unknown.zip')).toEqual(Buffer.from('not ours'));

    const alerts = webhook.received.flatMap((r) => r.body.alerts);
    expect(webhook.received.every((r) => r.signatureOk)).toBe(true);
    expect(alerts.map((a) => a.kind)).toEqual(expect.arrayContaining(['repair', 'orphans']));
  }, 240_000);

  it('marks a package with no healthy copy damaged, alerts critically, and overwrites nothing', async () => {
    const victim = pkg([...byLabel.keys()].sort()[4] as string);
    const current = await show(victim.package.id);
    const before: Record<string, Buffer> = {};
    for (const copy of current.copies) {
      const bytes = (await raw[copy.location]?.read(copy.key)) as Buffer;
      bytes[bytes.length - 30] = (bytes[bytes.length - 30] as number) ^ 0x01;
      await raw[copy.location]?.write(copy.key, bytes);
      before[copy.location] = bytes;
    }
    webhook.received.length = 0;
    const result = await run(['--json', 'audit', '--package', victim.package.id]);
    expect(result.code).toBe(1);
    const audit = json<AuditJson>(result);
    expect(audit.damaged).toBe(1);
    expect(audit.repaired).toBe(0);
    expect(audit.items.every((i) => i.status === 'failed' && i.details?.damaged === true)).toBe(true);
    for (const copy of current.copies)
      expect(await raw[copy.location]?.read(copy.key)).toEqual(before[copy.location]);
    expect((await show(victim.package.id)).package.state).toBe('damaged');
    const critical = webhook.received.flatMap((r) => r.body.alerts).find((a) => a.kind === 'damaged');
    expect(critical?.severity).toBe('critical');
    expect(JSON.stringify(critical?.details)).toContain(victim.package.id);
  }, 120_000);

  it('reports without repairing where repair is off', async () => {
    const target = pkg([...byLabel.keys()].sort()[2] as string);
    const copy = (await show(target.package.id)).copies.find((c) => c.location === 'offsite');
    await raw.offsite?.remove(copy?.key as string);
    writeConfig({ audit: { workers: 1, policies: { offsite: { repair: false } } } });
    const audit = json<AuditJson>(await run(['--json', 'audit', '--package', target.package.id]));
    const item = audit.items.find((i) => i.details?.location === 'offsite');
    expect(item).toMatchObject({
      status: 'failed',
      details: { missing: true, notRepaired: 'repair is off for this location' },
    });
    expect(await raw.offsite?.read(copy?.key as string)).toBeNull();
    writeConfig();
  }, 120_000);
});
