import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bevara, json } from '../e2e/helpers.js';
import { expectArchiveConsistent, type HostileWorld, hostileWorld } from './harness.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we look for
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/;
const PRETTY = { env: { BEVARA_LOG__FORMAT: 'pretty' } };

/** A BagIt bag in `folder` whose bag-info.txt gives `title` (External-Description) and `source`. */
function writeBag(folder: string, title: string, source: string): void {
  const payload = 'Beslut\n';
  fs.mkdirSync(path.join(folder, 'data'), { recursive: true });
  fs.writeFileSync(path.join(folder, 'data', 'beslut.txt'), payload);
  fs.writeFileSync(
    path.join(folder, 'bagit.txt'),
    'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n',
  );
  fs.writeFileSync(
    path.join(folder, 'bag-info.txt'),
    `Source-Organization: ${source}\nExternal-Description: ${title}\n`,
  );
  const digest = createHash('sha256').update(payload).digest('hex');
  fs.writeFileSync(path.join(folder, 'manifest-sha256.txt'), `${digest}  data/beslut.txt\n`);
}

/** Titles and names come from records: an escape sequence in them never reaches the operator's terminal raw. */
describe('terminal escapes in record metadata', () => {
  let world: HostileWorld;
  afterEach(() => world?.dispose());

  it('ls, show, runs show, reports show, the ingest summary and pretty logs write them visibly; JSON keeps them exact', () => {
    world = hostileWorld('escapes');
    const title = 'Ärende \u001b]0;pwned\u0007\u001b[2J\u009b31m slut';
    const record = path.join(world.inbox, 'ärende-1');
    fs.mkdirSync(record);
    // A name with a control character is refused (name-invalid); the refusal names it.
    fs.mkdirSync(path.join(world.inbox, 'ärende-2\u001b[31m'));
    fs.writeFileSync(path.join(world.inbox, 'ärende-2\u001b[31m', 'a.txt'), 'a\n');
    fs.writeFileSync(
      path.join(record, 'record.json'),
      JSON.stringify({
        title,
        identifier: 'KS\u202e2024',
        creator: 'Nämnden\nState      verified',
        description: 'rad\u001b[Ax',
      }),
    );
    fs.writeFileSync(path.join(record, 'beslut.txt'), 'Beslut\n');
    const ingest = bevara(world.data, ['--log-level', 'debug', 'ingest', world.inbox], PRETTY);
    expect(ingest.code, ingest.stderr).toBe(1);
    expect(ingest.stdout).not.toMatch(RAW_CONTROL);
    expect(ingest.stdout).toContain('ärende-2\\u001b[31m');
    // Pretty logs are for people at a terminal (tests/unit/logger.test.ts shows one escaped).
    expect(ingest.stderr.replace(/\n/g, '')).not.toMatch(RAW_CONTROL);

    const listed = bevara(world.data, ['ls']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toMatch(RAW_CONTROL);
    expect(listed.stdout).toContain('\\u001b]0;pwned\\u0007');

    const [pkg] = json<{ id: string; label: string }[]>(bevara(world.data, ['--json', 'ls']));
    expect(pkg?.label).toBe(title);
    const shown = bevara(world.data, ['show', pkg?.id ?? '']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).not.toMatch(RAW_CONTROL);
    expect(shown.stdout).toContain('\\u001b[2J');
    expect(shown.stdout).toContain('KS\\u202e2024');
    // A line break in a one-line field cannot forge a line of bevara's own.
    expect(shown.stdout).toContain('Nämnden\\u000aState');
    expect(shown.stdout).not.toMatch(/^State {6}verified/m);
    const shownJson = json<{ package: { metadata: { creator: string } } }>(
      bevara(world.data, ['--json', 'show', pkg?.id ?? '']),
    );
    expect(shownJson.package.metadata.creator).toBe('Nämnden\nState      verified');

    const [run] = json<{ id: string }[]>(bevara(world.data, ['--json', 'reports', 'list']));
    for (const args of [
      ['runs', 'show', run?.id ?? ''],
      ['reports', 'show', run?.id ?? ''],
    ]) {
      const result = bevara(world.data, args);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout, args.join(' ')).not.toMatch(RAW_CONTROL);
      expect(result.stdout, args.join(' ')).toContain('ärende-2\\u001b[31m');
    }

    // An error naming what the user typed is escaped too.
    const missing = bevara(world.data, ['show', 'x\u001b]0;pwned\u0007']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('x\\u001b]0;pwned\\u0007');
    expect(missing.stderr.replace(/\n/g, '')).not.toMatch(RAW_CONTROL);
    expectArchiveConsistent(world.data);
  });

  it('a bag-info.txt title and source with escape sequences: ls and show write them visibly', () => {
    world = hostileWorld('escapes-bag');
    const title = 'Bygglov \u001b]52;c;cHduZWQ=\u0007 \u001b[1;1H';
    writeBag(path.join(world.inbox, 'bag-1'), title, 'Kommun\u009b2J');
    const ingest = bevara(world.data, ['ingest', '--source', 'bagit', world.inbox]);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(ingest.stdout).not.toMatch(RAW_CONTROL);
    const [pkg] = json<{ id: string; label: string }[]>(bevara(world.data, ['--json', 'ls']));
    expect(pkg?.label).toBe(title);
    const listed = bevara(world.data, ['ls']);
    expect(listed.stdout).not.toMatch(RAW_CONTROL);
    expect(listed.stdout).toContain('\\u001b]52;c;cHduZWQ=\\u0007');
    const shown = bevara(world.data, ['show', pkg?.id ?? '']);
    expect(shown.stdout).not.toMatch(RAW_CONTROL);
    expect(shown.stdout).toContain('Kommun\\u009b2J');
    expectArchiveConsistent(world.data);
  });
});
