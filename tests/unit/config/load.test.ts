import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envOverrides, loadConfig, maskSecrets } from '../../../src/config/load.js';
import { configIssuePaths } from '../../helpers/config-issues.js';

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-config-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives the embedded defaults with no file, env or flags', () => {
    const { config, file } = loadConfig({ cwd: dir, env: {} });
    expect(file).toBeUndefined();
    expect(config.dataDir).toBe(path.join(dir, 'bevara-data'));
    expect(config.profile).toBe('eark-aip');
    expect(config.locations).toEqual({
      local: { driver: 'fs', root: path.join(dir, 'bevara-data', 'store', 'local') },
    });
    expect(config.catalog).toEqual({
      driver: 'sqlite',
      path: path.join(dir, 'bevara-data', 'catalog.sqlite'),
    });
  });

  it('layers file < env < flags', () => {
    fs.writeFileSync(
      path.join(dir, 'bevara.config.yaml'),
      'dataDir: /srv/from-file\nprofile: from-file\nlog:\n  level: debug\n',
    );
    const env = {
      BEVARA_PROFILE: 'from-env',
      BEVARA_LOG__LEVEL: 'warn',
      BEVARA_INGEST__MAX_PATH_LENGTH: '200',
      HOME: '/root',
    };
    const { config, file } = loadConfig({ cwd: dir, env, flags: { profile: 'from-flag' } });
    expect(file).toBe(path.join(dir, 'bevara.config.yaml'));
    expect(config.dataDir).toBe('/srv/from-file');
    expect(config.profile).toBe('from-flag');
    expect(config.log.level).toBe('warn');
    expect(config.ingest.maxPathLength).toBe(200);
  });

  it('reads JSON config files and nested location settings from env', () => {
    fs.writeFileSync(
      path.join(dir, 'bevara.config.json'),
      JSON.stringify({ locations: { primary: { driver: 'fs', root: '/srv/a' } } }),
    );
    const { config } = loadConfig({
      cwd: dir,
      env: { BEVARA_LOCATIONS__OFFSITE__DRIVER: 'fs', BEVARA_LOCATIONS__OFFSITE__ROOT: '/srv/b' },
    });
    expect(config.locations).toEqual({
      primary: { driver: 'fs', root: '/srv/a' },
      offsite: { driver: 'fs', root: '/srv/b' },
    });
  });

  it('reports every problem at once, each with its path', () => {
    fs.writeFileSync(
      path.join(dir, 'bevara.config.yaml'),
      'dataDir: ""\nlog:\n  level: loud\nlocations:\n  Primary: { driver: fs }\n  offsite: { driver: ftp }\ningest:\n  maxPathLength: 2\nunknownKey: 1\n',
    );
    const paths = configIssuePaths(() => loadConfig({ cwd: dir, env: {} }));
    expect(paths).toEqual(
      expect.arrayContaining([
        'dataDir',
        'log.level',
        'locations.Primary',
        'locations.offsite.driver',
        'ingest.maxPathLength',
        '',
      ]),
    );
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(/bevara\.config\.yaml[\s\S]*log\.level/);
  });

  it('names a file that is not valid YAML', () => {
    fs.writeFileSync(path.join(dir, 'broken.yaml'), 'dataDir: [unclosed\n');
    expect(() => loadConfig({ cwd: dir, env: {}, file: 'broken.yaml' })).toThrow(
      /broken\.yaml[\s\S]*not valid YAML/,
    );
  });

  it('names an explicit config file that does not exist', () => {
    expect(() => loadConfig({ cwd: dir, env: {}, file: 'missing.yaml' })).toThrow(
      /missing\.yaml[\s\S]*cannot read/,
    );
  });
});

describe('envOverrides', () => {
  it('maps BEVARA_* names to camelCase paths and ignores other variables', () => {
    expect(envOverrides({ BEVARA_DATA_DIR: '/x', BEVARA_LOG__LEVEL: 'debug', PATH: '/bin' })).toEqual({
      dataDir: '/x',
      log: { level: 'debug' },
    });
  });
});

describe('maskSecrets', () => {
  it('replaces secret-looking values wherever they are and keeps the rest', () => {
    const masked = maskSecrets({
      locations: { a: { driver: 's3', accessKeyId: 'AKIA', secretAccessKey: 'abc', sessionToken: 't' } },
      password: 'p',
      dataDir: '/d',
    });
    expect(masked).toEqual({
      locations: { a: { driver: 's3', accessKeyId: 'AKIA', secretAccessKey: '***', sessionToken: '***' } },
      password: '***',
      dataDir: '/d',
    });
  });

  it('masks URLs in lists too', () => {
    expect(maskSecrets({ hooks: ['https://ops:hemligt@h.example/a', 'folder:/in'] })).toEqual({
      hooks: ['https://ops:***@h.example/a', 'folder:/in'],
    });
  });
});
