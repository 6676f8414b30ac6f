import { defineConfig } from 'vitest/config';

/*
 * The E-ARK IP test corpus run (`npm run test:corpus`): not part of `npm test`, because the corpus is not vendored
 * (its repository states no licence) and CI has no network. scripts/fetch-eark-corpus.sh puts it in .cache/.
 */
export default defineConfig({
  test: {
    include: ['tests/corpus/**/*.test.ts'],
    testTimeout: 20 * 60_000,
    pool: 'forks',
  },
});
