import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type ChildProcess, spawn } from 'node:child_process';
import { createSqliteCatalog } from '../../src/catalog/sqlite.js';
import type { Catalog, RunRecord } from '../../src/catalog/types.js';
import { openContext } from '../../src/app/context.js';
import { jobsRunCommand } from '../../src/cli/jobs.js';
import { BIN, type CliResult, FIXTURES, listFiles, tempDir } from './helpers.js';

/** One pino JSON line of the CLI's stderr. */
export interface LogLine {
  msg: string;
  level: number;
  time: number;
  record?: string;
  from?: string;
  to?: string;
  runId?: string;
  packageId?: string;
  worker?: string;
  job?: string;
  [field: string]: unknown;
}

/** The JSON log lines of a CLI run's stderr (anything else, e.g. a stack trace, is skipped). */
export function logLines(stderr: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as LogLine);
    } catch {
      // not a log line
    }
  }
  return out;
}

/** A CLI process started in the background. */
export interface Started {
  child: ChildProcess;
  done: Promise<CliResult>;
  stderr(): string;
}

/**
 * A temp folder with a source, two filesystem locations (`primary`, `offsite`) that each must hold a copy, a data
 * dir and a config file; `cli` runs the real binary on it.
 */
export interface Workspace {
  root: string;
  data: string;
  config: string;
  /** The default catalog file, `<data>/catalog.sqlite`. */
  catalogFile: string;
  /** Folder of a location. */
  store(name: string): string;
  /** Runs `bevara -c <config> --data-dir <data> ...args` to its end. */
  cli(args: string[]): Promise<CliResult>;
  /** Same, parsing stdout as JSON (adds `--json`); throws with stderr when the command fails to print JSON. */
  cliJson<T>(args: string[]): Promise<T>;
  /** Declares jobs under `jobs:` in the config file (once per workspace); YAML takes the JSON as it is. */
  declareJobs(jobs: Record<string, Record<string, unknown>>): void;
  /** Starts the binary and returns at once; `stderr()` is what it logged so far. */
  start(args: string[]): Started;
  cleanup(): void;
}

export function createWorkspace(prefix: string, extraYaml = ''): Workspace {
  const root = tempDir(prefix);
  const data = path.join(root, 'data');
  const config = path.join(root, 'bevara.config.yaml');
  const store = (name: string) => path.join(root, 'store', name);
  fs.writeFileSync(
    config,
    [
      'log: { level: info }',
      'ingest: { workers: 1 }',
      'audit: { workers: 1 }',
      'locations:',
      `  primary: { driver: fs, root: ${JSON.stringify(store('primary'))} }`,
      `  offsite: { driver: fs, root: ${JSON.stringify(store('offsite'))} }`,
      'copies: [primary, offsite]',
      extraYaml.includes('worker:') ? '' : 'worker: { pollSeconds: 0.2, graceSeconds: 5, leaseSeconds: 10 }',
      extraYaml,
      '',
    ].join('\n'),
  );
  const start = (args: string[]): Started => {
    const child = spawn(process.execPath, [BIN, '--data-dir', data, '-c', config, ...args], {
      env: { ...process.env, BEVARA_LOG__FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const done = new Promise<CliResult>((resolve) =>
      child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr })),
    );
    return { child, done, stderr: () => stderr };
  };
  const cli = (args: string[]) => start(args).done;
  return {
    root,
    data,
    config,
    catalogFile: path.join(data, 'catalog.sqlite'),
    store,
    start,
    cli,
    async cliJson<T>(args: string[]) {
      const result = await cli(['--json', ...args]);
      try {
        return JSON.parse(result.stdout) as T;
      } catch {
        throw new Error(
          `bevara ${args.join(' ')} exited ${result.code} without JSON:\n${result.stdout}\n${result.stderr}`,
        );
      }
    },
    declareJobs: (jobs) => fs.appendFileSync(config, `jobs: ${JSON.stringify(jobs)}\n`),
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * Reads a SQLite catalog the CLI wrote, in this process (quicker than another CLI start on a busy machine); the
 * CLI's own output is checked where the command's output is the point.
 */
export async function readCatalog<T>(file: string, read: (catalog: Catalog) => Promise<T>): Promise<T> {
  const catalog = createSqliteCatalog({ path: file });
  try {
    return await read(catalog);
  } finally {
    await catalog.close();
  }
}

/**
 * `bevara --json jobs run <job>` in this process (the function the CLI calls, with the workspace's config and data
 * dir, logs silenced): for tests that need many runs, where the binary's wiring is covered elsewhere.
 */
export async function runJobInProcess(w: Workspace, job: string): Promise<{ code: number; run: RunRecord }> {
  const ctx = await openContext({ dataDir: w.data, config: w.config, logLevel: 'silent' });
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await jobsRunCommand(ctx, job, { json: true, signal: new AbortController().signal });
    return { code, run: JSON.parse(chunks.join('')) as RunRecord };
  } finally {
    process.stdout.write = write;
    await ctx.close();
  }
}

/** Copies the three fixture records into `dir` (created). */
export function copyRecords(dir: string): string {
  fs.cpSync(FIXTURES, dir, { recursive: true, preserveTimestamps: true });
  return dir;
}

/** Writes a record folder `dir/name` with the given files (relative paths). */
export function writeRecord(dir: string, name: string, files: Record<string, string | Buffer>): string {
  const record = path.join(dir, name);
  fs.mkdirSync(record, { recursive: true });
  for (const [file, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(record, file)), { recursive: true });
    fs.writeFileSync(path.join(record, file), body);
  }
  return record;
}

/** Every file of a folder, relative path to SHA-256: to prove a record arrived somewhere intact. */
export function digests(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of listFiles(root))
    out[file] = createHash('sha256')
      .update(fs.readFileSync(path.join(root, file)))
      .digest('hex');
  return out;
}

/** Bytes of a record's content files: everything but `record.json` at its root (descriptive metadata). */
export function contentBytes(record: string): number {
  return listFiles(record)
    .filter((f) => f !== 'record.json')
    .reduce((sum, f) => sum + fs.statSync(path.join(record, f)).size, 0);
}

/** Files under a location's `.tmp/` (uploads in progress or left behind). */
export function tempFiles(store: string): string[] {
  const tmp = path.join(store, '.tmp');
  return fs.existsSync(tmp) ? fs.readdirSync(tmp) : [];
}

/** Polls `check` every 50 ms until it returns a value other than undefined/false, or throws after `ms`. */
export async function waitFor<T>(what: string, ms: number, check: () => T | undefined | false): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The `record state` transitions of one record, in log order. */
export function transitions(lines: LogLine[], record: string): string[] {
  return lines.filter((l) => l.msg === 'record state' && l.record === record).map((l) => `${l.from}>${l.to}`);
}
