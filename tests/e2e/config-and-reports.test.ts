import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunItem, RunRecord } from '../../src/catalog/types.js';
import { bevara, copyFixtures, json, tempDir } from './helpers.js';

describe('bevara config and bevara reports', () => {
  let work: string;
  let data: string;

  beforeAll(() => {
    work = tempDir('config');
    data = path.join(work, 'data');
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('prints the effective config from file, env and flags', () => {
    fs.writeFileSync(
      path.join(work, 'bevara.config.yaml'),
      'profile: eark-aip\nlog:\n  level: warn\nlocations:\n  local: { driver: fs, root: /srv/arkiv }\n',
    );
    const result = bevara(data, ['--json', 'config'], {
      cwd: work,
      env: { BEVARA_INGEST__MAX_PATH_LENGTH: '200' },
    });
    expect(result.code, result.stderr).toBe(0);
    const { file, config } = json<{ file: string; config: Record<string, unknown> }>(result);
    expect(file).toBe(path.join(work, 'bevara.config.yaml'));
    expect(config).toMatchObject({ dataDir: data, log: { level: 'warn' }, ingest: { maxPathLength: 200 } });
  });

  it('names a misspelt BEVARA_ variable instead of ignoring it', () => {
    const result = bevara(data, ['config'], { cwd: work, env: { BEVARA_INGEST__MAX_PATH_LENGHT: '200' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('maxPathLenght');
  });

  it('reports every config problem at once with its path, exit 2', () => {
    fs.writeFileSync(path.join(work, 'bad.yaml'), 'log:\n  level: loud\ningest:\n  maxPathLength: -1\n');
    const result = bevara(data, ['--config', path.join(work, 'bad.yaml'), 'ls']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('log.level');
    expect(result.stderr).toContain('ingest.maxPathLength');
  });

  it('lists past runs and shows one with its items', () => {
    const source = copyFixtures(path.join(work, 'records'));
    expect(bevara(data, ['ingest', source]).code).toBe(0);
    expect(bevara(data, ['audit', '--all']).code).toBe(0);
    const runs = json<RunRecord[]>(bevara(data, ['--json', 'reports', 'list']));
    expect(runs.map((r) => r.kind)).toEqual(['audit', 'ingest']);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    const shown = json<{ run: RunRecord; items: RunItem[] }>(
      bevara(data, ['--json', 'reports', 'show', runs[1]?.id ?? '']),
    );
    expect(shown.items.map((i) => i.subject).sort()).toEqual(fs.readdirSync(source).sort());
    const human = bevara(data, ['reports', 'list']);
    expect(human.stdout).toContain(runs[0]?.id);
    expect(human.stdout).toMatch(/\.html/);
  });
});
