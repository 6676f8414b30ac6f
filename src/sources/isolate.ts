import { errorMessage, ValidationError } from '../errors.js';
import { recordError } from './file-reader.js';
import type { ScannedRecord } from './types.js';

/** What a refusal made here names: the record's kind, key, location and raw entry name. */
export interface IsolatedRecord {
  kind: string;
  key: string;
  location: string;
  entry?: Buffer;
}

/**
 * Scans one record so that whatever goes wrong with it refuses that record alone: an error the scan throws (a
 * parser limit, a broken ZIP entry, an unreadable file, a bug) becomes a rejection naming the record, the file when
 * known, and the rule (the error's own for a `ValidationError`, else `record-unreadable`), and the source goes on
 * with the next record. Only what stops the whole source (its root unreadable) is thrown, by the listing.
 */
export async function isolateRecord(
  record: IsolatedRecord,
  scan: () => Promise<ScannedRecord>,
): Promise<ScannedRecord> {
  try {
    return await scan();
  } catch (err) {
    const error =
      err instanceof ValidationError
        ? err
        : recordError(
            'record-unreadable',
            record.key,
            undefined,
            `cannot be read: ${errorMessage(err)}`,
            err,
          );
    return { ok: false, rejected: { ...record, errors: [error] } };
  }
}
