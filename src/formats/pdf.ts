/**
 * PDF: the version from the `%PDF-1.x` header, `%%EOF` within the last 1024 bytes (as PRONOM's signatures
 * require), and a declared PDF/A conformance from the XMP identification schema (`pdfaid:part`,
 * `pdfaid:conformance`, as attributes or elements, with the `http://www.aiim.org/pdfa/ns/id/` namespace). The
 * XMP packet may sit anywhere in the file, so the whole stream is scanned (PDF/A forbids filtering the metadata
 * stream, so the packet is plain text). The last declaration in the file wins, as incremental updates append.
 */
import type { RetainedBytes } from './byte-window.js';
import { NeedleScanner } from './needle-scanner.js';
import { pronom, unregistered } from './registry.js';
import type { FormatIdentification } from './types.js';

const VERSION_PUID: Record<string, string> = {
  '1.0': 'fmt/14',
  '1.1': 'fmt/15',
  '1.2': 'fmt/16',
  '1.3': 'fmt/17',
  '1.4': 'fmt/18',
  '1.5': 'fmt/19',
  '1.6': 'fmt/20',
  '1.7': 'fmt/276',
};

const PDFA_PUID: Record<string, string> = {
  '1A': 'fmt/95',
  '1B': 'fmt/354',
  '2A': 'fmt/476',
  '2B': 'fmt/477',
  '2U': 'fmt/478',
  '3A': 'fmt/479',
  '3B': 'fmt/480',
  '3U': 'fmt/481',
};

/** One needle for both the properties (`pdfaid:part`) and the namespace URI (`…/pdfa/ns/id/`): one search. */
const NEEDLES = [Buffer.from('pdfa')];
const NAMESPACE = 'pdfa/ns/id/';
const VALUE = /^pdfaid:(part|conformance)\s*(?:=\s*["']\s*|>\s*)([A-Za-z0-9]+)/;

export function isPdf(head: Buffer): boolean {
  return head.toString('latin1', 0, 5) === '%PDF-';
}

/** Streams a PDF once, remembering the last PDF/A identification declared in it. */
export class PdfScanner {
  part: string | undefined;
  conformance: string | undefined;
  namespaceSeen = false;
  readonly #scanner = new NeedleScanner(NEEDLES, 48, (_index, window) => {
    const text = window.toString('latin1');
    if (text.startsWith(NAMESPACE)) {
      this.namespaceSeen = true;
      return;
    }
    const match = VALUE.exec(text);
    if (match?.[1] === 'part') this.part = match[2];
    else if (match?.[1] === 'conformance') this.conformance = match[2]?.toUpperCase();
  });

  update(chunk: Uint8Array): void {
    this.#scanner.update(chunk);
  }

  finish(): void {
    this.#scanner.finish();
  }
}

export function identifyPdf(bytes: RetainedBytes, scan: PdfScanner): FormatIdentification {
  const version = /^%PDF-(\d\.\d)/.exec(bytes.head.toString('latin1', 0, 16))?.[1];
  const end = bytes.tail.subarray(Math.max(0, bytes.tail.length - 1024));
  if (end.indexOf('%%EOF') < 0) {
    return unregistered(
      'application/pdf',
      `%PDF-${version ?? '?'} header, but no %%EOF in the last 1024 bytes`,
    );
  }
  const versionPuid = version === undefined ? undefined : VERSION_PUID[version];
  const declared = scan.part === undefined ? undefined : `${scan.part}${scan.conformance ?? ''}`;
  if (declared !== undefined && scan.namespaceSeen && version?.startsWith('1.')) {
    const puid = PDFA_PUID[declared];
    const basis = `%PDF-${version} header, %%EOF, XMP pdfaid:part=${scan.part} pdfaid:conformance=${scan.conformance ?? '(none)'}`;
    if (puid) return pronom(puid, basis);
    if (versionPuid)
      return pronom(versionPuid, `${basis}: PDF/A level not in the table, identified by PDF version`);
  }
  if (versionPuid)
    return pronom(versionPuid, `%PDF-${version} header, %%EOF near end, no PDF/A identification`);
  return unregistered(
    'application/pdf',
    `%PDF-${version ?? '?'} header and %%EOF: version not in the PRONOM table`,
  );
}
