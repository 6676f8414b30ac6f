import { execFileSync, spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import type { S3TestEnv } from './helpers/s3-env.js';

/**
 * Before any test:
 * - compile dist/ once: the end-to-end tests run the real `bevara` binary;
 * - make sure a real S3 engine answers. Unless BEVARA_TEST_S3_ENDPOINT points at one already (e.g. MinIO), the
 *   project's own single-node Ceph cluster is installed when missing and started (`scripts/ceph-test-cluster.sh up`,
 *   idempotent). If that fails, the whole run fails: S3 tests never skip.
 * - make sure a real PostgreSQL answers, likewise: unless BEVARA_TEST_POSTGRES_URL names one, the project's own
 *   test cluster is installed when missing and started (`scripts/postgres-test-cluster.sh up`, idempotent) and
 *   its URL provided as `inject('postgres')`. Its role may create databases: each test makes its own.
 * At the end, the clusters this run started are stopped again (`down`); those it found running are left alone, and
 * BEVARA_TEST_KEEP_SERVICES=1 keeps them all for repeated local runs.
 */
export default function setup(project: TestProject): () => void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
  project.provide('s3', s3Environment());
  project.provide('postgres', postgresUrl());
  return stopStartedServices;
}

/** The test clusters this run started (not those it found running): stopped again at the end of the run. */
const started: string[] = [];

/** Starts a test cluster unless it already runs; remembers it when this run started it. */
function up(script: string): void {
  const running = spawnSync('bash', [script, 'status'], { stdio: 'ignore' }).status === 0;
  execFileSync('bash', [script, 'up'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (!running) started.push(script);
}

/**
 * After the run: stops the clusters it started, so that `npm test` leaves no Ceph or PostgreSQL behind, unless
 * BEVARA_TEST_KEEP_SERVICES=1 asks to keep them for the next local run. Clusters found running are left alone.
 */
function stopStartedServices(): void {
  if (process.env.BEVARA_TEST_KEEP_SERVICES === '1') {
    if (started.length > 0)
      console.log(`test teardown: keeping ${started.join(', ')} (BEVARA_TEST_KEEP_SERVICES=1)`);
    return;
  }
  for (const script of started.reverse()) {
    console.log(`test teardown: stopping what this run started (${script} down)`);
    execFileSync('bash', [script, 'down'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
}

function s3Environment(): S3TestEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const external = Boolean(env.BEVARA_TEST_S3_ENDPOINT);
  if (!external) {
    up('scripts/ceph-test-cluster.sh');
    const exports = execFileSync('bash', ['scripts/ceph-test-cluster.sh', 'env'], { encoding: 'utf8' });
    for (const match of exports.matchAll(/^export (BEVARA_TEST_S3_\w+)=(.*)$/gm)) {
      env[match[1] as string] = match[2];
    }
  }
  const required = (name: string) => {
    const value = env[name];
    if (!value)
      throw new Error(`test setup: ${name} is not set and the Ceph test cluster did not provide it`);
    return value;
  };
  return {
    endpoint: required('BEVARA_TEST_S3_ENDPOINT'),
    accessKeyId: required('BEVARA_TEST_S3_ACCESS_KEY'),
    secretAccessKey: required('BEVARA_TEST_S3_SECRET_KEY'),
    region: env.BEVARA_TEST_S3_REGION || 'us-east-1',
    engine: external ? 'external' : 'ceph',
  };
}

function postgresUrl(): string {
  const given = process.env.BEVARA_TEST_POSTGRES_URL;
  if (given) return given;
  up('scripts/postgres-test-cluster.sh');
  const exports = execFileSync('bash', ['scripts/postgres-test-cluster.sh', 'env'], { encoding: 'utf8' });
  const url = /^export BEVARA_TEST_POSTGRES_URL=(.+)$/m.exec(exports)?.[1];
  if (!url)
    throw new Error('test setup: the PostgreSQL test cluster did not provide BEVARA_TEST_POSTGRES_URL');
  return url;
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3: S3TestEnv;
    /** Connection URL of a PostgreSQL server whose role may create databases. */
    postgres: string;
  }
}
