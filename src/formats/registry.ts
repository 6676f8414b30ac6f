/**
 * The PRONOM entries bevara assigns, one row per PUID. Every row was checked against The National Archives'
 * own record in github.com/nationalarchives/pronom-signatures (`signatures/<puid>.json`, commit 04ca391):
 * PUID, format name, version and MIME type are copied from there, nothing is made up. A format with no row here
 * gets a MIME type but no PUID.
 */
import { PreservationError } from '../errors.js';
import type { FormatIdentification } from './types.js';

export interface PronomEntry {
  puid: string;
  name: string;
  version?: string;
  /** MIME type recorded for the file (PRONOM's own where it lists one, else the IANA type). */
  mimeType: string;
}

const PDF_NAME = (v: string) => `Acrobat PDF ${v} - Portable Document Format`;
const PDFA = 'Acrobat PDF/A - Portable Document Format';
const WAV = 'audio/x-wav';

const ROWS: PronomEntry[] = [
  { puid: 'fmt/14', name: PDF_NAME('1.0'), version: '1.0', mimeType: 'application/pdf' },
  { puid: 'fmt/15', name: PDF_NAME('1.1'), version: '1.1', mimeType: 'application/pdf' },
  { puid: 'fmt/16', name: PDF_NAME('1.2'), version: '1.2', mimeType: 'application/pdf' },
  { puid: 'fmt/17', name: PDF_NAME('1.3'), version: '1.3', mimeType: 'application/pdf' },
  { puid: 'fmt/18', name: PDF_NAME('1.4'), version: '1.4', mimeType: 'application/pdf' },
  { puid: 'fmt/19', name: PDF_NAME('1.5'), version: '1.5', mimeType: 'application/pdf' },
  { puid: 'fmt/20', name: PDF_NAME('1.6'), version: '1.6', mimeType: 'application/pdf' },
  { puid: 'fmt/276', name: PDF_NAME('1.7'), version: '1.7', mimeType: 'application/pdf' },
  { puid: 'fmt/95', name: PDFA, version: '1a', mimeType: 'application/pdf' },
  { puid: 'fmt/354', name: PDFA, version: '1b', mimeType: 'application/pdf' },
  { puid: 'fmt/476', name: PDFA, version: '2a', mimeType: 'application/pdf' },
  { puid: 'fmt/477', name: PDFA, version: '2b', mimeType: 'application/pdf' },
  { puid: 'fmt/478', name: PDFA, version: '2u', mimeType: 'application/pdf' },
  { puid: 'fmt/479', name: PDFA, version: '3a', mimeType: 'application/pdf' },
  { puid: 'fmt/480', name: PDFA, version: '3b', mimeType: 'application/pdf' },
  { puid: 'fmt/481', name: PDFA, version: '3u', mimeType: 'application/pdf' },
  {
    puid: 'fmt/412',
    name: 'Microsoft Word for Windows',
    version: '2007 onwards',
    mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  },
  {
    puid: 'fmt/214',
    name: 'Microsoft Excel for Windows',
    version: '2007 onwards',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  },
  {
    puid: 'fmt/215',
    name: 'Microsoft Powerpoint for Windows',
    version: '2007 onwards',
    mimeType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  },
  {
    puid: 'fmt/136',
    name: 'OpenDocument Text',
    version: '1.0',
    mimeType: 'application/vnd.oasis.opendocument.text',
  },
  {
    puid: 'fmt/290',
    name: 'OpenDocument Text',
    version: '1.1',
    mimeType: 'application/vnd.oasis.opendocument.text',
  },
  {
    puid: 'fmt/291',
    name: 'OpenDocument Text',
    version: '1.2',
    mimeType: 'application/vnd.oasis.opendocument.text',
  },
  {
    puid: 'fmt/1756',
    name: 'OpenDocument Text',
    version: '1.3',
    mimeType: 'application/vnd.oasis.opendocument.text',
  },
  {
    puid: 'fmt/137',
    name: 'OpenDocument Spreadsheet',
    version: '1.0',
    mimeType: 'application/vnd.oasis.opendocument.spreadsheet',
  },
  {
    puid: 'fmt/294',
    name: 'OpenDocument Spreadsheet',
    version: '1.1',
    mimeType: 'application/vnd.oasis.opendocument.spreadsheet',
  },
  {
    puid: 'fmt/295',
    name: 'OpenDocument Spreadsheet',
    version: '1.2',
    mimeType: 'application/vnd.oasis.opendocument.spreadsheet',
  },
  {
    puid: 'fmt/1755',
    name: 'OpenDocument Spreadsheet',
    version: '1.3',
    mimeType: 'application/vnd.oasis.opendocument.spreadsheet',
  },
  { puid: 'fmt/45', name: 'Rich Text Format', version: '1.0-1.4', mimeType: 'application/rtf' },
  { puid: 'x-fmt/111', name: 'Plain Text File', mimeType: 'text/plain' },
  { puid: 'x-fmt/18', name: 'Comma Separated Values', mimeType: 'text/csv' },
  { puid: 'fmt/101', name: 'Extensible Markup Language', version: '1.0', mimeType: 'application/xml' },
  { puid: 'fmt/96', name: 'Hypertext Markup Language', mimeType: 'text/html' },
  { puid: 'fmt/100', name: 'Hypertext Markup Language', version: '4.01', mimeType: 'text/html' },
  { puid: 'fmt/471', name: 'Hypertext Markup Language', version: '5', mimeType: 'text/html' },
  { puid: 'fmt/41', name: 'Raw JPEG Stream', mimeType: 'image/jpeg' },
  { puid: 'fmt/43', name: 'JPEG File Interchange Format', version: '1.01', mimeType: 'image/jpeg' },
  { puid: 'fmt/44', name: 'JPEG File Interchange Format', version: '1.02', mimeType: 'image/jpeg' },
  {
    puid: 'fmt/645',
    name: 'Exchangeable Image File Format (Compressed)',
    version: '2.21',
    mimeType: 'image/jpeg',
  },
  { puid: 'fmt/11', name: 'Portable Network Graphics', version: '1.0', mimeType: 'image/png' },
  { puid: 'fmt/12', name: 'Portable Network Graphics', version: '1.1', mimeType: 'image/png' },
  { puid: 'fmt/13', name: 'Portable Network Graphics', version: '1.2', mimeType: 'image/png' },
  { puid: 'fmt/353', name: 'Tagged Image File Format', mimeType: 'image/tiff' },
  { puid: 'fmt/3', name: 'Graphics Interchange Format', version: '87a', mimeType: 'image/gif' },
  { puid: 'fmt/4', name: 'Graphics Interchange Format', version: '89a', mimeType: 'image/gif' },
  { puid: 'fmt/6', name: 'Waveform Audio', mimeType: WAV },
  { puid: 'fmt/141', name: 'Waveform Audio (PCMWAVEFORMAT)', mimeType: WAV },
  { puid: 'fmt/142', name: 'Waveform Audio (WAVEFORMATEX)', mimeType: WAV },
  { puid: 'fmt/143', name: 'Waveform Audio (WAVEFORMATEXTENSIBLE)', mimeType: WAV },
  { puid: 'fmt/134', name: 'MPEG 1/2 Audio Layer 3', mimeType: 'audio/mpeg' },
  { puid: 'fmt/199', name: 'MPEG-4 Media File', mimeType: 'video/mp4' },
  { puid: 'fmt/278', name: 'Internet Message Format', mimeType: 'message/rfc822' },
  { puid: 'x-fmt/263', name: 'ZIP Format', mimeType: 'application/zip' },
];

/** Every PRONOM entry bevara can assign, keyed by PUID. */
export const PRONOM: ReadonlyMap<string, Readonly<PronomEntry>> = new Map(ROWS.map((row) => [row.puid, row]));

/** The identification for a PUID in the table, with the basis that matched. Throws on a PUID not in the table. */
export function pronom(puid: string, basis: string): FormatIdentification {
  const entry = PRONOM.get(puid);
  if (!entry) throw new PreservationError(`[formats] PUID "${puid}" is not in the PRONOM table`);
  return {
    mimeType: entry.mimeType,
    puid: entry.puid,
    formatName: entry.name,
    ...(entry.version === undefined ? {} : { formatVersion: entry.version }),
    registry: 'PRONOM',
    basis,
  };
}

/** A format recognised by content that has no (verified) PUID: a MIME type and the basis, no registry entry. */
export function unregistered(mimeType: string, basis: string, formatName?: string): FormatIdentification {
  return {
    mimeType,
    puid: undefined,
    ...(formatName === undefined ? {} : { formatName }),
    registry: undefined,
    basis,
  };
}
