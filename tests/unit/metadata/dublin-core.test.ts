import { describe, expect, it } from 'vitest';
import { buildDublinCore } from '../../../src/metadata/dublin-core.js';
import { createXmlValidator } from '../../../src/metadata/xml-validator.js';
import { CASE_TITLE, municipalCase } from './municipal-case.js';
import { parseXml, textOf } from './parse.js';

const validator = createXmlValidator();
const desc = municipalCase();
const xml = buildDublinCore(desc);
const dc = parseXml(xml)['oai_dc:dc'];

describe('buildDublinCore', () => {
  it('is valid oai_dc', async () => {
    expect(dc['@_xmlns:dc']).toBe('http://purl.org/dc/elements/1.1/');
    expect(await validator.validate(xml, 'dc', 'dc.xml')).toEqual({ valid: true, problems: [] });
  });

  it('escapes XML special characters and keeps Swedish letters', () => {
    expect(xml).toContain('Östra Gränd 3 &amp; &lt;tillbyggnad&gt;');
    expect(xml).not.toContain('& <');
    expect(textOf(dc['dc:title'])).toBe(CASE_TITLE);
  });

  it('maps the descriptive metadata to DC elements', () => {
    const d = desc.descriptive;
    expect(dc['dc:identifier']).toEqual([d.identifier]);
    expect(dc['dc:creator']).toBe(d.creator);
    expect(dc['dc:date']).toEqual([d.dates?.created, `${d.dates?.start}/${d.dates?.end}`]);
    expect(dc['dc:description']).toBe(d.description);
    expect(dc['dc:rights']).toBe(d.accessRestriction);
    expect(dc['dc:subject']).toEqual([...(d.subject ?? []), d.classification]);
    expect(dc['dc:language']).toEqual(d.language);
    expect(dc['dc:type']).toBe('Collection');
    expect(dc['dc:source']).toBe(desc.source.key);
  });

  it('leaves out what is not known', async () => {
    const minimal = buildDublinCore(municipalCase({ descriptive: { title: 'Protokoll KS 2023-11-20' } }));
    const parsed = parseXml(minimal)['oai_dc:dc'];
    expect(Object.keys(parsed).filter((k) => k.startsWith('dc:'))).toEqual([
      'dc:title',
      'dc:type',
      'dc:source',
    ]);
    expect((await validator.validate(minimal, 'dc')).valid).toBe(true);
  });

  it('replaces characters XML 1.0 cannot hold, so the document stays well-formed', async () => {
    const odd = buildDublinCore(
      municipalCase({ descriptive: { title: 'Skannad\u0001 sida\u000b 2 \uD800 \u{1F3E0}' } }),
    );
    expect(textOf(parseXml(odd)['oai_dc:dc']['dc:title'])).toBe(
      'Skannad\uFFFD sida\uFFFD 2 \uFFFD \u{1F3E0}',
    );
    expect((await validator.validate(odd, 'dc')).valid).toBe(true);
  });

  it('fails validation for an element outside Dublin Core', async () => {
    const bad = xml.replace('<dc:type>', '<dc:genre>x</dc:genre><dc:type>');
    const result = await validator.validate(bad, 'dc', 'dc.xml');
    expect(result.valid).toBe(false);
    expect(result.problems[0]?.message).toMatch(/^dc\.xml:\d+: .*genre/);
  });
});
