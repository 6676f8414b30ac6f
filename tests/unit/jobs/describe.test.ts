import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../src/catalog/types.js';
import {
  describeAfterSuccess,
  describeLimits,
  describeSchedule,
  formatDuration,
  runDuration,
} from '../../../src/jobs/describe.js';

const job = (over: Partial<JobRecord>): JobRecord => ({
  name: 'a',
  source: { kind: 'folder', path: '/x' },
  profile: 'eark-aip',
  afterSuccess: { action: 'leave' },
  enabled: true,
  origin: 'cli',
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...over,
});

describe('describe', () => {
  it('formats durations from milliseconds to hours', () => {
    expect([0, 850, 1000, 12_345, 59_949, 60_000, 245_000, 7_389_000].map(formatDuration)).toEqual([
      '0 ms',
      '850 ms',
      '1.0 s',
      '12.3 s',
      '59.9 s',
      '1m 00s',
      '4m 05s',
      '2h 03m 09s',
    ]);
  });

  it('measures a running run to now', () => {
    const startedAt = new Date('2025-01-01T00:00:00Z');
    expect(runDuration({ startedAt }, new Date('2025-01-01T00:00:30Z'))).toBe(30_000);
    expect(runDuration({ startedAt, finishedAt: new Date('2025-01-01T00:00:05Z') }, new Date())).toBe(5000);
  });

  it('describes schedule, after-success action and limits in the syntax jobs add takes', () => {
    expect(describeSchedule(job({}))).toBe('on demand');
    expect(describeSchedule(job({ schedule: { cron: '0 2 * * *', timezone: 'UTC' } }))).toBe('0 2 * * * UTC');
    expect(describeAfterSuccess(job({ afterSuccess: { action: 'move', to: '/done' } }))).toBe('move:/done');
    expect(describeAfterSuccess(job({ afterSuccess: { action: 'mark' } }))).toBe('mark');
    expect(describeLimits(job({}))).toBe('none');
    expect(describeLimits(job({ limits: { maxRecords: 10, maxBytes: 2048 } }))).toBe(
      '10 records, 2048 bytes (2.0 KB) per run',
    );
  });
});
