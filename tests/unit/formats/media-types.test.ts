import { describe, expect, it } from 'vitest';
import {
  ianaMediaTypes,
  mediaTypeProblem,
  parseMediaType,
  registeredMediaType,
} from '../../../src/formats/media-types.js';
import { PRONOM } from '../../../src/formats/registry.js';

describe('IANA media types', () => {
  it('the vendored list is the registry: dated, with its origin, and the common types in it', () => {
    const registry = ianaMediaTypes();
    expect(registry.size).toBeGreaterThan(2000);
    expect(registry.about).toMatch(/Origin: .*mime-db .* of \d{4}-\d{2}-\d{2}/);
    for (const t of ['application/pdf', 'text/plain', 'text/xml', 'image/tiff', 'message/rfc822']) {
      expect(registry.has(t), t).toBe(true);
    }
    expect(registry.has('application/wrongmimetype')).toBe(false);
    expect(registry.has('audio/x-wav')).toBe(false);
  });

  it('parses parameters per RFC 2045 and refuses malformed ones', () => {
    expect(parseMediaType('Text/Plain; charset=UTF-8')).toEqual({
      type: 'text',
      subtype: 'plain',
      essence: 'text/plain',
      parameters: [['charset', 'UTF-8']],
    });
    expect(parseMediaType('text/plain;format="flowed; x";charset=us-ascii')).toMatchObject({
      parameters: [
        ['format', '"flowed; x"'],
        ['charset', 'us-ascii'],
      ],
    });
    expect(mediaTypeProblem('text/plain; charset')).toMatch(/malformed parameter/);
    expect(mediaTypeProblem('text')).toMatch(/type\/subtype/);
    expect(mediaTypeProblem('application/wrongmimetype')).toMatch(/not an IANA media type/);
    expect(mediaTypeProblem('text/plain; charset=UTF-8')).toBeUndefined();
  });

  it('writers record a registered type without parameters, or application/octet-stream', () => {
    expect(registeredMediaType('text/plain; charset=UTF-8')).toBe('text/plain');
    expect(registeredMediaType('application/pdf')).toBe('application/pdf');
    expect(registeredMediaType('audio/x-wav')).toBe('application/octet-stream');
    expect(registeredMediaType('nonsense')).toBe('application/octet-stream');
  });

  it('every PRONOM row bevara assigns maps to a registered type (or octet-stream when PRONOM has none)', () => {
    const registry = ianaMediaTypes();
    const unregistered = [...PRONOM.values()].filter((e) => !registry.has(e.mimeType)).map((e) => e.mimeType);
    expect([...new Set(unregistered)]).toEqual(['audio/x-wav']);
  });
});
