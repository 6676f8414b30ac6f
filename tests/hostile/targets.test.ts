import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bevara, copyFixtures, json } from '../e2e/helpers.js';
import { expectArchiveConsistent, type HostileWorld, hostileWorld, ingestReport } from './harness.js';

/** Where bevara writes is checked too: a restore target or a storage root can be a trap. */
describe('hostile targets', () => {
  let world: HostileWorld;
  afterEach(() => world?.dispose());

  it('get --out refuses to write through a symbolic link inside the target folder', () => {
    world = hostileWorld('get-link');
    const source = copyFixtures(path.join(world.inbox, 'records'));
    expect(bevara(world.data, ['ingest', source]).code).toBe(0);
    const packages = json<{ id: string; label: string }[]>(bevara(world.data, ['--json', 'ls']));
    const bygglov = packages.find((p) => p.label.includes('Östra Gränd'));
    expect(bygglov).toBeDefined();
    const out = path.join(world.root, 'restored');
    fs.mkdirSync(out);
    // The package holds beslut/…: a link named beslut points outside.
    fs.symlinkSync(world.outside, path.join(out, 'beslut'));
    const outside = world.snapshotOutside();

    const result = bevara(world.data, ['get', bygglov?.id ?? '', '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/restore-symlink|symbolic link/);
    expect(result.stderr).toContain(path.join(out, 'beslut'));
    const after = world.snapshotOutside();
    for (const key of Object.keys(after)) if (key.startsWith(out)) delete after[key];
    for (const key of Object.keys(outside)) if (key.startsWith(out)) delete outside[key];
    expect(after).toEqual(outside);
    expect(fs.readdirSync(world.outside)).toEqual(['canary.txt']);
    expectArchiveConsistent(world.data);
  });

  it('a storage root of "/" or a folder holding other files is refused; nothing is written there', () => {
    world = hostileWorld('roots');
    const source = copyFixtures(path.join(world.inbox, 'records'));
    for (const root of ['/', world.outside]) {
      const config = path.join(world.root, 'bevara.config.json');
      fs.writeFileSync(
        config,
        JSON.stringify({
          dataDir: world.data,
          locations: { local: { driver: 'fs', root } },
          copies: ['local'],
        }),
      );
      const outside = world.snapshotOutside();
      const result = bevara(world.data, ['-c', config, '--json', 'ingest', source]);
      expect(result.code).toBe(1);
      const report = ingestReport(result);
      expect(report.archived).toBe(0);
      expect(report.failed).toBe(3);
      expect(report.items.map((i) => i.message).join('\n')).toMatch(
        root === '/' ? /is the filesystem root/ : /is not empty and not a bevara location/,
      );
      const after = world.snapshotOutside();
      delete after[config];
      delete outside[config];
      expect(after).toEqual(outside);
      expect(fs.existsSync('/.bevara-location.json')).toBe(false);
      expect(fs.existsSync(path.join(world.outside, '.bevara-location.json'))).toBe(false);
    }
  });

  it('a new location folder gets the marker, and an existing bevara store is accepted', () => {
    world = hostileWorld('marker');
    const source = copyFixtures(path.join(world.inbox, 'records'));
    expect(bevara(world.data, ['ingest', source]).code).toBe(0);
    const marker = path.join(world.data, 'store', 'local', '.bevara-location.json');
    expect(JSON.parse(fs.readFileSync(marker, 'utf8'))).toMatchObject({ bevaraLocation: 1 });
    // A store written before markers existed (only bevara's layout) is adopted.
    fs.rmSync(marker);
    fs.writeFileSync(path.join(source, '2024-0257 Försörjningsstöd', 'ny bilaga.txt'), 'ny\n');
    expect(bevara(world.data, ['ingest', source]).code).toBe(0);
    expect(fs.existsSync(marker)).toBe(true);
    expectArchiveConsistent(world.data);
  });
});
