/** Realistic catalog records for the catalog tests: Swedish labels and paths, large sizes. */
import type { CopyRecord, EventRecord, FileRecord, PackageRecord } from '../../../src/catalog/types.js';

export const FIVE_GB = 5 * 1024 ** 3;

export function hex(seed: string): string {
  return Buffer.from(seed.padEnd(32, '.')).toString('hex').slice(0, 64);
}

export function makePackage(id: string, overrides: Partial<PackageRecord> = {}): PackageRecord {
  return {
    id,
    label: 'Kommunstyrelsens protokoll 2024 – §§ 1–42, Åtgärder för Älvsbyn',
    profile: 'eark-aip-1',
    sourceKind: 'folder',
    sourceKey: 'KS 2024-0113 Översiktsplan',
    contentDigest: hex(`content-${id}`),
    size: FIVE_GB,
    sha256: hex(`zip-${id}`),
    fileCount: 2,
    state: 'stored',
    createdAt: new Date('2024-05-13T08:15:30.123Z'),
    metadata: {
      title: 'Översiktsplan för Ängelholms kommun',
      identifier: 'KS 2024/0113',
      creator: 'Samhällsbyggnadsförvaltningen',
      dates: { created: '2024-01-15', end: '2024-05-01' },
      accessRestriction: 'OSL 26 kap. 1 §',
      classification: '2.3.1',
      language: ['sv'],
      subject: ['fysisk planering', 'översiktsplan'],
    },
    ...overrides,
  };
}

export function makeFile(packageId: string, path: string, overrides: Partial<FileRecord> = {}): FileRecord {
  return {
    packageId,
    path,
    entryPath: `${packageId}/representations/rep1/data/${path}`,
    size: 1_234_567,
    sha256: hex(`file-${path}`),
    mimeType: 'application/pdf',
    modifiedAt: new Date('2024-04-30T22:01:02.345Z'),
    ...overrides,
  };
}

export function makeEvent(id: string, packageId: string, overrides: Partial<EventRecord> = {}): EventRecord {
  return {
    id,
    packageId,
    type: 'ingestion',
    at: new Date('2024-05-13T08:15:31.001Z'),
    outcome: 'success',
    detail: 'Paket skapat från mappen "KS 2024-0113 Översiktsplan"',
    agent: 'bevara/0.1.0',
    ...overrides,
  };
}

export function makeCopy(
  packageId: string,
  location: string,
  overrides: Partial<CopyRecord> = {},
): CopyRecord {
  return {
    packageId,
    location,
    key: `aip/${packageId}.zip`,
    size: FIVE_GB,
    sha256: hex(`zip-${packageId}`),
    storedAt: new Date('2024-05-13T08:16:00.500Z'),
    status: 'stored',
    ...overrides,
  };
}
