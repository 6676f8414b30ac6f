/**
 * The archival description every package carries: its archive creator (arkivbildare) with the NAD-style reference
 * code of its archive, and its node of the classification structure (klassificeringsstruktur).
 *
 * The record's own metadata wins (record.json `archiveCreator` and `classification`, an FGS 1.x SIP's ARCHIVIST
 * agent and REFERENCECODE); the config's `organisation.archivalCreator` (else the organisation itself), which the
 * profile carries as `header.archivalCreator`, fills in an archive creator the record does not name. The result
 * is what the catalog records (so `ls` and the console can search it) and what the METS header says.
 */
import type { DescriptiveMetadata } from '../model/package.js';
import type { PackageHeader } from './profile.js';

/** The record's metadata with the archive creator filled in from the profile header when the record names none. */
export function withArchivalDescription(
  metadata: DescriptiveMetadata,
  header: PackageHeader | undefined,
): DescriptiveMetadata {
  const fromConfig = header?.archivalCreator;
  if (metadata.archiveCreator || !fromConfig) return metadata;
  return {
    ...metadata,
    archiveCreator: {
      name: fromConfig.name,
      ...(fromConfig.referenceCode ? { referenceCode: fromConfig.referenceCode } : {}),
      ...(fromConfig.identificationCode ? { identificationCode: fromConfig.identificationCode } : {}),
    },
  };
}

/**
 * True when a catalogued package's metadata describes the record as it is now: equal to the record's metadata
 * with its archival description, or, for a package catalogued before archive creators were recorded, equal to
 * the record's own metadata (the config's archive creator alone does not make a new version of every record).
 */
export function sameDescription(
  catalogued: DescriptiveMetadata,
  record: DescriptiveMetadata,
  header: PackageHeader | undefined,
): boolean {
  const was = JSON.stringify(catalogued);
  return was === JSON.stringify(withArchivalDescription(record, header)) || was === JSON.stringify(record);
}
