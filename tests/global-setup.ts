import { execFileSync } from 'node:child_process';

/** The end-to-end tests run the real `bevara` binary from dist/: compile it once before any test. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
}
