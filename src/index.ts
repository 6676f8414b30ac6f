/** bevara's public API: the interfaces other code plugs into, and the factories that implement them. */

export { restorePackage } from './access/restore.js';
export { runAudit } from './audit/run-audit.js';
export { type CopyVerifier, createInlineVerifier, createWorkerVerifier } from './audit/verifier.js';
export { type CopyCheck, type CopyProblem, verifyCopy } from './audit/verify-copy.js';
export { createSqliteCatalog } from './catalog/sqlite.js';
export type * from './catalog/types.js';
export { loadConfig, maskSecrets } from './config/load.js';
export { type Config, configSchema, type LocationConfig } from './config/schema.js';
export * from './errors.js';
export { createDigester, type DigestAlgorithm, digestStream } from './fixity/digest.js';
export { ingestRecord } from './ingest/ingest-record.js';
export {
  createInlinePackageWriter,
  createWorkerPackageWriter,
  type PackageWriter,
} from './ingest/package-writer.js';
export { ingestOnce } from './ingest/one-off.js';
export { createLogger, type Logger } from './logger.js';
export { buildPackage } from './package/build.js';
export { loadProfile, type Profile } from './package/profile.js';
export { readZipDirectory, walkZip } from './zip/reader.js';
export { createZipStream } from './zip/writer.js';
export { createReportWriter, type ReportWriter } from './reports/write-report.js';
export { createFolderSource } from './sources/folder.js';
export type { RecordSource, SourceFile, SourceRecord } from './sources/types.js';
export { createFsDriver } from './storage/fs.js';
export { createLocation, createLocations, type Location } from './storage/index.js';
export type { StorageDriver, StoredObject } from './storage/types.js';
