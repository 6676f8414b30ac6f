/**
 * ZIP-based formats decided from the container's content, never from the file name:
 * - ODF: first entry `mimetype`, stored, its value right after the local header (ODF 1.2 part 3, 3.3); the
 *   version from `office:version` in content.xml (else meta.xml, styles.xml, then `manifest:version`), as DROID's
 *   container signatures do; PRONOM assumes 1.1 when content.xml carries no version.
 * - OOXML: the main part's content type in `[Content_Types].xml` (DROID container signatures 1030, 2030, 3010);
 *   only when that part cannot be read, the main part's entry name in the central directory.
 * - Anything else with a local header at offset 0 and an end of central directory record: ZIP Format.
 */
import type { RetainedBytes } from './byte-window.js';
import { pronom, unregistered } from './registry.js';
import type { FormatIdentification } from './types.js';
import { type ZipEntryInfo, type ZipListing, listZip, readEntry } from './zip-container.js';

const OOXML = [
  {
    type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
    part: 'word/document.xml',
    puid: 'fmt/412',
  },
  {
    type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
    part: 'xl/workbook.xml',
    puid: 'fmt/214',
  },
  {
    type: 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml',
    part: 'ppt/presentation.xml',
    puid: 'fmt/215',
  },
] as const;

const ODF: Record<string, Record<string, string>> = {
  'application/vnd.oasis.opendocument.text': {
    '1.0': 'fmt/136',
    '1.1': 'fmt/290',
    '1.2': 'fmt/291',
    '1.3': 'fmt/1756',
  },
  'application/vnd.oasis.opendocument.spreadsheet': {
    '1.0': 'fmt/137',
    '1.1': 'fmt/294',
    '1.2': 'fmt/295',
    '1.3': 'fmt/1755',
  },
};

const ODF_MIME = /^application\/vnd\.oasis\.opendocument\.[a-z.-]+/;

export function identifyOffice(bytes: RetainedBytes): FormatIdentification {
  const odf = identifyOdf(bytes);
  if (odf) return odf;
  const listing = listZip(bytes);
  if (!listing)
    return unregistered('application/zip', 'ZIP local header at start, but no readable directory');
  const ooxml = identifyOoxml(bytes, listing);
  if (ooxml) return ooxml;
  if (listing.source !== 'central') {
    return unregistered(
      'application/zip',
      'ZIP local headers, but no end of central directory record near the end',
    );
  }
  return pronom(
    'x-fmt/263',
    `ZIP local header at start and central directory (${listing.entries.length} entries) at end`,
  );
}

function identifyOdf(bytes: RetainedBytes): FormatIdentification | undefined {
  const head = bytes.head;
  if (head.length < 30 || head.readUInt16LE(26) !== 8 || head.toString('latin1', 30, 38) !== 'mimetype')
    return undefined;
  if (head.readUInt16LE(8) !== 0) return undefined;
  const dataAt = 38 + head.readUInt16LE(28);
  const size = head.readUInt32LE(18) || 80;
  // ODF media types are lower case, so a data descriptor ("PK\x07\x08") right after the value ends the match.
  const value = ODF_MIME.exec(head.toString('latin1', dataAt, Math.min(head.length, dataAt + size)))?.[0];
  if (!value) return undefined;
  const basis = `ZIP with first entry "mimetype" stored: ${value}`;
  const versions = ODF[value];
  if (!versions) return unregistered(value, `${basis}; this ODF type has no PUID in the table`);
  const listing = listZip(bytes);
  const version = listing ? odfVersion(bytes, listing.entries) : undefined;
  const name = value.endsWith('.text') ? 'OpenDocument Text' : 'OpenDocument Spreadsheet';
  if (!version) return unregistered(value, `${basis}; version not readable from the retained bytes`, name);
  const puid = versions[version.version];
  if (!puid)
    return unregistered(
      value,
      `${basis}; ${version.from}: ODF ${version.version} has no PUID in the table`,
      name,
    );
  return pronom(puid, `${basis}; ${version.from}`);
}

function odfVersion(
  bytes: RetainedBytes,
  entries: ZipEntryInfo[],
): { version: string; from: string } | undefined {
  const text = (name: string) => {
    const entry = entries.find((e) => e.name === name);
    return entry ? readEntry(bytes, entry)?.toString('utf8', 0, 64 * 1024) : undefined;
  };
  const content = text('content.xml');
  for (const [name, xml] of [
    ['content.xml', content],
    ['meta.xml', text('meta.xml')],
    ['styles.xml', text('styles.xml')],
  ]) {
    const version = xml && /office:version\s*=\s*["']([0-9.]+)["']/.exec(xml)?.[1];
    if (version) return { version, from: `office:version="${version}" in ${name}` };
  }
  const manifest = text('META-INF/manifest.xml');
  const version =
    manifest && /<manifest:manifest[^>]*manifest:version\s*=\s*["']([0-9.]+)["']/.exec(manifest)?.[1];
  if (version) return { version, from: `manifest:version="${version}" in META-INF/manifest.xml` };
  if (content?.includes('office:document-content')) {
    return { version: '1.1', from: 'content.xml has no office:version (PRONOM: ODF without version is 1.1)' };
  }
  return undefined;
}

function identifyOoxml(bytes: RetainedBytes, listing: ZipListing): FormatIdentification | undefined {
  const types = listing.entries.find((e) => e.name === '[Content_Types].xml');
  if (!types) return undefined;
  const xml = readEntry(bytes, types)?.toString('utf8');
  if (xml !== undefined) {
    const match = OOXML.find((o) => xml.includes(`ContentType="${o.type}"`));
    return match ? pronom(match.puid, `ZIP; [Content_Types].xml declares ${match.type}`) : undefined;
  }
  const names = new Set(listing.entries.map((e) => e.name));
  const match = OOXML.find((o) => names.has(o.part));
  if (!match) return undefined;
  return pronom(match.puid, `ZIP with [Content_Types].xml (not retained) and main part ${match.part}`);
}
