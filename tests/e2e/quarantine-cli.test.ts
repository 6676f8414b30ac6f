import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { QuarantineDecisionResult } from '../../src/quarantine/decide.js';
import type { QuarantineEntry } from '../../src/quarantine/entries.js';
import {
  createWorkspace,
  digests,
  readCatalog,
  runJobInProcess,
  type Workspace,
  writeRecord,
} from './worker-helpers.js';

/**
 * `bevara quarantine list|show|release|discard` through the built binary, on records a real job run refused:
 * moved to a quarantine folder, or left in place.
 */
describe('bevara quarantine', () => {
  const workspaces: Workspace[] = [];
  afterAll(() => {
    for (const w of workspaces) w.cleanup();
  });
  const setUp = async (name: string, moved: boolean) => {
    const w = createWorkspace(name);
    workspaces.push(w);
    const src = path.join(w.root, 'inbox');
    const q = path.join(w.root, 'quarantine');
    const quarantineFolder = moved ? q : undefined;
    writeRecord(src, 'Trasig', { 'record.json': '{"title": "Trasig", ', 'brev.txt': 'Hej!\n' });
    writeRecord(src, 'Hel', { 'brev.txt': 'Hej då!\n' });
    const flags = [
      '--source',
      `folder:${src}`,
      ...(quarantineFolder ? ['--quarantine', quarantineFolder] : []),
    ];
    const added = await w.cli(['jobs', 'add', 'inkorg', ...flags]);
    expect(added.code, added.stderr).toBe(0);
    const first = await runJobInProcess(w, 'inkorg');
    expect(first.code).toBe(1);
    return { w, src, q };
  };

  it('lists a moved record with rule and file, releases it back once (never over a newcomer), the next run archives it', async () => {
    const { w, src, q } = await setUp('quarantine-moved', true);
    const trasig = digests(path.join(q, fs.readdirSync(q)[0] as string));
    const list = await w.cliJson<QuarantineEntry[]>(['quarantine', 'list']);
    expect(list).toHaveLength(1);
    const entry = list[0] as QuarantineEntry;
    expect(entry).toMatchObject({ job: 'inkorg', record: 'Trasig', sourceKind: 'folder' });
    expect(entry.problems.map((p) => [p.rule, p.file])).toEqual([['record-json-invalid', 'record.json']]);
    expect(entry.place.kind).toBe('moved');
    expect(fs.existsSync(path.join(src, 'Trasig'))).toBe(false);

    const shown = await w.cli(['quarantine', 'show', entry.id]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('[record-json-invalid] record.json');
    expect(shown.stdout).toMatch(/Report: .*\.html/);

    // A newcomer of the same name in the inbox: the release refuses, and neither is touched.
    writeRecord(src, 'Trasig', { 'annat.txt': 'ny\n' });
    const refused = await w.cli(['quarantine', 'release', entry.id, '--by', 'arkivarie']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('quarantine-release-conflict');
    expect(fs.readdirSync(path.join(src, 'Trasig'))).toEqual(['annat.txt']);
    expect(digests(entry.place.path)).toEqual(trasig);
    fs.rmSync(path.join(src, 'Trasig'), { recursive: true });

    // Fixed in quarantine, then released: back under its own name, with the same bytes but the fix.
    fs.writeFileSync(path.join(entry.place.path, 'record.json'), '{"title": "Trasig men lagad"}');
    const released = await w.cliJson<QuarantineDecisionResult>([
      'quarantine',
      'release',
      entry.id,
      '--by',
      'arkivarie',
      '--reason',
      'lagad',
    ]);
    expect(released).toMatchObject({ decision: 'release', by: 'arkivarie', changed: true });
    expect(fs.existsSync(entry.place.path)).toBe(false);
    expect(fs.readFileSync(path.join(src, 'Trasig', 'brev.txt'), 'utf8')).toBe('Hej!\n');
    const again = await w.cliJson<QuarantineDecisionResult>([
      'quarantine',
      'release',
      entry.id,
      '--by',
      'någon annan',
    ]);
    expect(again).toMatchObject({ changed: false, by: 'arkivarie', runId: released.runId });
    const discardAfter = await w.cli([
      'quarantine',
      'discard',
      entry.id,
      '--yes',
      '--by',
      'x',
      '--reason',
      'y',
    ]);
    expect(discardAfter.code).toBe(2);
    expect(discardAfter.stderr).toContain('quarantine-decided');
    expect(await w.cliJson<QuarantineEntry[]>(['quarantine', 'list'])).toEqual([]);

    const second = await runJobInProcess(w, 'inkorg');
    expect(second.code).toBe(0);
    const states = await readCatalog(w.catalogFile, (c) => c.listRecordStates({ job: 'inkorg' }));
    expect(states.find((s) => s.sourceKey === 'Trasig')?.state).toBe('released');
    const decision = await readCatalog(w.catalogFile, (c) => c.getRun(released.runId));
    expect(decision?.params).toMatchObject({
      quarantineDecision: 'release',
      by: 'arkivarie',
      reason: 'lagad',
    });
  }, 120_000);

  it('discards a moved record only with --yes and a reason', async () => {
    const moved = await setUp('quarantine-discard', true);
    const q = moved.q;
    const [entry] = await moved.w.cliJson<QuarantineEntry[]>(['quarantine', 'list']);
    const noYes = await moved.w.cli([
      'quarantine',
      'discard',
      entry?.id as string,
      '--by',
      'a',
      '--reason',
      'skräp',
    ]);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('--yes');
    const noReason = await moved.w.cli([
      'quarantine',
      'discard',
      entry?.id as string,
      '--yes',
      '--by',
      'a',
      '--reason',
      ' ',
    ]);
    expect(noReason.code).toBe(2);
    expect(fs.readdirSync(q)).toHaveLength(1);
    const done = await moved.w.cliJson<QuarantineDecisionResult>([
      'quarantine',
      'discard',
      entry?.id as string,
      '--yes',
      '--by',
      'a',
      '--reason',
      'skräp',
    ]);
    expect(done).toMatchObject({ decision: 'discard', changed: true });
    expect(fs.readdirSync(q)).toEqual([]);
    expect(await moved.w.cliJson<QuarantineEntry[]>(['quarantine', 'list'])).toEqual([]);
  }, 120_000);

  it('a record refused in place: discard records the decision and never deletes from the inbox', async () => {
    const inPlace = await setUp('quarantine-in-place', false);
    const [kept] = await inPlace.w.cliJson<QuarantineEntry[]>(['quarantine', 'list']);
    expect(kept?.place).toEqual({ kind: 'in-place', path: inPlace.src });
    const before = digests(path.join(inPlace.src, 'Trasig'));
    const discarded = await inPlace.w.cliJson<QuarantineDecisionResult>([
      'quarantine',
      'discard',
      kept?.id as string,
      '--yes',
      '--by',
      'a',
      '--reason',
      'dubblett',
    ]);
    expect(discarded.outcome).toContain('never deletes');
    expect(digests(path.join(inPlace.src, 'Trasig'))).toEqual(before);
    // Still in the inbox, still broken: the next run refuses it again, a new entry.
    await runJobInProcess(inPlace.w, 'inkorg');
    const next = await inPlace.w.cliJson<QuarantineEntry[]>(['quarantine', 'list']);
    expect(next).toHaveLength(1);
    expect(next[0]?.id).not.toBe(kept?.id);
    const unknown = await inPlace.w.cli(['quarantine', 'show', '0123456789ab']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no quarantined record');
  }, 120_000);
});
