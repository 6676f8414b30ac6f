/**
 * Command-line and environment options of `npm run bench`, and what is printed about the machine.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';

/**
 * Options from argv (wins) or BENCH_* environment variables; `--quick` changes the defaults only.
 * @returns {{ quick: boolean, keep: boolean, small: number, bigMiB: number, seed: string, repeat: number,
 *   hashMiB: number, s3: boolean, rssMiB: number[], manyFiles: number }}
 */
export function readOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      keep: { type: 'boolean' },
      small: { type: 'string' },
      'big-mb': { type: 'string' },
      seed: { type: 'string' },
      repeat: { type: 'string' },
      'hash-mib': { type: 'string' },
      'rss-mb': { type: 'string' },
      'many-files': { type: 'string' },
      // parseArgs learnt `allowNegative` only in Node 22.4; Node 20 needs the negated flag spelt out.
      'no-s3': { type: 'boolean' },
    },
  });
  const env = process.env;
  const flag = (name, envName) => values[name] ?? ['1', 'true', 'yes'].includes(env[envName] ?? '');
  const quick = flag('quick', 'BENCH_QUICK');
  const number = (name, envName, fallback, min) => {
    const raw = values[name] ?? env[envName];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min)
      throw new Error(`[bench] --${name} must be a number >= ${min}, got "${raw}"`);
    return n;
  };
  return {
    quick,
    keep: flag('keep', 'BENCH_KEEP'),
    small: Math.floor(number('small', 'BENCH_SMALL', quick ? 1_000 : 10_000, 1)),
    bigMiB: number('big-mb', 'BENCH_BIG_MB', quick ? 50 : 210, 0),
    seed: values.seed ?? env.BENCH_SEED ?? 'bevara-1',
    repeat: Math.floor(number('repeat', 'BENCH_REPEAT', 1, 1)),
    hashMiB: Math.floor(number('hash-mib', 'BENCH_HASH_MIB', quick ? 128 : 512, 0)),
    s3: !flag('no-s3', 'BENCH_NO_S3'),
    rssMiB: rssSizes(values['rss-mb'] ?? env.BENCH_RSS_MB, quick ? [32, 256] : [64, 512]),
    manyFiles: Math.floor(number('many-files', 'BENCH_MANY_FILES', quick ? 5_000 : 20_000, 0)),
  };
}

/** `--rss-mb S,L`: the two file sizes of the package-size step; `0` skips it. */
function rssSizes(raw, fallback) {
  if (raw === undefined) return fallback;
  if (raw.trim() === '0') return [];
  const sizes = raw.split(',').map(Number);
  if (sizes.length !== 2 || !sizes.every((n) => Number.isFinite(n) && n > 0) || sizes[0] === sizes[1]) {
    throw new Error(`[bench] --rss-mb must be two different sizes in MiB like 64,512 (or 0), got "${raw}"`);
  }
  return sizes;
}

/** CPU, cores, memory and tool versions, for the report. */
export function machineInfo() {
  const version = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim().split('\n')[0];
    } catch {
      return 'unknown';
    }
  };
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryMiB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    openssl: version('openssl', ['version']),
    zip: version('sh', ['-c', 'zip -v | sed -n 2p']),
  };
}

/** The 1, 5 and 15 minute load averages as printed by `uptime`. */
export const loadAverage = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
