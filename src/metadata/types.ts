import type { DescriptiveMetadata, EventRecord } from '../catalog/types.js';

/** A content file as measured while it was written into the package. */
export interface PackagedFile {
  /** Path inside the record (what `get` restores), POSIX. */
  path: string;
  /** Path inside the package root, e.g. "representations/rep1/data/beslut.pdf". */
  entryPath: string;
  size: number;
  /** Hex SHA-256. */
  sha256: string;
  mimeType: string;
  modifiedAt: Date;
}

/** A metadata file inside the package (dc.xml, premis.xml, representation METS), measured after building. */
export interface MetadataFileRef {
  /** Path inside the package root, e.g. "metadata/descriptive/dc.xml". */
  path: string;
  size: number;
  sha256: string;
  mimeType: string;
  createdAt: Date;
}

export interface SoftwareAgent {
  name: string;
  version: string;
}

/** Everything the metadata builders need; pure data, measured before the XML is built. */
export interface PackageDescription {
  /** Package identifier, also METS OBJID and the ZIP's root folder name. */
  id: string;
  label: string;
  createdAt: Date;
  /** METS/CSIP package type, e.g. "AIP". */
  packageType: string;
  /** csip:CONTENTINFORMATIONTYPE, e.g. "MIXED". */
  contentInformationType: string;
  profileName: string;
  agent: SoftwareAgent;
  source: { kind: string; key: string };
  descriptive: DescriptiveMetadata;
  representationId: string;
  files: PackagedFile[];
  /** Events recorded about this package so far (ingestion, message digest calculation). */
  events: EventRecord[];
}

/** Files referenced from the root METS besides the representations. */
export interface RootMetsReferences {
  descriptive: MetadataFileRef[];
  preservation: MetadataFileRef[];
  representationMets: MetadataFileRef;
}
