import { execFileSync, spawnSync } from 'node:child_process';
import type { S3TestEnv } from '../helpers/s3-env.js';

/**
 * The test services, started by the global setup of the projects that need them (vitest.config.ts): a real S3
 * engine for `*.s3.test.ts` (./s3.ts) and a real PostgreSQL for `*.pg.test.ts` (./postgres.ts). Unless an
 * environment variable points at one already, the project's own cluster is installed when missing and started
 * (`scripts/…-test-cluster.sh up`, idempotent); if that fails, the run fails: such tests never skip.
 * At the end, the clusters this run started are stopped again (`down`); those it found running are left alone, and
 * BEVARA_TEST_KEEP_SERVICES=1 keeps them all for repeated local runs.
 *
 * Several projects may need one service: vitest loads a setup file once per project, so what is started and
 * provided is kept on `globalThis` (the one vitest process) and each service is brought up once.
 */
interface ServiceState {
  /** The value each service provided, by script. */
  provided: Map<string, unknown>;
}

const STATE = Symbol.for('bevara.test.services');
const shared = globalThis as Record<symbol, ServiceState | undefined>;
shared[STATE] ??= { provided: new Map() };
const state = shared[STATE];

/**
 * Brings up the cluster of `script` once per vitest run and returns what `provide` made of it, with the teardown
 * of this setup: it stops the cluster if this call started it.
 */
export function service<T>(script: string, provide: () => T): { value: T; teardown: () => void } {
  if (state.provided.has(script)) return { value: state.provided.get(script) as T, teardown: () => {} };
  const running = spawnSync('bash', [script, 'status'], { stdio: 'ignore' }).status === 0;
  execFileSync('bash', [script, 'up'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const value = provide();
  state.provided.set(script, value);
  return { value, teardown: running ? () => {} : () => stop(script) };
}

/**
 * After the run: stops a cluster this run started, so that `npm test` leaves no Ceph or PostgreSQL behind, unless
 * BEVARA_TEST_KEEP_SERVICES=1 asks to keep it for the next local run.
 */
function stop(script: string): void {
  if (process.env.BEVARA_TEST_KEEP_SERVICES === '1') {
    console.log(`test teardown: keeping ${script} (BEVARA_TEST_KEEP_SERVICES=1)`);
    return;
  }
  console.log(`test teardown: stopping what this run started (${script} down)`);
  execFileSync('bash', [script, 'down'], { stdio: ['ignore', 'inherit', 'inherit'] });
}

/** Lines `export NAME=value` that a cluster script's `env` prints. */
export function clusterEnv(script: string): Record<string, string> {
  const exports = execFileSync('bash', [script, 'env'], { encoding: 'utf8' });
  return Object.fromEntries([...exports.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3: S3TestEnv;
    /** Connection URL of a PostgreSQL server whose role may create databases. */
    postgres: string;
  }
}
