import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors.js';
import { parseBagDeclaration } from '../../../src/sources/bagit/bag-declaration.js';
import { bagInfoToMetadata, parseBagInfo, payloadOxum } from '../../../src/sources/bagit/bag-info.js';
import { manifestKind, parseManifest, pathEscape } from '../../../src/sources/bagit/manifests.js';
import { createCheckedStream } from '../../../src/sources/bagit/payload-check.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');
const H256 = 'a'.repeat(64);

describe('bagit.txt', () => {
  it('accepts 1.0 and 0.97 with UTF-8, in any line ending', () => {
    expect(parseBagDeclaration(bytes('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n'))).toEqual({
      ok: true,
      version: '1.0',
    });
    expect(
      parseBagDeclaration(bytes('BagIt-Version: 0.97\r\nTag-File-Character-Encoding: utf-8\r\n')),
    ).toEqual({
      ok: true,
      version: '0.97',
    });
  });

  it('refuses other versions and encodings, extra lines, a BOM', () => {
    const problems = (s: string | Buffer) => {
      const r = parseBagDeclaration(typeof s === 'string' ? bytes(s) : s);
      return r.ok ? [] : r.problems;
    };
    expect(problems('BagIt-Version: 2.0\nTag-File-Character-Encoding: UTF-8\n')).toEqual([
      'BagIt-Version 2.0 is not supported (accepted: 1.0, 0.97)',
    ]);
    expect(problems('BagIt-Version: 1.0\nTag-File-Character-Encoding: ISO-8859-1\n')).toEqual([
      'Tag-File-Character-Encoding ISO-8859-1 is not supported (only UTF-8)',
    ]);
    expect(problems('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\nExtra: x\n')[0]).toMatch(
      /has 3 line\(s\), expected exactly 2/,
    );
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes('BagIt-Version: 1.0\n')]);
    expect(problems(bom)).toEqual(['starts with a byte order mark (not allowed in tag files)']);
  });
});

describe('bag-info.txt', () => {
  it('joins continuation lines, matches labels case-insensitively, maps to metadata', () => {
    const parsed = parseBagInfo(
      bytes(
        [
          'Source-Organization: Exempelby kommun',
          'source-organization: Kommunarkivet',
          'Title: Protokoll kommunfullmäktige 2024',
          'External-Description: Justerade protokoll',
          '\tmed bilagor',
          'Internal-Sender-Identifier: KF-2024',
          'Bagging-Date: 2024-06-01',
          'Payload-Oxum: 1234.5',
          'Tomt:',
          '',
        ].join('\r\n'),
      ),
    );
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    expect(parsed.info.entries[3]).toEqual({
      label: 'External-Description',
      value: 'Justerade protokoll med bilagor',
    });
    expect(parsed.info.entries.at(-1)).toEqual({ label: 'Tomt', value: '' });
    expect(payloadOxum(parsed.info)).toEqual({ octets: 1234, files: 5 });
    expect(bagInfoToMetadata(parsed.info, 'mapp')).toEqual({
      title: 'Protokoll kommunfullmäktige 2024',
      identifier: 'KF-2024',
      creator: 'Exempelby kommun; Kommunarkivet',
      dates: { created: '2024-06-01' },
      description: 'Justerade protokoll med bilagor',
    });
    expect(bagInfoToMetadata(undefined, 'mapp')).toEqual({ title: 'mapp' });
  });

  it('reports every problem with its line: no colon, repeated reserved labels, bad dates, bad encoding', () => {
    const parsed = parseBagInfo(
      bytes(
        'Bagging-Date: 2024-02-30\n  fortsättning\nHandläggare Anna\nPayload-Oxum: 1.1\nPayload-Oxum: 2.2\n',
      ),
    );
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      'line 3: expected "Label: value", found "Handläggare Anna"',
      'Payload-Oxum appears 2 times, at most once is allowed',
      'Bagging-Date "2024-02-30 fortsättning" is not a date YYYY-MM-DD',
    ]);
    const other = parseBagInfo(bytes('Bagging-Date: 2024-02-30\n'));
    expect(other.ok ? [] : other.problems).toEqual(['Bagging-Date "2024-02-30" is not a calendar date']);
    const latin1 = parseBagInfo(Buffer.from('Source-Organization: Örebro\n', 'latin1'));
    expect(latin1.ok ? [] : latin1.problems).toEqual(['not valid UTF-8 (byte 0xd6 at offset 21)']);
    const info = parseBagInfo(bytes('Payload-Oxum: 12\n'));
    expect(info.ok && payloadOxum(info.info)).toBe('Payload-Oxum "12" is not "<octets>.<file count>"');
  });
});

