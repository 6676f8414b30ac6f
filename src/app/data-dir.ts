/**
 * The data folder and what bevara keeps in it (catalog, reports, quarantine, filesystem locations), checked before
 * a command touches any of it: a folder or file this user cannot use is refused in one line that names it and
 * says what to do (`data-dir-access`, exit 2), instead of failing half-way with a file-system error.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * Sets the process umask from `config.access` (records may be restricted: nothing bevara writes is readable by
 * other local users), creates the data folder when missing (0700, or 0750 with `access: group`), refuses one this
 * user cannot create or write, or whose catalog, reports, quarantine or location folders it cannot use, and warns
 * about a data folder open to others.
 */
export function prepareDataDir(config: Config, logger: Logger): void {
  process.umask(config.access === 'group' ? 0o027 : 0o077);
  const { dataDir } = config;
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.accessSync(dataDir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    throw refusal(
      `the data folder ${dataDir} cannot be created or written by this user (${who(err)}); ` +
        "run bevara as the folder's owner or choose another with --data-dir",
    );
  }
  for (const inside of ownedPaths(config)) {
    try {
      const isDir = fs.statSync(inside).isDirectory();
      fs.accessSync(inside, fs.constants.R_OK | fs.constants.W_OK | (isDir ? fs.constants.X_OK : 0));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw refusal(
        `${inside} in the data folder cannot be read or written by this user (${who(err)}); everything in the ` +
          `data folder must belong to the user that runs bevara (chown -R it) or choose another with --data-dir`,
      );
    }
  }
  const mode = fs.statSync(dataDir).mode;
  if ((mode & 0o002) !== 0 || (config.access === 'owner' && (mode & 0o077) !== 0))
    logger.warn(
      { dataDir, mode: (mode & 0o777).toString(8) },
      'the data folder is readable or writable by other users; chmod 700 it (or 750 with access: group)',
    );
}

/** What bevara writes in the data folder, whether or not it exists yet. */
function ownedPaths(config: Config): string[] {
  const paths: string[] = [];
  if (config.catalog.driver === 'sqlite' && config.catalog.path) {
    const catalog = config.catalog.path;
    paths.push(catalog, `${catalog}-wal`, `${catalog}-shm`);
  }
  paths.push(path.join(config.dataDir, 'reports'), path.join(config.dataDir, 'quarantine'));
  for (const location of Object.values(config.locations))
    if (location.driver === 'fs' && location.root && isInside(location.root, config.dataDir))
      paths.push(location.root);
  return paths;
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function who(err: unknown): string {
  return `uid ${process.getuid?.() ?? '?'}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`;
}

function refusal(message: string): ValidationError {
  return new ValidationError('data-dir-access', `[bevara] ${message}`);
}
