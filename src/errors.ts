/**
 * Error classes shared by every module. Each carries a literal `code` so callers and reports can branch on it
 * without parsing messages, and messages start with their context, e.g. `[storage:fs] key "a/../b" ...`.
 */
export class PreservationError extends Error {
  readonly code: string = 'E_PRESERVATION';
  /** When true, retrying the same operation cannot succeed (bad input, digest mismatch). */
  readonly unrecoverable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = this.constructor.name;
  }
}

/** One problem found while validating configuration or a profile, with the path of the offending value. */
export interface Issue {
  path: string;
  message: string;
}

export class ConfigError extends PreservationError {
  override readonly code = 'E_CONFIG';
  override readonly unrecoverable = true;
  constructor(
    readonly source: string,
    readonly issues: Issue[],
  ) {
    super(
      `[config] ${source} is invalid:\n${issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n')}`,
    );
  }
}

/** A record, file or package breaks a rule. `rule` is a stable identifier that reports and tests use. */
export class ValidationError extends PreservationError {
  override readonly code = 'E_VALIDATION';
  override readonly unrecoverable = true;
  constructor(
    readonly rule: string,
    message: string,
    readonly subject: { record?: string; file?: string; package?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class NotFoundError extends PreservationError {
  override readonly code = 'E_NOT_FOUND';
}

/** A digest did not match what was expected. Never retried: the bytes are what they are. */
export class FixityError extends PreservationError {
  override readonly code = 'E_FIXITY';
  override readonly unrecoverable = true;
  constructor(
    message: string,
    readonly algorithm: string,
    readonly expected: string,
    readonly actual: string,
    readonly subject: { package?: string; file?: string; key?: string } = {},
  ) {
    super(message);
  }
}

export class StorageError extends PreservationError {
  override readonly code: string = 'E_STORAGE';
}

/** A location's root is not bevara's own (the filesystem root, or a folder holding other things). */
export class LocationRootError extends StorageError {
  override readonly code = 'E_LOCATION_ROOT';
  override readonly unrecoverable = true;
}

/**
 * A location could not be reached or answered with a transient failure (network, timeout, 5xx, throttling) after
 * its retries. Retrying later can succeed: a record that meets it waits for a later run.
 */
export class UnavailableError extends StorageError {
  override readonly code = 'E_UNAVAILABLE';
}

/** The location refuses an operation for good: wrong credentials, no such bucket, no permission. */
export class AccessError extends StorageError {
  override readonly code = 'E_ACCESS';
  override readonly unrecoverable = true;
}

/** A delete was refused because the object is under retention or legal hold (Object Lock). */
export class LockedError extends StorageError {
  override readonly code = 'E_LOCKED';
  override readonly unrecoverable = true;
}

/** A write was refused because the key already exists: packages are written once. */
export class AlreadyExistsError extends StorageError {
  override readonly code = 'E_EXISTS';
  override readonly unrecoverable = true;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
