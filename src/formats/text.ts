/**
 * Text formats: whether the retained bytes are text at all (UTF-8, or a single-byte Latin-1/windows-1252 text,
 * with no control characters but tab, line feed, form feed and carriage return), and then Internet Message Format
 * (RFC 5322 header block at the start), CSV (consistently delimited records) or plain text.
 * PRONOM has no internal signature for CSV (x-fmt/18) or plain text (x-fmt/111): these rules are bevara's own.
 */
import { pronom } from './registry.js';
import type { FormatIdentification } from './types.js';

export interface DecodedText {
  /** Text of the head window (the whole file when it fits). */
  head: string;
  /** True when `head` is the whole file. */
  complete: boolean;
  encoding: 'UTF-8' | 'windows-1252';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Bytes undefined in windows-1252: a file containing them is not single-byte text. */
const CP1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

function controlFree(bytes: Buffer): boolean {
  for (const b of bytes) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) return false;
  return true;
}

/** Drops bytes of a UTF-8 sequence cut by the window: a partial one at the end, continuation bytes at the start. */
function trimCut(bytes: Buffer, atStart: boolean, atEnd: boolean): Buffer {
  let start = 0;
  let end = bytes.length;
  if (!atStart) while (start < Math.min(3, end) && ((bytes[start] as number) & 0xc0) === 0x80) start++;
  if (!atEnd) {
    for (let back = 1; back <= Math.min(3, end - start); back++) {
      const b = bytes[end - back] as number;
      if ((b & 0xc0) === 0x80) continue;
      const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      if (length > back) end -= back;
      break;
    }
  }
  return bytes.subarray(start, end);
}

function decode(
  bytes: Buffer,
  atStart: boolean,
  atEnd: boolean,
): { text: string; utf8: boolean } | undefined {
  if (!controlFree(bytes)) return undefined;
  const body =
    atStart && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return { text: utf8.decode(trimCut(body, atStart, atEnd)), utf8: true };
  } catch {
    for (const b of body) if (CP1252_UNDEFINED.has(b)) return undefined;
    return { text: body.toString('latin1'), utf8: false };
  }
}

/** The head as text if both retained windows are text in the same encoding; undefined for binary content. */
export function decodeText(head: Buffer, tail: Buffer, size: number): DecodedText | undefined {
  if (size === 0) return undefined;
  const complete = head.length === size;
  const first = decode(head, true, complete);
  if (!first) return undefined;
  if (!complete) {
    const last = decode(tail, false, true);
    if (!last || last.utf8 !== first.utf8) return undefined;
  }
  return { head: first.text, complete, encoding: first.utf8 ? 'UTF-8' : 'windows-1252' };
}

const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+:/;
const KNOWN = new Set([
  'from',
  'to',
  'cc',
  'date',
  'subject',
  'message-id',
  'mime-version',
  'received',
  'return-path',
  'reply-to',
  'content-type',
  'sender',
]);
const ANCHORS = ['from', 'date', 'message-id', 'mime-version', 'received'];

export function identifyEmail(text: DecodedText): FormatIdentification | undefined {
  const lines = text.head.split(/\r?\n/);
  const names: string[] = [];
  let ended = false;
  for (const [index, line] of lines.entries()) {
    if (line === '') {
      ended = true;
      break;
    }
    if (index === lines.length - 1 && !text.complete) break;
    if (/^[ \t]/.test(line) && names.length > 0) continue;
    if (!HEADER_LINE.test(line)) return undefined;
    names.push(line.slice(0, line.indexOf(':')).toLowerCase());
  }
  if (!ended && !text.complete) return undefined;
  const known = names.filter((n) => KNOWN.has(n));
  if (names.length < 2 || known.length < 2 || !ANCHORS.some((a) => names.includes(a))) return undefined;
  return pronom('fmt/278', `RFC 5322 header block at start (${known.slice(0, 6).join(', ')})`);
}

const MAX_RECORDS = 50;

/** Separator counts per record (outside quotes) for `sep`, or undefined if quoting is broken. */
function countFields(
  text: string,
  sep: string,
  complete: boolean,
): { counts: number[]; spaced: number } | undefined {
  const counts: number[] = [];
  let current = 0;
  let spaced = 0;
  let quoted = false;
  let recordStart = true;
  for (let i = 0; i < text.length && counts.length < MAX_RECORDS; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') i++;
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === sep) {
      current++;
      if (text[i + 1] === ' ') spaced++;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      if (!recordStart) counts.push(current);
      current = 0;
      recordStart = true;
      continue;
    }
    recordStart = false;
  }
  if (quoted && complete) return undefined;
  if (!recordStart && complete && counts.length < MAX_RECORDS) counts.push(current);
  return { counts, spaced };
}

export function identifyCsv(text: DecodedText): FormatIdentification | undefined {
  let best: { sep: string; fields: number; records: number } | undefined;
  for (const sep of [';', ',']) {
    const result = countFields(text.head, sep, text.complete);
    if (!result) continue;
    const [first, ...rest] = result.counts;
    if (first === undefined || first < 1 || rest.length < 1 || rest.some((n) => n !== first)) continue;
    if (result.spaced * 2 > first * result.counts.length) continue;
    if (!best || first > best.fields - 1) best = { sep, fields: first + 1, records: result.counts.length };
  }
  if (!best) return undefined;
  const name = best.sep === ';' ? 'semicolon' : 'comma';
  return pronom(
    'x-fmt/18',
    `${text.encoding} text, ${best.records} records of ${best.fields} ${name}-separated fields`,
  );
}

export function identifyPlainText(text: DecodedText): FormatIdentification {
  return pronom(
    'x-fmt/111',
    `${text.encoding} text without control characters${text.complete ? '' : ' (head and tail checked)'}`,
  );
}
