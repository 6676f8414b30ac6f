#!/usr/bin/env node
/**
 * Rewrites profiles/iana-media-types.txt, the list of registered media types `bevara validate` checks every METS
 * MIMETYPE against (CSIP26, CSIP40, CSIP53, CSIP68) and the package writers keep to.
 *
 *   node scripts/refresh-iana-media-types.mjs                     from the IANA registry (needs the network)
 *   node scripts/refresh-iana-media-types.mjs --mime-db <db.json> from the npm package mime-db (its "iana" rows)
 *
 * The registry is read from https://www.iana.org/assignments/media-types/<top-level type>.csv (columns Name,
 * Template, Reference), one file per top-level type; a row's Template is the full type (e.g. "text/plain").
 * Rows without a template (obsoleted or deprecated names) are taken from their Name's first word, since the
 * registry still lists them and packages written before they were obsoleted use them.
 * The file is written whole to a temporary name and renamed, so a failed refresh leaves the old list in place.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TOP_LEVEL_TYPES = [
  'application',
  'audio',
  'font',
  'haptics',
  'image',
  'message',
  'model',
  'multipart',
  'text',
  'video',
];
const REGISTRY = 'https://www.iana.org/assignments/media-types';
const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'profiles', 'iana-media-types.txt');

/** Splits one CSV line (RFC 4180 quoting). */
function csvFields(line) {
  const fields = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

async function fromRegistry() {
  const types = [];
  for (const top of TOP_LEVEL_TYPES) {
    const url = `${REGISTRY}/${top}.csv`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`[iana] ${url}: HTTP ${response.status}`);
    const lines = (await response.text()).split(/\r?\n/).slice(1);
    for (const line of lines) {
      if (line.trim() === '') continue;
      const [name = '', template = ''] = csvFields(line);
      const type = template.trim() || `${top}/${name.trim().split(/\s+/)[0]}`;
      types.push(type);
    }
  }
  if (types.length < 1000) throw new Error(`[iana] only ${types.length} types read: refusing to write`);
  return { types, origin: `${REGISTRY}/ (the CSV file of each top-level type)` };
}

function fromMimeDb(path) {
  const db = JSON.parse(readFileSync(path, 'utf8'));
  const pkg = JSON.parse(readFileSync(join(dirname(path), 'package.json'), 'utf8'));
  const types = Object.entries(db)
    .filter(([, entry]) => entry.source === 'iana')
    .map(([type]) => type);
  const history = readFileSync(join(dirname(path), 'HISTORY.md'), 'utf8');
  const released = /^\S+ \/ (\d{4}-\d{2}-\d{2})/.exec(history)?.[1] ?? 'unknown date';
  return {
    types,
    origin: `npm package mime-db ${pkg.version} of ${released} (MIT licence), its entries with source "iana"`,
  };
}

const args = process.argv.slice(2);
const mimeDb = args[0] === '--mime-db' ? args[1] : undefined;
if (args.length > 0 && !mimeDb) {
  console.error('usage: refresh-iana-media-types.mjs [--mime-db <path to mime-db/db.json>]');
  process.exit(2);
}
const { types, origin } = mimeDb ? fromMimeDb(mimeDb) : await fromRegistry();
const valid = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;
const unique = [...new Set(types.map((t) => t.trim().toLowerCase()))].filter((t) => valid.test(t)).sort();
const header = [
  '# IANA media types (type/subtype, lower case), one a line: the registry at',
  '# https://www.iana.org/assignments/media-types/ as of the date below.',
  `# Origin: ${origin}`,
  `# Written: ${new Date().toISOString().slice(0, 10)} by scripts/refresh-iana-media-types.mjs; ${unique.length} types`,
  '',
];
const temporary = `${target}.${process.pid}.tmp`;
writeFileSync(temporary, `${header.join('\n')}${unique.join('\n')}\n`);
renameSync(temporary, target);
console.log(`${target}: ${unique.length} media types from ${origin}`);
