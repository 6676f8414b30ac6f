#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import type { PackageState } from '../model/package.js';
import type { JobFlags } from '../jobs/job-spec.js';
import { PreservationError, ValidationError } from '../errors.js';
import { printable } from '../printable.js';
import { bevaraVersion } from '../version.js';
import { auditCommand } from './audit.js';
import { configCommand } from './config.js';
import { coverageCommand } from './coverage.js';
import { type AppContext, type GlobalOptions, openContext } from '../app/context.js';
import { getCommand } from './get.js';
import { ingestCommand } from './ingest.js';
import { catalogRebuildCommand } from './catalog.js';
import { orphanAdoptCommand, orphanDecisionCommand, orphansListCommand } from './orphans.js';
import {
  jobsAddCommand,
  jobsListCommand,
  jobsRemoveCommand,
  jobsRunCommand,
  jobsSetEnabledCommand,
  jobsShowCommand,
} from './jobs.js';
import { listCommand } from './list.js';
import { reportsListCommand, reportsShowCommand } from './reports.js';
import { runsListCommand, runsShowCommand } from './runs.js';
import { serveCommand } from './serve.js';
import { usersAddCommand, usersListCommand, usersRemoveCommand } from './users.js';
import { showCommand } from './show.js';
import { stopOnSignals } from './shutdown.js';
import { storageCheckCommand } from './storage.js';
import { validateCommand } from './validate.js';
import { workerCommand } from './worker.js';

/** Exit codes: 0 all good, 1 the work found or made failures (see the report), 2 usage or configuration error. */
const EXIT_USAGE = 2;

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

function withContext(program: Command, run: (ctx: AppContext, options: GlobalOptions) => Promise<number>) {
  return async () => {
    const globals = program.opts<GlobalOptions>();
    const ctx = await openContext(globals);
    try {
      process.exitCode = await run(ctx, globals);
    } finally {
      await ctx.close();
    }
  };
}

export function buildProgram(): Command {
  const program = new Command('bevara')
    .description(
      'Long-term preservation of public records: verified E-ARK packages, copies and integrity audits.',
    )
    .version(bevaraVersion())
    .option(
      '-c, --config <file>',
      'config file (default: bevara.config.yaml|yml|json in the working directory)',
    )
    .option(
      '-d, --data-dir <dir>',
      'data directory: filesystem store, catalog, reports (default ./bevara-data)',
    )
    .option('-p, --profile <name>', 'package profile (default eark-aip)')
    .option('--log-level <level>', 'trace | debug | info | warn | error | silent')
    .option('--json', 'machine-readable output on stdout')
    .option(
      '--catalog <url|file>',
      'catalog: postgres://… (shared by workers) or a SQLite file (default: config)',
    );

  addPackageCommands(program);
  addOrphansCommands(program);
  addCatalogCommands(program);
  addReportsCommands(program);
  addJobsCommands(program);
  addRunsAndStorageCommands(program);
  addServiceCommands(program);
  addUsersCommands(program);
  addValidateCommand(program);
  return program;
}

