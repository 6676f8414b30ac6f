import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../src/catalog/types.js';
import { auditCommand } from '../../src/cli/audit.js';
import { type AppContext, openContext } from '../../src/app/context.js';
import { ingestCommand } from '../../src/cli/ingest.js';
import {
  jobsAddCommand,
  jobsListCommand,
  jobsRemoveCommand,
  jobsRunCommand,
  jobsSetEnabledCommand,
  jobsShowCommand,
} from '../../src/cli/jobs.js';
import type { RunListRow } from '../../src/jobs/run-list.js';
import { runsListCommand, runsShowCommand } from '../../src/cli/runs.js';
import type { RunView } from '../../src/jobs/run-view.js';
import { bevara, copyFixtures, json, tempDir } from './helpers.js';

/**
 * The `jobs` and `runs` commands, called in-process with a context opened on a temp data dir and a real config
 * file (the same functions the CLI calls), and once through the built binary for the command wiring.
 */
describe('bevara jobs and bevara runs', () => {
  let work: string;
  let data: string;
  let configFile: string;

  const writeConfig = (jobsYaml = '') =>
    fs.writeFileSync(
      configFile,
      `log: { level: silent }\ningest: { workers: 1 }\naudit: { workers: 1 }\n${jobsYaml}`,
    );

  /** Opens a context (as a CLI start does), runs one command with stdout captured, closes it. */
  async function cli(command: (ctx: AppContext) => Promise<number>): Promise<{ code: number; out: string }> {
    const ctx = await openContext({ dataDir: data, config: configFile });
    const chunks: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
    try {
      const code = await command(ctx);
      return { code, out: chunks.join('') };
    } finally {
      process.stdout.write = write;
      await ctx.close();
    }
  }
  const cliJson = async <T>(command: (ctx: AppContext) => Promise<number>) =>
    JSON.parse((await cli(command)).out) as T;

  beforeAll(() => {
    work = tempDir('jobs');
    data = path.join(work, 'data');
    configFile = path.join(work, 'bevara.config.yaml');
    writeConfig();
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('adds a job from flags, lists it, pauses and resumes it, refuses a second of the same name', async () => {
    const exports = path.join(work, 'exports', 'w3d3');
    const added = await cliJson<JobRecord>((ctx) =>
      jobsAddCommand(ctx, 'nightly-w3d3', {
        source: `folder:${exports}`,
        profile: 'bagit',
        cron: '0 2 * * *',
        afterSuccess: `move:${exports}-done`,
        maxBytes: '50GB',
        json: true,
      }),
    );
    expect(added).toMatchObject({
      name: 'nightly-w3d3',
      origin: 'cli',
      enabled: true,
      limits: { maxBytes: 50e9 },
      schedule: { cron: '0 2 * * *', timezone: 'Europe/Stockholm' },
    });

    const listed = (await cli((ctx) => jobsListCommand(ctx, {}))).out.split('\n');
    expect(listed[0]).toMatch(/^NAME +SOURCE +PROFILE +SCHEDULE +AFTER +ENABLED +ORIGIN +LAST RUN$/);
    const row = listed.find((l) => l.startsWith('nightly-w3d3 '));
    expect(row?.split(/ {2,}/)).toEqual([
      'nightly-w3d3',
      `folder:${exports}`,
      'bagit',
      '0 2 * * * Europe/Stockholm',
      `move:${exports}-done`,
      'yes',
      'cli',
      'never',
    ]);

    await expect(
      cli((ctx) => jobsAddCommand(ctx, 'nightly-w3d3', { source: 'folder:/elsewhere' })),
    ).rejects.toThrow(/job "nightly-w3d3" exists; remove it first/);
    await expect(
      cli((ctx) => jobsAddCommand(ctx, 'other', { source: 'folder:/x', cron: '0 2 * * * * *' })),
    ).rejects.toThrow(/job "other": --cron: expected five fields .*got 7.*\[job-cron\]/);
    await expect(cli((ctx) => jobsShowCommand(ctx, 'other', {}))).rejects.toThrow(/no job "other"/);

    expect((await cli((ctx) => jobsSetEnabledCommand(ctx, 'nightly-w3d3', false, {}))).out).toMatch(/paused/);
    const show = (await cli((ctx) => jobsShowCommand(ctx, 'nightly-w3d3', {}))).out;
    expect(show).toMatch(/^Job nightly-w3d3 \(paused\)$/m);
    expect(show).toMatch(/Limits: +50000000000 bytes \(46\.6 GB\) per run/);
    expect(show).toContain('Records by state: none yet');
    const paused = await cliJson<(JobRecord & { lastRun: unknown })[]>((ctx) =>
      jobsListCommand(ctx, { json: true }),
    );
    expect(paused.map((j) => [j.name, j.enabled, j.lastRun])).toEqual([['nightly-w3d3', false, null]]);
    await cli((ctx) => jobsSetEnabledCommand(ctx, 'nightly-w3d3', true, {}));
    expect((await cliJson<JobRecord[]>((ctx) => jobsListCommand(ctx, { json: true })))[0]?.enabled).toBe(
      true,
    );

    await expect(cli((ctx) => jobsRunCommand(ctx, 'nosuch', {}))).rejects.toThrow(/no job "nosuch"/);
    expect((await cli((ctx) => jobsRemoveCommand(ctx, 'nightly-w3d3', {}))).code).toBe(0);
    expect(await cliJson<unknown[]>((ctx) => jobsListCommand(ctx, { json: true }))).toEqual([]);
  });

  it('takes jobs from the config file: declared, pause survives restarts, removed with the file, CLI job adopted', async () => {
    await cli((ctx) => jobsAddCommand(ctx, 'sips', { source: 'eark-sip:/inbox', disabled: true }));
    writeConfig(
      `jobs:\n  nightly:\n    source: folder:/exports/a\n    cron: "0 2 * * *"\n    timezone: UTC\n` +
        `  sips:\n    source: { kind: eark-sip, path: /inbox }\n    afterSuccess: mark\n`,
    );
    const jobs = await cliJson<JobRecord[]>((ctx) => jobsListCommand(ctx, { json: true }));
    expect(jobs.map((j) => [j.name, j.origin, j.enabled, j.afterSuccess.action])).toEqual([
      ['nightly', 'config', true, 'leave'],
      ['sips', 'config', false, 'mark'],
    ]);

    await expect(cli((ctx) => jobsAddCommand(ctx, 'nightly', { source: 'folder:/x' }))).rejects.toThrow(
      `job "nightly" is declared in ${configFile}; change it there`,
    );
    await expect(cli((ctx) => jobsRemoveCommand(ctx, 'nightly', {}))).rejects.toThrow(
      `job "nightly" is declared in ${configFile}; remove it there`,
    );
    await cli((ctx) => jobsSetEnabledCommand(ctx, 'nightly', false, {}));
    // Each cli() call is a new start that reads the file again.
    const show = (await cli((ctx) => jobsShowCommand(ctx, 'nightly', {}))).out;
    expect(show).toMatch(/^Job nightly \(paused\)$/m);
    expect(show).toContain(`Origin:        config file ${configFile}`);
    expect(show).toMatch(/Schedule: +0 2 \* \* \* UTC/);

    writeConfig(`jobs:\n  sips:\n    source: eark-sip:/inbox\n    afterSuccess: mark\n    enabled: false\n`);
    const after = await cliJson<JobRecord[]>((ctx) => jobsListCommand(ctx, { json: true }));
    expect(after.map((j) => j.name)).toEqual(['sips']);
    await expect(cli((ctx) => jobsSetEnabledCommand(ctx, 'sips', true, {}))).rejects.toThrow(
      /job "sips" is disabled in .*bevara\.config\.yaml \(enabled: false\); change it there/,
    );

    writeConfig(`jobs:\n  broken:\n    source: folder:/x\n    cron: "0 2 * * *"\n    timezone: Moon/Base\n`);
    await expect(cli((ctx) => runsListCommand(ctx, {}))).rejects.toThrow(
      /jobs\.broken\.timezone: "Moon\/Base" is not an IANA time zone.*\[job-timezone\]/,
    );
    writeConfig();
    expect(await cliJson<unknown[]>((ctx) => jobsListCommand(ctx, { json: true }))).toEqual([]);
  });

  it('runs list and runs show tell what an ingest run and an audit run did', async () => {
    const source = copyFixtures(path.join(work, 'records'));
    fs.mkdirSync(path.join(source, 'Tom mapp'));
    const records = fs.readdirSync(source).filter((n) => n !== 'Tom mapp');
    const ingest = await cli((ctx) => ingestCommand(ctx, source, { source: 'folder', json: true }));
    expect(ingest.code).toBe(1);
    const { runId } = JSON.parse(ingest.out) as { runId: string };

    const view = await cliJson<RunView>((ctx) => runsShowCommand(ctx, runId, { json: true }));
    expect(view).toMatchObject({
      id: runId,
      kind: 'ingest',
      status: 'completed-with-failures',
      source: { kind: 'folder', path: source },
      profile: 'eark-aip',
      counts: { archived: records.length, unchanged: 0, rejected: 1, failed: 0, waiting: 0 },
    });
    // bevara ingest is a one-off run of its unnamed job (one per source kind and folder).
    expect(view.job).toMatch(/^adhoc-folder-[0-9a-f]{12}$/);
    expect(view.bytes).toBeGreaterThan(0);
    expect(view.problems).toEqual([
      {
        subject: 'Tom mapp',
        status: 'rejected',
        reason: expect.stringMatching(/empty/),
        rules: ['empty-record'],
      },
    ]);
    expect(view.packages.map((p) => p.subject).sort()).toEqual(records.sort());
    for (const pkg of view.packages) {
      expect(pkg.copies).toHaveLength(1);
      const [copy] = pkg.copies;
      expect(copy?.location).toBe('local');
      expect(fs.existsSync(path.join(data, 'store', 'local', copy?.key ?? 'none'))).toBe(true);
    }

    const human = (await cli((ctx) => runsShowCommand(ctx, runId, {}))).out;
    expect(human).toMatch(new RegExp(`^Run ${runId} \\(ingest\\): completed-with-failures$`, 'm'));
    expect(human).toContain(`Source:   folder:${source}`);
    expect(human).toContain(
      `Records:  ${records.length} archived, 0 unchanged, 1 rejected/quarantined, 0 failed, 0 waiting`,
    );
    expect(human).toMatch(/rejected +Tom mapp {2}\[empty-record\]/);
    const first = view.packages[0];
    expect(human).toContain(`${first?.subject}  ->  ${first?.packageId}`);
    expect(human).toContain(`local:${first?.copies[0]?.key}  (verified)`);

    // An audit that finds one package's copy gone.
    const gone = view.packages[1];
    fs.rmSync(path.join(data, 'store', 'local', gone?.copies[0]?.key ?? 'none'));
    expect((await cli((ctx) => auditCommand(ctx, { all: true, json: true }))).code).toBe(1);

    const rows = await cliJson<RunListRow[]>((ctx) => runsListCommand(ctx, { json: true }));
    expect(rows.map((r) => [r.kind, r.status, r.count, r.problems])).toEqual([
      ['audit', 'completed-with-failures', records.length, 1],
      ['ingest', 'completed-with-failures', records.length + 1, 1],
    ]);
    const table = (await cli((ctx) => runsListCommand(ctx, { limit: 1 }))).out.split('\n');
    expect(table[0]).toMatch(/^RUN +KIND +JOB +STATUS +STARTED +DURATION +RECORDS\/COPIES +BYTES$/);
    expect(table).toHaveLength(4); // header, rule, one run, final newline
    expect(table[2]).toMatch(
      new RegExp(` audit +- +completed-with-failures .* ${records.length} \\(1 need attention\\) `),
    );

    const audit = await cliJson<RunView>((ctx) => runsShowCommand(ctx, rows[0]?.id ?? '', { json: true }));
    expect(audit.counts).toMatchObject({ copies: records.length, verified: records.length - 1, missing: 1 });
    expect(audit.problems).toEqual([
      expect.objectContaining({
        subject: `local:${gone?.copies[0]?.key}`,
        status: 'failed',
        packageId: gone?.packageId,
      }),
    ]);
    const auditHuman = (await cli((ctx) => runsShowCommand(ctx, rows[0]?.id ?? '', {}))).out;
    expect(auditHuman).toMatch(/^Scope: +all true$/m);
    expect(auditHuman).toContain(`failed      local:${gone?.copies[0]?.key}`);
    await expect(cli((ctx) => runsShowCommand(ctx, 'ingest-nonesuch', {}))).rejects.toThrow(
      /run "ingest-nonesuch" is not in the catalog/,
    );
  });

  it('shows a job run: runs list --job, jobs show with its runs and records by state', async () => {
    await cli((ctx) => jobsAddCommand(ctx, 'w3d3', { source: 'folder:/exports/w3d3' }));
    // A run of the job as the worker records it: the job in its params, records in the job's table.
    const started = new Date('2025-03-01T02:00:00Z');
    const ctx = await openContext({ dataDir: data, config: configFile });
    try {
      await ctx.catalog.startRun({
        id: 'ingest-w3d3-1',
        kind: 'ingest',
        startedAt: started,
        status: 'running',
        params: { job: 'w3d3', profile: 'eark-aip' },
      });
      await ctx.catalog.discoverRecords(
        'w3d3',
        'ingest-w3d3-1',
        [{ sourceKey: 'a' }, { sourceKey: 'b', quarantined: 'empty: the folder holds no files' }],
        started,
      );
      await ctx.catalog.finishRun(
        'ingest-w3d3-1',
        'completed-with-failures',
        new Date(started.getTime() + 65_000),
        {
          bytes: 2048,
        },
      );
    } finally {
      await ctx.close();
    }
    const rows = await cliJson<RunListRow[]>((c) => runsListCommand(c, { job: 'w3d3', json: true }));
    expect(rows.map((r) => [r.id, r.job, r.durationMs, r.bytes])).toEqual([
      ['ingest-w3d3-1', 'w3d3', 65_000, 2048],
    ]);
    expect((await cli((c) => runsListCommand(c, { job: 'nosuch' }))).out).toBe('No runs of job nosuch.\n');

    const view = await cliJson<RunView>((c) => runsShowCommand(c, 'ingest-w3d3-1', { json: true }));
    expect(view).toMatchObject({
      job: 'w3d3',
      source: { kind: 'folder', path: '/exports/w3d3' },
      recordStates: { discovered: 1, quarantined: 1 },
      problems: [{ subject: 'b', status: 'quarantined', reason: 'empty: the folder holds no files' }],
    });
    const human = (await cli((c) => runsShowCommand(c, 'ingest-w3d3-1', {}))).out;
    expect(human).toContain('Job:      w3d3');
    expect(human).toContain('Duration: 1m 05s');

    const show = await cliJson<{ runs: { id: string }[]; records: Record<string, number> }>((c) =>
      jobsShowCommand(c, 'w3d3', { json: true }),
    );
    expect(show.runs.map((r) => r.id)).toEqual(['ingest-w3d3-1']);
    expect(show.records).toEqual({ discovered: 1, quarantined: 1 });
    const list = (await cli((c) => jobsListCommand(c, {}))).out;
    expect(list).toMatch(/^w3d3 .* completed-with-failures 2025-03-01T02:00:00\.000Z$/m);
  });

  it('the built CLI wires jobs and runs, with --profile and --json after the subcommand', () => {
    // Its own folder: no config file there, whatever the tests above left in theirs.
    const cwd = fs.mkdtempSync(path.join(work, 'cli-'));
    const cliData = path.join(cwd, 'data');
    const env = { BEVARA_LOG__LEVEL: 'warn' };
    const add = bevara(
      cliData,
      [
        'jobs',
        'add',
        'nightly',
        '--source',
        'folder:/exports/n',
        '--profile',
        'bagit',
        '--cron',
        '0 2 * * *',
        '--json',
      ],
      { cwd, env },
    );
    expect(add.code, add.stderr).toBe(0);
    expect(json<JobRecord>(add)).toMatchObject({ name: 'nightly', profile: 'bagit' });
    const bad = bevara(cliData, ['jobs', 'add', 'x', '--source', 'tape:/y'], { cwd, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/job "x": --source: .*\[job-source\]/);
    const runs = bevara(cliData, ['runs', 'list', '--job', 'nightly'], { cwd, env });
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stdout).toBe('No runs of job nightly.\n');
  });
});
