import type { TestProject } from 'vitest/node';
import type { S3TestEnv } from '../helpers/s3-env.js';
import { clusterEnv, service } from './services.js';

const SCRIPT = 'scripts/ceph-test-cluster.sh';

/**
 * Global setup of the projects with `*.s3.test.ts`: a real S3 engine, provided as `inject('s3')`. Unless
 * BEVARA_TEST_S3_ENDPOINT points at one (e.g. MinIO, with _ACCESS_KEY, _SECRET_KEY and _REGION), the project's own
 * single-node Ceph cluster (RGW on loopback) is installed when missing and started.
 */
export default function setup(project: TestProject): () => void {
  if (process.env.BEVARA_TEST_S3_ENDPOINT) {
    project.provide('s3', s3Env(process.env, 'external'));
    return () => {};
  }
  const ceph = service(SCRIPT, () => s3Env({ ...process.env, ...clusterEnv(SCRIPT) }, 'ceph'));
  project.provide('s3', ceph.value);
  return ceph.teardown;
}

function s3Env(env: NodeJS.ProcessEnv, engine: S3TestEnv['engine']): S3TestEnv {
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
    engine,
  };
}
