import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';

const OUR_KEYS = ['packages/', '.meta/', '.bevara/'];

/**
 * Aborts the multipart uploads under `prefix` that were started before `olderThan`: what a process killed
 * mid-upload leaves behind (its parts take space but are no object). Returns `key (upload id)` of each.
 * Operators may also set a bucket lifecycle rule (AbortIncompleteMultipartUpload) as a second line.
 */
export async function abortIncompleteUploads(
  target: { client: S3Client; bucket: string; prefix: string },
  olderThan: Date,
): Promise<string[]> {
  const { client, bucket, prefix } = target;
  const aborted: string[] = [];
  let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
  for (;;) {
    const page = await client.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, ...markers }),
    );
    for (const upload of page.Uploads ?? []) {
      if (!upload.Key || !upload.UploadId || (upload.Initiated && upload.Initiated >= olderThan)) continue;
      // Only keys this driver writes: a bucket without a prefix may hold other applications' uploads.
      if (!OUR_KEYS.some((p) => upload.Key?.startsWith(prefix + p))) continue;
      await client.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }),
      );
      aborted.push(`${upload.Key.slice(prefix.length)} (${upload.UploadId})`);
    }
    if (!page.IsTruncated) return aborted;
    markers = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
  }
}
