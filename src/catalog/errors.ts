import { PreservationError } from '../errors.js';

/**
 * A catalog operation failed for a reason other than a missing referenced row (that is a `NotFoundError`):
 * a duplicate id, a schema that is missing or newer than this code, a closed or unreadable database.
 */
export class CatalogError extends PreservationError {
  override readonly code = 'E_CATALOG';
  /** Retrying cannot help: the request or the database schema itself is wrong. */
  override readonly unrecoverable: boolean;

  constructor(message: string, options?: { cause?: unknown; unrecoverable?: boolean }) {
    super(message, options);
    this.unrecoverable = options?.unrecoverable ?? false;
  }
}
