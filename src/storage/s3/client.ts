import { S3Client } from '@aws-sdk/client-s3';

export interface S3ConnectionOptions {
  /** Custom endpoint (Ceph RGW, MinIO); omit for AWS. */
  endpoint?: string;
  region: string;
  /** `https://host/bucket/key` instead of `https://bucket.host/key`; what most self-hosted engines want. */
  forcePathStyle: boolean;
  /** Explicit keys; without them the SDK's standard chain applies (AWS_* variables, profiles, instance roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts per request, the first included. Retries back off exponentially with full jitter. */
  maxAttempts: number;
  /** A request that has not been answered, or a socket idle this long, fails (and is retried). */
  requestTimeoutSeconds: number;
}

/**
 * One SDK client per location. Retries: the SDK's standard strategy (exponential backoff with full jitter,
 * capped at 20 s) on throttling, 5xx, timeouts and network errors; never on 4xx such as 403 or 412.
 * Checksums: `WHEN_REQUIRED` both ways, because with the SDK default some S3-compatible engines reject streamed
 * bodies (Ceph 16 answers 411) or store the aws-chunked framing as data. Integrity is ours instead:
 * Content-MD5 on single PUTs and our own SHA-256 read back after every write.
 */
export function createS3Client(options: S3ConnectionOptions): S3Client {
  const timeoutMs = options.requestTimeoutSeconds * 1000;
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    maxAttempts: options.maxAttempts,
    retryMode: 'standard',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: Math.min(timeoutMs, 10_000),
      requestTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      throwOnRequestTimeout: true,
      httpAgent: { keepAlive: true, maxSockets: 64 },
      httpsAgent: { keepAlive: true, maxSockets: 64 },
    },
  });
}
