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
});
