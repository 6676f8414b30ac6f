import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Location } from './index.js';

/**
 * Removes what interrupted writes left in each location (fs temp files, S3 multipart uploads) once older than
 * `olderThan`: younger ones may belong to a process still writing. Failures are logged, never thrown.
 */
export async function removeIncompleteUploads(
  locations: Iterable<Location>,
  olderThan: Date,
  logger: Logger,
): Promise<void> {
  for (const location of locations) {
    try {
      const removed = (await location.driver.removeIncomplete?.(olderThan)) ?? [];
      if (removed.length > 0)
        logger.warn(
          { location: location.name, removed },
          'removed uploads left incomplete by an interrupted run',
        );
    } catch (err) {
      logger.warn(
        { location: location.name, err: errorMessage(err) },
        'could not look for incomplete uploads',
      );
    }
  }
}
