import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/*
 * Test projects, by what their tests need (the global setup of a project provides it, and only that):
 *   unit    nothing: no build, no service (`npm run test:unit`, in well under a minute);
 *   slow    nothing either, but minutes of CPU or gigabytes of I/O: files named `*.slow.test.ts`;
 *   s3, pg  a real S3 engine (Ceph RGW) or PostgreSQL: files named `*.s3.test.ts` / `*.pg.test.ts`;
 *   e2e     the compiled CLI (dist/): tests/e2e, tests/hostile and files named `*.dist.test.ts`;
 *   e2e-s3, e2e-pg  both;
 *   image   the container image, built with podman and run against both services: tests/image;
 *   browser Debian's Chromium (driven by playwright-core) against an in-process console: tests/browser.
 * `npm test` (`vitest run`) runs every project; `vitest run --project s3 --project e2e-s3` a subset.
 */
const SLOW = '**/*.slow.test.ts';
const S3 = '**/*.s3.test.ts';
const PG = '**/*.pg.test.ts';
const E2E_DIRS = 'tests/{e2e,hostile}';
const DIST = [`${E2E_DIRS}/**/*.test.ts`, '**/*.dist.test.ts'];
const IMAGE = 'tests/image/**/*.test.ts';
const BROWSER = 'tests/browser/**/*.test.ts';
// The E-ARK corpus run has its own config (vitest.corpus.config.ts, `npm run test:corpus`): not vendored.
const CORPUS = 'tests/corpus/**';

const SETUP = {
  dist: 'tests/setup/dist.ts',
  s3: 'tests/setup/s3.ts',
  pg: 'tests/setup/postgres.ts',
  browser: 'tests/setup/browser.ts',
};

function project(
  name: string,
  include: string[],
  exclude: string[],
  globalSetup: string[],
  testTimeout?: number,
): TestProjectInlineConfiguration {
  return {
    extends: true,
    test: {
      name,
      include,
      exclude: [...configDefaults.exclude, ...exclude],
      globalSetup,
      ...(testTimeout ? { testTimeout } : {}),
    },
  };
}

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      project('unit', ['tests/**/*.test.ts'], [SLOW, S3, PG, IMAGE, BROWSER, CORPUS, ...DIST], []),
      project('slow', [SLOW], [S3, PG, ...DIST], []),
      project('s3', [S3], DIST, [SETUP.s3]),
      project('pg', [PG], DIST, [SETUP.pg]),
      project('e2e', DIST, [S3, PG], [SETUP.dist]),
      project('e2e-s3', [`${E2E_DIRS}/**/${S3}`], [], [SETUP.dist, SETUP.s3]),
      project('e2e-pg', [`${E2E_DIRS}/**/${PG}`], [], [SETUP.dist, SETUP.pg]),
      // A container test runs a worker through a whole run and a restart: minutes on a loaded machine.
      project('image', [IMAGE], [], [SETUP.s3, SETUP.pg], 10 * 60_000),
      project('browser', [BROWSER], [], [SETUP.browser]),
    ],
  },
});
