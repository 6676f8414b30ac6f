import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { bevara, bevaraAsync, copyFixtures, tempDir } from './helpers.js';

/**
 * An audit killed while it runs leaves its run lease in the catalog, valid for a day and an hour. The next audit
 * on the same host sees that the holder no longer runs and takes the lease over at once, instead of refusing
 * ("another audit run is in progress") until the lease expires; a live audit's lease is still respected.
 */
describe('an audit after a killed audit', () => {
  const work = tempDir('audit-killed');
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('takes over the lease of the killed run and audits', async () => {
    const data = path.join(work, 'data');
    const config = path.join(work, 'bevara.yaml');
    // Slow reads keep the first audit running long enough to be killed in the middle.
    fs.writeFileSync(config, 'audit:\n  workers: 1\n  policies:\n    local:\n      bandwidth: 64KB/s\n');
    const run = (args: string[]) => bevara(data, ['--config', config, ...args]);
    expect(run(['ingest', copyFixtures(path.join(work, 'records'))]).code).toBe(0);

    const first = bevaraAsync(data, ['--config', config, 'audit', '--all']);
    const holder = await leaseHolder(path.join(data, 'catalog.sqlite'));
    expect(holder).toMatch(/#\d+:audit-/);
    first.child.kill('SIGKILL');
    await first.done;

    const second = run(['audit', '--all', '--json']);
    expect(second.code, second.stderr.slice(-2000)).toBe(0);
    expect(second.stderr).not.toMatch(/another audit run is in progress/);
    const summary = JSON.parse(second.stdout) as { status: string; verified: number; failed: number };
    expect(summary.failed).toBe(0);
    expect(summary.verified).toBeGreaterThan(0);
  }, 120_000);

  it('still refuses while a live audit holds the lease', async () => {
    const data = path.join(work, 'data');
    const config = path.join(work, 'bevara.yaml');
    const first = bevaraAsync(data, ['--config', config, 'audit', '--all']);
    await leaseHolder(path.join(data, 'catalog.sqlite'));
    const second = bevara(data, ['--config', config, 'audit', '--all']);
    first.child.kill('SIGKILL');
    await first.done;
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/another audit run is in progress/);
  }, 120_000);
});

/** Polls the catalog until the audit run lease is held; returns its holder. */
async function leaseHolder(file: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (fs.existsSync(file)) {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        const row = db.prepare("SELECT holder FROM leases WHERE name = 'audit'").get() as
          | { holder: string }
          | undefined;
        if (row) return row.holder;
      } catch {
        // the table may not exist yet
      } finally {
        db.close();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the audit never took its lease');
}
