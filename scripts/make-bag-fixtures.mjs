#!/usr/bin/env node
/**
 * Writes fixtures/bags/ (one valid BagIt 1.0 bag: a fictional Swedish municipal case) and fixtures/bags-broken/
 * (the same bag broken in one way per folder, named after the problem; see fixtures/bags-broken/README.md).
 * Every byte is computed here and every file and folder gets a fixed mtime, so two runs give identical trees.
 *
 *   node scripts/make-bag-fixtures.mjs          rewrite fixtures/bags/ and fixtures/bags-broken/
 *   node scripts/make-bag-fixtures.mjs <dir>    write <dir>/bags and <dir>/bags-broken (<dir> must be empty)
 *
 * People, addresses and case numbers are invented.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makePdf } from './fixture-formats.mjs';

export const BAG_NAME = 'BN 2024-0342 Strandskyddsdispens';
const MTIME = '2024-05-20T09:30:00Z';

const xmlEscape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function caseXml() {
  const field = (name, value) => `    <${name}>${xmlEscape(value)}</${name}>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!-- Export från ärendehanteringssystemet, Miljö- och byggförvaltningen, Exempelby kommun -->',
    '<arende xmlns="urn:exempelby:arende:1" exporterad="2024-05-20T09:15:00+02:00">',
    '  <grunduppgifter>',
    field('diarienummer', 'BN 2024/0342'),
    field('rubrik', 'Ansökan om strandskyddsdispens för brygga, Sjövik 2:7'),
    field('klassificering', '3.4.1'),
    field('registrerat', '2024-03-18'),
    field('avslutat', '2024-05-14'),
    '  </grunduppgifter>',
    '  <part roll="sökande">',
    field('namn', 'Björn Ångström'),
    field('adress', 'Sjövägen 7, 123 46 Exempelby'),
    '  </part>',
    '  <handlingar>',
    '    <handling nr="1" typ="ansökan" fil="handlingar/ansökan om strandskyddsdispens.pdf"/>',
    '    <handling nr="2" typ="beslut" fil="beslut/Beslut 2024-05-14.pdf"/>',
    '  </handlingar>',
    '</arende>',
    '',
  ].join('\n');
}

/** The payload of the valid bag: path under data/ -> bytes. */
function payload() {
  return new Map([
    ['data/ärende.xml', Buffer.from(caseXml())],
    [
      'data/handlingar/ansökan om strandskyddsdispens.pdf',
      makePdf({
        title: 'Ansökan om strandskyddsdispens',
        author: 'Björn Ångström',
        created: '2024-03-18T10:02:00',
        header: 'Exempelby kommun – Miljö- och byggnämnden',
        pages: [
          [
            '# Ansökan om dispens från strandskyddet',
            'Fastighet: Exempelby Sjövik 2:7, Lillsjön',
            'Sökande: Björn Ångström',
            '',
            'Åtgärd: brygga av trä, 12 m lång och 2 m bred, på 4 par stålpelare.',
            'Särskilt skäl: området behöver tas i anspråk för en anläggning som för sin',
            'funktion måste ligga vid vattnet (7 kap. 18 c § miljöbalken).',
          ],
        ],
      }),
    ],
    [
      'data/beslut/Beslut 2024-05-14.pdf',
      makePdf({
        title: 'Beslut om strandskyddsdispens, BN 2024/0342',
        author: 'Miljö- och byggnämnden, Exempelby kommun',
        created: '2024-05-14T14:00:00',
        header: 'Exempelby kommun – Miljö- och byggnämnden – Beslut',
        pages: [
          [
            '# Beslut',
            'Miljö- och byggnämnden ger dispens från strandskyddet för en brygga på',
            'fastigheten Sjövik 2:7 enligt ansökan, med villkor att bryggan inte',
            'förses med skyltar som hindrar allmänhetens tillträde.',
            '',
            'Beslutet kan överklagas hos länsstyrelsen inom tre veckor.',
          ],
        ],
      }),
    ],
  ]);
}

const sha = (alg, bytes) => createHash(alg).update(bytes).digest('hex');
const encodePath = (p) => p.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const byPath = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function manifest(alg, files) {
  return [...files]
    .sort(([a], [b]) => byPath(a, b))
    .map(([path, bytes]) => `${sha(alg, bytes)}  ${encodePath(path)}\n`)
    .join('');
}

function bagInfo(files, overrides = {}) {
  const octets = [...files.values()].reduce((n, b) => n + b.length, 0);
  const fields = {
    'Source-Organization': 'Exempelby kommun',
    'Organization-Address': 'Storgatan 1, 123 45 Exempelby',
    'Contact-Name': 'Registrator, Miljö- och byggförvaltningen',
    'Contact-Email': 'registrator@exempelby.example.se',
    'External-Description':
      'Ansökan om strandskyddsdispens för brygga vid Lillsjön,\n  fastigheten Exempelby Sjövik 2:7',
    'External-Identifier': 'BN 2024/0342',
    'Internal-Sender-Identifier': 'ÄHS-2024-118342',
    'Bagging-Date': '2024-05-20',
    'Bag-Size': `${Math.ceil(octets / 1024)} KB`,
    'Payload-Oxum': `${octets}.${files.size}`,
    'Bag-Group-Identifier': 'BN 2024',
    ...overrides,
  };
  return Object.entries(fields)
    .map(([label, value]) => `${label}: ${value}\n`)
    .join('');
}

