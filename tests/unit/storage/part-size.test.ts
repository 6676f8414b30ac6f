import { describe, expect, it } from 'vitest';
import { partSizeFor } from '../../../src/storage/s3/driver.js';

const MiB = 1024 * 1024;

describe('S3 part size', () => {
  it('keeps the configured size while the upload fits in 9,000 parts', () => {
    expect(partSizeFor(16 * MiB)).toBe(16 * MiB);
    expect(partSizeFor(16 * MiB, 100 * 1024 * MiB)).toBe(16 * MiB);
  });

  it('grows to whole MiB for packages that would need more parts than S3 allows', () => {
    const size = 500 * 1024 * MiB; // 500 GiB
    const part = partSizeFor(16 * MiB, size);
    expect(part % MiB).toBe(0);
    expect(Math.ceil(size / part)).toBeLessThanOrEqual(9_000);
    expect(part).toBeLessThan(64 * MiB);
  });
});
