#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import type { JobFlags } from '../jobs/job-spec.js';
import { PreservationError, ValidationError } from '../errors.js';
import { printable } from '../printable.js';
import { bevaraVersion } from '../version.js';
import type { AppContext, GlobalOptions } from '../app/context.js';
import type { ExportCommandOptions } from './export.js';
import type { ListOptions } from './list.js';
import { addDisposalCommands } from './disposal-program.js';
import { lazy } from './lazy.js';
import { traceMemory } from '../memory-debug.js';
import { stopOnSignals } from './shutdown.js';

const catalogRebuildCommand = lazy(() => import('./catalog.js'), 'catalogRebuildCommand');
const orphanAdoptCommand = lazy(() => import('./orphans.js'), 'orphanAdoptCommand');
const auditCommand = lazy(() => import('./audit.js'), 'auditCommand');
const exportCommand = lazy(() => import('./export.js'), 'exportCommand');
const configCommand = lazy(() => import('./config.js'), 'configCommand');
const coverageCommand = lazy(() => import('./coverage.js'), 'coverageCommand');
const openContext = lazy(() => import('../app/context.js'), 'openContext');
const getCommand = lazy(() => import('./get.js'), 'getCommand');
const ingestCommand = lazy(() => import('./ingest.js'), 'ingestCommand');
const orphanDecisionCommand = lazy(() => import('./orphans.js'), 'orphanDecisionCommand');
const orphansListCommand = lazy(() => import('./orphans.js'), 'orphansListCommand');
const jobsAddCommand = lazy(() => import('./jobs.js'), 'jobsAddCommand');
const jobsListCommand = lazy(() => import('./jobs.js'), 'jobsListCommand');
const jobsRemoveCommand = lazy(() => import('./jobs.js'), 'jobsRemoveCommand');
const jobsRunCommand = lazy(() => import('./jobs.js'), 'jobsRunCommand');
const jobsSetEnabledCommand = lazy(() => import('./jobs.js'), 'jobsSetEnabledCommand');
const jobsShowCommand = lazy(() => import('./jobs.js'), 'jobsShowCommand');
const listCommand = lazy(() => import('./list.js'), 'listCommand');
const reportsListCommand = lazy(() => import('./reports.js'), 'reportsListCommand');
const reportsShowCommand = lazy(() => import('./reports.js'), 'reportsShowCommand');
const quarantineDecisionCommand = lazy(() => import('./quarantine.js'), 'quarantineDecisionCommand');
const quarantineListCommand = lazy(() => import('./quarantine.js'), 'quarantineListCommand');
const quarantineShowCommand = lazy(() => import('./quarantine.js'), 'quarantineShowCommand');
const runsRetryCommand = lazy(() => import('./runs.js'), 'runsRetryCommand');
const runsListCommand = lazy(() => import('./runs.js'), 'runsListCommand');
const runsShowCommand = lazy(() => import('./runs.js'), 'runsShowCommand');
const serveCommand = lazy(() => import('./serve.js'), 'serveCommand');
const usersAddCommand = lazy(() => import('./users.js'), 'usersAddCommand');
const usersListCommand = lazy(() => import('./users.js'), 'usersListCommand');
const usersRemoveCommand = lazy(() => import('./users.js'), 'usersRemoveCommand');
const showCommand = lazy(() => import('./show.js'), 'showCommand');
const storageCheckCommand = lazy(() => import('./storage.js'), 'storageCheckCommand');
const validateCommand = lazy(() => import('./validate.js'), 'validateCommand');
const workerCommand = lazy(() => import('./worker.js'), 'workerCommand');

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
  addQuarantineCommands(program);
  addDisposalCommands(program, withContext);
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
      new Option('--state <state>', 'only packages in this state').choices([
        'stored',
        'archived',
        'failed',
        'damaged',
        'disposing',
        'disposed',
      ]),
    )
    .option('--limit <n>', 'at most n packages', positiveInt)
    .option(
      '--archive-creator <text>',
      'only packages whose archive creator (arkivbildare) name or reference code holds this',
    )
    .option(
      '--classification <node>',
      'only packages classified at this node of the classification structure or below it',
    )
    .action(async (options: ListOptions) =>
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
    .option(
      '--level <level>',
      "quick | full | deep for every copy of this run (default: each location's policy)",
    )
    .action(
      async (options: {
        package?: string;
        location?: string;
        all?: boolean;
        orphans?: boolean;
        level?: string;
      }) =>
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

  addExportCommand(program);

  program
    .command('config')
    .description('print the effective configuration, secrets masked')
    .action(async () => {
      process.exitCode = await configCommand(program.opts<GlobalOptions>());
    });
}

/** `export`: hand records out to a requester. */
function addExportCommand(program: Command): void {
  program
    .command('export <target...>')
    .description(
      'hand records out (package ids, or a search: identifier:, text:, creator:, from:, to:, file:, digest:, puid: or words) ' +
        'as E-ARK DIPs, a folder or a ZIP, every file verified, with a receipt',
    )
    .requiredOption('-o, --out <dir|file.zip>', 'where to write; must not exist (a folder may be empty)')
    .addOption(
      new Option('-f, --format <format>', 'what to hand out')
        .choices(['dip', 'folder', 'zip'])
        .default('dip'),
    )
    .option('--restricted', 'hand out records with an access restriction (needs --reason and --requester)')
    .option('--reason <text>', 'why the records are handed out (recorded in the dissemination event)')
    .option('--requester <name>', 'to whom (recorded in the dissemination event)')
    .option('--by <user>', 'who hands them out (default: the logged-in user)')
    .action(async (targets: string[], options: Omit<ExportCommandOptions, 'json'>) =>
      withContext(program, (ctx, g) => exportCommand(ctx, targets, { ...options, json: g.json }))(),
    );
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

/** `quarantine list|show|release|discard`. */
function addQuarantineCommands(program: Command): void {
  const quarantine = program
    .command('quarantine')
    .description('records ingest refused, and the decisions on them (release back to the inbox, or discard)');
  quarantine
    .command('list')
    .description('refused records awaiting a decision, newest first')
    .option('--job <name>', 'only records of this job')
    .action(async (options: { job?: string }) =>
      withContext(program, (ctx, g) => quarantineListCommand(ctx, { ...options, json: g.json }))(),
    );
  quarantine
    .command('show <id>')
    .description('why a record was refused (rule, record, file), where it is, and the run report')
    .action(async (id: string) =>
      withContext(program, (ctx, g) => quarantineShowCommand(ctx, id, { json: g.json }))(),
    );
  quarantine
    .command('release <id>')
    .description(
      'give a refused record back to its inbox (never over anything) so the next run takes it again',
    )
    .requiredOption('--by <who>', 'who decided')
    .option('--reason <why>', 'why, for the record')
    .action(async (id: string, options: { by: string; reason?: string }) =>
      withContext(program, (ctx, g) =>
        quarantineDecisionCommand(ctx, 'release', id, { ...options, json: g.json }),
      )(),
    );
  quarantine
    .command('discard <id>')
    .description('delete a refused record from quarantine for good (never from the inbox)')
    .requiredOption('--by <who>', 'who decided')
    .requiredOption('--reason <why>', 'why, for the record')
    .option('--yes', 'confirm: the quarantined copy is deleted')
    .action(async (id: string, options: { by: string; reason: string; yes?: boolean }) =>
      withContext(program, (ctx, g) =>
        quarantineDecisionCommand(ctx, 'discard', id, { ...options, json: g.json }),
      )(),
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
  runs
    .command('retry <run> <record>')
    .description(
      'take a failed or waiting record of the run again: runs its job now (exit as jobs run); refused records: quarantine release',
    )
    .action(async (runId: string, record: string) =>
      withContext(program, (ctx, g) => runsRetryCommand(ctx, runId, record, { json: g.json }))(),
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
    .option(
      '--http [host:port]',
      'serve the console and API in this process too (default address: config http.listen, 127.0.0.1:8080)',
    )
    .action(async (options: { once?: boolean; id?: string; healthFile?: string; http?: boolean | string }) =>
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
    traceMemory('main');
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
