/**
 * The container image, built from ./Dockerfile on a local base equivalent to node:24-bookworm-slim
 * (scripts/container-image.sh, podman) and run as operators run it: as uid 1000, root filesystem read-only,
 * /data a mounted volume, the catalog on the PostgreSQL test server (its URL from a secret file), copies on the
 * volume and on the Ceph test cluster (its secret key from a secret file), host network to reach both.
 * The build is part of the test: it installs podman and the rest when missing and prints the build time and size.
 * `scripts/test-on-node.sh` sets BEVARA_TEST_IMAGE_SKIP (the image brings its own Node, so the suite's second
 * Node pass does not build it again); the skip and its reason are printed.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PackageSummary } from '../../src/catalog/types.js';
import { FIXTURES, listFiles, sha256File } from '../e2e/helpers.js';
import {
  createTestBucket,
  deleteTestBucket,
  incompleteUploads,
  rawS3Client,
  s3TestEnv,
} from '../helpers/s3-env.js';
import {
  buildImage,
  type ContainerOptions,
  IMAGE,
  podman,
  runArgs as runArgsFor,
  runContainer,
} from './podman.js';

const skipReason = process.env.BEVARA_TEST_IMAGE_SKIP;
if (skipReason) console.log(`container image test skipped (BEVARA_TEST_IMAGE_SKIP): ${skipReason}`);

const UID = 1000;
const RECORDS = 40;
const GRACE_SECONDS = 20;
/** A cron expression that does not fire during the test (1 January, 00:00). */
const NEVER = '0 0 1 1 *';
const s3 = s3TestEnv();
const raw = rawS3Client();
const serverUrl = inject('postgres');
const database = `bevara_image_${randomBytes(5).toString('hex')}`;
const suffix = randomBytes(4).toString('hex');
let bucket: string;
let work: string;
let admin: pg.Pool | undefined;

/** A folder the container user owns, private as bevara wants its data folder. */
function ownedDir(name: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { mode: 0o700 });
  fs.chownSync(dir, UID, UID);
  return dir;
}