/** `ingest`, `ls`, `show`, `audit`, `coverage`, `get` and `config`. */
function addPackageCommands(program: Command): void {
  program
    .command('ingest <input>')
    .description('turn every record in <input> into a verified archival package')
    .addOption(
      new Option('-s, --source <kind>', 'kind of input')
        .choices(['folder', 'bagit', 'eark-sip'])
        .default('folder'),
    )
    .action(async (input: string, options: { source: string }) =>
      withContext(program, (ctx, g) =>
        ingestCommand(ctx, input, { ...options, profile: g.profile, json: g.json }),
      )(),
    );

  program
    .command('ls')
    .description('list packages: id, label, size, files, state, copies')
    .addOption(
      new Option('--state <state>', 'only packages in this state').choices(['stored', 'archived', 'failed']),
    )
    .option('--limit <n>', 'at most n packages', positiveInt)
    .action(async (options: { state?: PackageState; limit?: number }) =>
      withContext(program, (ctx, g) => listCommand(ctx, { ...options, json: g.json }))(),
    );

  program
    .command('show <id>')
    .description('one package: metadata, files with digests, copies, events')
    .action(async (id: string) => withContext(program, (ctx, g) => showCommand(ctx, id, { json: g.json }))());

  program
    .command('audit')
    .description(
      'one planned audit run now (what the schedule runs): verify, compare and repair copies; ' +
        'exit 1 when failures remain, 3 when copies were repaired or coverage is behind',
    )
    .option('--package <id>', 'every copy of this package, now')
    .option('--location <name>', 'only this location')
    .option('--all', 'every copy now, fully, without planning')
    .option('--orphans', 'list locations for unknown objects now, however recently they were listed')
    .action(async (options: { package?: string; location?: string; all?: boolean; orphans?: boolean }) =>
      withContext(program, async (ctx, g) => {
        const stop = stopOnSignals(ctx.logger);
        try {
          return await auditCommand(ctx, { ...options, json: g.json, signal: stop.signal });
        } finally {
          stop.dispose();
        }
      })(),
    );

  program
    .command('coverage')
    .description('share of copies verified within their audit period, per location; exit 1 when behind')
    .action(async () => withContext(program, (ctx, g) => coverageCommand(ctx, { json: g.json }))());

  program
    .command('get <id>')
    .description('restore the original files of a package, each verified against its digest')
    .requiredOption('-o, --out <dir>', 'folder to restore into')
    .action(async (id: string, options: { out: string }) =>
      withContext(program, (ctx, g) => getCommand(ctx, id, { ...options, json: g.json }))(),
    );

  program
    .command('config')
    .description('print the effective configuration, secrets masked')
    .action(() => {
      process.exitCode = configCommand(program.opts<GlobalOptions>());
    });
}

/** `orphans list|remove|keep`. */
function addOrphansCommands(program: Command): void {
  const orphans = program
    .command('orphans')
    .description(
      'objects in the locations that the catalog does not know, and the operator decisions on them',
    );
  orphans
    .command('list')
    .description('list every location now; exit 1 when unknown objects are found')
    .option('--location <name>', 'only this location')
    .action(async (options: { location?: string }) =>
      withContext(program, (ctx, g) => orphansListCommand(ctx, { ...options, json: g.json }))(),
    );
  for (const action of ['remove', 'keep'] as const) {
    orphans
      .command(`${action} <object>`)
      .description(
        action === 'remove'
          ? 'delete one unknown object (<location>:<key>), recorded with who and why'
          : 'keep one unknown object as known, so audits stop reporting it; recorded with who and why',
      )
      .requiredOption('--by <who>', 'who decided')
      .requiredOption('--reason <why>', 'why, for the record')
      .action(async (object: string, options: { by: string; reason: string }) =>
        withContext(program, (ctx, g) =>
          orphanDecisionCommand(ctx, action, object, { ...options, json: g.json }),
        )(),
      );
  }
  orphans
    .command('adopt <object> [key]')
    .description(
      'verify one orphan package (<location>:<key>, or <location> <key>) and take it into the catalog',
    )
    .requiredOption('--by <who>', 'who decided')
    .requiredOption('--reason <why>', 'why, for the record')
    .action(async (object: string, key: string | undefined, options: { by: string; reason: string }) =>
      withContext(program, (ctx, g) =>
        orphanAdoptCommand(ctx, key ? `${object}:${key}` : object, { ...options, json: g.json }),
      )(),
    );
}

/** `catalog rebuild`. */
function addCatalogCommands(program: Command): void {
  program
    .command('catalog')
    .description('the catalog itself')
    .command('rebuild')
    .description(
      'make the catalog again from what the storage locations hold (into an empty catalog; resumable)',
    )
    .option('--concurrency <n>', 'packages read at once (default 4)', positiveInt)
    .action(async (options: { concurrency?: number }) =>
      withContext(program, async (ctx, g) => {
        const stop = stopOnSignals(ctx.logger);
        try {
          return await catalogRebuildCommand(ctx, { ...options, json: g.json, signal: stop.signal });
        } finally {
          stop.dispose();
        }
      })(),
    );
}

/** `reports list|show`. */
function addReportsCommands(program: Command): void {
  const reports = program.command('reports').description('past ingest and audit runs');
  reports
    .command('list')
    .option('--limit <n>', 'at most n runs', positiveInt)
    .action(async (options: { limit?: number }) =>
      withContext(program, (ctx, g) => reportsListCommand(ctx, { ...options, json: g.json }))(),
    );
  reports
    .command('show <run>')
    .action(async (runId: string) =>
      withContext(program, (ctx, g) => reportsShowCommand(ctx, runId, { json: g.json }))(),
    );
}

