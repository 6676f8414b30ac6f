import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** The start of a body: up to one part's worth of bytes, and whether the body ended within it. */
export interface BodyHead {
  chunks: Buffer[];
  bytes: number;
  ended: boolean;
  /** Continues reading where the head stopped. */
  rest: AsyncIterator<Buffer>;
}

/** Reads up to `limit` bytes (or to the end) without consuming the rest of the stream. */
export async function readHead(body: Readable, limit: number): Promise<BodyHead> {
  const rest = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let bytes = 0;
  while (bytes < limit) {
    const next = await rest.next();
    if (next.done) return { chunks, bytes, ended: true, rest };
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    bytes += chunk.length;
  }
  return { chunks, bytes, ended: false, rest };
}

/**
 * One PUT of a body that fits in one part. Content-MD5 lets the server refuse bytes damaged on the way in;
 * the body is a Buffer, so the SDK can retry it.
 */
export async function putSingle(
  client: S3Client,
  input: Omit<PutObjectCommandInput, 'Body' | 'ContentMD5' | 'ContentLength'>,
  body: Buffer,
  signal?: AbortSignal,
): Promise<{ versionId?: string }> {
  const out = await client.send(
    new PutObjectCommand({
      ...input,
      Body: body,
      ContentLength: body.length,
      ContentMD5: createHash('md5').update(body).digest('base64'),
    }),
    { abortSignal: signal },
  );
  return { versionId: out.VersionId };
}

export interface MultipartOptions {
  partSize: number;
  concurrency: number;
  /** Called with every byte sent, in order (to count and, when asked, hash them). */
  onBytes: (chunk: Buffer) => void;
}

/**
 * A multipart upload of a body larger than one part, with lib-storage: at most `concurrency` parts of
 * `partSize` bytes are held in memory at once. On any failure lib-storage aborts the upload, so no parts are left;
 * the returned promise settles only after that abort.
 */
export async function putMultipart(
  client: S3Client,
  input: Omit<PutObjectCommandInput, 'Body'>,
  head: BodyHead,
  options: MultipartOptions,
): Promise<{ versionId?: string }> {
  const { rest, chunks } = head;
  const body = Readable.from(
    (async function* () {
      for (const chunk of chunks) {
        options.onBytes(chunk);
        yield chunk;
      }
      for (let next = await rest.next(); !next.done; next = await rest.next()) {
        const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
        options.onBytes(chunk);
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
  const upload = new Upload({
    client,
    params: { ...input, Body: body },
    partSize: options.partSize,
    queueSize: options.concurrency,
    leavePartsOnError: false,
  });
  const out = await upload.done();
  return { versionId: out.VersionId };
}
