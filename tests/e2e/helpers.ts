import { type ChildProcess, type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const BIN = path.resolve('dist/cli/main.js');
export const FIXTURES = path.resolve('fixtures/records');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `bevara` CLI with its own data dir, logs as JSON on stderr. */
export function bevara(
  dataDir: string,
  args: string[],
  options: { user?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const argv = [BIN, '--data-dir', dataDir, ...args];
  const env = { ...process.env, BEVARA_LOG__FORMAT: 'json', ...options.env };
  const result: SpawnSyncReturns<string> = options.user
    ? spawnSync('runuser', ['-u', options.user, '--', process.execPath, ...argv], {
        encoding: 'utf8',
        env,
        cwd: options.cwd,
      })
    : spawnSync(process.execPath, argv, { encoding: 'utf8', env, cwd: options.cwd });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function json<T>(result: CliResult): T {
  return JSON.parse(result.stdout) as T;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `bevara-${prefix}-`));
}

export function copyFixtures(to: string): string {
  fs.cpSync(FIXTURES, to, { recursive: true, preserveTimestamps: true });
  return to;
}

/** Every file under `root` with size, mtime and SHA-256: to prove a source was left untouched. */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: Buffer) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' })) {
      const full = Buffer.concat([dir, Buffer.from('/'), entry.name]);
      const key = full.toString('latin1');
      const stat = fs.lstatSync(full);
      if (entry.isDirectory()) {
        out[key] = `dir ${stat.mode}`;
        walk(full);
        continue;
      }
      const digest =
        stat.isFile() && (stat.mode & 0o444) !== 0
          ? createHash('sha256').update(fs.readFileSync(full)).digest('hex')
          : '';
      out[key] = `${stat.mode} ${stat.size} ${stat.mtimeMs} ${digest}`;
    }
  };
  walk(Buffer.from(root));
  return out;
}

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** All regular files under `root`, as POSIX paths relative to it. */
export function listFiles(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/**
 * Runs the CLI without blocking this process, for tests that serve something to it meanwhile (a fault proxy)
 * or signal it mid-run. `child` is there to kill it.
 */
export function bevaraAsync(
  dataDir: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
    env: { ...process.env, BEVARA_LOG__FORMAT: 'json', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr })),
  );
  return { child, done };
}