/** `jobs add|list|show|pause|resume|remove|run`. */
function addJobsCommands(program: Command): void {
  const jobs = program
    .command('jobs')
    .description(
      'ingest jobs: what to take from where, with which profile, when (also under jobs: in the config)',
    );
  jobs
    .command('add <name>')
    .description('a new job; name: lower-case letters, digits, ".", "_", "-"')
    .requiredOption(
      '--source <kind:path>',
      'where records come from: folder:<dir>, bagit:<dir> or eark-sip:<dir>',
    )
    .option('--profile <name>', "package profile (default: the config's profile)")
    .option(
      '--cron <expression>',
      'schedule, five or six cron fields, e.g. "0 2 * * *" (default: only on jobs run)',
    )
    .option('--timezone <zone>', 'IANA time zone of --cron (default Europe/Stockholm)')
    .option(
      '--after-success <action>',
      'leave | mark | move:<dir>: what happens to an archived record (default leave)',
    )
    .option('--quarantine <dir>', 'move records that fail validation here (default: leave them in place)')
    .option('--max-records <n>', 'at most n records per run')
    .option('--max-bytes <size>', 'at most this much per run, e.g. 50GB')
    .option('--disabled', 'add it paused')
    .action(async (name: string, options: JobFlags) =>
      withContext(program, (ctx, g) =>
        // The global -p/--profile takes the option when it is given: read either.
        jobsAddCommand(ctx, name, { ...options, profile: options.profile ?? g.profile, json: g.json }),
      )(),
    );
  jobs
    .command('list')
    .description('every job: source, profile, schedule, after-success action, state, last run')
    .action(async () => withContext(program, (ctx, g) => jobsListCommand(ctx, { json: g.json }))());
  jobs
    .command('show <name>')
    .description('one job: its definition, last runs and its records by state')
    .action(async (name: string) =>
      withContext(program, (ctx, g) => jobsShowCommand(ctx, name, { json: g.json }))(),
    );
  jobs
    .command('pause <name>')
    .description('stop scheduled runs of a job (kept across restarts)')
    .action(async (name: string) =>
      withContext(program, (ctx, g) => jobsSetEnabledCommand(ctx, name, false, { json: g.json }))(),
    );
  jobs
    .command('resume <name>')
    .description('run a paused job on its schedule again')
    .action(async (name: string) =>
      withContext(program, (ctx, g) => jobsSetEnabledCommand(ctx, name, true, { json: g.json }))(),
    );
  jobs
    .command('remove <name>')
    .description('remove a job added with jobs add (config jobs: remove them from the file); its runs stay')
    .action(async (name: string) =>
      withContext(program, (ctx, g) => jobsRemoveCommand(ctx, name, { json: g.json }))(),
    );
  jobs
    .command('run <name>')
    .description('one run of a job now, whatever its schedule; exit 1 when records failed')
    .action(async (name: string) =>
      withContext(program, async (ctx, g) => {
        const stop = stopOnSignals(ctx.logger);
        try {
          return await jobsRunCommand(ctx, name, { json: g.json, signal: stop.signal });
        } finally {
          stop.dispose();
        }
      })(),
    );
}

/** `runs list|show` and `storage check`. */
function addRunsAndStorageCommands(program: Command): void {
  const runs = program.command('runs').description('what each ingest and audit run did');
  runs
    .command('list')
    .description('runs, newest first: status, duration, records or copies, bytes')
    .option('--job <name>', 'only runs of this job')
    .option('--limit <n>', 'at most n runs (default 50)', positiveInt)
    .action(async (options: { job?: string; limit?: number }) =>
      withContext(program, (ctx, g) => runsListCommand(ctx, { ...options, json: g.json }))(),
    );
  runs
    .command('show <run>')
    .description('one run: counts, records that need attention and why, where the packages went')
    .action(async (runId: string) =>
      withContext(program, (ctx, g) => runsShowCommand(ctx, runId, { json: g.json }))(),
    );

  const storage = program.command('storage').description('storage locations');
  storage
    .command('check')
    .description('what each location supports against what the copy policy needs; exit 1 when it lacks any')
    .option('--location <name>', 'only this location')
    .action(async (options: { location?: string }) =>
      withContext(program, (ctx, g) => storageCheckCommand(ctx, { ...options, json: g.json }))(),
    );
}

