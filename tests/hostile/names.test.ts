import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bevara, json, snapshot } from '../e2e/helpers.js';
import {
  expectArchiveConsistent,
  expectRefused,
  type HostileWorld,
  hostileWorld,
  ingestReport,
} from './harness.js';

const GOOD_SIP = path.resolve('fixtures/sips/BN-2024-0113.zip');
const BROKEN_SIP = path.resolve('fixtures/sips-broken/checksum-mismatch.zip');

interface RunView {
  status: string;
  recordStates: Record<string, number>;
  problems: { subject: string; reason: string; rules: string[] }[];
}

/** Names in an inbox are hostile: none may make bevara touch anything outside the inbox and its data folder. */
describe('hostile names in an inbox', () => {
  let world: HostileWorld;
  afterEach(() => world?.dispose());

  it('a SIP inbox with "...zip" and "..zip" beside a valid SIP: both refused, nothing outside harmed', () => {
    world = hostileWorld('dotzip');
    fs.copyFileSync(GOOD_SIP, path.join(world.inbox, 'BN-2024-0113.zip'));
    fs.writeFileSync(path.join(world.inbox, '...zip'), 'not a zip');
    fs.writeFileSync(path.join(world.inbox, '..zip'), 'not a zip');
    const outside = world.snapshotOutside();
    const inbox = snapshot(world.inbox);

    const result = bevara(world.data, ['--json', 'ingest', '--source', 'eark-sip', world.inbox]);
    expect(result.code).toBe(1);
    const report = ingestReport(result);
    expect(report.archived).toBe(1);
    expectRefused(report, '..', 'unsafe-name');
    expectRefused(report, '.', 'unsafe-name');
    // The data folder, its catalog and store are all still there; the refused SIPs were copied under safe names.
    expect(fs.existsSync(path.join(world.data, 'catalog.sqlite'))).toBe(true);
    const quarantine = fs.readdirSync(path.join(world.data, 'quarantine')).sort();
    expect(quarantine).toEqual(['%2E', '%2E.']);
    expect(fs.readdirSync(path.join(world.data, 'quarantine', '%2E.'))).toContain('...zip');
    expect(world.snapshotOutside()).toEqual(outside);
    expect(snapshot(world.inbox)).toEqual(inbox);
    expectArchiveConsistent(world.data);

    // A second run finds the good SIP unchanged and refuses the others again, harming nothing.
    const again = ingestReport(bevara(world.data, ['--json', 'ingest', '--source', 'eark-sip', world.inbox]));
    expect(again.unchanged).toBe(1);
    expect(again.rejected).toBe(2);
    expect(world.snapshotOutside()).toEqual(outside);
  });

  it('a job over ZIP SIPs: quarantine moves the refused .zip, move: releases the archived .zip', () => {
    world = hostileWorld('zipjob');
    fs.copyFileSync(GOOD_SIP, path.join(world.inbox, 'BN-2024-0113.zip'));
    fs.copyFileSync(BROKEN_SIP, path.join(world.inbox, 'trasig.zip'));
    fs.writeFileSync(path.join(world.inbox, '...zip'), 'not a zip');
    const done = path.join(world.root, 'done');
    const quarantine = path.join(world.root, 'quarantine');
    const outside = world.snapshotOutside();
    const add = bevara(world.data, [
      'jobs',
      'add',
      'sips',
      '--source',
      `eark-sip:${world.inbox}`,
      '--after-success',
      `move:${done}`,
      '--quarantine',
      quarantine,
    ]);
    expect(add.code, add.stderr).toBe(0);
    const run = bevara(world.data, ['--json', 'jobs', 'run', 'sips']);
    expect(run.code, run.stderr.slice(-3000)).toBe(1);
    const view = json<{ id: string }>(run);
    const shown = json<RunView>(bevara(world.data, ['--json', 'runs', 'show', view.id]));
    expect(shown.recordStates).toEqual({ released: 1, quarantined: 2 });
    expect(fs.readdirSync(done)).toEqual(['BN-2024-0113.zip']);
    const moved = fs.readdirSync(quarantine).sort();
    expect(moved).toHaveLength(2);
    expect(moved.some((n) => /^trasig\.\d.*\.zip$/.test(n))).toBe(true);
    expect(moved.some((n) => /^\.\.\.\d.*\.zip$/.test(n))).toBe(true);
    expect(fs.readdirSync(world.inbox)).toEqual([]);
    // Only the inbox, the configured done and quarantine folders changed.
    const after = world.snapshotOutside();
    for (const key of Object.keys(after)) {
      if (key.startsWith(done) || key.startsWith(quarantine)) delete after[key];
    }
    expect(after).toEqual(outside);
    expectArchiveConsistent(world.data);
  });

  it('folders named in NFD and with non-UTF-8 bytes: the NFD one is archived and released, the other quarantined', () => {
    world = hostileWorld('nfd');
    const nfd = 'Ärende Östra'.normalize('NFD');
    fs.mkdirSync(path.join(world.inbox, nfd));
    fs.writeFileSync(path.join(world.inbox, nfd, 'beslut.txt'), 'Beslut\n');
    const latin1 = Buffer.concat([Buffer.from(`${world.inbox}/besl`), Buffer.from([0xf6]), Buffer.from('t')]);
    fs.mkdirSync(latin1);
    fs.writeFileSync(Buffer.concat([latin1, Buffer.from('/a.txt')]), 'x\n');
    const done = path.join(world.root, 'done');
    const quarantine = path.join(world.root, 'quarantine');
    const add = bevara(world.data, [
      'jobs',
      'add',
      'mappar',
      '--source',
      `folder:${world.inbox}`,
      '--after-success',
      `move:${done}`,
      '--quarantine',
      quarantine,
    ]);
    expect(add.code, add.stderr).toBe(0);
    const run = bevara(world.data, ['--json', 'jobs', 'run', 'mappar']);
    expect(run.code, run.stderr.slice(-3000)).toBe(1);
    const report = json<{ id: string }>(run);
    const shown = json<RunView>(bevara(world.data, ['--json', 'runs', 'show', report.id]));
    expect(shown.recordStates).toEqual({ released: 1, quarantined: 1 });
    expect(shown.problems.flatMap((p) => p.rules)).toContain('name-encoding');
    // Released under its own (NFD) name, quarantined under its own raw bytes: nothing left in the inbox.
    expect(fs.readdirSync(done)).toEqual([nfd]);
    const quarantined = fs.readdirSync(Buffer.from(quarantine), { encoding: 'buffer' });
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]?.subarray(0, 5)).toEqual(Buffer.concat([Buffer.from('besl'), Buffer.from([0xf6])]));
    expect(fs.readdirSync(world.inbox)).toEqual([]);
    expectArchiveConsistent(world.data);
  });
});
