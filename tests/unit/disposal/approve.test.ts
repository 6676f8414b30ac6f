import fs from 'node:fs';
import os, { hostname } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteCatalog } from '../../../src/catalog/sqlite.js';
import type { Catalog } from '../../../src/catalog/types.js';
import { approveDisposal } from '../../../src/disposal/approve.js';
import { LockedError } from '../../../src/errors.js';
import { LEASES } from '../../../src/leases.js';
import { createLogger } from '../../../src/logger.js';
import { createLocation, type Location } from '../../../src/storage/index.js';
import { makeFile, makePackage } from '../catalog/fixtures.js';

const logger = createLogger({ level: 'silent', format: 'json' });

/** A file name that is itself information a disposal destroys. */
const NAME = 'Läkarintyg Qwertzuiop Svensson 19520304.pdf';

/**
 * Carrying out a proposal on a real SQLite catalog and real fs locations: resumed after a kill at the worst
 * point (every object deleted, nothing recorded yet), and guarded by a lease that a dead holder loses.
 */
describe('disposal approve: resumable and exclusive', () => {
  let dir: string;
  let catalog: Catalog;
  let locations: Map<string, Location>;
  const zip = Buffer.from('PK-not-really-a-zip, but bytes with a digest');
  const sha = '0'.repeat(64);

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-disposal-'));
    catalog = createSqliteCatalog({ path: path.join(dir, 'catalog.sqlite') });
    await catalog.migrate();
    locations = new Map(
      ['a', 'b'].map((name) => [name, createLocation(name, { driver: 'fs', root: path.join(dir, name) })]),
    );
    const key = 'packages/p1/p1.zip';
    const pkg = makePackage('p1', { state: 'archived', sha256: sha, size: zip.length });
    const copies = [];
    for (const [name, location] of locations) {
      await location.driver.put(key, Readable.from([zip]), { sha256: () => sha });
      copies.push({
        packageId: 'p1',
        location: name,
        key,
        size: zip.length,
        sha256: sha,
        storedAt: new Date(),
        status: 'verified' as const,
      });
    }
    await catalog.addPackage(pkg, [makeFile('p1', NAME)], [], copies);
    await catalog.addProposal(
      { id: 'prop-1', status: 'proposed', plannedBy: 'Anna', plannedAt: new Date() },
      [
        {
          proposalId: 'prop-1',
          packageId: 'p1',
          ruleId: 'r1',
          action: 'dispose',
          dueAt: new Date('2025-01-01'),
          reason: 'due',
          status: 'proposed',
          updatedAt: new Date(),
        },
      ],
    );
  });
  afterEach(async () => {
    await catalog.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const deps = () => ({
    catalog,
    locations,
    rules: [],
    logger,
    now: () => new Date(),
    reportsDir: path.join(dir, 'reports'),
  });

  it('forgets the file list, leaving the name nowhere in the database files; a rule may keep it', async () => {
    const result = await approveDisposal(deps(), 'prop-1', 'Bengt');
    expect(result.proposal.status).toBe('completed');
    expect(await catalog.listFiles('p1')).toEqual([]);
    expect((await catalog.getTombstone('p1'))?.fileList).toBe('forgotten');
    expect(fs.readFileSync(result.certificate[1] as string, 'utf8')).toContain('file list forgotten');
    await catalog.close();
    for (const file of fs.readdirSync(dir).filter((f) => f.startsWith('catalog.sqlite'))) {
      const bytes = fs.readFileSync(path.join(dir, file));
      for (const form of [NAME, NAME.toLowerCase(), 'qwertzuiop'])
        expect(bytes.includes(Buffer.from(form)), `"${form}" in ${file}`).toBe(false);
    }
    catalog = createSqliteCatalog({ path: path.join(dir, 'catalog.sqlite') });
  });

  it('keeps the file list when the rule says so', async () => {
    const keep = { id: 'r1', from: 'end', retain: '1y', action: 'dispose', keepFileList: true } as const;
    await approveDisposal({ ...deps(), rules: [keep] }, 'prop-1', 'Bengt');
    expect((await catalog.listFiles('p1')).map((f) => f.path)).toEqual([NAME]);
    expect((await catalog.getTombstone('p1'))?.fileList).toBe('kept');
  });

  it('finishes after a kill between the deletes and the record, listing what the first pass destroyed', async () => {
    // As a process killed right after deleting: approved, package disposing, objects gone, nothing recorded.
    await catalog.approveProposal('prop-1', 'Bengt', new Date());
    await catalog.setPackageState('p1', 'disposing', new Date());
    for (const location of locations.values()) await location.driver.delete('packages/p1/p1.zip');
    expect(await catalog.listCopiesByAge('a', { offset: 0, limit: 5 })).toEqual([]);

    const result = await approveDisposal(deps(), 'prop-1', 'Cecilia');
    expect(result.proposal).toMatchObject({ status: 'completed', approvedBy: 'Bengt' });
    const tombstone = await catalog.getTombstone('p1');
    expect(tombstone?.destroyed.objects.map((o) => [o.location, o.key, o.sha256])).toEqual([
      ['a', 'packages/p1/p1.zip', sha],
      ['b', 'packages/p1/p1.zip', sha],
    ]);
    expect(tombstone?.decision).toMatchObject({ plannedBy: 'Anna', approvedBy: 'Bengt' });
    expect((await catalog.listEvents('p1')).filter((e) => e.type === 'deletion')).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(result.certificate[0] as string, 'utf8')).destroyed).toHaveLength(1);
  });

  it('takes over the lease of a dead holder, and refuses while a live one holds it', async () => {
    const lease = LEASES.disposal('prop-1');
    const later = new Date(Date.now() + 3_600_000);
    await catalog.acquireLease(lease, `${hostname()}#${process.ppid}`, later, new Date());
    await expect(approveDisposal(deps(), 'prop-1', 'Bengt')).rejects.toBeInstanceOf(LockedError);
    expect((await catalog.getPackage('p1'))?.state).toBe('archived');
    await catalog.releaseLease(lease, `${hostname()}#${process.ppid}`);
    await catalog.acquireLease(lease, `${hostname()}#999999999`, later, new Date());
    const result = await approveDisposal(deps(), 'prop-1', 'Bengt');
    expect(result.proposal.status).toBe('completed');
    for (const location of locations.values())
      expect(await location.driver.head('packages/p1/p1.zip')).toBeNull();
    expect(await catalog.leaseHolder(lease)).toBeNull();
    expect(await catalog.leaseHolder(LEASES.auditRun)).toBeNull();
  });

  it('waits for an audit run: never beside one, and takes nothing meanwhile', async () => {
    const later = new Date(Date.now() + 3_600_000);
    await catalog.acquireLease(LEASES.auditRun, 'otherhost:123:audit-run', later, new Date());
    await expect(approveDisposal(deps(), 'prop-1', 'Bengt')).rejects.toThrow(/an audit run is in progress/);
    expect((await catalog.getProposal('prop-1'))?.status).toBe('proposed');
    expect(await catalog.leaseHolder(LEASES.disposal('prop-1'))).toBeNull();
    for (const location of locations.values())
      expect(await location.driver.head('packages/p1/p1.zip')).not.toBeNull();
  });
});
