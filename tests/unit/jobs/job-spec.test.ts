import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigError, ValidationError } from '../../../src/errors.js';
import { type JobSpecContext, jobFromFlags, jobsFromConfig } from '../../../src/jobs/job-spec.js';
import { loadProfile, withHeader } from '../../../src/package/profile.js';

// Real profiles: `fgs` needs an organisation the context lacks, so it cannot be used; `eark-aip` can.
const spec = (cwd: string): JobSpecContext => ({
  defaultProfile: 'eark-aip',
  checkProfile: (name) => void withHeader(loadProfile(name), undefined),
  cwd,
  now: new Date('2025-03-01T10:00:00Z'),
});

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('jobFromFlags', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-jobspec-'));
  });
  afterEach(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it('builds a full definition: absolute paths, normalised cron, canonical zone, limits in bytes', () => {
    const job = jobFromFlags(
      'nightly-w3d3',
      {
        source: 'bagit:exports/w3d3',
        profile: 'bagit',
        cron: ' 0  2 * * 1-5 ',
        timezone: 'europe/stockholm',
        afterSuccess: 'move:done/w3d3',
        quarantine: '/srv/quarantine',
        maxRecords: '500',
        maxBytes: '50GB',
        disabled: true,
      },
      spec(cwd),
    );
    expect(job).toEqual({
      name: 'nightly-w3d3',
      source: { kind: 'bagit', path: path.join(cwd, 'exports/w3d3') },
      profile: 'bagit',
      schedule: { cron: '0 2 * * 1-5', timezone: 'Europe/Stockholm' },
      afterSuccess: { action: 'move', to: path.join(cwd, 'done/w3d3') },
      quarantine: '/srv/quarantine',
      enabled: false,
      limits: { maxRecords: 500, maxBytes: 50_000_000_000 },
      origin: 'cli',
      createdAt: new Date('2025-03-01T10:00:00Z'),
      updatedAt: new Date('2025-03-01T10:00:00Z'),
    });
  });

  it('defaults: the config profile, Europe/Stockholm, leave, enabled, no schedule without --cron', () => {
    const scheduled = jobFromFlags('a', { source: 'folder:/x', cron: '0 0 2 * * *' }, spec(cwd));
    expect(scheduled).toMatchObject({
      profile: 'eark-aip',
      schedule: { cron: '0 0 2 * * *', timezone: 'Europe/Stockholm' },
      afterSuccess: { action: 'leave' },
      enabled: true,
    });
    const onDemand = jobFromFlags('b', { source: 'eark-sip:/inbox', afterSuccess: 'mark' }, spec(cwd));
    expect(onDemand.schedule).toBeUndefined();
    expect(onDemand.limits).toBeUndefined();
    expect(onDemand.afterSuccess).toEqual({ action: 'mark' });
  });

  it.each([
    [
      '--source',
      'job-source',
      { source: 'ftp:/exports' },
      /--source: expected <kind>:<path>.*"ftp:\/exports"/,
    ],
    ['--source', 'job-source', { source: '/exports/w3d3' }, /--source: expected <kind>:<path>/],
    ['--source', 'job-source', { source: 'folder:' }, /--source: "folder:" names no folder/],
    ['--source', 'job-source', {}, /--source: required/],
    ['--cron', 'job-cron', { source: 'folder:/x', cron: '0 2 * *' }, /--cron: expected five fields.*got 4/],
    [
      '--cron',
      'job-cron',
      { source: 'folder:/x', cron: '61 2 * * *' },
      /--cron: "61 2 \* \* \*" is not a valid cron.*minute/,
    ],
    ['--cron', 'job-cron', { source: 'folder:/x', cron: '@daily' }, /--cron: expected five fields/],
    [
      '--timezone',
      'job-timezone',
      { source: 'folder:/x', cron: '0 2 * * *', timezone: 'Mars/Olympus' },
      /"Mars\/Olympus" is not an IANA time zone/,
    ],
    [
      '--timezone',
      'job-timezone',
      { source: 'folder:/x', timezone: 'UTC' },
      /--timezone: has no effect without --cron/,
    ],
    [
      '--after-success',
      'job-after-success',
      { source: 'folder:/x', afterSuccess: 'delete' },
      /expected leave, mark or move:<folder>, got "delete"/,
    ],
    [
      '--after-success',
      'job-after-success',
      { source: 'folder:/x', afterSuccess: 'move:/x/done' },
      /\/x\/done is inside the source folder \/x/,
    ],
    [
      '--quarantine',
      'job-quarantine',
      { source: 'folder:/x', quarantine: '/x' },
      /--quarantine: \/x is inside the source folder/,
    ],
    [
      '--max-records',
      'job-limit',
      { source: 'folder:/x', maxRecords: '0' },
      /positive whole number of records, got "0"/,
    ],
    ['--max-records', 'job-limit', { source: 'folder:/x', maxRecords: '1.5' }, /got "1.5"/],
    [
      '--max-bytes',
      'job-limit',
      { source: 'folder:/x', maxBytes: '50 parsecs' },
      /--max-bytes: expected a size such as "50GB"/,
    ],
    [
      '--profile',
      'job-profile',
      { source: 'folder:/x', profile: 'nonesuch' },
      /profile "nonesuch" cannot be used: .*not found/s,
    ],
    [
      '--profile',
      'job-profile',
      { source: 'folder:/x', profile: 'fgs' },
      /profile "fgs" cannot be used: .*archival creator/s,
    ],
  ])('names the job, %s and the rule %s', (flag, rule, flags, message) => {
    const err = thrown(() => jobFromFlags('nightly', flags, spec(cwd)));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).rule).toBe(rule);
    expect(err.message).toMatch(/^\[jobs\] job "nightly": /);
    expect(err.message).toContain(`${flag}: `);
    expect(err.message).toContain(`[${rule}]`);
    expect(err.message).toMatch(message);
  });

  it('a folder beside the source is fine, even with a name that starts like it', () => {
    const job = jobFromFlags(
      'a',
      { source: 'folder:/x/in', afterSuccess: 'move:/x/in-done', quarantine: '/x/q' },
      spec(cwd),
    );
    expect(job.afterSuccess).toEqual({ action: 'move', to: '/x/in-done' });
  });

  it('rejects bad names', () => {
    for (const name of ['Nightly', '-x', 'a b', 'a/b', 'x'.repeat(64), '']) {
      const err = thrown(() => jobFromFlags(name, { source: 'folder:/x' }, spec(cwd)));
      expect((err as ValidationError).rule, name).toBe('job-name');
    }
    expect(jobFromFlags('x'.repeat(63), { source: 'folder:/x' }, spec(cwd)).name).toHaveLength(63);
  });

  it('lists every problem at once', () => {
    const err = thrown(() =>
      jobFromFlags('nightly', { source: 'nfs:/x', cron: 'daily', afterSuccess: 'burn' }, spec(cwd)),
    );
    expect(err.message.split('\n')).toEqual([
      '[jobs] job "nightly" is invalid:',
      expect.stringMatching(/^ {2}- --source: .*\[job-source\]$/),
      expect.stringMatching(/^ {2}- --cron: .*\[job-cron\]$/),
      expect.stringMatching(/^ {2}- --after-success: .*\[job-after-success\]$/),
    ]);
  });
});

