/**
 * An E-ARK DIP (CSIP 2.1 based, OAISPACKAGETYPE="DIP") made from one stored copy of an AIP, streamed: the
 * record's files are read from the copy with one ranged request each, verified against the catalogue as they pass
 * into the DIP's ZIP, and the DIP's METS, PREMIS and Dublin Core are written by the same builder as an AIP's, so
 * the DIP is checked against the CSIP rules as it is written. Nothing is held whole but the small metadata.
 */
import { Readable } from 'node:stream';
import type { EventRecord, FileRecord, PackageRecord } from '../model/package.js';
import type { SoftwareAgent } from '../metadata/types.js';
import { buildPackage, type PackageBuild } from '../package/build.js';
import type { Profile } from '../package/profile.js';
import type { SourceFile, SourceRecord } from '../sources/types.js';
import { type OpenedCopy, verifiedFileBuffer, verifiedFileBytes } from './copy-reader.js';

/** The package profile of a DIP; built in, not loadable by name, so that nothing is ever ingested as a DIP. */
export const DIP_PROFILE: Profile = {
  name: 'eark-dip',
  description: 'E-ARK DIP (CSIP 2.1 / DIP 2.1), one ZIP per record handed out, stored uncompressed',
  packageType: 'DIP',
  contentType: 'Mixed',
  contentInformationType: 'MIXED',
  layout: 'eark',
  representation: 'rep1',
  digestAlgorithms: ['SHA-256'],
  descriptiveMetadata: 'dc',
  copies: ['none'],
  requires: [],
};

/** A content file: under a representation's data folder (the rest are the producer's metadata files). */
export const isContentFile = (file: FileRecord): boolean =>
  /(^|\/)representations\/[^/]+\/data\//.test(file.entryPath);

export interface DipInput {
  pkg: PackageRecord;
  /** The package's catalogued files (content and producer metadata). */
  files: FileRecord[];
  opened: OpenedCopy;
  /** `DIP_PROFILE`, with the organisation's header when the config names one. */
  profile: Profile;
  dipId: string;
  agent: SoftwareAgent;
  now: () => Date;
  /** The DIP's PREMIS events: the dissemination that makes it. */
  events: EventRecord[];
}

/** Starts the DIP's ZIP stream. The producer's metadata files (small) are read and verified first. */
export async function buildDip(input: DipInput): Promise<PackageBuild> {
  const { pkg, opened } = input;
  const ordered = [...input.files].sort(
    (a, b) => entryOffset(opened, a) - entryOffset(opened, b) || a.path.localeCompare(b.path),
  );
  const metadataFiles = [];
  for (const file of ordered.filter((f) => !isContentFile(f))) {
    metadataFiles.push({
      name: file.path,
      bytes: await verifiedFileBuffer(opened, file),
      modifiedAt: file.modifiedAt,
      mimeType: file.mimeType,
    });
  }
  const record: SourceRecord = {
    kind: 'aip',
    key: pkg.id,
    location: `${opened.copy.location}:${opened.copy.key}`,
    metadata: pkg.metadata,
    metadataFiles,
    files: ordered.filter(isContentFile).map((file) => sourceFileOf(opened, file)),
  };
  return buildPackage({
    record,
    profile: input.profile,
    packageId: input.dipId,
    agent: input.agent,
    now: input.now,
    events: input.events,
  });
}

function sourceFileOf(opened: OpenedCopy, file: FileRecord): SourceFile {
  return {
    path: file.path,
    size: file.size,
    modifiedAt: file.modifiedAt,
    open: () => Readable.from(verifiedFileBytes(opened, file), { objectMode: false }),
    ref: { kind: 'aip-copy', packageId: file.packageId, location: opened.copy.location, path: file.path },
  };
}

function entryOffset(opened: OpenedCopy, file: FileRecord): number {
  return opened.entries.get(`${file.packageId}/${file.entryPath}`)?.localHeaderOffset ?? 0;
}
