/**
 * Runs one benchmark step as a child process under GNU time (`/usr/bin/time`, Debian package `time`), which
 * reports the wall time and the peak resident set size of the command and every process it waited for.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const TIME_BIN = '/usr/bin/time';

/** Throws with an installation hint when GNU time or another required tool is missing. */
export function requireTools(tools) {
  if (!existsSync(TIME_BIN)) {
    throw new Error(
      `[bench] ${TIME_BIN} not found: install GNU time (Debian/Ubuntu: apt-get install time). ` +
        'The shell builtin `time` cannot report peak RSS.',
    );
  }
  const probe = spawnSync(TIME_BIN, ['-f', '%e %M', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0 || !/^\d+\.\d+ \d+\s*$/.test(probe.stderr.trim().split('\n').pop() ?? '')) {
    throw new Error(
      `[bench] ${TIME_BIN} is not GNU time (no -f '%e %M' support): install the Debian package "time"`,
    );
  }
  const missing = tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (missing.length > 0) {
    throw new Error(
      `[bench] missing tools: ${missing.join(', ')} (Debian: apt-get install ${missing.join(' ')})`,
    );
  }
}

/**
 * Runs `argv` under GNU time with stdout and stderr in files under `workDir`.
 * @returns {{ seconds: number, peakRssKb: number, userSeconds: number, systemSeconds: number, status: number,
 *   stdoutFile: string, stderrFile: string }}
 */
export function timeCommand({ name, argv, cwd, workDir, env }) {
  const stdoutFile = join(workDir, `${name}.stdout`);
  const stderrFile = join(workDir, `${name}.stderr`);
  const timeFile = join(workDir, `${name}.time`);
  const out = openSync(stdoutFile, 'w');
  const err = openSync(stderrFile, 'w');
  let result;
  try {
    result = spawnSync(TIME_BIN, ['-o', timeFile, '-f', '%e %M %U %S', ...argv], {
      cwd,
      env,
      stdio: ['ignore', out, err],
    });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  if (result.error) throw new Error(`[bench] ${name}: could not start ${argv[0]}: ${result.error.message}`);
  // GNU time writes "Command exited with non-zero status N" before the format line when the command fails.
  const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
  const [seconds, peakRssKb, userSeconds, systemSeconds] = last.split(' ').map(Number);
  if (![seconds, peakRssKb, userSeconds, systemSeconds].every(Number.isFinite)) {
    throw new Error(`[bench] ${name}: unexpected output from ${TIME_BIN}: ${JSON.stringify(last)}`);
  }
  return {
    seconds,
    peakRssKb,
    userSeconds,
    systemSeconds,
    status: result.status ?? -1,
    stdoutFile,
    stderrFile,
  };
}

/** The last lines of a step's stderr, for error messages. */
export function tail(file, lines = 15) {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
