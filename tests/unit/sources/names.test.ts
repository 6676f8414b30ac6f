import { describe, expect, it } from 'vitest';
import {
  comparePaths,
  decodeName,
  escapeInvalidUtf8,
  nameProblem,
  printableName,
} from '../../../src/sources/names.js';

describe('names', () => {
  it('decodes UTF-8 and normalises to NFC', () => {
    expect(decodeName(Buffer.from('fo\u0308rslag.pdf'))).toEqual({ ok: true, name: 'förslag.pdf' });
  });

  it('escapes only the bytes that are not UTF-8, keeping valid characters readable', () => {
    expect(decodeName(Buffer.from([0x66, 0xff, 0x2e, 0x74, 0x78, 0x74]))).toEqual({
      ok: false,
      escaped: 'f\\xff.txt',
    });
    // Latin-1 "år" then valid UTF-8 "ö", a truncated sequence, an overlong "/" and an encoded surrogate
    const raw = Buffer.from([0xe5, 0x72, 0xc3, 0xb6, 0xe2, 0x82, 0xc0, 0xaf, 0xed, 0xa0, 0x80]);
    expect(escapeInvalidUtf8(raw)).toBe('\\xe5rö\\xe2\\x82\\xc0\\xaf\\xed\\xa0\\x80');
  });

  it('finds C0 and C1 control characters and DEL', () => {
    expect(nameProblem('Beslut om bygglov.pdf')).toBeUndefined();
    expect(nameProblem('a\u0000b')).toBe('name contains control character U+0000');
    expect(nameProblem('a\u007fb')).toBe('name contains control character U+007F');
    expect(nameProblem('a\u0085b')).toBe('name contains control character U+0085');
    expect(printableName('a\tb\nc')).toBe('a\\u0009b\\u000ac');
  });

  it('orders by code point, not by UTF-16 unit or locale', () => {
    const paths = ['ö', 'z', 'Z', '\u{1f600}', '\uffe0', 'a/b', 'a-b', 'a'];
    expect([...paths].sort(comparePaths)).toEqual(['Z', 'a', 'a-b', 'a/b', 'z', 'ö', '\uffe0', '\u{1f600}']);
  });
});