/**
 * Builds a bag as path -> bytes. `edit` may change the payload before the manifests are made (`before`), the
 * tag files before the tag manifest is made (`tags`), and anything at the end (`after`).
 */
function makeBag(edit = {}) {
  const data = payload();
  edit.before?.(data);
  const tags = new Map([
    ['bagit.txt', Buffer.from('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n')],
    ['bag-info.txt', Buffer.from(bagInfo(data))],
    ['manifest-sha256.txt', Buffer.from(manifest('sha256', data))],
    ['manifest-sha512.txt', Buffer.from(manifest('sha512', data))],
  ]);
  edit.tags?.(tags, data);
  tags.set('tagmanifest-sha256.txt', Buffer.from(manifest('sha256', tags)));
  const bag = new Map([...tags, ...data]);
  edit.after?.(bag);
  return bag;
}

const text = (bag, path, fn) => bag.set(path, Buffer.from(fn(bag.get(path).toString('utf8'))));
const KARTA = Buffer.from('Karta över Lillsjön (hämtas från e-arkivets kartserver)\n');

/** The broken variants: folder name -> edits. The README lists what each one must be rejected for. */
const BROKEN = {
  'checksum-mismatch': {
    after: (b) => text(b, 'data/ärende.xml', (s) => s.replace('2:7</rubrik>', '2:8</rubrik>')),
  },
  'payload-file-missing': { after: (b) => b.delete('data/beslut/Beslut 2024-05-14.pdf') },
  'unlisted-file': {
    after: (b) =>
      b.set('data/handlingar/kompletterande yttrande.txt', Buffer.from('Granne har inget att erinra.\n')),
  },
  'path-escape': {
    tags: (t) =>
      text(t, 'manifest-sha256.txt', (s) => `${s}${sha('sha256', KARTA)}  data/../../utanför.txt\n`),
  },
  'fetch-txt': {
    before: (d) => d.set('data/bilagor/karta.txt', KARTA),
    tags: (t) =>
      t.set(
        'fetch.txt',
        Buffer.from(
          `https://arkiv.exempelby.example.se/bn-2024-0342/karta.txt ${KARTA.length} data/bilagor/karta.txt\n`,
        ),
      ),
    after: (b) => b.delete('data/bilagor/karta.txt'),
  },
  'payload-oxum-wrong': {
    tags: (t, d) => t.set('bag-info.txt', Buffer.from(bagInfo(d, { 'Payload-Oxum': `${17}.${d.size + 1}` }))),
  },
  'manifest-incomplete': {
    tags: (t) => text(t, 'manifest-sha512.txt', (s) => s.replace(/^.* data\/beslut\/.*\n/m, '')),
  },
  'bag-info-latin1': {
    tags: (t) => t.set('bag-info.txt', Buffer.from(t.get('bag-info.txt').toString('utf8'), 'latin1')),
  },
  'bag-info-bad-line': {
    tags: (t) => text(t, 'bag-info.txt', (s) => `${s}Handläggare Anna Berg, miljöinspektör\n`),
  },
  'tagmanifest-mismatch': {
    after: (b) => text(b, 'bag-info.txt', (s) => s.replace('BN 2024/0342', 'BN 2024/0343')),
  },
  'bagit-txt-missing': { after: (b) => b.delete('bagit.txt') },
  'no-payload-manifest': {
    tags: (t) => {
      t.delete('manifest-sha256.txt');
      t.delete('manifest-sha512.txt');
    },
  },
  'payload-xml-not-well-formed': {
    before: (d) => text(d, 'data/ärende.xml', (s) => s.slice(0, s.indexOf('  </handlingar>'))),
  },
};

function writeBag(dir, bag) {
  const dirs = new Set([dir]);
  for (const [path, bytes] of bag) {
    const file = join(dir, path.normalize('NFC'));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    utimesSync(file, new Date(MTIME), new Date(MTIME));
    for (let d = dirname(file); d.startsWith(dir) && d !== dir; d = dirname(d)) dirs.add(d);
  }
  mkdirSync(join(dir, 'data'), { recursive: true });
  for (const d of [...dirs].sort((a, b) => b.length - a.length))
    utimesSync(d, new Date(MTIME), new Date(MTIME));
}

/** Writes `<out>/bags/<BAG_NAME>` and `<out>/bags-broken/<variant>` for every variant. */
export function writeBagFixtures(out) {
  writeBag(join(out, 'bags', BAG_NAME), makeBag());
  for (const [name, edit] of Object.entries(BROKEN)) writeBag(join(out, 'bags-broken', name), makeBag(edit));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
  const out = resolve(process.argv[2] ?? fixtures);
  if (process.argv[2] === undefined) {
    rmSync(join(out, 'bags'), { recursive: true, force: true });
    for (const name of Object.keys(BROKEN))
      rmSync(join(out, 'bags-broken', name), { recursive: true, force: true });
  } else if (existsSync(out) && readdirSync(out).length > 0) {
    throw new Error(`${out} is not empty`);
  }
  mkdirSync(out, { recursive: true });
  writeBagFixtures(out);
}
