import type { DescriptiveMetadata, EventRecord, FileRecord } from '../model/package.js';

/** A content file as measured while it was written into the package: a catalog file row without its package. */
export type PackagedFile = Omit<FileRecord, 'packageId'>;

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
  /** Header agents and submission agreement (FGS / E-ARK SIP), when the profile names them. */
  header?: {
    archivalCreator?: { name: string; identificationCode?: string; referenceCode?: string };
    submittingAgent?: { name: string; identificationCode?: string };
    submissionAgreement?: string;
  };
  /** Events recorded about this package so far (ingestion, message digest calculation). */
  events: EventRecord[];
}

/** Files referenced from the root METS besides the representations. */
export interface RootMetsReferences {
  descriptive: MetadataFileRef[];
  preservation: MetadataFileRef[];
  representationMets: MetadataFileRef;
  /** The XML schemas the package's metadata uses, under `schemas/` (CSIP113). */
  schemas: MetadataFileRef[];
  /** Documentation of the package under `documentation/` (CSIP60). */
  documentation: MetadataFileRef[];
}
