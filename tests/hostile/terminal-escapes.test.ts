import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bevara, json } from '../e2e/helpers.js';
import { expectArchiveConsistent, type HostileWorld, hostileWorld } from './harness.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we look for
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** Titles and names come from records: an escape sequence in them never reaches the operator's terminal raw. */
describe('terminal escapes in record metadata', () => {
  let world: HostileWorld;
  afterEach(() => world?.dispose());

  it('ls, show and the ingest summary write control characters visibly; JSON keeps them exact', () => {
    world = hostileWorld('escapes');
    const title = 'Ärende \u001b]0;pwned\u0007\u001b[2J\u009b31m slut';
    const record = path.join(world.inbox, 'ärende-1');
    fs.mkdirSync(record);
    fs.writeFileSync(
      path.join(record, 'record.json'),
      JSON.stringify({ title, description: 'rad\u001b[Ax' }),
    );
    fs.writeFileSync(path.join(record, 'beslut.txt'), 'Beslut\n');
    const ingest = bevara(world.data, ['ingest', world.inbox]);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(ingest.stdout).not.toMatch(RAW_CONTROL);

    const listed = bevara(world.data, ['ls']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toMatch(RAW_CONTROL);
    expect(listed.stdout).toContain('\\x1b]0;pwned\\x07');

    const [pkg] = json<{ id: string; label: string }[]>(bevara(world.data, ['--json', 'ls']));
    expect(pkg?.label).toBe(title);
    const shown = bevara(world.data, ['show', pkg?.id ?? '']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).not.toMatch(RAW_CONTROL);
    expect(shown.stdout).toContain('\\x1b[2J');
    expectArchiveConsistent(world.data);
  });
});