describe('manifests', () => {
  it('names payload and tag manifests by algorithm', () => {
    expect(manifestKind('manifest-sha512.txt')).toEqual({ kind: 'payload', algorithm: 'sha512' });
    expect(manifestKind('tagmanifest-md5.txt')).toEqual({ kind: 'tag', algorithm: 'md5' });
    expect(manifestKind('bag-info.txt')).toBeUndefined();
  });

  it('decodes %0D %0A %25, normalises to NFC, lowercases digests', () => {
    const nfd = 'data/Ärende.pdf'.normalize('NFD');
    const m = parseManifest(
      bytes(`${H256.toUpperCase()}  data/a%0Ab%0dc%25d %41.txt\n${H256} \t${nfd}\n`),
      'sha256',
    );
    expect(m.problems).toEqual([]);
    expect([...m.entries]).toEqual([
      ['data/a\nb\rc%d %41.txt', H256],
      ['data/Ärende.pdf', H256],
    ]);
  });

  it('refuses escaping paths, wrong digest lengths, repeated paths, malformed lines', () => {
    const m = parseManifest(
      bytes(
        [
          `${H256}  data/../../etc/passwd`,
          `${H256}  /etc/passwd`,
          `${H256}  data/./a`,
          `${H256}  data//a`,
          `${'b'.repeat(40)}  data/a`,
          `${H256}  data/a`,
          `${H256}  data/a`,
          'inte en rad',
          '',
        ].join('\n'),
      ),
      'sha256',
    );
    expect(m.problems.map((p) => `${p.rule}: ${p.reason}`)).toEqual([
      'bagit-path-escape: line 1: path "data/../../etc/passwd" contains ".." and would leave the bag',
      'bagit-path-escape: line 2: path "/etc/passwd" is absolute',
      'bagit-path-escape: line 3: path "data/./a" contains a "." segment',
      'bagit-path-escape: line 4: path "data//a" contains an empty segment ("//" or a trailing "/")',
      'bagit-manifest-line: line 5: sha256 checksum has 40 hex digits, expected 64',
      'bagit-manifest-line: line 7: path "data/a" is listed more than once',
      'bagit-manifest-line: line 8: expected "<checksum> <path>", found "inte en rad"',
    ]);
    expect([...m.entries.keys()]).toEqual(['data/a']);
    expect(pathEscape('C:/Windows')).toBe('starts with a drive letter');
  });
});

describe('createCheckedStream', () => {
  const content = Buffer.from('Protokoll KS 2024-06-01\n');
  const digest = (alg: string, b: Buffer) => createHash(alg).update(b).digest('hex');
  const subject = { record: 'bag', file: 'data/p.txt' };

  it('passes the bytes through when every algorithm matches', async () => {
    const out: Buffer[] = [];
    const expected = { sha256: digest('sha256', content), md5: digest('md5', content) };
    await pipeline(
      Readable.from([content.subarray(0, 5), content.subarray(5)]),
      createCheckedStream(expected, subject),
      async (s) => {
        for await (const c of s) out.push(c as Buffer);
      },
    );
    expect(Buffer.concat(out).equals(content)).toBe(true);
  });

  it('fails at the end with bagit-checksum when one algorithm differs', async () => {
    const expected = { sha256: digest('sha256', content), sha512: digest('sha512', Buffer.from('annat')) };
    const error = await pipeline(
      Readable.from([content]),
      createCheckedStream(expected, subject),
      async (s) => {
        for await (const _ of s);
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).rule).toBe('bagit-checksum');
    expect((error as ValidationError).message).toMatch(
      /^record "bag" file "data\/p.txt": sha512 checksum [0-9a-f]{128} does not match [0-9a-f]{128} in manifest-sha512.txt$/,
    );
  });
});