/** A secret as compose and podman mount it: a file /run/secrets/<name> only the container user reads. */
function secretFile(name: string, value: string): string {
  const file = path.join(work, 'secrets', name);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  // Every container's options are made anew, while others start: a rewrite in place would let a starting
  // container read the file empty (its entrypoint then gives an invalid configuration). Written once, atomically.
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === `${value}\n`) return file;
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${value}\n`, { mode: 0o400 });
  fs.chownSync(temporary, UID, UID);
  fs.renameSync(temporary, file);
  return file;
}

/** How every bevara container of this test is configured: environment, and secrets from files. */
function databaseUrl(): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function bevaraOptions(extra: ContainerOptions = {}): ContainerOptions {
  return {
    ...extra,
    volumes: {
      [path.join(work, 'data')]: '/data',
      [secretFile('BEVARA_CATALOG__URL', databaseUrl())]: '/run/secrets/BEVARA_CATALOG__URL:ro',
      [secretFile('BEVARA_LOCATIONS__CEPH__CREDENTIALS__SECRET_ACCESS_KEY', s3.secretAccessKey)]:
        '/run/secrets/BEVARA_LOCATIONS__CEPH__CREDENTIALS__SECRET_ACCESS_KEY:ro',
      ...extra.volumes,
    },
    env: {
      BEVARA_CATALOG__DRIVER: 'postgres',
      BEVARA_LOCATIONS__LOCAL__DRIVER: 'fs',
      BEVARA_LOCATIONS__CEPH__DRIVER: 's3',
      BEVARA_LOCATIONS__CEPH__ENDPOINT: s3.endpoint,
      BEVARA_LOCATIONS__CEPH__BUCKET: bucket,
      BEVARA_LOCATIONS__CEPH__REGION: s3.region,
      BEVARA_LOCATIONS__CEPH__CREDENTIALS__ACCESS_KEY_ID: s3.accessKeyId,
      BEVARA_COPIES: '[local, ceph]',
      ...extra.env,
    },
  };
}

/** Polls `done` every 100 ms until it holds, failing after `seconds`. */
async function waitFor(what: string, done: () => boolean | Promise<boolean>, seconds = 120): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await sleep(100);
  }
}

const bevaraIn = (args: string[], extra?: ContainerOptions) => runContainer(bevaraOptions(extra), args);

/** Every file and folder under `root` whose owner is not the container user. */
function notOwnedByUser(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .map((entry) => path.join(root, entry))
    .filter((entry) => fs.lstatSync(entry).uid !== UID);
}

describe.skipIf(Boolean(skipReason))('the container image', () => {
  beforeAll(async () => {
    const started = Date.now();
    const built = await buildImage();
    const total = Math.round((Date.now() - started) / 1000);
    console.log(
      `container image ${IMAGE}: size ${(Number(built.size_bytes) / 1e6).toFixed(0)} MB (${built.size_bytes} bytes); ` +
        `built in ${total} s: base ${built.base_seconds} s (${built.base}), image ${built.build_seconds} s`,
    );
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-image-'));
    fs.chmodSync(work, 0o755);
    ownedDir('data');
    ownedDir('restore');
    bucket = await createTestBucket(raw, 'plain', `bevara-image-${suffix}`);
    admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
    await admin.query(`CREATE DATABASE ${database}`);
  }, 30 * 60_000);

  afterAll(async () => {
    for (const name of [`bevara-w1-${suffix}`, `bevara-w2-${suffix}`])
      await podman(['rm', '--force', '--time', '0', name]);
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin?.end();
    if (bucket) await deleteTestBucket(raw, bucket);
    raw.destroy();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('answers --help and --version; runs as uid 1000 with a HEALTHCHECK; holds no compiler, npm or dev dependency', async () => {
    const help = await runContainer({}, ['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: bevara /m);
    const version = await runContainer({}, ['--version']);
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as {
      version: string;
      devDependencies: Record<string, string>;
    };
    expect(version.stdout.trim()).toBe(pkg.version);

    const [image] = JSON.parse((await podman(['image', 'inspect', IMAGE])).stdout) as {
      Config: { User: string };
      Healthcheck?: { Test: string[] };
    }[];
    expect(image?.Config.User).toBe('1000:1000');
    expect(image?.Healthcheck?.Test).toEqual(['CMD', 'node', '/app/container/healthcheck.mjs']);
    const id = await runContainer({ entrypoint: 'id' }, ['-u']);
    expect(id.stdout.trim()).toBe(String(UID));

    // Each development package of the lock file (dev only, not needed by a production one) must be absent.
    const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(([key, p]) => p.dev && /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key))
      .map(([key]) => key.slice('node_modules/'.length));
    expect(devOnly).toContain('typescript');
    const probe = await runContainer({ entrypoint: 'sh' }, [
      '-c',
      'for t in cc gcc g++ make python3 npm npx node-gyp apt-get; do command -v $t; done; ' +
        'ls -d /app/src /usr/local/include 2>/dev/null; cd /app/node_modules && ls -d * @*/*',
    ]);
    const present = probe.stdout.trim().split('\n');
    // apt-get and Node's headers come with the base (Debian, and the official image's layout): not build tools.
    expect(present.filter((line) => line.startsWith('/'))).toEqual([
      '/usr/bin/apt-get',
      '/usr/local/include',
    ]);
    expect(present).toContain('better-sqlite3');
    expect(present.filter((name) => devOnly.includes(name) || name in pkg.devDependencies)).toEqual([]);
  });

  it('ingests the fixtures into a volume as uid 1000 on a read-only root: catalog in PostgreSQL, copies on the volume and in Ceph', async () => {
    const ingest = await bevaraIn(['--json', 'ingest', '/in'], {
      volumes: { [FIXTURES]: '/in:ro' },
    });
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(JSON.parse(ingest.stdout)).toMatchObject({ archived: 3, waiting: 0 });
    const ls = await bevaraIn(['--json', 'ls']);
    const packages = JSON.parse(ls.stdout) as PackageSummary[];
    expect(packages).toHaveLength(3);
    for (const p of packages)
      expect(p.copies.map((c) => `${c.location}:${c.status}`).sort()).toEqual([
        'ceph:verified',
        'local:verified',
      ]);
    const objects = await raw.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'packages/' }));
    for (const p of packages)
      expect(objects.Contents?.map((o) => o.Key)).toContain(`packages/${p.id}/${p.id}.zip`);
    // The catalog is in PostgreSQL, not in a SQLite file on the volume; all the volume holds is the user's.
    const data = path.join(work, 'data');
    expect(fs.existsSync(path.join(data, 'catalog.sqlite'))).toBe(false);
    const catalog = new pg.Client({ connectionString: databaseUrl() });
    await catalog.connect();
    try {
      const rows = await catalog.query<{ id: string }>('SELECT id FROM packages ORDER BY id');
      expect(rows.rows.map((r) => r.id)).toEqual(packages.map((p) => p.id).sort());
    } finally {
      await catalog.end();
    }
    expect(fs.readdirSync(path.join(data, 'store', 'local', 'packages')).sort()).toEqual(
      packages.map((p) => p.id).sort(),
    );
    expect(notOwnedByUser(data)).toEqual([]);
  });

  it('audits every copy clean and restores each package with get, byte for byte', async () => {
    const audit = await bevaraIn(['--json', 'audit', '--all']);
    expect(audit.code, audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({ verified: 6, failed: 0 });
    const packages = JSON.parse((await bevaraIn(['--json', 'ls'])).stdout) as PackageSummary[];
    for (const p of packages) {
      const get = await bevaraIn(['get', p.id, '--out', `/restore/${p.id}`], {
        volumes: { [path.join(work, 'restore')]: '/restore' },
      });
      expect(get.code, get.stderr).toBe(0);
      const shown = JSON.parse((await bevaraIn(['--json', 'show', p.id])).stdout) as {
        package: { sourceKey: string };
      };
      const out = path.join(work, 'restore', p.id);
      const original = path.join(FIXTURES, shown.package.sourceKey);
      expect(listFiles(out)).toEqual(listFiles(original));
      for (const file of listFiles(original))
        expect(sha256File(path.join(out, file)), file).toBe(sha256File(path.join(original, file)));
    }
    expect(notOwnedByUser(path.join(work, 'restore'))).toEqual([]);
  });

  it('runs a worker: healthy while it looks at the catalog, unhealthy when hung; SIGTERM mid-run stops it cleanly; restarted, it finishes the run and nothing is lost', async () => {
    // An inbox large enough that a run is still at work when SIGTERM comes: RECORDS records of 4 MiB.
    const inbox = path.join(work, 'inbox');
    for (let i = 0; i < RECORDS; i++) {
      const record = path.join(inbox, `inbox-${String(i).padStart(3, '0')}`);
      fs.mkdirSync(record, { recursive: true });
      for (let f = 0; f < 4; f++) fs.writeFileSync(path.join(record, `part-${f}.bin`), randomBytes(1 << 20));
    }
    fs.chmodSync(inbox, 0o755);
    // The job over the inbox (env values are YAML: the cron expression is quoted, `*` starts an alias).
    const jobEnv = (cron: string) => ({
      BEVARA_JOBS__INBOX__SOURCE: 'folder:/inbox',
      BEVARA_JOBS__INBOX__CRON: `"${cron}"`,
    });
    const worker = (name: string, cron: string) =>
      bevaraOptions({
        name,
        hostname: 'bevara-w1', // the worker's id: both lives are the same worker, as after a restart
        detach: true,
        volumes: { [inbox]: '/inbox:ro' },
        env: {
          BEVARA_WORKER__POLL_SECONDS: '0.5',
          BEVARA_WORKER__LEASE_SECONDS: '10',
          BEVARA_WORKER__GRACE_SECONDS: String(GRACE_SECONDS),
          ...jobEnv(cron),
        },
      });
    const healthFile = path.join(work, 'data', 'worker-bevara-w1.health.json');
    const health = () =>
      fs.existsSync(healthFile)
        ? (JSON.parse(fs.readFileSync(healthFile, 'utf8')) as { status: string; activeRuns: string[] })
        : undefined;

    // First life: the job fires every 2 seconds.
    const w1 = `bevara-w1-${suffix}`;
    const started = await podman(runArgsFor(worker(w1, '*/2 * * * * *'), ['worker']));
    expect(started.code, started.stderr).toBe(0);
    await waitFor('the health file', () => health()?.status === 'running');
    const pid1 = await podman(['exec', w1, 'cat', '/proc/1/cmdline']);
    expect(pid1.stdout.split('\0').slice(0, 3)).toEqual(['node', '/app/dist/cli/main.js', 'worker']);
    const healthy = await podman(['healthcheck', 'run', w1]);
    expect(healthy.code, `${healthy.stdout}${healthy.stderr}`).toBe(0);

    // Hung (stopped by SIGSTOP): its health file goes stale and the check says so.
    await podman(['kill', '--signal', 'STOP', w1]);
    await sleep(3000);
    const hung = await podman(['exec', w1, 'node', '/app/container/healthcheck.mjs', '2']);
    await podman(['kill', '--signal', 'CONT', w1]);
    expect(hung.code).toBe(1);
    expect(hung.stdout).toMatch(/^unhealthy: worker bevara-w1 last looked at the catalog \d+ s ago/);

    // SIGTERM while a run is at work: the worker stops within its grace period, exit 0, uploads aborted.
    await waitFor('a run at work', () => (health()?.activeRuns.length ?? 0) > 0);
    const [runId] = health()?.activeRuns ?? [];
    const stopAt = Date.now();
    await podman(['kill', '--signal', 'TERM', w1]);
    const exit = await podman(['wait', w1]);
    const stopSeconds = (Date.now() - stopAt) / 1000;
    const logs = await podman(['logs', w1]);
    expect(Number(exit.stdout.trim()), logs.stderr).toBe(0);
    expect(stopSeconds).toBeLessThan(GRACE_SECONDS + 5);
    expect(logs.stderr).toContain('"msg":"worker stopped"');
    expect(health()?.status).toBe('stopped');
    expect(await incompleteUploads(raw, bucket)).toEqual([]);
    const runs = async () =>
      JSON.parse((await bevaraIn(['--json', 'runs', 'list', '--job', 'inbox'])).stdout) as {
        id: string;
        status: string;
      }[];
    const interrupted = (await runs()).find((r) => r.id === runId)?.status;
    console.log(
      `worker stopped ${stopSeconds.toFixed(1)} s after SIGTERM; its run ${runId} was ${interrupted}`,
    );

    // Second life (no new firing): it joins the run it left and finishes it. Records whose Ceph upload the stop
    // aborted end that run `waiting` (their fs copy verified): the next run completes them from it.
    const w2 = `bevara-w2-${suffix}`;
    await podman(['rm', w1]);
    const again = await podman(runArgsFor(worker(w2, NEVER), ['worker']));
    expect(again.code, again.stderr).toBe(0);
    await waitFor(
      `run ${runId} to finish`,
      async () => (await runs()).find((r) => r.id === runId)?.status !== 'running',
      180,
    ).catch(async (err: unknown) => {
      const shown = await bevaraIn(['--json', 'runs', 'show', runId ?? '']);
      const logs = await podman(['logs', w2]);
      throw new Error(
        `${String(err)}\nrun: ${shown.stdout.slice(0, 3000)}\nlast log lines of ${w2}:\n${logs.stderr.slice(-4000)}`,
      );
    });
    const finished = JSON.parse((await bevaraIn(['--json', 'runs', 'show', runId ?? ''])).stdout) as {
      status: string;
      problems: { subject: string; status: string; reason: string }[];
    };
    // A worker's exit status says whether the runs it worked on had failures (waiting records count).
    await podman(['kill', '--signal', 'TERM', w2]);
    expect((await podman(['wait', w2])).stdout.trim()).toBe(finished.status === 'succeeded' ? '0' : '1');
    console.log(
      `the run left by SIGTERM ended ${finished.status} after the restart` +
        finished.problems.map((p) => `; ${p.subject} ${p.status}: ${p.reason}`).join(''),
    );
    expect(['succeeded', 'completed-with-failures'], JSON.stringify(finished)).toContain(finished.status);
    for (const problem of finished.problems) expect(problem.status, problem.reason).toBe('waiting');
    const next = await bevaraIn(['--json', 'jobs', 'run', 'inbox'], {
      volumes: { [inbox]: '/inbox:ro' },
      env: jobEnv(NEVER),
    });
    expect(next.code, next.stderr).toBe(0);

    // Every record archived exactly once, both copies verified; no upload left incomplete.
    const archived = (JSON.parse((await bevaraIn(['--json', 'ls'])).stdout) as PackageSummary[]).filter((p) =>
      p.label.startsWith('inbox-'),
    );
    expect(archived.map((p) => p.label).sort()).toEqual(
      Array.from({ length: RECORDS }, (_, i) => `inbox-${String(i).padStart(3, '0')}`),
    );
    for (const p of archived)
      expect(p.copies.map((c) => `${c.location}:${c.status}`).sort(), p.label).toEqual([
        'ceph:verified',
        'local:verified',
      ]);
    expect(await incompleteUploads(raw, bucket)).toEqual([]);
  });

  it('serves the console: /healthz and /readyz answer (catalog and both locations reachable), the login page renders, SIGTERM stops it', async () => {
    const name = `bevara-serve-${suffix}`;
    const port = 18_000 + Math.floor(Math.random() * 2000);
    const started = await podman(
      runArgsFor(bevaraOptions({ name, detach: true }), ['serve', '--listen', `127.0.0.1:${port}`]),
    );
    expect(started.code, started.stderr).toBe(0);
    const get = async (route: string) => {
      try {
        const response = await fetch(`http://127.0.0.1:${port}${route}`);
        return { status: response.status, body: await response.text() };
      } catch {
        return undefined;
      }
    };
    await waitFor('the console to listen', async () => (await get('/healthz'))?.status === 200);
    const ready = await get('/readyz');
    expect(ready?.status, ready?.body).toBe(200);
    const login = await get('/login');
    expect(login?.status).toBe(200);
    expect(login?.body).toMatch(/<form[^>]*method="post"/i);
    // Nothing else without a session.
    expect((await get('/api/packages'))?.status).toBe(401);
    await podman(['kill', '--signal', 'TERM', name]);
    const exit = await podman(['wait', name]);
    const logs = await podman(['logs', name]);
    await podman(['rm', '--force', name]);
    expect(Number(exit.stdout.trim()), logs.stderr).toBe(0);
    console.log(`bevara serve in the container: /healthz 200, /readyz 200 on port ${port}; SIGTERM → exit 0`);
  });
});
