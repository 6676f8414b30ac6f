import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteCatalog } from '../../src/catalog/sqlite.js';
import { newPackageId } from '../../src/package/package-id.js';
import { packageKey } from '../../src/storage/keys.js';
import { bevara, copyFixtures, json, tempDir } from './helpers.js';

interface AuditJson {
  orphans: number;
  items: { subject: string; status: string; message?: string }[];
}

/**
 * Unknown objects are resolvable: a package this archive reserved and never catalogued (an ingest killed between
 * storing and cataloguing) is removed by the next audit with a reported reason; an object nobody reserved stays
 * reported until an operator decides, with `bevara orphans remove|keep --by --reason`, recorded as a run.
 */
describe('orphans: reserved ones cleaned, unknown ones decided by an operator', () => {
  let work: string;
  let data: string;
  let store: string;
  let reservedKey: string;
  const strayKey = 'stray/okänd-fil.bin';
  const keptKey = 'stray/behåll.bin';

  beforeAll(async () => {
    work = tempDir('orphans');
    data = path.join(work, 'data');
    store = path.join(data, 'store', 'local');
    const source = copyFixtures(path.join(work, 'records'));
    expect(bevara(data, ['ingest', source]).code).toBe(0);
    // A reservation no process holds any more, with a complete package stored under its key but never catalogued.
    const catalog = createSqliteCatalog({ path: path.join(data, 'catalog.sqlite') });
    await catalog.migrate();
    const now = new Date();
    const packageId = newPackageId(now);
    await catalog.putJob({
      name: 'nattlig',
      source: { kind: 'folder', path: source },
      profile: 'default',
      afterSuccess: { action: 'leave' },
      enabled: true,
      origin: 'cli',
      createdAt: now,
      updatedAt: now,
    });
    await catalog.discoverRecords('nattlig', 'ingest-nattlig-test', [{ sourceKey: 'Ärende X' }], now);
    const past = new Date(now.getTime() - 60_000);
    expect(await catalog.claimRecord('nattlig', 'Ärende X', 'ingest@gone#1', past, past)).not.toBeNull();
    expect(
      await catalog.advanceRecord(
        'nattlig',
        'Ärende X',
        'ingest@gone#1',
        { state: 'packaged', packageId },
        past,
      ),
    ).toBe(true);
    await catalog.close();
    const [someZip] = fs
      .readdirSync(path.join(store, 'packages'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.zip'));
    reservedKey = packageKey(packageId);
    fs.mkdirSync(path.dirname(path.join(store, reservedKey)), { recursive: true });
    fs.copyFileSync(path.join(store, 'packages', someZip as string), path.join(store, reservedKey));
    fs.mkdirSync(path.join(store, 'stray'), { recursive: true });
    fs.writeFileSync(path.join(store, strayKey), 'nobody knows me\n');
    fs.writeFileSync(path.join(store, keptKey), 'keep me for the inquiry\n');
  }, 120_000);
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('orphans list shows all three and removes nothing', () => {
    const listed = bevara(data, ['--json', 'orphans', 'list']);
    expect(listed.code).toBe(1);
    const subjects = json<{ subject: string }[]>(listed).map((i) => i.subject);
    expect(subjects.sort()).toEqual([`local:${reservedKey}`, `local:${keptKey}`, `local:${strayKey}`].sort());
    expect(fs.existsSync(path.join(store, reservedKey))).toBe(true);
  });

  it('the next audit removes the uncatalogued reservation and still reports the unknown objects', () => {
    const audit = bevara(data, ['--json', 'audit', '--all']);
    expect(audit.code).toBe(1);
    const report = json<AuditJson>(audit);
    expect(report.orphans).toBe(2);
    const removed = report.items.find((i) => i.subject === `local:${reservedKey}`);
    expect(removed?.status).toBe('ok');
    expect(removed?.message).toMatch(/reserved for record "Ärende X" of job "nattlig" and never catalogued/);
    expect(fs.existsSync(path.join(store, reservedKey))).toBe(false);
  });

  it('refuses a decision on an object the catalog knows, or without who and why', () => {
    const [someZip] = fs
      .readdirSync(path.join(store, 'packages'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.zip'));
    const known = bevara(data, [
      'orphans',
      'remove',
      `local:packages/${someZip}`,
      '--by',
      'Eva',
      '--reason',
      'x',
    ]);
    expect(known.code).toBe(2);
    expect(known.stderr).toMatch(/not-an-orphan|is not an orphan/);
    expect(fs.existsSync(path.join(store, 'packages', someZip as string))).toBe(true);
    const anonymous = bevara(data, ['orphans', 'remove', `local:${strayKey}`]);
    expect(anonymous.code).not.toBe(0);
    expect(fs.existsSync(path.join(store, strayKey))).toBe(true);
  });

  it('operator decisions: remove deletes, keep makes it known; each recorded with who and why; audit clean', () => {
    const removed = bevara(data, [
      '--json',
      'orphans',
      'remove',
      `local:${strayKey}`,
      '--by',
      'Eva Drift',
      '--reason',
      'testfil från felsökning',
    ]);
    expect(removed.code, removed.stderr).toBe(0);
    const result = json<{ runId: string; reports: string[] }>(removed);
    expect(fs.existsSync(path.join(store, strayKey))).toBe(false);
    const premis = result.reports.find((r) => r.endsWith('.premis.xml'));
    expect(premis).toBeDefined();
    const xml = fs.readFileSync(premis as string, 'utf8');
    expect(xml).toContain('deletion');
    expect(xml).toContain('Eva Drift');
    expect(xml).toContain('testfil från felsökning');

    const kept = bevara(data, [
      'orphans',
      'keep',
      `local:${keptKey}`,
      '--by',
      'Eva Drift',
      '--reason',
      'bevis i utredning',
    ]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(fs.existsSync(path.join(store, keptKey))).toBe(true);
    const shown = bevara(data, ['--json', 'reports', 'show', result.runId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Eva Drift');

    const audit = bevara(data, ['--json', 'audit', '--all']);
    expect(audit.code, audit.stdout.slice(-2000)).toBe(0);
    expect(json<AuditJson>(audit).orphans).toBe(0);
    expect(bevara(data, ['orphans', 'list']).code).toBe(0);
  });
});