describe('jobsFromConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-jobconfig-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const load = (yaml: string) => {
    const file = path.join(dir, 'bevara.config.yaml');
    fs.writeFileSync(file, yaml);
    return loadConfig({ file, env: {}, cwd: dir });
  };

  it('reads both source forms, limits with units, and the same defaults as the CLI', () => {
    const { config, file } = load(`
profile: bagit
jobs:
  nightly-w3d3:
    source: folder:/exports/w3d3
    profile: eark-aip
    cron: "0 2 * * *"
    afterSuccess: move:/exports/w3d3-done
    limits: { maxRecords: 100, maxBytes: 2GiB }
  sips:
    source: { kind: eark-sip, path: inbox }
    enabled: false
`);
    const jobs = jobsFromConfig(config.jobs, { ...spec(dir), defaultProfile: config.profile }, file);
    expect(jobs.map((j) => j.name)).toEqual(['nightly-w3d3', 'sips']);
    expect(jobs[0]).toMatchObject({
      origin: 'config',
      source: { kind: 'folder', path: '/exports/w3d3' },
      profile: 'eark-aip',
      schedule: { cron: '0 2 * * *', timezone: 'Europe/Stockholm' },
      afterSuccess: { action: 'move', to: '/exports/w3d3-done' },
      enabled: true,
      limits: { maxRecords: 100, maxBytes: 2 * 2 ** 30 },
    });
    expect(jobs[1]).toMatchObject({
      source: { kind: 'eark-sip', path: path.join(dir, 'inbox') },
      profile: 'bagit',
      afterSuccess: { action: 'leave' },
      enabled: false,
    });
  });

  it('reports every wrong field of every job with its path and rule', () => {
    const { config, file } = load(`
jobs:
  a:
    source: folder:/x
    cron: "0 25 * * *"
  b:
    source: tape:/y
    afterSuccess: move:/y/done
    timezone: Europe/Stockholm
`);
    const err = thrown(() => jobsFromConfig(config.jobs, spec(dir), file));
    expect(err).toBeInstanceOf(ConfigError);
    const issues = (err as ConfigError).issues;
    expect(issues.map((i) => i.path)).toEqual(['jobs.a.cron', 'jobs.b.source', 'jobs.b.timezone']);
    expect(issues[0]?.message).toMatch(/"0 25 \* \* \*" is not a valid cron expression.*\[job-cron\]$/);
    expect(issues[1]?.message).toMatch(/"tape:\/y".*\[job-source\]$/);
    expect(err.message).toContain(`jobs in ${file}`);
  });

  it('names a bad job name by its path', () => {
    const { config, file } = load('jobs:\n  Nightly:\n    source: folder:/x\n');
    const err = thrown(() => jobsFromConfig(config.jobs, spec(dir), file)) as ConfigError;
    expect(err.issues).toEqual([
      { path: 'jobs.Nightly', message: expect.stringMatching(/"Nightly" is not a job name.*\[job-name\]$/) },
    ]);
  });

  it('the schema refuses unknown keys and bad sizes', () => {
    expect(() => load('jobs:\n  a:\n    source: folder:/x\n    schedule: "0 2 * * *"\n')).toThrow(
      /jobs\.a.*schedule/s,
    );
    expect(() => load('jobs:\n  a:\n    source: folder:/x\n    limits: { maxBytes: lots }\n')).toThrow(
      /jobs\.a\.limits\.maxBytes/,
    );
  });
});
