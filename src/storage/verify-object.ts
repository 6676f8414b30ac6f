import { errorMessage, FixityError, PreservationError, StorageError } from '../errors.js';
import { digestStream } from '../fixity/digest.js';
import type { Location } from './index.js';

/**
 * Reads a stored object back in full and compares its size and SHA-256 with what is expected.
 * Throws `FixityError` on a mismatch; a read failure keeps its type (e.g. `UnavailableError`, `NotFoundError`).
 * `context` starts the messages, e.g. `[ingest]`.
 */
export async function verifyObject(
  location: Location,
  key: string,
  expected: { size: number; sha256: string },
  context: string,
): Promise<void> {
  let actual: { size: number; sha256: string };
  try {
    const { driver } = location;
    actual = driver.digest ? await driver.digest(key) : await digestStream(await driver.get(key));
  } catch (err) {
    const message = `${context} read-back of "${key}" from location "${location.name}" failed: ${errorMessage(err)}`;
    if (err instanceof PreservationError) {
      const Same = err.constructor as new (m: string, o?: { cause?: unknown }) => PreservationError;
      if (!(err instanceof FixityError)) throw new Same(message, { cause: err });
    }
    throw new StorageError(message, { cause: err });
  }
  if (actual.sha256 !== expected.sha256 || actual.size !== expected.size) {
    throw new FixityError(
      `${context} read-back of "${key}" from location "${location.name}" differs from what was expected: ` +
        `expected ${expected.size} bytes SHA-256 ${expected.sha256}, got ${actual.size} bytes ${actual.sha256}`,
      'SHA-256',
      expected.sha256,
      actual.sha256,
      { key },
    );
  }
}
