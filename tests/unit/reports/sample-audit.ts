import { createHash } from 'node:crypto';
import type { EventRecord, RunItem, RunRecord } from '../../../src/catalog/types.js';
import type { ReportExtras, RunReport } from '../../../src/reports/write-report.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** What the sample audit is made of, for tests to look for. */
export interface SampleAudit {
  run: RunRecord;
  items: RunItem[];
  extras: Required<ReportExtras>;
  corrupted: { packageId: string; label: string; file: string; expected: string; actual: string };
  missing: { packageId: string; key: string };
  repaired: { packageId: string; from: string; previousKey: string };
  damaged: { packageId: string; label: string };
  orphan: { key: string };
}

/**
 * A realistic audit run of two locations with one of everything: a one-byte corruption inside a PDF (digests
 * computed from real bytes), a missing copy, a copy repaired from the other location, a damaged package (both
 * copies bad), an orphan, coverage for both locations, and three earlier runs for the trend.
 */
export function sampleAudit(runId = 'audit-20250301-020000000Z-1a2b3c4d'): SampleAudit {
  const pdf = Buffer.from('%PDF-1.4\n% Beslut om bygglov, Östra Gränd 3\n'.repeat(200));
  const damagedPdf = Buffer.from(pdf);
  damagedPdf[1000] = (damagedPdf[1000] ?? 0) ^ 0x01;
  const corrupted = {
    packageId: 'b7c1e2d0-0113-4a5e-9f3c-2024011300b1',
    label: 'Ansökan om bygglov, Östra Gränd 3',
    file: 'beslut/Beslut om bygglov.pdf',
    expected: sha256(pdf),
    actual: sha256(damagedPdf),
  };
  const missing = { packageId: 'c0ffee00-2024-4d2a-8c11-000000000c0c', key: 'packages/c0ffee00.zip' };
  const repaired = { packageId: 'd1d1d1d1-2023-4abc-9def-00000000d1d1', from: 'local', previousKey: '' };
  repaired.previousKey = `damaged/${repaired.packageId}.zip.20250301T0207`;
  const damaged = { packageId: 'e5e5e5e5-2022-4bbb-8ccc-00000000e5e5', label: 'Protokoll KF 2022-06-13' };
  const orphan = { key: 'packages/ffff0000-unknown.zip' };
  const at = (min: number) => new Date(Date.UTC(2025, 2, 1, 2, min, 5));
  const item = (
    location: string,
    key: string,
    rest: Partial<RunItem> & Pick<RunItem, 'status'>,
  ): RunItem => ({
    runId,
    subject: `${location}:${key}`,
    ...rest,
    details: { location, ...rest.details },
  });
  const okKey = 'packages/a0a0a0a0.zip';
  const items: RunItem[] = [
    item('local', okKey, {
      packageId: 'a0a0a0a0',
      status: 'ok',
      message: 'verified: package digest and 12 file(s)',
    }),
    item('offsite', okKey, {
      packageId: 'a0a0a0a0',
      status: 'ok',
      message: 'verified: package digest and 12 file(s)',
    }),
    item('local', `packages/${corrupted.packageId}.zip`, {
      packageId: corrupted.packageId,
      status: 'failed',
      message: `package ${corrupted.packageId}: file digest differs`,
      details: {
        label: corrupted.label,
        problems: [
          {
            rule: 'package-digest',
            message: 'package digest differs',
            expected: sha256(Buffer.from('zip')),
            actual: sha256(Buffer.from('zip!')),
          },
          {
            rule: 'file-digest',
            message: 'file digest differs',
            file: corrupted.file,
            expected: corrupted.expected,
            actual: corrupted.actual,
          },
        ],
      },
    }),
    item('offsite', missing.key, {
      packageId: missing.packageId,
      status: 'failed',
      message: `copy "${missing.key}" is missing`,
      details: {
        label: 'Detaljplan Norra hamnen',
        problems: [
          { rule: 'copy-missing', message: `copy "${missing.key}" is missing from location "offsite"` },
        ],
      },
    }),
    item('offsite', `packages/${repaired.packageId}.zip`, {
      packageId: repaired.packageId,
      status: 'repaired',
      message: 'replaced from location "local"',
      details: {
        label: 'Bygglov Kvarnvägen 7',
        repair: {
          from: repaired.from,
          key: `packages/${repaired.packageId}.zip`,
          previousKey: repaired.previousKey,
          at: at(7),
        },
        problems: [
          {
            rule: 'entry-crc',
            message: 'CRC-32 of entry differs',
            file: 'ritningar/plan.pdf',
            expected: '1c291ca3',
            actual: '9e83486d',
          },
        ],
      },
    }),
    ...(['local', 'offsite'] as const).map((location) =>
      item(location, `packages/${damaged.packageId}.zip`, {
        packageId: damaged.packageId,
        status: 'failed',
        message: 'size differs from the catalog',
        details: {
          label: damaged.label,
          damaged: true,
          problems: [
            {
              rule: 'size-mismatch',
              message: 'size differs from the catalog',
              expected: '48213 bytes',
              actual: '40960 bytes',
            },
          ],
        },
      }),
    ),
    item('offsite', orphan.key, {
      status: 'orphan',
      message: `object "${orphan.key}" (812 bytes) is not in the catalog`,
    }),
  ];
  const run: RunRecord = {
    id: runId,
    kind: 'audit',
    startedAt: at(0),
    finishedAt: at(14),
    status: 'completed-with-failures',
    params: {},
    summary: {
      copies: 7,
      verified: 2,
      failed: 3,
      missing: 1,
      repaired: 1,
      damaged: 1,
      orphans: 1,
      files: 57,
      bytes: 1_234_567_890,
      durationMs: 845_000,
      deferred: 3,
      interrupted: false,
    },
  };
  const earlier = (
    year: number,
    month: number,
    status: RunRecord['status'],
    summary: Record<string, unknown>,
  ) => ({
    runId: `audit-${year}${String(month).padStart(2, '0')}01`,
    startedAt: new Date(Date.UTC(year, month - 1, 1, 2)),
    finishedAt: new Date(Date.UTC(year, month - 1, 1, 2, 12)),
    status,
    summary: { copies: 7, missing: 0, orphans: 0, durationMs: 720_000, ...summary },
  });
  const events: EventRecord[] = items
    .filter((i) => i.packageId)
    .map((i, n) => ({
      id: `${i.packageId}-fixity-check-${n}`,
      packageId: i.packageId as string,
      type: 'fixity check',
      at: at(n + 1),
      outcome: i.status === 'ok' ? 'success' : 'failure',
      detail: i.message ?? '',
      agent: 'bevara/0.1.0',
      object: i.subject,
      runId,
    }));
  events.push({
    id: `${repaired.packageId}-replication-offsite`,
    packageId: repaired.packageId,
    type: 'replication',
    at: at(7),
    outcome: 'success',
    detail: 'copied from location "local" to "offsite" and read back <&> "ok"',
    agent: 'bevara/0.1.0',
    object: `offsite:packages/${repaired.packageId}.zip`,
    runId,
  });
  const extras: Required<ReportExtras> = {
    coverage: [
      {
        location: 'local',
        periodDays: 30,
        copies: 1200,
        withinPolicy: 1200,
        oldest: {
          packageId: 'a0a0a0a0',
          key: okKey,
          lastVerifiedAt: new Date(Date.UTC(2025, 1, 1)),
          waitedDays: 28,
        },
      },
      {
        location: 'offsite',
        periodDays: 90,
        copies: 1200,
        withinPolicy: 1150,
        oldest: { packageId: missing.packageId, key: missing.key, waitedDays: 97 },
      },
    ],
    trend: [
      earlier(2025, 2, 'succeeded', { verified: 7, failed: 0, repaired: 0, bytes: 1_200_000_000 }),
      earlier(2025, 1, 'succeeded', { verified: 7, failed: 0, repaired: 0, bytes: 1_150_000_000 }),
      earlier(2024, 12, 'completed-with-failures', {
        verified: 5,
        failed: 0,
        repaired: 2,
        bytes: 1_100_000_000,
      }),
    ],
    events,
  };
  return { run, items, extras, corrupted, missing, repaired, damaged, orphan };
}

/** The sample as the report writer would build it. */
export function sampleReport(language: 'sv' | 'en'): RunReport {
  const { run, items, extras } = sampleAudit();
  return { report: 'bevara-run-report', version: 2, language, run, items, ...extras };
}
