import type { LocationConfig } from '../config/schema.js';
import { maskUrlText } from '../config/mask.js';
import { createFsDriver } from './fs.js';
import { lazyDriver } from './lazy-driver.js';
import { S3_CAPABILITIES } from './s3/capabilities.js';
import type { StorageDriver } from './types.js';

export type { StorageDriver, StoredObject } from './types.js';

/** A configured location: its name in the config and the driver that reaches it. */
export interface Location {
  name: string;
  driver: StorageDriver;
}

/** Builds the driver for one configured location. */
export function createLocation(name: string, config: LocationConfig, tuning: LocationTuning = {}): Location {
  switch (config.driver) {
    case 'fs':
      return {
        name,
        driver: createFsDriver({ root: config.root ?? name, blockingIo: tuning.blockingIo }),
      };
    case 's3':
      // The AWS SDK is loaded when the location is first used (see lazyDriver).
      return {
        name,
        driver: lazyDriver('s3', S3_CAPABILITIES, async () => {
          const { createS3Driver } = await import('./s3/driver.js');
          return createS3Driver({
            ...config,
            forcePathStyle: config.forcePathStyle ?? config.endpoint !== undefined,
            partSize: config.partSizeMiB * 1024 * 1024,
          });
        }),
      };
  }
}

/** How this thread uses its drivers (not configuration: the same location is reached differently per thread). */
export interface LocationTuning {
  /** This thread only reads, writes and hashes: drivers may block it (see `FsDriverOptions.blockingIo`). */
  blockingIo?: boolean;
}

/** Builds every configured location, keyed by name. */
export function createLocations(
  configs: Record<string, LocationConfig>,
  tuning: LocationTuning = {},
): Map<string, Location> {
  return new Map(
    Object.entries(configs).map(([name, config]) => [name, createLocation(name, config, tuning)]),
  );
}

/**
 * Where a location keeps its objects, for people: a folder, or `s3://bucket/prefix at endpoint` (the endpoint's
 * user info masked).
 */
export function describeLocation(config: LocationConfig | undefined): string {
  if (!config) return '(not configured)';
  if (config.driver === 'fs') return config.root ?? '(default folder)';
  const where = `s3://${config.bucket}${config.prefix ? `/${config.prefix.replace(/\/+$/, '')}` : ''}`;
  return config.endpoint ? `${where} at ${maskUrlText(config.endpoint)}` : where;
}
