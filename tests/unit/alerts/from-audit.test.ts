import { describe, expect, it } from 'vitest';
import { alertsFromAudit } from '../../../src/alerts/from-audit.js';
import type { AuditAlertInput } from '../../../src/alerts/types.js';
import { ConfigError } from '../../../src/errors.js';

const clean: AuditAlertInput = {
  runId: 'audit-20250314-ab12cd34',
  failed: [],
  repaired: [],
  damaged: [],
  orphans: 0,
  coverage: [{ location: 'fs-main', withinPolicy: 10, copies: 10, periodDays: 90 }],
};

describe('alertsFromAudit', () => {
  it('gives no alerts for a clean run', () => {
    expect(alertsFromAudit(clean)).toEqual([]);
  });

  it('orders alerts by urgency and maps each kind to its severity', () => {
    const alerts = alertsFromAudit({
      ...clean,
      failed: [
        { packageId: 'pkg-a', location: 's3-offsite', rules: ['fixity.sha256'] },
        { packageId: 'pkg-b', location: 'fs-main', rules: ['copy.missing'] },
        { packageId: 'pkg-c', location: 'fs-main', rules: ['fixity.sha256'] },
        { packageId: 'pkg-c', location: 's3-offsite', rules: ['copy.missing', 'zip.crc'] },
      ],
      repaired: [{ packageId: 'pkg-a', location: 's3-offsite', from: 'fs-main' }],
      damaged: [{ packageId: 'pkg-c', label: 'KS protokoll\n2019' }],
      orphans: 2,
      coverage: [
        { location: 'fs-main', withinPolicy: 10, copies: 10, periodDays: 90 },
        { location: 's3-offsite', withinPolicy: 7, copies: 10, periodDays: 90 },
      ],
    });

    expect(alerts.map((a) => [a.kind, a.severity])).toEqual([
      ['damaged', 'critical'],
      ['failure', 'critical'],
      ['repair', 'warning'],
      ['coverage', 'warning'],
      ['orphans', 'warning'],
    ]);
    expect(new Set(alerts.map((a) => a.runId))).toEqual(new Set(['audit-20250314-ab12cd34']));
    for (const alert of alerts) expect(alert.title).not.toMatch(/\n/);

    const [damaged, failure, repair, coverage, orphans] = alerts;
    expect(damaged?.title).toBe('1 package has no healthy copy left: pkg-c (KS protokoll 2019)');
    expect(damaged?.details).toEqual({
      count: 1,
      omitted: 0,
      packages: [
        {
          packageId: 'pkg-c',
          label: 'KS protokoll\n2019',
          failures: [
            { location: 'fs-main', rules: ['fixity.sha256'] },
            { location: 's3-offsite', rules: ['copy.missing', 'zip.crc'] },
          ],
        },
      ],
    });
    // pkg-a was repaired and pkg-c is reported as damaged: only pkg-b is an unrepaired failure.
    expect(failure?.title).toBe('1 copy failed the audit and was not repaired: pkg-b at fs-main');
    expect(failure?.details).toEqual({
      count: 1,
      omitted: 0,
      copies: [{ packageId: 'pkg-b', location: 'fs-main', rules: ['copy.missing'] }],
    });
    expect(repair?.title).toBe('1 copy was repaired from a good copy: pkg-a at s3-offsite from fs-main');
    expect(repair?.details).toMatchObject({ count: 1, copies: [{ packageId: 'pkg-a', from: 'fs-main' }] });
    expect(coverage?.title).toBe(
      'Audit coverage behind policy at 1 location: s3-offsite 70.0% of 10 within 90 days',
    );
    expect(coverage?.details).toEqual({
      count: 1,
      threshold: 1,
      omitted: 0,
      locations: [{ location: 's3-offsite', withinPolicy: 7, copies: 10, periodDays: 90, ratio: 0.7 }],
    });
    expect(orphans?.title).toBe('2 objects in storage are not in the catalog (orphans)');
    expect(orphans?.details).toEqual({ count: 2 });
  });

  it('treats a failure as unrepaired unless that same copy was repaired', () => {
    const alerts = alertsFromAudit({
      ...clean,
      failed: [{ packageId: 'pkg-a', location: 'fs-main', rules: ['fixity.sha256'] }],
      repaired: [{ packageId: 'pkg-a', location: 's3-offsite', from: 'fs-main' }],
    });
    expect(alerts.map((a) => a.kind)).toEqual(['failure', 'repair']);
  });

  it('applies the coverage threshold and never flags a location without copies', () => {
    const coverage = [
      { location: 'a', withinPolicy: 999, copies: 1000, periodDays: 30 },
      { location: 'b', withinPolicy: 80, copies: 100, periodDays: 30 },
      { location: 'empty', withinPolicy: 0, copies: 0, periodDays: 30 },
    ];
    const strict = alertsFromAudit({ ...clean, coverage });
    expect(strict[0]?.details.locations).toMatchObject([{ location: 'a' }, { location: 'b' }]);
    expect(strict[0]?.title).toContain('a 99.9% of 1000 within 30 days, b 80.0% of 100');

    const lenient = alertsFromAudit({ ...clean, coverage, coverageThreshold: 0.9 });
    expect(lenient[0]?.details).toMatchObject({ count: 1, threshold: 0.9, locations: [{ location: 'b' }] });
    expect(alertsFromAudit({ ...clean, coverage, coverageThreshold: 0.8 })).toEqual([]);
    expect(alertsFromAudit({ ...clean, coverage, coverageThreshold: 0 })).toEqual([]);
  });

  it('caps the listed entries and the names in the title, counting the rest', () => {
    const failed = Array.from({ length: 250 }, (_, i) => ({
      packageId: `pkg-${i}`,
      location: 'fs-main',
      rules: ['fixity.sha256'],
    }));
    const [failure] = alertsFromAudit({ ...clean, failed }, { maxListed: 20, maxInTitle: 2 });
    expect(failure?.details).toMatchObject({ count: 250, omitted: 230 });
    expect(failure?.details.copies).toHaveLength(20);
    expect(failure?.title).toBe(
      '250 copies failed the audit and were not repaired: pkg-0 at fs-main, pkg-1 at fs-main and 248 more',
    );

    const long = alertsFromAudit({ ...clean, damaged: [{ packageId: 'p', label: 'x'.repeat(500) }] });
    expect(long[0]?.title.length).toBe(200);
    expect(long[0]?.title.endsWith('…')).toBe(true);
  });

  it('reports a package listed twice as damaged once', () => {
    const [damaged] = alertsFromAudit({ ...clean, damaged: [{ packageId: 'p' }, { packageId: 'p' }] });
    expect(damaged?.details).toMatchObject({ count: 1, packages: [{ packageId: 'p', failures: [] }] });
    expect(damaged?.details.packages).toEqual([{ packageId: 'p', failures: [] }]);
  });

  it('rejects a threshold outside 0..1', () => {
    expect(() => alertsFromAudit({ ...clean, coverageThreshold: 1.5 })).toThrow(ConfigError);
    expect(() => alertsFromAudit({ ...clean, coverageThreshold: Number.NaN })).toThrow(/coverageThreshold/);
  });
});
