import { execFileSync } from 'node:child_process';

const BUILT = Symbol.for('bevara.test.dist-built');

/**
 * Global setup of the end-to-end projects: compiles dist/, since their tests run the real `bevara` binary (and a
 * few, named `*.dist.test.ts`, import from dist/). Once per vitest run, however many projects ask.
 */
export default function setup(): void {
  const flags = globalThis as Record<symbol, boolean>;
  if (flags[BUILT]) return;
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
  flags[BUILT] = true;
}
