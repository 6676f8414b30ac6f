import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskSecrets } from '../../../src/config/load.js';
import { oidcSchema } from '../../../src/config/oidc-schema.js';
import { configSchema } from '../../../src/config/schema.js';
import { ConfigError } from '../../../src/errors.js';
import { readClientSecret } from '../../../src/http/auth/oidc-client.js';
import { nameFromClaims, OidcRefusal, roleFromClaims } from '../../../src/http/auth/oidc-claims.js';

const settings = oidcSchema.parse({
  issuer: 'https://id.kommun.example/realms/k',
  clientId: 'bevara',
  redirectUrl: 'https://bevara.kommun.example/login/oidc/callback',
  roleClaim: 'realm_access.roles',
  roles: { 'bevara-las': 'reader', 'bevara-arkiv': 'archivist', 'bevara-drift': 'operations', it: 'admin' },
});
const withRoles = (roles: unknown) => ({ realm_access: { roles } });

describe('role from claims', () => {
  it('maps a string or a list, through a dotted path', () => {
    expect(roleFromClaims(withRoles('bevara-drift'), settings)).toBe('operations');
    expect(roleFromClaims(withRoles(['x', 'bevara-las']), settings)).toBe('reader');
    expect(roleFromClaims(withRoles(['bevara-las', 'bevara-arkiv']), settings)).toBe('archivist');
    expect(roleFromClaims(withRoles(['bevara-arkiv', 'bevara-drift', 'it']), settings)).toBe('admin');
  });

  it('refuses no claim, unmapped values and roles that cannot be combined', () => {
    const rule = (claims: Record<string, unknown>) => {
      try {
        roleFromClaims(claims, settings);
        return 'accepted';
      } catch (err) {
        return err instanceof OidcRefusal ? err.rule : 'other';
      }
    };
    expect(rule({})).toBe('oidc-no-role');
    expect(rule(withRoles(['toString', '__proto__', 'x']))).toBe('oidc-no-role');
    expect(rule(withRoles(['bevara-arkiv', 'bevara-drift']))).toBe('oidc-ambiguous-role');
  });
});

describe('name from claims', () => {
  it('prefixes the name claim and refuses a missing or odd one', () => {
    expect(nameFromClaims({ preferred_username: 'anna@kommun.se' }, settings)).toBe('oidc:anna@kommun.se');
    expect(() => nameFromClaims({}, settings)).toThrow(OidcRefusal);
    expect(() => nameFromClaims({ preferred_username: 'a b' }, settings)).toThrow(/nameFromClaims|claim/);
  });
});

describe('oidc config', () => {
  const base = { clientId: 'c', roleClaim: 'groups', roles: { g: 'reader' } };
  it('takes https, or http to loopback only, and the callback path', () => {
    const ok = oidcSchema.safeParse({
      ...base,
      issuer: 'http://127.0.0.1:9000',
      redirectUrl: 'http://localhost:8080/login/oidc/callback',
    });
    expect(ok.success).toBe(true);
    const bad = oidcSchema.safeParse({
      ...base,
      issuer: 'http://id.kommun.example',
      redirectUrl: 'https://bevara.example/callback',
      scopes: ['profile'],
      roles: {},
    });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['issuer', 'redirectUrl', 'scopes', 'roles']));
  });
});

describe('http config with oidc', () => {
  const oidc = {
    issuer: 'https://id.kommun.example',
    clientId: 'bevara',
    clientSecretFile: '/run/secrets/oidc',
    redirectUrl: 'https://bevara.kommun.example/login/oidc/callback',
    roleClaim: 'groups',
    roles: { arkiv: 'archivist' },
  };
  it('refuses localLogin: false without an oidc section, and masks the secret file in bevara config', () => {
    const alone = configSchema.safeParse({ http: { localLogin: false } });
    expect(alone.success).toBe(false);
    expect(alone.error?.issues[0]?.message).toMatch(/nobody could log in/);
    const config = configSchema.parse({ http: { localLogin: false, oidc } });
    expect(config.http.oidc?.scopes).toEqual(['openid', 'profile', 'email']);
    expect(maskSecrets(config).http.oidc?.clientSecretFile).toBe('***');
  });

  it('reads the first line of the secret file, and names a missing or empty one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bevara-oidc-'));
    fs.writeFileSync(path.join(dir, 's'), 'hemlig-nyckel\nrest\n');
    fs.writeFileSync(path.join(dir, 'empty'), '\n');
    expect(readClientSecret(path.join(dir, 's'))).toBe('hemlig-nyckel');
    expect(() => readClientSecret(path.join(dir, 'missing'))).toThrow(ConfigError);
    expect(() => readClientSecret(path.join(dir, 'missing'))).toThrow(/clientSecretFile: cannot read/);
    expect(() => readClientSecret(path.join(dir, 'empty'))).toThrow(/is empty/);
  });
});
