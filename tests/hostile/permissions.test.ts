import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bevara, type CliResult, copyFixtures, json } from '../e2e/helpers.js';
import { type HostileWorld, hostileWorld } from './harness.js';

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

/** Every file and folder under `root`, with its path relative to it. */
const everything = (root: string) =>
  (fs.readdirSync(root, { recursive: true, encoding: 'utf8' }) as string[]).map((f) => path.join(root, f));

/** One line on stderr naming `where` and saying what to do; exit 2; no stack trace. */
function expectOneLineRefusal(result: CliResult, where: string, advice: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  const lines = result.stderr.split('\n').filter((l) => l.startsWith('bevara: '));
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toContain(where);
  expect(lines[0]).toMatch(advice);
}

/** A restricted record stays restricted on disk: nothing bevara writes is readable by other local users. */
describe('file permissions', () => {
  let world: HostileWorld;
  afterEach(() => world?.dispose());

  it('data folder 0700, catalog and reports 0600, packages and sidecars 0440; with access: group, 0750 and 0640', () => {
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
    const zips = everything(store).filter((f) => f.endsWith('.zip'));
    expect(zips).toHaveLength(3);
    for (const zip of zips) expect(modeOf(zip), zip).toBe(0o440);
    const sidecars = everything(path.join(store, '.meta')).filter((f) => f.endsWith('.zip.json'));
    expect(sidecars).toHaveLength(3);
    for (const sidecar of sidecars) expect(modeOf(sidecar), sidecar).toBe(0o440);
    // Nothing else in the data folder is open to group or others.
    for (const file of everything(world.data).filter((f) => !zips.includes(f) && !sidecars.includes(f)))
      expect(modeOf(file) & 0o077, file).toBe(0);

    const shared = path.join(world.root, 'shared-data');
    const config = path.join(world.root, 'bevara.config.json');
    fs.writeFileSync(config, JSON.stringify({ dataDir: shared, access: 'group' }));
    const grouped = bevara(shared, ['-c', config, '--json', 'ingest', source]);
    expect(grouped.code, grouped.stderr).toBe(0);
    expect(modeOf(shared)).toBe(0o750);
    for (const report of json<{ reports: string[] }>(grouped).reports) expect(modeOf(report)).toBe(0o640);
  });

  it('quarantine copies of a refused SIP are readable by the owner alone, whatever the inbox modes', () => {
    world = hostileWorld('perms-quarantine');
    const sip = path.join(world.inbox, 'checksum-mismatch.zip');
    fs.copyFileSync(path.resolve('fixtures/sips-broken/checksum-mismatch.zip'), sip);
    fs.chmodSync(sip, 0o666);
    const result = bevara(world.data, ['--json', 'ingest', '--source', 'eark-sip', world.inbox]);
    expect(result.code, result.stderr).toBe(1);
    const quarantine = path.join(world.data, 'quarantine');
    const copies = everything(quarantine);
    expect(
      copies.some((f) => f.endsWith('validation-report.json')),
      copies.join('\n'),
    ).toBe(true);
    for (const file of [quarantine, ...copies]) expect(modeOf(file) & 0o077, file).toBe(0);
  });

  it('an unprivileged user with a data folder it cannot write gets one clear line, not a stack trace', () => {
    world = hostileWorld('unwritable');
    const source = copyFixtures(path.join(world.inbox, 'records'));
    fs.chmodSync(world.root, 0o755);
    fs.chmodSync(world.inbox, 0o755);
    fs.mkdirSync(world.data, { mode: 0o755 });
    const result = bevara(world.data, ['ingest', source], { user: 'nobody', cwd: '/tmp' });
    expectOneLineRefusal(result, world.data, /cannot be created or written.*--data-dir/);
  });

  it('a data folder of its own holding a catalog or reports folder of another user: one line naming it', () => {
    world = hostileWorld('foreign-inside');
    const source = copyFixtures(path.join(world.inbox, 'records'));
    fs.chmodSync(world.root, 0o755);
    fs.chmodSync(world.inbox, 0o755);
    // Made by root (say, a first run with sudo), then handed to nobody without its contents.
    expect(bevara(world.data, ['ls']).code).toBe(0);
    fs.mkdirSync(path.join(world.data, 'reports'));
    fs.chownSync(world.data, 65534, 65534);
    const catalog = bevara(world.data, ['ls'], { user: 'nobody', cwd: '/tmp' });
    expectOneLineRefusal(catalog, path.join(world.data, 'catalog.sqlite'), /chown -R/);
    fs.chownSync(path.join(world.data, 'catalog.sqlite'), 65534, 65534);
    const reports = bevara(world.data, ['ingest', source], { user: 'nobody', cwd: '/tmp' });
    expectOneLineRefusal(reports, path.join(world.data, 'reports'), /rule data-dir-access/);
    expect(fs.readdirSync(path.join(world.data, 'reports'))).toEqual([]);
  });

  it('a config file the user cannot read: one line naming it, not a stack trace', () => {
    world = hostileWorld('unreadable-config');
    fs.chmodSync(world.root, 0o755);
    const config = path.join(world.root, 'bevara.config.json');
    fs.writeFileSync(config, JSON.stringify({ dataDir: path.join(world.root, 'elsewhere') }), {
      mode: 0o600,
    });
    for (const args of [['config'], ['ls']]) {
      const result = bevara(world.data, ['-c', config, ...args], { user: 'nobody', cwd: '/tmp' });
      expectOneLineRefusal(result, config, /cannot read it \(EACCES\).*--config/);
    }
  });
});
