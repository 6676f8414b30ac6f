import type { TestProject } from 'vitest/node';
import { clusterEnv, service } from './services.js';

const SCRIPT = 'scripts/postgres-test-cluster.sh';

/**
 * Global setup of the projects with `*.pg.test.ts`: a real PostgreSQL whose role may create databases (each test
 * makes its own), provided as `inject('postgres')`. Unless BEVARA_TEST_POSTGRES_URL names one, the project's own
 * test cluster is installed when missing and started.
 */
export default function setup(project: TestProject): () => void {
  const given = process.env.BEVARA_TEST_POSTGRES_URL;
  if (given) {
    project.provide('postgres', given);
    return () => {};
  }
  const postgres = service(SCRIPT, () => {
    const url = clusterEnv(SCRIPT).BEVARA_TEST_POSTGRES_URL;
    if (!url)
      throw new Error('test setup: the PostgreSQL test cluster did not provide BEVARA_TEST_POSTGRES_URL');
    return url;
  });
  project.provide('postgres', postgres.value);
  return postgres.teardown;
}
