/**
 * Reading a bag's tag files (everything outside `data/`) at scan time: they are small, read whole, once, and
 * their bytes are the ones checked against the tag manifests and kept as the record's metadata files.
 */

import type { ValidationError } from '../../errors.js';
import { describeFsError, openNoFollow, recordError } from '../file-reader.js';
import type { FoundFile } from '../record-walk.js';
import type { SourceMetadataFile } from '../types.js';

/** Default limit on one tag file, in bytes (64 MiB: a manifest of ~400,000 files). */
export const DEFAULT_MAX_TAG_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Reads each tag file whole, refusing (rule `bagit-tag-too-big`) those over `maxBytes` before reading them and
 * (rule `file-changed`) those whose identity differs from the walk. All tag files of a bag together are held to
 * `maxBytes` too (rule `bagit-tags-too-big`, nothing read): they are kept in memory with the record, so many
 * files each just under the limit must not add up. Returns the files read, keyed by bag path.
 */
export async function readTagFiles(
  found: FoundFile[],
  key: string,
  maxBytes: number,
  errors: ValidationError[],
): Promise<Map<string, SourceMetadataFile>> {
  const out = new Map<string, SourceMetadataFile>();
  const total = found.reduce((sum, f) => sum + f.identity.size, 0);
  if (total > maxBytes) {
    errors.push(
      recordError(
        'bagit-tags-too-big',
        key,
        undefined,
        `its ${found.length} tag files hold ${total} bytes together, over the limit of ${maxBytes}`,
      ),
    );
    return out;
  }
  for (const file of found) {
    const fail = (rule: string, reason: string, cause?: unknown) =>
      errors.push(recordError(rule, key, file.path, reason, cause));
    if (file.identity.size > maxBytes) {
      fail('bagit-tag-too-big', `tag file of ${file.identity.size} bytes is over the limit of ${maxBytes}`);
      continue;
    }
    try {
      const handle = await openNoFollow(file.absolute);
      try {
        const st = await handle.stat({ bigint: true });
        if (st.ino !== file.identity.ino || st.mtimeNs !== file.identity.mtimeNs) {
          fail('file-changed', 'changed since the scan (replaced or modified)');
          continue;
        }
        const bytes = await handle.readFile();
        if (bytes.length !== file.identity.size) {
          fail(
            'file-changed',
            `changed since the scan (size ${file.identity.size} -> ${bytes.length} bytes)`,
          );
          continue;
        }
        out.set(file.path, {
          name: file.path,
          bytes,
          modifiedAt: file.modifiedAt,
          mimeType: tagMediaType(file.path),
        });
      } finally {
        await handle.close();
      }
    } catch (err) {
      fail('unreadable', `unreadable (${describeFsError(err)})`, err);
    }
  }
  return out;
}

/**
 * Media type of a tag file by its extension: BagIt's own tag files are all UTF-8 text. No charset parameter:
 * validators that check MIMETYPE against the IANA list (CSIP26/40) compare the whole value.
 */
export function tagMediaType(name: string): string {
  const ext = /\.([^./]+)$/.exec(name)?.[1]?.toLowerCase();
  if (ext === 'txt') return 'text/plain';
  if (ext === 'xml') return 'text/xml';
  if (ext === 'json') return 'application/json';
  return 'application/octet-stream';
}
