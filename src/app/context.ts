import path from 'node:path';
import { createSqliteCatalog } from '../catalog/sqlite.js';
import type { Catalog } from '../catalog/types.js';
import { type LoadedConfig, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import type { SoftwareAgent } from '../metadata/types.js';
import { loadProfile, type Profile, withHeader } from '../package/profile.js';
import { createReportWriter, type ReportWriter } from '../reports/write-report.js';
import { createLocation, type Location } from '../storage/index.js';
import { AGENT_NAME, bevaraVersion } from '../version.js';
import { prepareDataDir } from './data-dir.js';
import { createTerminal, type Terminal } from './terminal.js';

/** Options every command accepts. */
export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  profile?: string;
  logLevel?: string;
  json?: boolean;
  /** Catalog URL (`postgres://…`) or SQLite file, overriding the config. */
  catalog?: string;
}

/** Everything a command needs, built once from the effective config and closed at the end. */
export interface AppContext {
  config: Config;
  configFile?: string;
  logger: Logger;
  /** stderr, shared by logs and progress bars. */
  terminal: Terminal;
  catalog: Catalog;
  locations: Map<string, Location>;
  agent: SoftwareAgent;
  reports: ReportWriter;
  now: () => Date;
  profile(name?: string): Profile;
  /** The locations that must hold a copy under `profile`'s copy policy (or the config's override). */
  copyPolicy(profile: Profile): Location[];
  close(): Promise<void>;
}

export function loadCliConfig(options: GlobalOptions): LoadedConfig {
  const flags: Record<string, unknown> = {};
  if (options.dataDir) flags.dataDir = options.dataDir;
  if (options.profile) flags.profile = options.profile;
  if (options.logLevel) flags.log = { level: options.logLevel };
  if (options.catalog)
    flags.catalog = /^postgres(ql)?:\/\//.test(options.catalog)
      ? { driver: 'postgres', url: options.catalog }
      : { driver: 'sqlite', path: options.catalog };
  return loadConfig({ file: options.config, flags });
}

export async function openContext(options: GlobalOptions): Promise<AppContext> {
  const { config, file } = loadCliConfig(options);
  const terminal = createTerminal();
  const logger = createLogger({ level: config.log.level, format: config.log.format, sink: terminal });
  logWarningsThrough(logger);
  prepareDataDir(config, logger);
  const catalog =
    config.catalog.driver === 'postgres'
      ? // Loaded only here: a SQLite installation never pays for the pg driver (about 16 MB and 0.1 s of CPU).
        (await import('../catalog/postgres.js')).createPostgresCatalog({
          url: config.catalog.url,
          poolSize: config.catalog.poolSize,
        })
      : createSqliteCatalog({ path: config.catalog.path ?? path.join(config.dataDir, 'catalog.sqlite') });
  await catalog.migrate();
  const locations = new Map(
    Object.entries(config.locations).map(([name, c]) => [name, createLocation(name, c)]),
  );
  return {
    config,
    configFile: file,
    logger,
    terminal,
    catalog,
    locations,
    agent: { name: AGENT_NAME, version: bevaraVersion() },
    reports: createReportWriter({ dir: path.join(config.dataDir, 'reports'), language: config.language }),
    now: () => new Date(),
    profile: (name) =>
      withHeader(loadProfile(name ?? config.profile, config.profilesDir), config.organisation),
    copyPolicy(profile) {
      const names = config.copies ?? profile.copies;
      const missing = names.filter((n) => !locations.has(n));
      if (missing.length > 0) {
        throw new ConfigError(
          'copy policy',
          missing.map((n) => ({
            path: 'copies',
            message: `location "${n}" is not configured (configured: ${[...locations.keys()].join(', ')})`,
          })),
        );
      }
      return names.map((n) => locations.get(n) as Location);
    },
    async close() {
      await catalog.close();
      await Promise.all([...locations.values()].map((l) => l.driver.dispose?.()));
    },
  };
}

/**
 * Runtime warnings (e.g. the AWS SDK's notice about the Node version) become one structured log line each instead
 * of free text on stderr; the same warning is logged once.
 */
function logWarningsThrough(logger: Logger): void {
  const seen = new Set<string>();
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    const text = warning.message.replace(/\s+/g, ' ').trim();
    if (seen.has(text)) return;
    seen.add(text);
    logger.warn({ warning: warning.name }, text);
  });
}
