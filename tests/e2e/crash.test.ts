import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

interface CrashSummary {
  records: number;
  restarts: number;
  killPoints: { packaged: number; archived: number; discovered: number; random: number };
  powerCut: false | { cuts: number; lostCommits: number };
  packages: number;
  audit: { status: number; verified: number; orphans: number };
  problems: string[];
}

/** Runs scripts/crash-test.mjs with `args` and checks what every variant must give: no problem, exit 0. */
function crashTest(args: string[], seed: string): CrashSummary {
  const result = spawnSync(
    process.execPath,
    ['scripts/crash-test.mjs', ...args, '--seed', `${seed}-${Date.now()}`],
    { encoding: 'utf8', timeout: 600_000, maxBuffer: 1 << 26 },
  );
  expect(result.stdout, result.stderr.slice(-4000)).toMatch(/^\{/);
  const summary = JSON.parse(result.stdout) as CrashSummary;
  expect(summary.problems).toEqual([]);
  expect(result.status).toBe(0);
  return summary;
}

const killCount = (summary: CrashSummary) => Object.values(summary.killPoints).reduce((a, b) => a + b, 0);

// The short version of `npm run test:soak`: the worker is killed with SIGKILL at 20 points (mid-upload, between
// archived and released, after discovery, at random) and restarted each time; the script checks every record was
// archived exactly once, every package passes a full audit, nothing is left over, and nothing was released early.
describe('worker crash safety', () => {
  it('completes every record exactly once through 20 SIGKILLs', () => {
    const summary = crashTest(['--records', '120', '--kills', '20'], 'ci');
    expect(killCount(summary)).toBeGreaterThanOrEqual(20);
    expect(summary.killPoints.packaged).toBeGreaterThan(0);
    expect(summary.killPoints.archived).toBeGreaterThan(0);
    expect(summary.packages).toBe(120);
    expect(summary.audit).toMatchObject({ status: 0, verified: 240, orphans: 0 });
  }, 600_000);
});

// The same for `bevara ingest` itself: one engine, so the same guarantees, whatever moment the kill comes.
describe('bevara ingest crash safety', () => {
  it('archives every record exactly once through 20 SIGKILLs of bevara ingest', () => {
    const summary = crashTest(['--mode', 'ingest', '--records', '120', '--kills', '20'], 'ci-ingest');
    expect(killCount(summary)).toBeGreaterThanOrEqual(20);
    expect(summary.killPoints.packaged).toBeGreaterThan(0);
    expect(summary.packages).toBe(120);
    expect(summary.audit).toMatchObject({ status: 0, verified: 240, orphans: 0 });
  }, 600_000);
});

// A power cut at each kill: the catalog loses every commit that was not flushed (its WAL put back as at its last
// fsync). Ingest flushes only the states an irreversible act follows (see `Durability`); the same guarantees must
// hold. Making `archived` relaxed breaks this test (a record released whose package the cut then forgot).
describe('worker power-cut safety', () => {
  it('completes every record exactly once when each kill also loses the unflushed commits', () => {
    const summary = crashTest(['--power-cut', '--records', '60', '--kills', '15'], 'ci-power');
    expect(summary.powerCut === false ? 0 : summary.powerCut.cuts).toBeGreaterThanOrEqual(15);
    expect(summary.packages).toBe(60);
    expect(summary.audit).toMatchObject({ status: 0, verified: 120, orphans: 0 });
  }, 600_000);
});
