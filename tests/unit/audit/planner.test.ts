import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planAudit } from '../../../src/audit/planner.js';
import { createSqliteCatalog } from '../../../src/catalog/sqlite.js';
import type { Catalog } from '../../../src/catalog/types.js';
import { DEFAULT_LOCATION_POLICY, type LocationAuditPolicy } from '../../../src/config/audit-schema.js';
import { makeCopy, makePackage } from '../catalog/fixtures.js';

const DAY = 86_400_000;
const T0 = new Date('2026-01-01T01:00:00Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY);

let dir: string;
let catalog: Catalog;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bevara-planner-'));
  catalog = createSqliteCatalog({ path: join(dir, 'catalog.sqlite') });
  await catalog.migrate();
});

afterEach(async () => {
  await catalog.close();
  await rm(dir, { recursive: true, force: true });
});

/** `count` packages of `size` bytes, one copy each in `location`, stored and verified at T0 (as ingest does). */
async function seed(count: number, size: number, locations = ['primary']) {
  for (let i = 0; i < count; i++) {
    const id = `p${String(i).padStart(5, '0')}`;
    await catalog.addPackage(
      makePackage(id, { size }),
      [],
      [],
      locations.map((location) =>
        makeCopy(id, location, { size, storedAt: T0, lastVerifiedAt: T0, status: 'verified' }),
      ),
    );
  }
}

/** What an audit does with a planned copy that passes: records the verification at `when`. */
async function verify(copies: { packageId: string; location: string }[], when: Date) {
  await catalog.recordCopyChecks(copies.map((c) => ({ ...c, status: 'verified' as const, at: when })));
}

const policy = (overrides: Partial<LocationAuditPolicy>) =>
  new Map([['primary', { ...DEFAULT_LOCATION_POLICY, ...overrides }]]);

describe('audit planner', () => {
  it('verifies 1,000 copies once over a 30-day period with a 1/30 budget, none twice before all once', async () => {
    const size = 1000;
    await seed(1000, size);
    const seen = new Map<string, number>();
    const order: string[] = [];
    for (let night = 1; night <= 30; night++) {
      const plan = await planAudit(catalog, {
        policies: policy({ every: 30 * DAY }),
        now: at(night),
        budgetBytes: (1000 * size) / 30,
      });
      expect(plan.copies.length).toBeGreaterThan(0);
      expect(plan.bytes).toBeLessThanOrEqual((1000 * size) / 30 + size);
      for (const planned of plan.copies) {
        const id = planned.copy.packageId;
        // A copy verified a second time only once every copy was verified at least once.
        if (seen.has(id)) expect(seen.size).toBe(1000);
        seen.set(id, (seen.get(id) ?? 0) + 1);
        order.push(id);
      }
      await verify(
        plan.copies.map((p) => p.copy),
        at(night),
      );
    }
    expect(seen.size).toBe(1000);
    expect(Math.max(...seen.values())).toBeLessThanOrEqual(2);
    const coverage = await catalog.copyCoverage('primary', at(0.5));
    expect(coverage.withinPolicy).toBe(1000);
  });

  it('resumes an interrupted run: the copies it did not reach come first the next night', async () => {
    await seed(60, 1000);
    const policies = policy({ every: 30 * DAY });
    // Everything is overdue on day 40: the run plans all 60 but only gets through half.
    const first = await planAudit(catalog, { policies, now: at(40) });
    expect(first.copies).toHaveLength(60);
    expect(new Set(first.copies.map((p) => p.reason))).toEqual(new Set(['due']));
    const reached = first.copies.slice(0, 30).map((p) => p.copy);
    await verify(reached, at(40));

    const next = await planAudit(catalog, { policies, now: at(41), budgetBytes: 30_000 });
    const notReached = first.copies.slice(30).map((p) => p.copy.packageId);
    expect(next.copies.map((p) => p.copy.packageId)).toEqual(notReached);
    expect(next.deferred).toBe(0);
  });

  it('plans overdue copies first across locations and counts what the budget defers', async () => {
    await seed(10, 100, ['primary', 'offsite']);
    await verify([{ packageId: 'p00003', location: 'offsite' }], at(300));
    const policies = new Map<string, LocationAuditPolicy>([
      ['primary', { ...DEFAULT_LOCATION_POLICY, every: 90 * DAY }],
      ['offsite', { ...DEFAULT_LOCATION_POLICY, every: 365 * DAY, level: 'quick' }],
    ]);
    // Day 100: primary copies are overdue (age 1.1), offsite ones not (0.27) but take their pace share.
    const plan = await planAudit(catalog, { policies, now: at(100), budgetBytes: 1000 });
    const primary = plan.copies.filter((p) => p.copy.location === 'primary');
    expect(primary).toHaveLength(10);
    expect(primary.every((p) => p.reason === 'due' && p.level === 'full')).toBe(true);
    expect(plan.copies.length).toBe(10);
    expect(plan.deferred).toBe(0);

    const tight = await planAudit(catalog, { policies, now: at(100), budgetBytes: 500 });
    expect(tight.copies).toHaveLength(5);
    expect(tight.deferred).toBe(5);
  });

  it('keeps a bandwidth-capped location within bandwidth × window and defers the rest', async () => {
    await seed(20, 1_000_000);
    const plan = await planAudit(catalog, {
      policies: policy({ every: DAY, bandwidth: 1_000_000 }),
      now: at(5),
      windowMs: 5000,
    });
    expect(plan.copies).toHaveLength(5);
    expect(plan.deferred).toBe(15);
  });

  it('adds a random sample on top of the plan', async () => {
    await seed(200, 10);
    let seed_ = 1;
    const random = () => {
      seed_ = (seed_ * 16807) % 2147483647;
      return seed_ / 2147483647;
    };
    const plan = await planAudit(catalog, {
      policies: policy({ every: 10_000 * DAY }),
      now: at(1),
      runIntervalMs: 1,
      sampleShare: 0.05,
      random,
    });
    const sampled = plan.copies.filter((p) => p.reason === 'sample');
    expect(sampled.length).toBeGreaterThanOrEqual(9);
    expect(sampled.length).toBeLessThanOrEqual(10);
    expect(new Set(sampled.map((p) => p.copy.packageId)).size).toBe(sampled.length);
    // The copies at the offsets drawn (read one by one here; the planner walks to them in order).
    const drawn = new Set<number>();
    seed_ = 1;
    for (let i = 0; i < 40 && drawn.size < 10; i++) drawn.add(Math.floor(random() * 200));
    const planned = new Set(plan.copies.filter((p) => p.reason !== 'sample').map((p) => p.copy.packageId));
    const expected: string[] = [];
    for (const offset of drawn) {
      const [copy] = await catalog.listCopiesByAge('primary', { offset, limit: 1 });
      if (copy && !planned.has(copy.packageId)) expected.push(copy.packageId);
    }
    expect(sampled.map((p) => p.copy.packageId).sort()).toEqual(expected.sort());
  });
});