/** `worker` and `serve`. */
function addServiceCommands(program: Command): void {
  program
    .command('worker')
    .description(
      'run the schedules (ingest jobs and audits) unattended; several workers may share a PostgreSQL catalog',
    )
    .option(
      '--once',
      'run every enabled job once and one planned audit, then exit (for cron-driven deployments)',
    )
    .option(
      '--id <id>',
      "this worker's id, unique among live workers (default: config worker.id or the host name)",
    )
    .option(
      '--health-file <file>',
      'JSON health file rewritten on every look (default: <dataDir>/worker-<id>.health.json)',
    )
    .action(async (options: { once?: boolean; id?: string; healthFile?: string }) =>
      withContext(program, (ctx, g) => workerCommand(ctx, { ...options, json: g.json }))(),
    );

  program
    .command('serve')
    .description('the web console and HTTP API for archivists and operations (log in with bevara users add)')
    .option('--listen <host:port>', 'address to listen on (default: config http.listen, 127.0.0.1:8080)')
    .action(async (options: { listen?: string }) =>
      withContext(program, (ctx, g) => serveCommand(ctx, { ...options, json: g.json }))(),
    );
}

/** `users add|list|remove`. */
function addUsersCommands(program: Command): void {
  const users = program.command('users').description('accounts of the web console (bevara serve)');
  users
    .command('add <name>')
    .description('an account; the password is read from stdin (first line) or --password-file')
    .addOption(
      new Option('--role <role>', 'what the account may do')
        .choices(['reader', 'archivist', 'operations', 'admin'])
        .makeOptionMandatory(),
    )
    .option('--password-file <file>', 'read the password from the first line of this file')
    .action(async (name: string, options: { role: string; passwordFile?: string }) =>
      withContext(program, (ctx, g) => usersAddCommand(ctx, name, { ...options, json: g.json }))(),
    );
  users
    .command('list')
    .description('every account and its role')
    .action(async () => withContext(program, (ctx, g) => usersListCommand(ctx, { json: g.json }))());
  users
    .command('remove <name>')
    .description('remove an account; its sessions end at once')
    .action(async (name: string) =>
      withContext(program, (ctx, g) => usersRemoveCommand(ctx, name, { json: g.json }))(),
    );
}

/** `validate`. */
function addValidateCommand(program: Command): void {
  program
    .command('validate <path>')
    .description('check an E-ARK CSIP/SIP package (zip or folder); exit 1 when a MUST requirement fails')
    .addOption(
      new Option('--profile <profile>', 'csip | sip (default: sip when the METS declares a SIP)').choices([
        'csip',
        'sip',
      ]),
    )
    .action(async (path: string, options: { profile?: string }) => {
      // The global -p/--profile (package profile) takes the option when it is given: read either.
      const g = program.opts<GlobalOptions>();
      process.exitCode = await validateCommand(path, { profile: options.profile ?? g.profile, json: g.json });
    });
}

/** What to do about a file-system refusal that reached the top (the message names the path). */
const DENIED = `this user (uid ${process.getuid?.() ?? '?'}) may not use that path: run bevara as the owner of its data folder, or fix the path's permissions`;
const ENVIRONMENT_ADVICE: Record<string, string> = {
  EACCES: DENIED,
  EPERM: DENIED,
  EROFS: 'that file system is mounted read-only',
  ENOENT: 'that path does not exist: check the folders given in the configuration and on the command line',
  ENOTDIR:
    'a part of that path is not a folder: check the folders in the configuration and on the command line',
};

async function main(): Promise<void> {
  // `bevara ls | head`: a reader that goes away is not an error of ours.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    const known = err instanceof PreservationError;
    // A file-system refusal (permissions, read-only, missing folder) is the environment's, told in one line.
    const advice = known ? undefined : ENVIRONMENT_ADVICE[(err as NodeJS.ErrnoException)?.code ?? ''];
    const environment = advice !== undefined;
    const rule =
      err instanceof ValidationError && !err.message.includes(err.rule) ? ` (rule ${err.rule})` : '';
    const text =
      known || environment
        ? `${(err as Error).message}${rule}${environment ? `; ${advice}` : ''}`
        : ((err as Error)?.stack ?? String(err));
    process.stderr.write(`bevara: ${printable(text)}\n`);
    process.exitCode =
      known && !['E_CONFIG', 'E_NOT_FOUND', 'E_VALIDATION'].includes(err.code) ? 1 : EXIT_USAGE;
  }
}

await main();
