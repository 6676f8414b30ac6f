/**
 * What bevara stored in a filesystem location: the package ZIPs (`packages/**.zip` under the location's root, as
 * `bevara config` resolves it), for the audit floor that hashes the same bytes the audit reads.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The roots of the `fs` locations of a data dir, from `bevara --data-dir <dir> --json config`.
 * @returns {string[]}
 */
export function fsLocationRoots(cli, dataDir, env) {
  const run = spawnSync('node', [cli, '--data-dir', dataDir, '--json', 'config'], { encoding: 'utf8', env });
  let config;
  try {
    config = JSON.parse(run.stdout).config;
  } catch {
    throw new Error(`[bench] \`bevara config\` printed no JSON (exit ${run.status}): ${run.stderr.trim()}`);
  }
  const roots = Object.values(config.locations ?? {})
    .filter((l) => l.driver === 'fs' && typeof l.root === 'string')
    .map((l) => l.root);
  if (roots.length === 0) throw new Error(`[bench] \`bevara config\` shows no fs location for ${dataDir}`);
  return roots;
}

/**
 * Every package ZIP under `root`, as paths relative to it, with their total size.
 * @returns {Promise<{ files: string[], bytes: number }>}
 */
export async function storedZips(root) {
  const packages = join(root, 'packages');
  const entries = await readdir(packages, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.zip'))
    .map((e) => join(e.parentPath ?? e.path, e.name).slice(root.length + 1))
    .sort();
  const bytes = files.reduce((sum, f) => sum + statSync(join(root, f)).size, 0);
  return { files, bytes };
}
