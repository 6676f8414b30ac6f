/**
 * The outcome of format identification for one file, shaped for PREMIS `objectCharacteristics/format`:
 * `formatDesignation` (name, version), `formatRegistry` (PRONOM, PUID) and a `formatNote` (`basis`).
 */
export interface FormatIdentification {
  /** IANA media type; `application/octet-stream` when nothing matched. */
  mimeType: string;
  /** PRONOM unique identifier (e.g. `fmt/354`), only when the content matched a format in the table. */
  puid?: string;
  /** PRONOM format name, e.g. "Acrobat PDF/A - Portable Document Format". */
  formatName?: string;
  /** PRONOM format version, e.g. "1b"; absent when the registry entry has none. */
  formatVersion?: string;
  /** `'PRONOM'` whenever `puid` is set, otherwise undefined. */
  registry: 'PRONOM' | undefined;
  /** What matched (or why nothing did), for the PREMIS formatNote. Human readable, stable wording. */
  basis: string;
  /**
   * Lower-cased extension of the file name, when the caller gave one. Informational only: it is never used to
   * decide the format, so a PDF named `.docx` is still identified as PDF.
   */
  extensionHint?: string;
}

/** Streaming identifier for one file: feed every chunk once, in order, then ask for the result. */
export interface FormatIdentifier {
  /** Feed the next chunk of the file. Chunks are copied where kept, so the caller may reuse their memory. */
  update(chunk: Uint8Array): void;
  /** Identify from what was fed. May be called once the last chunk has been fed; later updates are refused. */
  result(): FormatIdentification;
  /** Bytes fed so far. */
  readonly bytesSeen: number;
}

export interface FormatIdentifierOptions {
  /** Bytes kept from the start of the file. Default 64 KiB; at least 4 KiB. */
  prefixBytes?: number;
  /**
   * Bytes kept from the end of the file: must hold a ZIP central directory, the PDF trailer, the PNG IEND chunk
   * and so on. Default 1 MiB; at least 64 KiB.
   */
  suffixBytes?: number;
  /** File name or path, used only to fill `extensionHint`. */
  fileName?: string;
}

/** The identification recorded when no signature matched: never a guess. */
export const UNKNOWN_FORMAT: Readonly<FormatIdentification> = Object.freeze({
  mimeType: 'application/octet-stream',
  puid: undefined,
  formatName: undefined,
  registry: undefined,
  basis: 'no signature matched',
});
