import { maskUrlText } from './mask.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ConfigError, type Issue, ValidationError } from '../errors.js';
import { type Config, configSchema, SECRET_KEY } from './schema.js';

type Plain = Record<string, unknown>;

export interface LoadConfigOptions {
  /** Explicit config file (`--config`). Otherwise `bevara.config.{yaml,yml,json}` in `cwd`, if present. */
  file?: string;
  /** Overrides from command-line flags, as a partial config object. */
  flags?: Plain;
  /** Environment to read `BEVARA_*` from. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface LoadedConfig {
  config: Config;
  /** The config file that was read, if any. */
  file?: string;
}

const CONFIG_NAMES = ['bevara.config.yaml', 'bevara.config.yml', 'bevara.config.json'];

/**
 * Builds the effective configuration: defaults < config file < `BEVARA_*` env < flags, then validates it and
 * reports every problem at once with its path. This module is the only reader of `process.env`.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = options.file
    ? path.resolve(cwd, options.file)
    : CONFIG_NAMES.map((n) => path.join(cwd, n)).find(existsSync);
  const fromFile = file ? readConfigFile(file) : {};
  const merged = deepMerge(deepMerge(fromFile, envOverrides(env)), options.flags ?? {});
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issues: Issue[] = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new ConfigError(
      file ? `configuration (file ${file}, env, flags)` : 'configuration (env, flags)',
      issues,
    );
  }
  return { config: resolvePaths(parsed.data, cwd), file };
}

function readConfigFile(file: string): Plain {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const advice =
      code === 'ENOENT'
        ? 'check the path given to --config'
        : `make it readable by this user (uid ${process.getuid?.() ?? '?'}) or give another with --config`;
    throw new ValidationError('config-access', `[config] ${file}: cannot read it (${code}); ${advice}`);
  }
  try {
    const value = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
    if (value === null || value === undefined) return {};
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error('top level must be a mapping');
    return value as Plain;
  } catch (err) {
    throw new ConfigError(file, [
      {
        path: '',
        message: `not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
      },
    ]);
  }
}

/**
 * `BEVARA_DATA_DIR=/x` sets `dataDir`; `__` separates levels: `BEVARA_LOG__LEVEL=debug`,
 * `BEVARA_LOCATIONS__LOCAL__ROOT=/srv/bevara`. Values are read as YAML scalars (numbers, booleans, lists).
 * `BEVARA_TEST_*` is reserved for the test suite (its S3 engine) and is not configuration.
 */
export function envOverrides(env: NodeJS.ProcessEnv): Plain {
  const out: Plain = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('BEVARA_') || name.startsWith('BEVARA_TEST_') || raw === undefined) continue;
    const segments = name.slice('BEVARA_'.length).split('__').map(camelCase);
    const isLocationName = (i: number) => i === 1 && segments[0] === 'locations';
    let node = out;
    segments.forEach((segment, i) => {
      const key = isLocationName(i) ? segment.toLowerCase() : segment;
      if (i === segments.length - 1) node[key] = YAML.parse(raw) ?? raw;
      else {
        node[key] ??= {};
        node = node[key] as Plain;
      }
    });
  }
  return out;
}

function camelCase(screaming: string): string {
  return screaming.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = isPlain(current) && isPlain(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function resolvePaths(config: Config, cwd: string): Config {
  const dataDir = path.resolve(cwd, config.dataDir);
  const locations: Config['locations'] = {};
  for (const [name, location] of Object.entries(config.locations)) {
    locations[name] =
      location.driver === 'fs'
        ? { ...location, root: path.resolve(dataDir, location.root ?? path.join('store', name)) }
        : location;
  }
  return {
    ...config,
    dataDir,
    profilesDir: config.profilesDir ? path.resolve(cwd, config.profilesDir) : undefined,
    locations,
    catalog:
      config.catalog.driver === 'sqlite'
        ? { ...config.catalog, path: path.resolve(dataDir, config.catalog.path ?? 'catalog.sqlite') }
        : config.catalog,
  };
}

/** A copy of the config safe to print or log: every secret-looking value replaced by "***". */
export function maskSecrets<T>(value: T): T {
  if (typeof value === 'string') return maskUrlText(value) as T;
  if (Array.isArray(value)) return value.map(maskSecrets) as T;
  if (!isPlain(value)) return value;
  const out: Plain = {};
  for (const [key, inner] of Object.entries(value))
    out[key] = SECRET_KEY.test(key) && inner !== undefined ? '***' : maskSecrets(inner);
  return out as T;
}
