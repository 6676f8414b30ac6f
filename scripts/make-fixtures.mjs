#!/usr/bin/env node
/**
 * Writes fixtures/records/: three fictional Swedish municipal cases as a "folder of records" input.
 * Every byte is computed here (hand-written PDFs with exact xref offsets, a PNG and a baseline JPEG encoded
 * without compression libraries whose output could change between Node versions), and every file and folder
 * gets a fixed mtime, so running the script twice, anywhere, gives identical trees.
 *
 *   node scripts/make-fixtures.mjs            rewrite fixtures/records/
 *   node scripts/make-fixtures.mjs <dir>      write into <dir> (must not exist or be empty)
 *
 * People and addresses are invented.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { facadePng, makePdf, photoJpeg } from './fixture-formats.mjs';

// ---------- the records ----------

const xmlEscape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function bygglovXml() {
  const field = (name, value) => `    <${name}>${xmlEscape(value)}</${name}>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!-- Exporterad från e-tjänsten "Ansök om bygglov", Exempelby kommun -->',
    '<ansokan xmlns="urn:exempelby:e-tjanst:bygglov:2" formularversion="2.3" inskickad="2024-01-15T09:12:44+01:00">',
    '  <arende>',
    field('diarienummer', 'BN 2024/0113'),
    field('atgard', 'Nybyggnad av komplementbyggnad (förråd/garage), 38 m²'),
    '  </arende>',
    '  <sokande>',
    field('namn', 'Åsa Öberg'),
    field('adress', 'Östra Gränd 3, 123 45 Exempelby'),
    field('epost', 'asa.oberg@example.se'),
    '  </sokande>',
    '  <fastighet>',
    field('beteckning', 'Exempelby Gränden 4:12'),
    field('planbestammelse', 'Detaljplan 1284-P92/3 – bostadsändamål, fristående hus'),
    '  </fastighet>',
    '  <bilagor>',
    '    <bilaga typ="fasadritning" fil="bilagor/fasadritning söder.png"/>',
    '    <bilaga typ="ansokan" fil="ansökan.pdf"/>',
    '  </bilagor>',
    field('ovrigt', 'Grannarna på Östra Gränd 1 & 5 har informerats och har inga invändningar.'),
    '</ansokan>',
    '',
  ].join('\n');
}

const json = (value) => `${JSON.stringify(value, null, 2)}\n`;

/** Each record: folder name, files (path -> bytes) and the mtime of each file. */
const RECORDS = [
  {
    folder: '2024-0113 Bygglov Östra Gränd 3',
    files: [
      [
        'record.json',
        json({
          title: 'Ansökan om bygglov, Östra Gränd 3',
          identifier: 'BN 2024/0113',
          creator: 'Byggnadsnämnden, Exempelby kommun',
          dates: { created: '2024-01-15', end: '2024-03-04' },
          description: 'Bygglov för nybyggnad av komplementbyggnad på fastigheten Gränden 4:12.',
          classification: '3.1.2',
          language: ['sv'],
          subject: ['bygglov', 'komplementbyggnad'],
        }),
        '2024-03-04T14:00:00Z',
      ],
      [
        'ansökan.pdf',
        makePdf({
          title: 'Ansökan om bygglov',
          author: 'Åsa Öberg',
          created: '2024-01-15T08:12:44',
          header: 'Exempelby kommun – Byggnadsnämnden',
          pages: [
            [
              '# Ansökan om bygglov',
              'Diarienummer: BN 2024/0113',
              'Fastighet: Exempelby Gränden 4:12, Östra Gränd 3',
              'Sökande: Åsa Öberg',
              '',
              'Åtgärd: nybyggnad av komplementbyggnad (förråd/garage), 38 m².',
              'Fasadmaterial: liggande träpanel, kulör NCS S 2005-Y20R (ljusgrå).',
              'Takmaterial: betongpannor, svarta.',
              '',
              'Bilagor: situationsplan, fasadritning söder, planritning.',
            ],
          ],
        }),
        '2024-01-15T08:12:44Z',
      ],
      ['e-tjänst/ansökan.xml', bygglovXml(), '2024-01-15T08:12:45Z'],
      ['bilagor/fasadritning söder.png', facadePng(), '2024-01-14T19:40:00Z'],
      [
        'beslut/Beslut om bygglov.pdf',
        makePdf({
          title: 'Beslut om bygglov, BN 2024/0113',
          author: 'Byggnadsnämnden, Exempelby kommun',
          created: '2024-03-04T13:30:00',
          header: 'Exempelby kommun – Byggnadsnämnden – Beslut',
          pages: [
            [
              '# Beslut',
              'Byggnadsnämnden beviljar bygglov med stöd av 9 kap. 31 § plan- och bygglagen',
              '(2010:900) för nybyggnad av komplementbyggnad på fastigheten Gränden 4:12.',
              '',
              '# Upplysningar',
              'Åtgärden får påbörjas tidigast fyra veckor efter att beslutet kungjorts i',
              'Post- och Inrikes Tidningar, om inte startbesked ges dessförinnan.',
            ],
            [
              '# Hur man överklagar',
              'Beslutet kan överklagas till länsstyrelsen. Skrivelsen ska ha kommit in till',
              'byggnadsnämnden inom tre veckor från den dag då du fick del av beslutet.',
              '',
              'Handläggare: Erik Lindqvist, bygglovshandläggare',
            ],
          ],
        }),
        '2024-03-04T13:30:00Z',
      ],
    ],
    mtime: '2024-03-04T14:00:00Z',
  },
  {
    folder: '2024-0257 Försörjningsstöd',
    files: [
      [
        'record.json',
        json({
          title: 'Ansökan om ekonomiskt bistånd (försörjningsstöd)',
          identifier: 'SN 2024/0257',
          creator: 'Socialnämnden, Exempelby kommun',
          dates: { created: '2024-02-20T10:05:00+01:00', start: '2024-02-20', end: '2024-03-12' },
          description:
            'Ansökan om försörjningsstöd för mars 2024 med utredning och tjänsteanteckning. ' +
            'Innehåller uppgifter om enskilds personliga förhållanden.',
          accessRestriction: 'OSL 26 kap. 1 §',
          classification: '7.2.1',
          language: ['sv'],
        }),
        '2024-03-12T15:20:00Z',
      ],
      [
        'utredning.pdf',
        makePdf({
          title: 'Utredning försörjningsstöd, SN 2024/0257',
          author: 'Socialnämnden, Exempelby kommun',
          created: '2024-03-05T11:00:00',
          header: 'Exempelby kommun – Socialtjänsten – Sekretess enligt OSL 26 kap. 1 §',
          pages: [
            [
              '# Utredning enligt 4 kap. 1 § socialtjänstlagen',
              'Diarienummer: SN 2024/0257',
              'Sökande: [uppgifter borttagna i testmaterial]',
              '',
              'Sökande har inkommit med kontoutdrag, hyresavi och intyg från Arbetsförmedlingen.',
              'Norm för hushållet (riksnorm 2024) och skäliga boendekostnader har beräknats.',
              '',
              'Bedömning: sökande har rätt till bistånd för mars 2024 med 6 432 kr.',
            ],
          ],
        }),
        '2024-03-05T11:00:00Z',
      ],
      [
        'tjänsteanteckning 2024-03-12.txt',
        [
          'Tjänsteanteckning – SN 2024/0257',
          'Datum: 2024-03-12',
          '',
          'Telefonsamtal med sökande. Beslutet om bistånd för mars meddelades muntligt;',
          'skriftligt beslut skickas med post. Sökande informerades om möjligheten att',
          'överklaga till förvaltningsrätten inom tre veckor.',
          '',
          'Handläggare: Maria Sjöström, socialsekreterare',
          '',
        ].join('\n'),
        '2024-03-12T15:10:00Z',
      ],
    ],
    mtime: '2024-03-12T15:20:00Z',
  },
  {
    folder: 'KS 2023-0890 Medborgarförslag',
    files: [
      [
        'medborgarförslag.pdf',
        makePdf({
          title: 'Medborgarförslag: fler bänkar i Stadsparken',
          author: 'Kommunstyrelsen, Exempelby kommun',
          created: '2023-11-02T09:00:00',
          header: 'Exempelby kommun – Kommunstyrelsen',
          pages: [
            [
              '# Medborgarförslag',
              'Diarienummer: KS 2023/0890',
              '',
              'Jag föreslår att kommunen ställer ut fler parkbänkar längs gångvägen i',
              'Stadsparken, särskilt vid lekplatsen och dammen. Många äldre tycker att',
              'det är för långt mellan sittplatserna.',
              '',
              'Förslagsställare: Göran Åkesson',
            ],
          ],
        }),
        '2023-11-02T09:00:00Z',
      ],
      ['bilder/stadsparken.jpg', photoJpeg(), '2023-10-28T12:34:00Z'],
    ],
    mtime: '2023-11-02T09:00:00Z',
  },
];

/** Writes every record under `out` with fixed mtimes (folders last, deepest first). */
export function writeFixtures(out) {
  const dirs = new Map([[out, '2024-03-12T15:20:00Z']]);
  for (const record of RECORDS) {
    const base = join(out, record.folder.normalize('NFC'));
    dirs.set(base, record.mtime);
    for (const [path, content, mtime] of record.files) {
      const file = join(base, path.normalize('NFC'));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      utimesSync(file, new Date(mtime), new Date(mtime));
      if (dirname(file) !== base) dirs.set(dirname(file), mtime);
    }
  }
  for (const [dir, mtime] of [...dirs].sort((a, b) => b[0].length - a[0].length)) {
    utimesSync(dir, new Date(mtime), new Date(mtime));
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const fallback = fileURLToPath(new URL('../fixtures/records/', import.meta.url));
  const out = resolve(process.argv[2] ?? fallback);
  if (process.argv[2] === undefined) rmSync(out, { recursive: true, force: true });
  else if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`${out} is not empty`);
  mkdirSync(out, { recursive: true });
  writeFixtures(out);
}
