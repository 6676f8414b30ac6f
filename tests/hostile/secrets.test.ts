import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bevara } from '../e2e/helpers.js';
import { type HostileWorld, hostileWorld } from './harness.js';

/** `bevara config` prints the effective configuration: never a secret, however it is written into a URL. */
describe('secrets never reach printed configuration', () => {
  let world: HostileWorld;
  afterEach(() => world?.dispose());

  it('masks webhook tokens, user-name-only user info, PostgreSQL passwords (with "@") and sslpassword', () => {
    world = hostileWorld('secrets');
    const secrets = ['webhook-tok3n', 'onlyuser-t0ken', 'p@ss:w/rd', 'ssl-hemlis', 'query-l0sen'];
    const config = path.join(world.root, 'bevara.config.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        dataDir: world.data,
        catalog: {
          driver: 'postgres',
          url: `postgres://bevara:${secrets[2]}@db.kommun.example:5432/arkiv?sslmode=require&sslpassword=${secrets[3]}&password=${secrets[4]}`,
        },
        audit: {
          alerts: {
            webhook: `https://${secrets[1]}@hooks.kommun.example/larm?token=${secrets[0]}&kanal=drift`,
          },
        },
      }),
    );
    for (const args of [['config'], ['--json', 'config']]) {
      const result = bevara(world.data, ['-c', config, ...args]);
      expect(result.code, result.stderr).toBe(0);
      for (const secret of secrets) {
        expect(result.stdout).not.toContain(secret);
        expect(result.stdout).not.toContain(encodeURIComponent(secret));
      }
      expect(result.stdout).toContain('db.kommun.example:5432/arkiv');
      expect(result.stdout).toContain('sslmode=require');
      expect(result.stdout).toContain('kanal=drift');
    }
  });

  it('masks tokens in a webhook path or under any name, and an S3 endpoint user info in config, output and logs', () => {
    world = hostileWorld('secrets-paths');
    const slackToken = 'xK9fQ2mZ7pLw4RtY8vNb3CdE';
    const azureCode = 'c2VjcmV0LWF6dXJlLWZ1bmN0aW9uLWtleQ';
    const endpointPassword = 'endp0int-hemlis';
    const config = path.join(world.root, 'bevara.config.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        dataDir: world.data,
        locations: {
          local: { driver: 'fs' },
          // Nothing listens on port 9: the location is unreachable, which storage check and the log report.
          remote: { driver: 's3', bucket: 'arkiv', endpoint: `http://rgw:${endpointPassword}@127.0.0.1:9/` },
        },
        audit: {
          alerts: {
            webhook: `https://hooks.slack.com/services/T0123ABCD/B0456EFGH/${slackToken}?c=${azureCode}`,
          },
        },
      }),
    );
    const runs = [
      bevara(world.data, ['-c', config, 'config']),
      bevara(world.data, ['-c', config, '--json', 'config']),
      bevara(world.data, ['-c', config, 'storage', 'check']),
      bevara(world.data, ['-c', config, '--log-level', 'debug', 'storage', 'check'], {
        env: { BEVARA_LOG__FORMAT: 'pretty' },
      }),
    ];
    expect(runs[0]?.code, runs[0]?.stderr).toBe(0);
    expect(runs[2]?.stdout).toContain('s3://arkiv at http://rgw:***@127.0.0.1:9/');
    for (const result of runs) {
      const text = result.stdout + result.stderr;
      for (const secret of [slackToken, azureCode, endpointPassword]) expect(text).not.toContain(secret);
    }
    expect(runs[0]?.stdout).toContain('hooks.slack.com/services/T0123ABCD/B0456EFGH/***');
  });
});
