/**
 * The example deployment (deploy/): its bevara services' settings, run by the image as compose would run them.
 * The PostgreSQL and S3 server images of compose.yaml cannot be pulled here (no registry), so those two services
 * are not started; instead:
 * - the worker's exact environment (bevara.env) and secret files (from make-secrets.sh, mounted under the names
 *   compose gives them) must be accepted by the image (`bevara config`: the schema is strict, so a misspelt setting
 *   fails), secrets masked;
 * - the same settings with only the catalog URL and the offsite endpoint, bucket and keys pointed at the test
 *   PostgreSQL and Ceph run the nightly job once (`worker --once`): FGS packages of the exported records, two
 *   copies each, the records moved from incoming/ to archived/.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import YAML from 'yaml';
import type { PackageSummary } from '../../src/catalog/types.js';
import { FIXTURES } from '../e2e/helpers.js';
import { createTestBucket, deleteTestBucket, rawS3Client, s3TestEnv } from '../helpers/s3-env.js';
import { buildImage, type ContainerOptions, runContainer } from './podman.js';

const skipReason = process.env.BEVARA_TEST_IMAGE_SKIP;
if (skipReason) console.log(`deployment test skipped (BEVARA_TEST_IMAGE_SKIP): ${skipReason}`);

interface ComposeService {
  user?: string;
  read_only?: boolean;
  command?: string[];
  env_file?: string;
  secrets?: { source: string; target: string }[];
  volumes?: string[];
}

const compose = YAML.parse(fs.readFileSync('deploy/compose.yaml', 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
};
const worker = compose.services.worker as ComposeService;

/** An env_file as compose reads it: KEY=VALUE lines, the value verbatim; comments and blank lines skipped. */
function envFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(path.join('deploy', file), 'utf8').split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) out[match[1] as string] = match[2] as string;
  }
  return out;
}

const s3 = s3TestEnv();
const raw = rawS3Client();
const serverUrl = inject('postgres');
const database = `bevara_deploy_${randomBytes(5).toString('hex')}`;
let work: string;
let bucket: string;
let admin: pg.Pool | undefined;

/** The worker service's container: its user, read-only root, environment, secrets and volumes, as compose has them. */
function asCompose(env: Record<string, string>, secrets: string, exports?: string): ContainerOptions {
  const volumes: Record<string, string> = { [path.join(work, 'data')]: '/data' };
  for (const secret of worker.secrets ?? [])
    volumes[path.join(secrets, path.basename(compose.secrets[secret.source]?.file ?? ''))] =
      `/run/secrets/${secret.target}:ro`;
  if (exports) volumes[exports] = '/exports';
  return { env, volumes };
}

/** A private folder owned by the image's user (1000). */
function ownedDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chownSync(dir, 1000, 1000);
  return dir;
}

describe.skipIf(Boolean(skipReason))('the example deployment (deploy/)', () => {
  beforeAll(async () => {
    await buildImage();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-deploy-'));
    ownedDir(path.join(work, 'data'));
    bucket = await createTestBucket(raw, 'plain');
    admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
    await admin.query(`CREATE DATABASE ${database}`);
  }, 30 * 60_000);

  afterAll(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin?.end();
    if (bucket) await deleteTestBucket(raw, bucket);
    raw.destroy();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('runs the worker as uid 1000 on a read-only root, secrets from files named after their variables', () => {
    expect(worker).toMatchObject({ user: '1000:1000', read_only: true, command: ['worker'] });
    expect(compose.services.console).toMatchObject({ user: '1000:1000', read_only: true });
    expect(worker.secrets?.map((s) => s.target).sort()).toEqual([
      'BEVARA_CATALOG__URL',
      'BEVARA_LOCATIONS__OFFSITE__CREDENTIALS__SECRET_ACCESS_KEY',
    ]);
    expect(Object.keys(compose.services).sort()).toEqual(['console', 'postgres', 's3', 'worker']);
  });

  it('has settings and secrets the image accepts, the secrets masked', async () => {
    const secrets = path.join(work, 'secrets');
    execFileSync('sh', ['deploy/make-secrets.sh', secrets], { stdio: 'ignore' });
    const password = fs.readFileSync(path.join(secrets, 'postgres_password'), 'utf8').trim();
    const secretKey = fs.readFileSync(path.join(secrets, 's3_secret_key'), 'utf8').trim();
    const result = await runContainer(asCompose(envFile(worker.env_file ?? ''), secrets), [
      '--json',
      'config',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain(password);
    expect(result.stdout).not.toContain(secretKey);
    const { config } = JSON.parse(result.stdout) as {
      config: {
        catalog: { driver: string; url: string };
        copies: string[];
        locations: Record<string, { driver: string; endpoint?: string; bucket?: string }>;
      };
    };
    expect(config.catalog.driver).toBe('postgres');
    expect(config.catalog.url).toMatch(/^postgres:\/\/bevara:.+@postgres:5432\/bevara$/);
    expect(config.copies).toEqual(['local', 'offsite']);
    expect(config.locations.offsite).toMatchObject({
      driver: 's3',
      endpoint: 'http://s3:8333',
      bucket: 'bevara',
    });
  });

  it('archives the exports with the nightly job (worker --once) when pointed at a real catalog and S3', async () => {
    const secrets = ownedDir(path.join(work, 'test-secrets'));
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    fs.writeFileSync(path.join(secrets, 'catalog_url'), `${url}\n`);
    fs.writeFileSync(path.join(secrets, 's3_secret_key'), `${s3.secretAccessKey}\n`);
    for (const name of ['catalog_url', 's3_secret_key']) fs.chownSync(path.join(secrets, name), 1000, 1000);
    const exports = ownedDir(path.join(work, 'exports'));
    fs.cpSync(FIXTURES, path.join(exports, 'incoming'), { recursive: true });
    execFileSync('chown', ['-R', '1000:1000', exports]);
    const env = {
      ...envFile(worker.env_file ?? ''),
      BEVARA_LOCATIONS__OFFSITE__ENDPOINT: s3.endpoint,
      BEVARA_LOCATIONS__OFFSITE__BUCKET: bucket,
      BEVARA_LOCATIONS__OFFSITE__CREDENTIALS__ACCESS_KEY_ID: s3.accessKeyId,
    };
    const once = await runContainer(asCompose(env, secrets, exports), ['worker', '--once'], 600_000);
    expect(once.code, once.stderr).toBe(0);
    const ls = await runContainer(asCompose(env, secrets), ['--json', 'ls']);
    const packages = JSON.parse(ls.stdout) as PackageSummary[];
    expect(packages).toHaveLength(3);
    for (const p of packages)
      expect(p.copies.map((c) => `${c.location}:${c.status}`).sort()).toEqual([
        'local:verified',
        'offsite:verified',
      ]);
    expect(fs.readdirSync(path.join(exports, 'incoming'))).toEqual([]);
    expect(fs.readdirSync(path.join(exports, 'archived')).sort()).toEqual(fs.readdirSync(FIXTURES).sort());
  });
});
