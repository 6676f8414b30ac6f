import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bevara, copyFixtures, json } from '../e2e/helpers.js';
import { type HostileWorld, hostileWorld } from './harness.js';

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

/** A restricted record stays restricted on disk: nothing bevara writes is readable by other local users. */
describe('file permissions', () => {
  let world: HostileWorld;
  afterEach(() => world?.dispose());

  it('data folder 0700, catalog and reports 0600, packages 0440; with access: group, 0750 and 0640', () => {
    world = hostileWorld('perms');
    const source = copyFixtures(path.join(world.inbox, 'records'));
    fs.chmodSync(path.join(source, '2024-0257 Försörjningsstöd', 'utredning.pdf'), 0o600);
    const result = bevara(world.data, ['--json', 'ingest', source]);
    expect(result.code, result.stderr).toBe(0);
    const { reports } = json<{ reports: string[] }>(result);
    expect(modeOf(world.data)).toBe(0o700);
    expect(modeOf(path.join(world.data, 'catalog.sqlite'))).toBe(0o600);
    for (const report of reports) expect(modeOf(report), report).toBe(0o600);
    const store = path.join(world.data, 'store', 'local');
    expect(modeOf(store)).toBe(0o700);
    const zips = (fs.readdirSync(store, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) =>
      f.endsWith('.zip'),
    );
    expect(zips).toHaveLength(3);
    for (const zip of zips) expect(modeOf(path.join(store, zip)), zip).toBe(0o440);

    const shared = path.join(world.root, 'shared-data');
    const config = path.join(world.root, 'bevara.config.json');
    fs.writeFileSync(config, JSON.stringify({ dataDir: shared, access: 'group' }));
    const grouped = bevara(shared, ['-c', config, '--json', 'ingest', source]);
    expect(grouped.code, grouped.stderr).toBe(0);
    expect(modeOf(shared)).toBe(0o750);
    for (const report of json<{ reports: string[] }>(grouped).reports) expect(modeOf(report)).toBe(0o640);
  });

  it('an unprivileged user with a data folder it cannot write gets one clear line, not a stack trace', () => {
    world = hostileWorld('unwritable');
    const source = copyFixtures(path.join(world.inbox, 'records'));
    fs.chmodSync(world.root, 0o755);
    fs.chmodSync(world.inbox, 0o755);
    fs.mkdirSync(world.data, { mode: 0o755 });
    const result = bevara(world.data, ['ingest', source], { user: 'nobody', cwd: '/tmp' });
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stderr).toContain(world.data);
    expect(result.stderr).toMatch(/permission|not writable|EACCES/i);
  });
});
