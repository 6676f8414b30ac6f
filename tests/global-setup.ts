import { execFileSync } from 'node:child_process';
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
 */
export default function setup(project: TestProject): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
  project.provide('s3', s3Environment());
  project.provide('postgres', postgresUrl());
}

function s3Environment(): S3TestEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const external = Boolean(env.BEVARA_TEST_S3_ENDPOINT);
  if (!external) {
    execFileSync('bash', ['scripts/ceph-test-cluster.sh', 'up'], { stdio: ['ignore', 'inherit', 'inherit'] });
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
  execFileSync('bash', ['scripts/postgres-test-cluster.sh', 'up'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
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
