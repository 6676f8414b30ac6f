import type { StorageCapabilities } from '../types.js';

/**
 * What every S3 location offers, known without the SDK. Conditional writes are not guaranteed on every engine:
 * `bevara storage check` probes them.
 */
export const S3_CAPABILITIES: StorageCapabilities = { writeOnce: false, versioning: false };
