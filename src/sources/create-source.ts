import path from 'node:path';
import { ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createBagitSource } from './bagit/bag-source.js';
import { createEarkSipSource } from './eark-sip/sip-source.js';
import { createFolderSource } from './folder.js';
import type { RecordSource } from './types.js';

export interface SourceOptions {
  logger: Logger;
  maxPathLength: number;
  /** Where refused SIPs are copied with their validation reports: `<dataDir>/quarantine`. */
  quarantineDir: string;
  /** Files of ours at the source root (e.g. markers of released records): ignored without a warning. */
  isOwnFile?: (name: string) => boolean;
  /** Largest METS file of a SIP read, in bytes (default: the validator's). */
  maxMetsBytes?: number;
  /** Most files one record may hold (default: `DEFAULT_MAX_RECORD_FILES`). */
  maxRecordFiles?: number;
}

/** The record source of a kind: a folder of records, a folder of BagIt bags, or an inbox of E-ARK SIPs. */
export function createSource(kind: string, root: string, options: SourceOptions): RecordSource {
  const onIgnored = (file: string, reason: string) => {
    if (!options.isOwnFile?.(file)) options.logger.warn({ file, reason }, 'not a record; ignored');
  };
  const { maxPathLength, maxRecordFiles } = options;
  switch (kind) {
    case 'folder':
      return createFolderSource({ root, maxPathLength, maxRecordFiles, onIgnored });
    case 'bagit':
      // Payload checksums are checked by the packaging read itself: each byte is still read once.
      return createBagitSource({ root, maxPathLength, maxRecordFiles, onIgnored, checksums: 'defer' });
    case 'eark-sip':
      // Refused SIPs are copied, with their validation reports, to <dataDir>/quarantine/<key>/.
      return createEarkSipSource({
        root,
        quarantineDir: path.resolve(options.quarantineDir),
        maxMetsBytes: options.maxMetsBytes,
        maxEntries: maxRecordFiles,
        onIgnored,
        onQuarantined: (key, folder) => options.logger.warn({ record: key, folder }, 'SIP quarantined'),
      });
    default:
      throw new ValidationError(
        'input',
        `[ingest] unknown source kind "${kind}" (available: folder, bagit, eark-sip)`,
      );
  }
}
