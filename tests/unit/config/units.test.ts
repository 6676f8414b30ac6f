import { describe, expect, it } from 'vitest';
import { auditSchema, locationPolicyFor, sampleShare } from '../../../src/config/audit-schema.js';
import { parseBytes, parseDuration } from '../../../src/config/units.js';

describe('config units', () => {
  it('reads durations and sizes', () => {
    expect(parseDuration('90d')).toBe(90 * 86_400_000);
    expect(parseDuration('5h')).toBe(5 * 3_600_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('90 days')).toBeUndefined();
    expect(parseBytes('2TB')).toBe(2e12);
    expect(parseBytes('500GiB')).toBe(500 * 2 ** 30);
    expect(parseBytes('lots')).toBeUndefined();
  });

  it('reads the audit section of the issue and names what is wrong', () => {
    const audit = auditSchema.parse({
      schedule: '0 1 * * *',
      window: '5h',
      policies: {
        primary: { every: '90d', level: 'full' },
        offsite: { every: '365d', level: 'full', bandwidth: '50MB/s' },
        any: { sample: '1%' },
      },
      alerts: { webhook: 'https://ops.kommun.example/hooks/bevara' },
    });
    expect(audit.window).toBe(5 * 3_600_000);
    expect(locationPolicyFor(audit, 'offsite')).toEqual({
      every: 365 * 86_400_000,
      level: 'full',
      bandwidth: 50e6,
      repair: true,
    });
    expect(locationPolicyFor(audit, 'elsewhere').every).toBe(90 * 86_400_000);
    expect(sampleShare(audit)).toBeCloseTo(0.01);
    expect(audit.timezone).toBe('Europe/Stockholm');

    const bad = auditSchema.safeParse({ window: '5 hours', policies: { offsite: { bandwidth: '50MB' } } });
    expect(bad.success).toBe(false);
    const messages = bad.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
    expect(messages).toContain('window: expected a duration');
    expect(messages).toContain('expected a rate such as "50MB/s"');
  });
});

describe('catalog URL in printed config', () => {
  it('masks the password of a postgres:// URL', async () => {
    const { maskSecrets } = await import('../../../src/config/load.js');
    const masked = maskSecrets({
      catalog: { driver: 'postgres', url: 'postgres://bevara:s3cr3t@db.kommun.example/bevara' },
    });
    expect(JSON.stringify(masked)).not.toContain('s3cr3t');
    expect(masked.catalog.url).toBe('postgres://bevara:***@db.kommun.example/bevara');
  });
});
