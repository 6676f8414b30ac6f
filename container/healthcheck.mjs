// The image's HEALTHCHECK: `node /app/container/healthcheck.mjs [maxAgeSeconds]` (default 120).
//
// A `bevara worker` rewrites its health file after every successful look at the catalog (every
// `worker.pollSeconds`, default 5 s): healthy means that file belongs to this container's worker (its pid), says
// `running` and is younger than maxAgeSeconds. So a worker that cannot reach its catalog, or hangs, turns unhealthy;
// a check that node starts (`bevara --version`) would say nothing about either.
// A container running a one-off command (ingest, audit, get…) has no worker: the check says so and passes, as the
// command's exit status is what tells whether it went well. The file is found the way the worker finds it: its
// --health-file, else the config's worker.healthFile, else <dataDir>/worker-<id>.health.json with id from --id,
// worker.id or the host name (config file from the worker's --config, or bevara.config.* in its folder).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../dist/config/load.js';

const maxAgeSeconds = Number(process.argv[2] ?? 120);

function fail(message) {
  console.log(`unhealthy: ${message}`);
  process.exit(1);
}

/** The `bevara worker` process of this container, if any: its pid, arguments and working directory. */
function findWorker() {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args;
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue;
    }
    const main = args.findIndex((a) => a.endsWith('/dist/cli/main.js'));
    if (main < 0) continue;
    const rest = args.slice(main + 1);
    if (!rest.includes('worker')) continue;
    let cwd = '/app';
    let env = process.env;
    try {
      cwd = readlinkSync(`/proc/${entry}/cwd`);
      // The worker's own environment: the entrypoint added the secrets from files to it.
      env = Object.fromEntries(
        readFileSync(`/proc/${entry}/environ`, 'utf8')
          .split('\0')
          .filter(Boolean)
          .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
      );
    } catch {}
    return { pid: Number(entry), args: rest, cwd, env };
  }
  return undefined;
}

/** The value of a flag given as `--flag value` or `--flag=value` (or its short form). */
function flag(args, ...names) {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    for (const name of names) {
      if (arg === name) return args[i + 1];
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
    }
  }
  return undefined;
}

const worker = findWorker();
if (!worker) {
  console.log('healthy: no bevara worker in this container (a one-off command: its exit status tells)');
  process.exit(0);
}

let file = flag(worker.args, '--health-file');
if (file) file = path.resolve(worker.cwd, file);
else {
  let config;
  try {
    const dataDir = flag(worker.args, '-d', '--data-dir');
    ({ config } = loadConfig({
      file: flag(worker.args, '-c', '--config'),
      flags: dataDir ? { dataDir } : {},
      cwd: worker.cwd,
      env: worker.env,
    }));
  } catch (err) {
    fail(`cannot read the worker's configuration: ${err instanceof Error ? err.message : String(err)}`);
  }
  const id = flag(worker.args, '--id') ?? config.worker.id ?? hostname();
  file = path.resolve(
    worker.cwd,
    config.worker.healthFile ?? path.join(config.dataDir, `worker-${id}.health.json`),
  );
}

let health;
try {
  health = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  fail(`no readable health file ${file} (${err.code ?? err.message})`);
}
const age = (Date.now() - Date.parse(health.updatedAt)) / 1000;
if (health.pid !== worker.pid)
  fail(`${file} was written by pid ${health.pid}, not this worker (${worker.pid})`);
if (health.status !== 'running') fail(`worker ${health.id} is ${health.status}`);
if (!(age <= maxAgeSeconds))
  fail(`worker ${health.id} last looked at the catalog ${Math.round(age)} s ago (limit ${maxAgeSeconds} s)`);
console.log(`healthy: worker ${health.id} looked at the catalog ${age.toFixed(1)} s ago`);
