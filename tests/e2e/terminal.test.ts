import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, copyFixtures, tempDir } from './helpers.js';

/** Runs the CLI under a pseudo-terminal (util-linux `script`), as a person at a terminal would see it. */
function onTerminal(args: string[]): string {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const result = spawnSync('script', ['-qec', command, '/dev/null'], {
    encoding: 'utf8',
    env: { ...process.env, BEVARA_LOG__FORMAT: 'auto', COLUMNS: '160', TERM: 'xterm' },
  });
  expect(result.status, result.stderr).toBe(0);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping the terminal's escape sequences
  return result.stdout.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}

describe('on a terminal', () => {
  let work: string;
  beforeAll(() => {
    work = tempDir('tty');
    copyFixtures(path.join(work, 'records'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('ingest and audit draw a progress bar with records, MB, rate and ETA, and pretty single-line logs', () => {
    const data = path.join(work, 'data');
    const ingest = onTerminal(['--data-dir', data, 'ingest', path.join(work, 'records')]);
    expect(ingest).toMatch(/ingest .*100% \| 3\/3 records \| 24\.7 KB\/24\.7 KB \| [\d.]+ [KMG]?B\/s \| ETA/);
    // Log lines printed while the bar was up are kept, one per record.
    expect(ingest.match(/INFO.*record archived/g)).toHaveLength(3);
    expect(ingest).not.toMatch(/^\{"level"/m); // not JSON on a terminal
    expect(ingest).toContain('Ingest succeeded: 3 archived');
    const audit = onTerminal(['--data-dir', data, 'audit', '--all']);
    expect(audit).toMatch(/audit .*100% \| 3\/3 records/);
    expect(audit).toContain('Audit passed: 3/3 copies verified');
  });

  it('with --json prints only JSON on stdout, no bar', () => {
    const out = onTerminal(['--data-dir', path.join(work, 'data'), '--log-level', 'silent', '--json', 'ls']);
    expect(out).not.toMatch(/records \|/);
    expect(JSON.parse(out.trim())).toHaveLength(3);
  });
});
